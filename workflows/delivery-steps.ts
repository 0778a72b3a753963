/**
 * What the delivery and take-down workflows share: their activities on the right task queues with
 * the right timeouts, how long they wait before asking again, and how a failed activity reads.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/delivery-activities.js';
import type { AttemptResult, DeliveryPlan, DeliveryStatus } from '../contracts/delivery.js';
import { localFirstActivities } from './local-first.js';

export const CONTINUE_AS_NEW_AFTER_EVENTS = 8000;
export const CONFIRM_POLL_MAX_MS = 60_000;
export const CONFIRM_POLL_AFTER_TIMEOUT_MS = 10 * 60_000;
export const CHANNEL_RECHECK_MS = 5 * 60_000;
/** How long a delivery waits before trying a step again that failed because the database was away. */
export const DATABASE_RECHECK_MS = 30_000;

/**
 * The activities of one delivery. `shared` joins every proxy's options: the package workflow's
 * first attempt (workflows/first-attempt.ts) gives its release priority there, which a delivery
 * workflow's activities inherit from the workflow.
 */
export function activitiesFor(plan: DeliveryPlan, shared: Pick<ActivityOptions, 'priority'> = {}) {
  // Bookkeeping runs locally first (workflows/local-first.ts), then retries without limit while the
  // database is away (a database outage of minutes must not strand a delivery); what the database
  // refuses for its data fails at once.
  const main = localFirstActivities<DeliveryActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
    ...shared,
  });
  // Renditions: long ffmpeg jobs heartbeat; a crashed worker's job resumes on another (cache keeps finished ones).
  const media = proxyActivities<DeliveryActivities>({
    taskQueue: plan.mediaQueue,
    startToCloseTimeout: '3 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
    ...shared,
  });
  // Transmits heartbeat every 2 s: a worker killed mid-transmit is noticed within 15 s, and the
  // retry reconciles with the platform first.
  const platform = proxyActivities<DeliveryActivities>({
    taskQueue: plan.platformQueue,
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
    ...shared,
  });
  // Status queries: on the platform's queue, or where the platform sweeps (plan.statusQueue) on a
  // queue of their own, where each waits at the sweep (heartbeating) for the post to be final. An
  // operator acting meanwhile cancels the wait: heartbeats every 2 s carry the cancellation (the
  // status worker sends them that often, worker/worker.ts), and the workflow goes on only once the
  // query has stopped (it may have recorded "live"). The timeout is not that short: a loaded
  // machine delays a heartbeat by seconds, and a query lost to that starts over.
  const statusQueries = plan.statusQueue
    ? proxyActivities<DeliveryActivities>({
        taskQueue: plan.statusQueue,
        startToCloseTimeout: '5 minutes',
        heartbeatTimeout: '20 seconds',
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
        ...shared,
      })
    : platform;
  return { main, media, platform, statusQueries };
}

/** Activity calls finish even when a retraction cancels the delivery: a half-sent post must be recorded. */
export function safely<T>(step: () => Promise<T>): Promise<T> {
  return CancellationScope.nonCancellable(step);
}

/** True when an activity gave up because the database was unreachable (activities/database-guard.ts). */
export function isDatabaseOutage(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === 'database_unavailable';
}

export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Keys of this run's recorded changes, `<workflowId>/<runId>/<n>`: a retried activity records once. */
export function eventKeys(): () => string {
  let seq = 0;
  return () => `${workflowInfo().workflowId}/${workflowInfo().runId}/${++seq}`;
}

/**
 * One attempt: format once (the payload snapshot is what every retry sends), prepare the
 * renditions not cached yet, transmit. The platform's answer, or the step that failed, comes back
 * as data; only a cancellation (a retraction) is thrown. Format and transmit finish even then: a
 * half-sent post must be recorded. Run by a delivery workflow, and by its package's workflow for
 * the first attempt (workflows/first-attempt.ts), so both take exactly the same steps.
 */
export async function attemptDelivery(
  plan: DeliveryPlan,
  { main, media, platform }: ReturnType<typeof activitiesFor>,
  status: DeliveryStatus,
  onFormatted: () => void = () => undefined,
): Promise<AttemptResult> {
  status.waitingFor = 'nothing';
  try {
    const formatted = await safely(() => main.formatDelivery(plan));
    onFormatted();
    if (formatted.kind === 'settled') return { kind: 'format_settled', state: formatted.state, publicUrl: formatted.publicUrl };
    if (formatted.kind === 'rejected') return { kind: 'format_rejected', message: formatted.message };
    // Only renditions not cached yet need the media step. Histories from before `toPrepare`
    // existed replay with `renditions`, as they ran (the same commands, no patch needed).
    if (formatted.kind === 'ready' && (formatted.toPrepare ?? formatted.renditions) > 0) {
      status.waitingFor = 'platform';
      // Cancellable: a retraction during release stops the transcodes (ffmpeg is killed).
      await media.prepareDeliveryMedia(plan);
    }
    status.state = 'transmitting';
    status.waitingFor = 'platform';
    return { kind: 'transmitted', outcome: await safely(() => platform.transmitDelivery(plan)) };
  } catch (error) {
    if (isCancellation(error)) throw error;
    onFormatted();
    return { kind: 'step_failed', message: failureMessage(error), databaseOutage: isDatabaseOutage(error) };
  }
}

/**
 * A retraction cancelled the release before this delivery settled: what went out stays recorded
 * (and is taken down); what did not go out is recorded as cancelled. `key` is asked only then.
 */
export function recordCancelledByRetraction(
  { main }: ReturnType<typeof activitiesFor>,
  plan: DeliveryPlan,
  status: DeliveryStatus,
  key: () => string,
): Promise<void> {
  return safely(async () => {
    if (status.state === 'live' || status.state === 'unconfirmed') return;
    status.state = 'canceled';
    await main.changeDelivery(plan, {
      state: 'canceled',
      action: 'delivery_canceled',
      actor: 'system',
      eventKey: key(),
      task: null,
      details: { reason: 'the package was retracted before this delivery went out' },
    });
  });
}
