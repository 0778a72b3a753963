/**
 * What the delivery and take-down workflows share: their activities on the right task queues with
 * the right timeouts, how long they wait before asking again, and how a failed activity reads.
 */
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/delivery-activities.js';
import type { DeliveryPlan } from '../contracts/delivery.js';
import { localFirstActivities } from './local-first.js';

export const CONTINUE_AS_NEW_AFTER_EVENTS = 8000;
export const CONFIRM_POLL_MAX_MS = 60_000;
export const CONFIRM_POLL_AFTER_TIMEOUT_MS = 10 * 60_000;
export const CHANNEL_RECHECK_MS = 5 * 60_000;
/** How long a delivery waits before trying a step again that failed because the database was away. */
export const DATABASE_RECHECK_MS = 30_000;

export function activitiesFor(plan: DeliveryPlan) {
  // Bookkeeping runs locally first (workflows/local-first.ts), then retries without limit while the
  // database is away (a database outage of minutes must not strand a delivery); what the database
  // refuses for its data fails at once.
  const main = localFirstActivities<DeliveryActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  // Renditions: long ffmpeg jobs heartbeat; a crashed worker's job resumes on another (cache keeps finished ones).
  const media = proxyActivities<DeliveryActivities>({
    taskQueue: plan.mediaQueue,
    startToCloseTimeout: '3 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
  });
  // Transmits heartbeat every 2 s: a worker killed mid-transmit is noticed within 15 s, and the
  // retry reconciles with the platform first.
  const platform = proxyActivities<DeliveryActivities>({
    taskQueue: plan.platformQueue,
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
  });
  // Status queries: on the platform's queue, or where the platform sweeps (plan.statusQueue) on a
  // queue of their own, where each waits at the sweep (heartbeating) for the post to be final. An
  // operator acting meanwhile cancels the wait: heartbeats every few seconds carry the cancellation,
  // and the workflow goes on only once the query has stopped (it may have recorded "live").
  const statusQueries = plan.statusQueue
    ? proxyActivities<DeliveryActivities>({
        taskQueue: plan.statusQueue,
        startToCloseTimeout: '5 minutes',
        heartbeatTimeout: '5 seconds',
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
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
