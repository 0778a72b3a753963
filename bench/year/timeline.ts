/**
 * Where one release's time went, read from Temporal's own histories: for each delivery workflow
 * of a package, when (after the final approval) it was started, ran its first workflow task, and
 * scheduled, started and finished each activity. `--fanout40` prints it for every repetition, so
 * the gap between "approved" and "accepted by the platform" is split by step from a figure.
 */
import { Connection, WorkflowClient } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { deliveryWorkflowId } from '../../contracts/delivery.js';
import { sec } from '../figures.js';

// A CommonJS module: its namespace is read from the default export.
const EventType = proto.temporal.api.enums.v1.EventType;

/** Milestones of one delivery workflow, ms after `t0` (the final approval sent). */
export interface DeliveryTimeline {
  channelId: string;
  started: number;
  firstTask: number;
  /** Regular activities in the order they were scheduled. */
  activities: { type: string; scheduled: number; started: number | null; closed: number | null }[];
  /** Local activities (markers), by the time their workflow task completed. */
  localSteps: number;
  closed: number | null;
}

function ms(time: temporal.api.history.v1.IHistoryEvent['eventTime'], t0: number): number {
  if (!time) return NaN;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) - t0;
}

/** Reads the history of each delivery (business keys) and returns its milestones after `t0`. */
export async function deliveryTimelines(
  address: string,
  namespace: string,
  deliveries: { channelId: string; businessKey: string }[],
  t0: number,
): Promise<DeliveryTimeline[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new WorkflowClient({ connection, namespace });
    const out: DeliveryTimeline[] = [];
    for (const d of deliveries) {
      const history = await client.getHandle(deliveryWorkflowId(d.businessKey)).fetchHistory();
      const timeline: DeliveryTimeline = { channelId: d.channelId, started: NaN, firstTask: NaN, activities: [], localSteps: 0, closed: null };
      const byScheduledId = new Map<string, DeliveryTimeline['activities'][number]>();
      for (const e of history.events ?? []) {
        const at = ms(e.eventTime, t0);
        switch (e.eventType) {
          case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            timeline.started = at;
            break;
          case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            if (Number.isNaN(timeline.firstTask)) timeline.firstTask = at;
            break;
          case EventType.EVENT_TYPE_MARKER_RECORDED:
            timeline.localSteps += 1;
            break;
          case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
            const a = { type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', scheduled: at, started: null, closed: null };
            byScheduledId.set(String(e.eventId), a);
            timeline.activities.push(a);
            break;
          }
          case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
            const a = byScheduledId.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId));
            if (a) a.started = at;
            break;
          }
          case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
          case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
          case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
            const attrs = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
            const a = byScheduledId.get(String(attrs?.scheduledEventId));
            if (a) a.closed = at;
            break;
          }
          case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
          case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            timeline.closed = at;
            break;
        }
      }
      out.push(timeline);
    }
    return out;
  } finally {
    await connection.close();
  }
}

/** One line: `channel: started +0.42 s, first task +0.51 s, transmitDelivery 0.60 → 1.90 → 2.01 s, …`. */
export function describeTimeline(t: DeliveryTimeline): string {
  const steps = t.activities.map(
    (a) => `${a.type} ${sec(a.scheduled)} → ${a.started === null ? '—' : sec(a.started)} → ${a.closed === null ? '—' : sec(a.closed)}`,
  );
  return `${t.channelId}: started ${sec(t.started)}, first task ${sec(t.firstTask)}, ${t.localSteps} local steps; ${steps.join('; ') || 'no activity'} s (scheduled → started → done)`;
}
