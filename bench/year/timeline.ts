/**
 * Where one release's time went, read from Temporal's own histories: for each delivery of a
 * package, when (after the final approval) each of its activities was scheduled, started and
 * finished: the first attempt's in the package's workflow (workflows/first-attempt.ts), then, if
 * the delivery needed one, its delivery workflow's (when it was started, ran its first workflow
 * task, and its activities). `--fanout40` prints it for every repetition, so the gap between
 * "approved" and "accepted by the platform" is split by step from a figure.
 */
import { Connection, WorkflowClient } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { deliveryWorkflowId } from '../../contracts/delivery.js';
import { packageWorkflowId } from '../../contracts/package.js';
import { sec } from '../figures.js';

// A CommonJS module: its namespace is read from the default export.
const EventType = proto.temporal.api.enums.v1.EventType;

/** Milestones of one delivery, ms after `t0` (the final approval sent). */
export interface DeliveryTimeline {
  channelId: string;
  /** Its delivery workflow's start and first task; NaN when the first attempt settled it. */
  started: number;
  firstTask: number;
  /** Regular activities in the order they were scheduled. */
  activities: { type: string; scheduled: number; started: number | null; closed: number | null }[];
  /** Local activities (markers), by the time their workflow task completed. */
  localSteps: number;
  /**
   * Signals that woke it (a platform's push: `deliveryReported` on the package's workflow for this
   * channel, `platformReported` on its own) and when the workflow task that took each started.
   */
  signals: { name: string; at: number; taskStarted: number }[];
  closed: number | null;
}

function ms(time: temporal.api.history.v1.IHistoryEvent['eventTime'], t0: number): number {
  if (!time) return NaN;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) - t0;
}

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The `channelId` of the first argument in `payloads` (a delivery's plan, a push's signal), if it has one. */
function channelIn(payloads: { data?: Uint8Array | null }[] | null | undefined): string | null {
  const data = payloads?.[0]?.data;
  if (!data) return null;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { channelId?: string }).channelId ?? null;
  } catch {
    return null;
  }
}

/** The channel an activity was scheduled for: its first argument is the delivery's plan. */
const channelOf = (e: HistoryEvent) => channelIn(e.activityTaskScheduledEventAttributes?.input?.payloads);

/** The channel a package workflow's `deliveryReported` signal names. */
const signalChannel = (e: HistoryEvent) => channelIn(e.workflowExecutionSignaledEventAttributes?.input?.payloads);

/** Adds the signals of `events` (those naming `channelId` only, when given) to the timeline. */
function readSignals(timeline: DeliveryTimeline, events: HistoryEvent[], t0: number, channelId?: string): void {
  let waiting: DeliveryTimeline['signals'] = [];
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
      if (channelId !== undefined && signalChannel(e) !== channelId) continue;
      const signal = { name: e.workflowExecutionSignaledEventAttributes?.signalName ?? '?', at: ms(e.eventTime, t0), taskStarted: NaN };
      timeline.signals.push(signal);
      waiting.push(signal);
    } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && waiting.length) {
      for (const signal of waiting) signal.taskStarted = ms(e.eventTime, t0);
      waiting = [];
    }
  }
}

/** Adds the activities of `events` (those for `channelId` only, when given) to the timeline. */
function readActivities(timeline: DeliveryTimeline, events: HistoryEvent[], t0: number, channelId?: string): void {
  const byScheduledId = new Map<string, DeliveryTimeline['activities'][number]>();
  for (const e of events) {
    const at = ms(e.eventTime, t0);
    switch (e.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        if (channelId !== undefined && channelOf(e) !== channelId) break;
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
    }
  }
}

/**
 * The package workflow's own steps from `t0` to `untilMs` after it: each workflow task (started →
 * completed) with the Updates it accepted, the local steps (markers) it recorded and the
 * activities and timers it scheduled, and the signals between. One line, for `[slowest]`.
 */
