/**
 * Baseline for bench/delivery-bench.ts: the bare Temporal cost of a "release" — one workflow
 * execution per package, running one activity per delivery that does nothing. Bundled on its own
 * and run by its own Worker and task queue, on the same dev server as govpub's measurement.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface NoopActivities {
  noopDelivery(packageIndex: number, deliveryIndex: number): Promise<void>;
}

const { noopDelivery } = proxyActivities<NoopActivities>({ startToCloseTimeout: '1 minute' });

/** Runs `deliveries` no-op activities at once (as govpub fans one package out to its channels). */
export async function noopReleaseWorkflow(packageIndex: number, deliveries: number): Promise<number> {
  await Promise.all(Array.from({ length: deliveries }, (_, i) => noopDelivery(packageIndex, i)));
  return deliveries;
}
