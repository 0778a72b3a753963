/**
 * The machinery under one package's workflow: its state, the lock that lets one step run at a
 * time, the recording of each step (one activity, keyed by the workflow event), and the helper
 * through which each Update is declared once with its checks. The order of the steps is in
 * workflows/package-release.ts; the Updates in workflows/package-requests.ts.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { deliveryMediaQueue } from '../contracts/delivery.js';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import type { PackageWorkflowInput, PackageWorkflowState } from '../contracts/package.js';
import type { Problem } from '../domain/package-rules.js';
import { localFirstActivities } from './local-first.js';

// Bookkeeping runs locally first (workflows/local-first.ts), then retries without limit while the
// database is away; a write it refuses for its data fails at once (activities/database-guard.ts),
// so no step waits forever on bad input.
export const { recordPackageEvent, planDeliveries, deliveryStates } = localFirstActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A step recording for longer than this is waiting for the database: new requests are refused at once. */
const STUCK_STEP_MS = 20_000;

/** One package's workflow while it runs: its state and what its steps share. */
export interface PackageRun {
  state: PackageWorkflowState;
  /** An Update's step (or a step of the main line) is running: the others wait for it. */
  busy: boolean;
  /** Bumped on every change of release timing, so a waiting timer notices. */
  scheduleVersion: number;
  /** Steps recorded so far by this run: the last part of each step's idempotency key. */
  eventSeq: number;
  /** The running fan-out, so a retraction during release can cancel what has not gone out. */
  releaseScope: CancellationScope | null;
  /** Channels whose failed delivery workflow operations asked to start again, each with who asked (for the audit trail). */
  restartRequests: Map<string, string>;
  /** Channels whose platform reported news of their delivery (deliveryReportedSignal) while its first attempt ran here. */
  platformReports: Set<string>;
}

export function startRun(input: PackageWorkflowInput): PackageRun {
  return {
    state: {
      packageId: input.packageId,
      status: 'draft',
      revision: input.facts.revision,
      contentHash: input.facts.contentHash,
      stages: input.stages,
      stageIndex: null,
      approvals: [],
      approvedRevision: null,
      authors: [input.createdBy],
      facts: input.facts,
      releaseAt: input.releaseAt,
      onHold: false,
      lastRejection: null,
      deliveries: {},
      retraction: null,
      pendingStep: null,
      stalledDeliveries: [],
    },
    busy: false,
    scheduleVersion: 0,
    eventSeq: 0,
    releaseScope: null,
    restartRequests: new Map<string, string>(),
    platformReports: new Set<string>(),
  };
}

export const nowIso = () => new Date(Date.now()).toISOString();

export function currentStageId(state: PackageWorkflowState): string | null {
  return state.stageIndex === null ? null : state.stages[state.stageIndex]!.id;
}

// ── Refusals ─────────────────────────────────────────────────────────────────

/**
 * Refusals raised in validators never reach history; the same check runs again under the lock.
 * The Chinese sentence travels as the second detail (the first is the problem list of refuseAll).
 */
export function refuse(problem: Problem | null): void {
  if (problem)
    throw ApplicationFailure.create({ type: problem.code, message: problem.message, nonRetryable: true, details: [null, { messageZh: problem.messageZh }] });
}

/** Every problem at once (the editor fixes them all), under the first one's code. */
export function refuseAll(problems: Problem[]): void {
  if (problems.length === 0) return;
  const messageZh = problems.every((p) => p.messageZh) ? problems.map((p) => p.messageZh).join('') : undefined;
  throw ApplicationFailure.create({
    type: problems[0]!.code,
    message: problems.map((p) => p.message).join(' '),
    nonRetryable: true,
    details: [problems, { messageZh }],
  });
}

/** A step that could not be recorded reaches the caller as a refusal with the activity's reason. */
function asRefusal(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ type: 'not_recorded', message: error.cause.message, nonRetryable: true });
  }
  return error;
}

/** Refuses a request while an earlier step has been recording for too long (the database away). */
function refuseIfStuck(run: PackageRun): void {
  const pending = run.state.pendingStep;
  if (!pending || !run.busy || Date.now() - Date.parse(pending.since) <= STUCK_STEP_MS) return;
  refuse({
    code: 'package_busy',
    message: `The package is still recording "${pending.action}" (since ${pending.since}); the database may be unreachable. Try again once it has finished (GET /api/packages/:id shows what it waits for).`,
  });
}

// ── Steps ────────────────────────────────────────────────────────────────────

/**
 * Declares one Update: `check` runs in the validator (a refusal never enters history) and again
 * under the lock; `apply` changes the state and records the step. A step that cannot be recorded
 * leaves the state as it was and tells the caller why; the lock is always released.
 */
