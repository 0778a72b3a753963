/**
 * One workflow per release package (id `package-<id>`): the three synchronizations (三同步).
 *   Organize: a package enters review only with its document and, where required, its interpretation.
 *   Review:   the configured stages in order; one decision covers the whole package at one revision.
 *   Release:  at the release time, document and interpretation go out together, one unit per channel.
 *   Retract:  every channel where the package is, or may be, public takes it down.
 * The rules themselves live in domain/package-rules.ts; this file is the order they apply in.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  deprecatePatch,
  defineSignal,
  isCancellation,
  patched,
  sleep,
  startChild,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import { deliveryWorkflow, takedownWorkflow } from './delivery.js';
import { deliveryWorkflowId, mayBePublic, takedownWorkflowId, type DeliveryPlan, type DeliveryResult } from './delivery-types.js';
import {
  canEdit,
  canRetract,
  canSchedule,
  canSubmit,
  canWithdraw,
  decisionProblem,
  organizeProblems,
  statusAfterApproval,
  type Actor,
  type Problem,
} from '../domain/package-rules.js';
import type {
  DecideRequest,
  EditRequest,
  PackageWorkflowInput,
  PackageWorkflowState,
  ReleaseNowRequest,
  RestartDeliveryRequest,
  RetractRequest,
  ScheduleRequest,
  SubmitRequest,
  WithdrawRequest,
} from './package-types.js';

export const stateQuery = defineQuery<PackageWorkflowState>('state');
export const submitUpdate = defineUpdate<PackageWorkflowState, [SubmitRequest]>('submit');
export const editUpdate = defineUpdate<PackageWorkflowState, [EditRequest]>('edit');
export const decideUpdate = defineUpdate<PackageWorkflowState, [DecideRequest]>('decide');
export const withdrawUpdate = defineUpdate<PackageWorkflowState, [WithdrawRequest]>('withdraw');
export const scheduleUpdate = defineUpdate<PackageWorkflowState, [ScheduleRequest]>('schedule');
export const releaseNowUpdate = defineUpdate<PackageWorkflowState, [ReleaseNowRequest]>('releaseNow');
export const retractUpdate = defineUpdate<PackageWorkflowState, [RetractRequest]>('retract');
export const restartDeliverySignal = defineSignal<[RestartDeliveryRequest]>('restartDelivery');

// Bookkeeping retries without limit while the database is away; a write it refuses for its data
// fails at once (activities/database-guard.ts), so no step waits forever on bad input.
const { recordPackageEvent, planDeliveries, deliveryStates } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Channels are released in batches so one package to every channel stays far below Temporal's limits. */
const RELEASE_BATCH = 50;
/** Deliveries-as-child-workflows is the only path now; histories that took it carry this marker. */
const DELIVERY_WORKFLOWS_PATCH = 'deliveries-as-child-workflows';
/** Retraction reaches deliveries that may be public (sent once, whatever their state now). */
const RETRACT_MAY_BE_PUBLIC_PATCH = 'retract-what-may-be-public';
/** A step recording for longer than this is waiting for the database: new requests are refused at once. */
const STUCK_STEP_MS = 20_000;
/** A delivery workflow that failed (a bug, not a platform) is started again this many times before it waits for operations. */
const DELIVERY_RESTARTS = 5;

/** Refusals raised in validators never reach history; the same check runs again under the lock. */
function refuse(problem: Problem | null): void {
  if (problem) throw ApplicationFailure.create({ type: problem.code, message: problem.message, nonRetryable: true });
}

function refuseAll(problems: Problem[]): void {
  if (problems.length === 0) return;
  throw ApplicationFailure.create({ type: problems[0]!.code, message: problems.map((p) => p.message).join(' '), nonRetryable: true, details: [problems] });
}

function requireRole(actor: Actor, roles: Actor['role'][], what: string): void {
  if (!roles.includes(actor.role)) {
    refuse({ code: 'role_not_allowed', message: `Your role (${actor.role}) may not ${what}; that needs: ${roles.join(', ')}.` });
  }
}

