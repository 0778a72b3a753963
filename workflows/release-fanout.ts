/**
 * The fan-out of a release or a retraction: one delivery per channel, begun in batches so one
 * package to every channel stays far below Temporal's limits, each followed until it settles. A
 * delivery begins as a child workflow, or (a release) as a first attempt in the package's own
 * workflow that starts the child only when needed (workflows/first-attempt.ts).
 */
import { CancellationScope, condition, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { DeliveryPlan, DeliveryResult } from '../contracts/delivery.js';
import { exclusively, record, type PackageRun } from './package-run.js';

/** Channels are released in batches so one package to every channel stays far below Temporal's limits. */
const RELEASE_BATCH = 50;
/** A delivery workflow that failed (a bug, not a platform) is started again this many times before it waits for operations. */
const DELIVERY_RESTARTS = 5;

/**
 * Operations' restart of a stalled delivery is recorded in the audit trail here, as the workflow
 * takes it: the API sent the signal and then wrote the entry, so a crash between the two restarted
 * the delivery with no trace of who asked. Earlier histories replay without the step.
 */
const RESTART_RECORDED_BY_WORKFLOW_PATCH = 'restart-recorded-by-workflow';

/** A begun delivery: a child workflow, or a first attempt made here (workflows/first-attempt.ts). */
export type ChildHandle = { result(): Promise<DeliveryResult> };

/**
 * The plans in the batches they start in: at most RELEASE_BATCH each, and the quota-bound
 * channels (plan.quotaBound, ordered last by planDeliveries) in batches after the others have
 * started, so the channels that can go out at once do their first steps on a quieter worker.
 * Plans from before quotaBound existed start as they ran: in batches of RELEASE_BATCH alone.
 */
export function startBatches<P extends DeliveryPlan>(plans: P[]): P[][] {
  const batches: P[][] = [];
  let current: P[] = [];
  for (const plan of plans) {
    const boundary = current.length > 0 && plan.quotaBound === true && current.at(-1)!.quotaBound !== true;
    if (current.length === RELEASE_BATCH || boundary) {
      batches.push(current);
      current = [];
    }
    current.push(plan);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Begins one delivery per plan (`begin`, by default `start`), in batches (`betweenBatches` runs
 * before each batch but the first), and waits until every one has settled. A child that fails
 * (a defect, never a platform: those are states) is started again with `start`; after
 * DELIVERY_RESTARTS it waits for operations' retry, so no delivery is left with nothing running.
 */
export async function runChildren<P extends DeliveryPlan>(
  run: PackageRun,
  plans: P[],
  start: (plan: P) => Promise<ChildHandle>,
  begin: (plan: P) => Promise<ChildHandle> = start,
  betweenBatches?: () => Promise<void>,
): Promise<void> {
  const { state } = run;
  const settled: Promise<void>[] = [];
  const follow = async (plan: P, first: ChildHandle): Promise<void> => {
    let handle = first;
    for (let failures = 0; ;) {
      try {
        const r: DeliveryResult = await handle.result();
        state.deliveries[r.channelId] = { channelId: r.channelId, state: r.state, publicUrl: r.publicUrl, liveAt: r.liveAt };
        return;
      } catch (error) {
        if (isCancellation(error) || CancellationScope.current().consideredCancelled) throw error;
        failures += 1;
        if (failures >= DELIVERY_RESTARTS) {
          state.stalledDeliveries = [...new Set([...(state.stalledDeliveries ?? []), plan.channelId])];
          await condition(() => run.restartRequests.has(plan.channelId));
          const by = run.restartRequests.get(plan.channelId);
          run.restartRequests.delete(plan.channelId);
          state.stalledDeliveries = state.stalledDeliveries.filter((c) => c !== plan.channelId);
          if (patched(RESTART_RECORDED_BY_WORKFLOW_PATCH)) {
            await exclusively(run, () =>
              record(run, by ?? 'system', 'delivery_restart_requested', { channelId: plan.channelId, details: { restartedAfter: DELIVERY_RESTARTS } }),
            );
          }
          failures = 0;
        } else {
          await sleep(Math.min(30_000 * 2 ** (failures - 1), 10 * 60_000));
        }
        handle = await start(plan);
      }
    }
  };
  const batches = startBatches(plans);
  for (const [n, batch] of batches.entries()) {
    if (n > 0 && betweenBatches) await betweenBatches();
    const handles = await Promise.all(batch.map(begin));
    handles.forEach((h, i) => settled.push(follow(batch[i]!, h)));
  }
  const outcomes = await Promise.allSettled(settled);
  const rejected = outcomes.find((o) => o.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
