/**
 * Times every activity this worker runs (govpub_activity_duration_seconds) and how long its task
 * waited in the queue (govpub_activity_schedule_to_start_seconds), labelled with the activity type
 * and the kind of queue, so the bookkeeping on the main queue, transmits on the platform queues
 * and renditions on the media queue read apart; local activities (bookkeeping run inside a
 * workflow task) are labelled `local`. No-ops while worker metrics are off.
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { workerMetrics, workerMetricsEnabled, type TaskQueueKind } from './metrics.js';

export function activityMetricsInterceptor(kind: TaskQueueKind): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        if (!workerMetricsEnabled()) return next(input);
        const { activityType, currentAttemptScheduledTimestampMs, isLocal } = ctx.info;
        const labelKind = isLocal ? 'local' : kind;
        // Server clock against ours: on one host they agree; across hosts a skew shows here first.
        workerMetrics.scheduleToStart(activityType, labelKind, (Date.now() - currentAttemptScheduledTimestampMs) / 1000);
        const started = performance.now();
        try {
          return await next(input);
        } finally {
          workerMetrics.activity(activityType, labelKind, (performance.now() - started) / 1000);
        }
      },
    },
  });
}