/** A step that could not be recorded reaches the caller as a refusal with the activity's reason. */
function asRefusal(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ type: 'not_recorded', message: error.cause.message, nonRetryable: true });
  }
  return error;
}

export async function packageWorkflow(input: PackageWorkflowInput): Promise<PackageWorkflowState> {
  const state: PackageWorkflowState = {
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
  };
  let eventSeq = 0;
  let busy = false;
  /** Bumped on every change of release timing, so a waiting timer notices. */
  let scheduleVersion = 0;
  /** The running fan-out, so a retraction during release can cancel what has not gone out. */
  let releaseScope: CancellationScope | null = null;
  const restartRequests = new Set<string>();

  const nowIso = () => new Date(Date.now()).toISOString();
  const stageId = () => (state.stageIndex === null ? null : state.stages[state.stageIndex]!.id);

  setHandler(stateQuery, () => state);
  setHandler(restartDeliverySignal, (r) => {
    restartRequests.add(r.channelId);
  });

  // ── Organize ─────────────────────────────────────────────────────────────
  handle(
    submitUpdate,
    (r) => {
      requireRole(r.by, ['editor', 'admin'], 'submit a package');
      refuse(canSubmit(state.status));
      refuseAll(organizeProblems(state.facts));
    },
    async (r) => {
      state.status = 'in_review';
      state.stageIndex = 0;
      state.approvals = [];
      state.lastRejection = null;
      await record(r.by.id, 'submit', { details: { stage: stageId() } });
    },
  );

  handle(
    editUpdate,
    (r) => {
      requireRole(r.by, ['editor', 'admin'], 'edit a package');
      refuse(canEdit(state.status));
      if (r.facts.revision !== state.revision + 1)
        refuse({ code: 'stale_revision', message: `The package is at revision ${state.revision}; reload it and edit again.` });
      if (r.releaseAt !== undefined) refuse(releaseTimeProblem(r.releaseAt));
    },
    async (r) => {
      const wasApproved = state.status === 'approved' || state.status === 'scheduled';
      state.revision = r.facts.revision;
      state.contentHash = r.facts.contentHash;
      state.facts = r.facts;
      if (r.releaseAt !== undefined) state.releaseAt = r.releaseAt;
      if (!state.authors.includes(r.by.id)) state.authors.push(r.by.id);
      const voided = voidApprovals();
      if (wasApproved) {
        // An edit after approval voids every approval: review restarts at the first stage.
        state.status = 'in_review';
        state.stageIndex = 0;
      }
      scheduleVersion += 1;
      await record(r.by.id, 'edit', {
        voidReason: voided ? `revision ${state.revision} replaced the approved content` : undefined,
        details: { reviewRestarted: wasApproved, ...(r.releaseAt !== undefined ? { releaseAt: r.releaseAt } : {}) },
      });
    },
  );

  // ── Review ───────────────────────────────────────────────────────────────
  handle(
    decideUpdate,
    (r) => refuse(decisionProblem(state, r)),
    async (r) => {
      const stage = state.stages[state.stageIndex!]!;
      const decision = { stage: stage.id, decision: r.decision, comment: r.comment, reviewerId: r.reviewer.id };
      if (r.decision === 'reject') {
        state.lastRejection = { stage: stage.id, reviewerId: r.reviewer.id, comment: r.comment, at: nowIso() };
        state.status = 'draft';
        state.stageIndex = null;
        voidApprovals();
        await record(r.reviewer.id, 'reject', { decision, voidReason: `rejected at ${stage.name}`, details: { stage: stage.id, comment: r.comment } });
        return;
      }
      state.approvals.push({ stage: stage.id, reviewerId: r.reviewer.id, revision: r.revision, at: nowIso() });
      if (state.stageIndex! + 1 < state.stages.length) {
        state.stageIndex! += 1;
      } else {
        state.stageIndex = null;
        state.approvedRevision = state.revision;
        state.status = statusAfterApproval(state.releaseAt, state.onHold, Date.now());
        scheduleVersion += 1;
      }
      await record(r.reviewer.id, 'approve', { decision, details: { stage: stage.id, comment: r.comment, next: stageId() ?? state.status } });
    },
  );

  handle(
    withdrawUpdate,
    (r) => {
      requireRole(r.by, ['editor', 'admin'], 'withdraw a package');
      refuse(canWithdraw(state.status));
    },
    async (r) => {
      state.status = 'draft';
      state.stageIndex = null;
      const voided = voidApprovals();
      scheduleVersion += 1;
      await record(r.by.id, 'withdraw', { voidReason: voided ? 'withdrawn from review' : undefined, details: { reason: r.reason } });
    },
  );

  // ── Release timing: changing it keeps the approvals ──────────────────────
  handle(
    scheduleUpdate,
    (r) => {
      requireRole(r.by, ['editor', 'reviewer', 'ops', 'admin'], 'change the release time');
      refuse(canSchedule(state.status));
      refuse(releaseTimeProblem(r.releaseAt));
    },
    async (r) => {
      const previous = { releaseAt: state.releaseAt, onHold: state.onHold };
      state.releaseAt = r.releaseAt;
      state.onHold = r.hold;
      if (state.status === 'approved' || state.status === 'scheduled') state.status = statusAfterApproval(state.releaseAt, state.onHold, Date.now());
      scheduleVersion += 1;
      await record(r.by.id, r.hold ? 'release_cancelled' : 'release_time_changed', {
        details: { from: previous, to: { releaseAt: state.releaseAt, onHold: state.onHold }, approvalsKept: true },
      });
    },
  );

  handle(
    releaseNowUpdate,
    (r) => {
      requireRole(r.by, ['editor', 'reviewer', 'ops', 'admin'], 'release a package');
      if (state.status !== 'approved' && state.status !== 'scheduled')
        refuse({ code: 'not_approved', message: `The package is ${state.status}; only an approved package can be released.` });
    },
    async (r) => {
      state.onHold = false;
      state.status = 'releasing';
      scheduleVersion += 1;
      await record(r.by.id, 'release_requested', { details: { releaseAt: state.releaseAt } });
    },
  );

  // ── Retract ──────────────────────────────────────────────────────────────
  handle(
    retractUpdate,
    (r) => {
      refuse(canRetract(state.status, r.by));
      if (r.reason.trim() === '') refuse({ code: 'reason_required', message: 'Say why the package is retracted: the reason goes to the audit trail.' });
    },
    async (r) => {
      state.retraction = { reason: r.reason, by: r.by.id, at: nowIso() };
      await record(r.by.id, 'retract_requested', { details: { reason: r.reason } });
      releaseScope?.cancel();
    },
  );

  // ── The main line: wait for approval and the release time, release, then stand by ──
  await untilReleaseTime();
  deprecatePatch(DELIVERY_WORKFLOWS_PATCH);
  await release();
  await condition(() => state.retraction !== null);
  await retract();
  return state;

  // ── How each step is done ────────────────────────────────────────────────

  /**
   * Declares one Update: `checks` run in the validator (a refusal never enters history) and again
   * under the lock; `apply` changes the state and records the step. A step that cannot be recorded
   * leaves the state as it was and tells the caller why; the lock is always released.
   */
  function handle<R>(update: UpdateDefinition<PackageWorkflowState, [R]>, checks: (r: R) => void, apply: (r: R) => Promise<void>): void {
    setHandler(
      update,
      (r: R) =>
        exclusively(async () => {
          checks(r);
          await apply(r);
        }),
      {
        validator: (r: R) => {
          refuseIfStuck();
          checks(r);
        },
      },
    );
  }

  /** Update handlers run one at a time, so each sees the state the previous one left. */
  async function exclusively(step: () => Promise<void>): Promise<PackageWorkflowState> {
    // No timeout here (a timer per request would fill the history): a step that records for long
    // makes the validators refuse new requests instead (refuseIfStuck), and no step waits
    // forever, since what the database refuses fails at once.
    await condition(() => !busy);
    busy = true;
    const before = { state: JSON.stringify(state), scheduleVersion };
    try {
      await step();
      return state;
    } catch (error) {
      Object.assign(state, JSON.parse(before.state) as PackageWorkflowState);
      scheduleVersion = before.scheduleVersion;
      throw asRefusal(error);
    } finally {
      busy = false;
    }
  }

  /** Refuses a request while an earlier step has been recording for too long (the database away). */
  function refuseIfStuck(): void {
    const pending = state.pendingStep;
    if (!pending || !busy || Date.now() - Date.parse(pending.since) <= STUCK_STEP_MS) return;
    refuse({
      code: 'package_busy',
      message: `The package is still recording "${pending.action}" (since ${pending.since}); the database may be unreachable. Try again once it has finished (GET /api/packages/:id shows what it waits for).`,
    });
  }

  /** Persist one step (package row, decision, audit entry) idempotently, keyed by this workflow's event number. */
  async function record(
    actor: string,
    action: string,
    extra: {
      decision?: { stage: string; decision: 'approve' | 'reject'; comment: string; reviewerId: string };
      voidReason?: string;
      details?: Record<string, unknown>;
      status?: PackageWorkflowState['status'];
    } = {},
  ): Promise<void> {
    eventSeq += 1;
    state.pendingStep = { action, since: nowIso() };
    try {
      await recordPackageEvent({
        eventKey: `${workflowInfo().workflowId}/${workflowInfo().runId}/${eventSeq}`,
        packageId: state.packageId,
        actor,
        action,
        revision: state.revision,
        contentHash: state.contentHash,
        package: {
          status: extra.status ?? state.status,
          currentStage: stageId(),
          currentRevision: state.revision,
          approvedRevision: state.approvedRevision,
          releaseAt: state.releaseAt,
        },
        decision: extra.decision,
        voidApprovalsReason: extra.voidReason,
        details: extra.details ?? {},
      });
    } finally {
      state.pendingStep = null;
    }
  }

  function voidApprovals(): boolean {
    const had = state.approvals.length > 0 || state.approvedRevision !== null;
    state.approvals = [];
    state.approvedRevision = null;
    return had;
  }

  function releaseTimeProblem(releaseAt: string | null): Problem | null {
    if (releaseAt !== null && Number.isNaN(Date.parse(releaseAt)))
      return { code: 'invalid_release_time', message: `releaseAt "${releaseAt}" is not an ISO 8601 date-time.` };
    return null;
  }

  /** Waits for approval and the release time (a durable timer that any change of timing wakes). */
  async function untilReleaseTime(): Promise<void> {
    for (;;) {
      await condition(() => !busy && (state.status === 'scheduled' || state.status === 'releasing'));
      if (state.status === 'releasing') return;
      const version = scheduleVersion;
      const waitMs = Math.max(0, Date.parse(state.releaseAt!) - Date.now());
      if (await condition(() => scheduleVersion !== version, waitMs)) continue;
      await exclusively(async () => {
        state.status = 'releasing';
        await record('system', 'release_time_reached', { details: { releaseAt: state.releaseAt } });
      });
      return;
    }
  }

  /** Refreshes the per-channel view from the delivery rows (the system of record). */
  async function refreshDeliveries(revision: number) {
    const rows = await deliveryStates({ packageId: state.packageId, revision });
    for (const r of rows) state.deliveries[r.channelId] = { channelId: r.channelId, state: r.state, publicUrl: r.publicUrl, liveAt: r.liveAt };
    return rows;
  }

  /**
   * Starts one child workflow per plan, in batches, and waits until every one has settled. A
   * child that fails (a defect, never a platform: those are states) is started again; after
   * DELIVERY_RESTARTS it waits for operations' retry, so no delivery is left with nothing running.
   */
  async function runChildren(plans: DeliveryPlan[], start: (plan: DeliveryPlan) => Promise<{ result(): Promise<DeliveryResult> }>): Promise<void> {
    const settled: Promise<void>[] = [];
    const follow = async (plan: DeliveryPlan, first: { result(): Promise<DeliveryResult> }): Promise<void> => {
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
            await condition(() => restartRequests.has(plan.channelId));
            restartRequests.delete(plan.channelId);
            state.stalledDeliveries = state.stalledDeliveries.filter((c) => c !== plan.channelId);
            failures = 0;
          } else {
            await sleep(Math.min(30_000 * 2 ** (failures - 1), 10 * 60_000));
          }
          handle = await start(plan);
        }
      }
    };
    for (let i = 0; i < plans.length; i += RELEASE_BATCH) {
      const batch = plans.slice(i, i + RELEASE_BATCH);
      const handles = await Promise.all(batch.map(start));
      handles.forEach((h, n) => settled.push(follow(batch[n]!, h)));
    }
    const outcomes = await Promise.allSettled(settled);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
  }

  /**
   * Release: one delivery workflow per channel, each carrying document and interpretations as
   * one unit. The package is released when every delivery has settled (live, or skipped by
   * operations); deliveries waiting for an operator keep it "releasing" and say why.
   */
  async function release(): Promise<void> {
    const revision = state.approvedRevision!;
    const plans = await planDeliveries({ packageId: state.packageId, revision, channelIds: state.facts.targets, releasedAt: nowIso() });
    for (const plan of plans) state.deliveries[plan.channelId] = { channelId: plan.channelId, state: 'pending' };
    releaseScope = new CancellationScope();
    try {
      await releaseScope.run(() =>
        runChildren(plans, (plan) =>
          startChild(deliveryWorkflow, {
            workflowId: deliveryWorkflowId(plan.businessKey),
            args: [plan],
            cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          }),
        ),
      );
    } catch (error) {
      if (state.retraction === null) throw error;
    } finally {
      releaseScope = null;
    }
    const rows = await refreshDeliveries(revision);
    if (state.retraction !== null) return; // retracted mid-release: what went out is taken down next
    await exclusively(async () => {
      const count = (s: string) => rows.filter((r) => r.state === s).length;
      // Recorded first, then shown: whoever sees "released" finds it in the database too.
      await record('system', 'released', {
        status: 'released',
        details: { channels: rows.length, live: count('live'), skipped: count('canceled'), unconfirmed: count('unconfirmed') },
      });
      state.status = 'released';
    });
  }

  /** Retract: every channel where the package is, or may be, public takes it down (by API or by hand). */
  async function retract(): Promise<void> {
    const revision = state.approvedRevision!;
    await exclusively(async () => {
      state.status = 'retracting';
      await record(state.retraction!.by, 'retracting', { details: { reason: state.retraction!.reason } });
    });
    const rows = await refreshDeliveries(revision);
    const received = patched(RETRACT_MAY_BE_PUBLIC_PATCH)
      ? rows.filter(mayBePublic)
      : rows.filter((r) => ['live', 'unconfirmed'].includes(r.state) || (r.state === 'retracting' && r.externalId));
    const plans = (await planDeliveries({ packageId: state.packageId, revision, channelIds: received.map((r) => r.channelId), releasedAt: nowIso() })).map(
      (plan) => ({
        ...plan,
        reason: state.retraction!.reason,
        retractedBy: state.retraction!.by,
      }),
    );
    await runChildren(plans, (plan) =>
      startChild(takedownWorkflow, {
        workflowId: takedownWorkflowId(plan.businessKey),
        args: [plan as DeliveryPlan & { reason: string; retractedBy: string }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      }),
    );
    await refreshDeliveries(revision);
    await exclusively(async () => {
      await record('system', 'retracted', { status: 'retracted', details: { channels: received.map((r) => r.channelId) } });
      state.status = 'retracted';
    });
  }
}