export function packageWorkflowSteps(events: HistoryEvent[], t0: number, untilMs: number): string {
  const parts: string[] = [];
  let startedAt = NaN;
  // The commands a workflow task completed with follow its WORKFLOW_TASK_COMPLETED event.
  let task: { label: string; updates: string[]; markers: number; activities: number; timers: number } | null = null;
  const flush = () => {
    if (!task) return;
    const counted = [
      ...task.updates.map((name) => `accepted ${name}`),
      task.markers && `${task.markers} local steps`,
      task.activities && `${task.activities} activities`,
      task.timers && `${task.timers} timers`,
    ].filter(Boolean);
    parts.push(`${task.label}${counted.length ? ` (${counted.join(', ')})` : ''}`);
    task = null;
  };
  for (const e of events) {
    const at = ms(e.eventTime, t0);
    if (at < -50 || at > untilMs) continue;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        flush();
        startedAt = at;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        flush();
        task = { label: `task ${sec(startedAt)} → ${sec(at)}`, updates: [], markers: 0, activities: 0, timers: 0 };
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        task?.updates.push(e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '?');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        break; // one of the task's commands too: its activities follow
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (task) task.markers += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        if (task) task.activities += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        if (task) task.timers += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        flush();
        parts.push(`signal ${e.workflowExecutionSignaledEventAttributes?.signalName ?? '?'} ${sec(at)}`);
        break;
      default:
        flush();
    }
  }
  flush();
  return parts.join('; ') + ' s';
}

/**
 * Reads the histories of package `packageId` and each of its `deliveries`: each delivery's
 * milestones after `t0`, and the package workflow's events (for packageWorkflowSteps).
 */
export async function deliveryTimelines(
  address: string,
  namespace: string,
  packageId: string,
  deliveries: { channelId: string; businessKey: string }[],
  t0: number,
): Promise<{ timelines: DeliveryTimeline[]; packageEvents: HistoryEvent[] }> {
  const connection = await Connection.connect({ address });
  try {
    const client = new WorkflowClient({ connection, namespace });
    const packageEvents = (await client.getHandle(packageWorkflowId(packageId)).fetchHistory()).events ?? [];
    const out: DeliveryTimeline[] = [];
    for (const d of deliveries) {
      const timeline: DeliveryTimeline = { channelId: d.channelId, started: NaN, firstTask: NaN, activities: [], localSteps: 0, closed: null, signals: [] };
      readActivities(timeline, packageEvents, t0, d.channelId);
      readSignals(timeline, packageEvents, t0, d.channelId);
      const history = await client
        .getHandle(deliveryWorkflowId(d.businessKey))
        .fetchHistory()
        .catch(() => null); // none: the first attempt settled it
      const events = history?.events ?? [];
      readActivities(timeline, events, t0);
      readSignals(timeline, events, t0);
      for (const e of events) {
        const at = ms(e.eventTime, t0);
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) timeline.started = at;
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && Number.isNaN(timeline.firstTask)) timeline.firstTask = at;
        if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) timeline.localSteps += 1;
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED || e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)
          timeline.closed = at;
      }
      out.push(timeline);
    }
    return { timelines: out, packageEvents };
  } finally {
    await connection.close();
  }
}

/**
 * One line: `channel: transmitDelivery 0.60 → 1.90 → 2.01 s (scheduled → started → done); no delivery workflow`,
 * or with one: `…; delivery workflow started 2.10 s, first task 2.15 s, 3 local steps`; a push's signal as
 * `deliveryReported signal 2.40 → its workflow task 2.45 s`.
 */
export function describeTimeline(t: DeliveryTimeline): string {
  const steps = t.activities.map(
    (a) => `${a.type} ${sec(a.scheduled)} → ${a.started === null ? '—' : sec(a.started)} → ${a.closed === null ? '—' : sec(a.closed)}`,
  );
  const signals = t.signals.map((x) => `${x.name} signal ${sec(x.at)} → its workflow task ${Number.isNaN(x.taskStarted) ? '—' : sec(x.taskStarted)} s`);
  const child = Number.isNaN(t.started)
    ? 'no delivery workflow (settled by the first attempt)'
    : `delivery workflow started ${sec(t.started)} s, first task ${sec(t.firstTask)} s, ${t.localSteps} local steps`;
  return `${t.channelId}: ${steps.join('; ') || 'no activity'} s (scheduled → started → done)${signals.length ? `; ${signals.join('; ')}` : ''}; ${child}`;
}
