/**
 * Bare-Temporal baselines, bundled on their own and run by their own Worker and task queue on the
 * same dev server as govpub's measurement:
 *  - noopReleaseWorkflow: the bare cost of a "release" (bench/delivery-bench.ts), one activity per
 *    delivery that does nothing, all at once;
 *  - noopDeliveryWorkflow: the bare cost of a delivery (issue 14's floor, bench/year/floor.ts),
 *    its steps as no-op activities one after another, as a delivery's format → transmit → confirm.
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

/** Runs `steps` no-op activities one after another (each waits for the one before, as a delivery's steps do). */
export async function noopDeliveryWorkflow(deliveryIndex: number, steps: number): Promise<number> {
  for (let step = 0; step < steps; step++) await noopDelivery(deliveryIndex, step);
  return steps;
}