export function declareUpdate<R>(
  run: PackageRun,
  update: UpdateDefinition<PackageWorkflowState, [R]>,
  step: {
    /** `where`: a rule added later applies in the handler only behind a patch, so histories that accepted a request before it replay as they ran. */
    check: (request: R, where: 'validator' | 'handler') => void;
    apply: (request: R) => Promise<void>;
  },
): void {
  setHandler(
    update,
    (request: R) =>
      exclusively(run, async () => {
        step.check(request, 'handler');
        await step.apply(request);
      }),
    {
      validator: (request: R) => {
        refuseIfStuck(run);
        step.check(request, 'validator');
      },
    },
  );
}

/** Steps run one at a time, so each sees the state the previous one left. */
export async function exclusively(run: PackageRun, step: () => Promise<void>): Promise<PackageWorkflowState> {
  // No timeout here (a timer per request would fill the history): a step that records for long
  // makes the validators refuse new requests instead (refuseIfStuck), and no step waits
  // forever, since what the database refuses fails at once.
  await condition(() => !run.busy);
  run.busy = true;
  const before = { state: JSON.stringify(run.state), scheduleVersion: run.scheduleVersion };
  try {
    await step();
    return run.state;
  } catch (error) {
    Object.assign(run.state, JSON.parse(before.state) as PackageWorkflowState);
    run.scheduleVersion = before.scheduleVersion;
    throw asRefusal(error);
  } finally {
    run.busy = false;
  }
}

/** Persist one step (package row, decision, audit entry) idempotently, keyed by this workflow's event number. */
export async function record(
  run: PackageRun,
  actor: string,
  action: string,
  extra: {
    decision?: { stage: string; decision: 'approve' | 'reject'; comment: string; reviewerId: string };
    voidReason?: string;
    details?: Record<string, unknown>;
    status?: PackageWorkflowState['status'];
    /** The channel a step is about (a delivery started again), for the audit entry. */
    channelId?: string;
  } = {},
): Promise<void> {
  const { state } = run;
  run.eventSeq += 1;
  state.pendingStep = { action, since: nowIso() };
  try {
    await recordPackageEvent({
      eventKey: `${workflowInfo().workflowId}/${workflowInfo().runId}/${run.eventSeq}`,
      packageId: state.packageId,
      actor,
      action,
      revision: state.revision,
      contentHash: state.contentHash,
      package: {
        status: extra.status ?? state.status,
        currentStage: currentStageId(state),
        currentRevision: state.revision,
        approvedRevision: state.approvedRevision,
        releaseAt: state.releaseAt,
      },
      decision: extra.decision,
      voidApprovalsReason: extra.voidReason,
      details: extra.details ?? {},
      ...(extra.channelId ? { channelId: extra.channelId } : {}),
    });
  } finally {
    state.pendingStep = null;
  }
}

/** Drops the approvals of this review round; true when there were any. */
export function voidApprovals(state: PackageWorkflowState): boolean {
  const had = state.approvals.length > 0 || state.approvedRevision !== null;
  state.approvals = [];
  state.approvedRevision = null;
  return had;
}

/** Refreshes the per-channel view from the delivery rows (the system of record). */
export async function refreshDeliveries(state: PackageWorkflowState, revision: number) {
  const rows = await deliveryStates({ packageId: state.packageId, revision });
  for (const r of rows) state.deliveries[r.channelId] = { channelId: r.channelId, state: r.state, publicUrl: r.publicUrl, liveAt: r.liveAt };
  return rows;
}

/** Renditions are prepared while the package is in review (histories from before replay without it). */
const PREPARE_MEDIA_IN_REVIEW_PATCH = 'prepare-media-in-review';

/**
 * Starts rendering the revision's renditions for its target channels on the media queue
 * (activities: prepareReviewMedia), without waiting: review never waits for it, and the release
 * finds what it finished in the media cache instead of transcoding between approval and live.
 */
export function prepareMediaDuringReview(run: PackageRun): void {
  const { state } = run;
  if (!state.facts.hasMedia || !patched(PREPARE_MEDIA_IN_REVIEW_PATCH)) return;
  const media = proxyActivities<Activities>({
    taskQueue: deliveryMediaQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '3 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', maximumAttempts: 2 },
    // Behind the release's own media steps (priority 1) and everything else (3) on the media queue.
    priority: { priorityKey: 5 },
  });
  const ignore = () => {};
  // A failure costs nothing but time at release: the delivery's media step renders what is missing.
  void media.prepareReviewMedia({ packageId: state.packageId, revision: state.revision, channelIds: state.facts.targets }).then(ignore, ignore);
}
