/**
 * One workflow per release package (id `package-<id>`): the three synchronizations (三同步).
 *   Organize: a package enters review only with its document and, where required, its interpretation.
 *   Review:   the configured stages in order; one decision covers the whole package at one revision.
 *   Release:  at the release time, document and interpretation go out together, one unit per channel.
 *   Retract:  every channel that received the package takes it down.
 * The rules themselves live in domain/package-rules.ts; this file is the order they apply in.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  patched,
  startChild,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { deliveryWorkflow, takedownWorkflow } from './delivery.js';
import { deliveryWorkflowId, takedownWorkflowId, type DeliveryPlan } from './delivery-types.js';
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

const { recordPackageEvent, prepareDeliveries, planDeliveries, deliveryStates } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// A worker that dies mid-transmit is noticed when this times out; the retry finds the delivery's
// recorded state and never posts twice.
const { publishUnit, takeDownUnit } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

/** Channels are released in batches so one package to every channel stays far below Temporal's limits. */
const RELEASE_BATCH = 50;

/**
 * Histories recorded before deliveries became child workflows replay through the old path (one
 * activity per channel); every new release takes the new one.
 */
const DELIVERY_WORKFLOWS_PATCH = 'deliveries-as-child-workflows';

/** A channel counts as having received the package when the post is (or may be) public. */
const RECEIVED_STATES = ['live', 'unconfirmed'];

/** Refusals raised in validators never reach history; the same check runs again under the lock. */
function refuse(problem: Problem | null): void {
  if (problem) throw ApplicationFailure.create({ type: problem.code, message: problem.message, nonRetryable: true });
}

function refuseAll(problems: Problem[]): void {
  if (problems.length === 0) return;
  throw ApplicationFailure.create({
    type: problems[0]!.code,
    message: problems.map((p) => p.message).join(' '),
    nonRetryable: true,
    details: [problems],
  });
}

function requireRole(actor: Actor, roles: Actor['role'][], what: string): void {
  if (!roles.includes(actor.role)) {
    refuse({ code: 'role_not_allowed', message: `Your role (${actor.role}) may not ${what}; that needs: ${roles.join(', ')}.` });
  }
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
  };
  let eventSeq = 0;
  let busy = false;
  /** Bumped on every change of release timing, so a waiting timer notices. */
  let scheduleVersion = 0;
  /** The running fan-out, so a retraction during release can cancel what has not gone out. */
  let releaseScope: CancellationScope | null = null;

  const nowIso = () => new Date(Date.now()).toISOString();
  const stageId = () => (state.stageIndex === null ? null : state.stages[state.stageIndex]!.id);

  /** Persist one step (package row, decision, audit entry) idempotently, keyed by this workflow's event number. */
  async function record(
    actor: string,
    action: string,
    extra: { decision?: { stage: string; decision: 'approve' | 'reject'; comment: string; reviewerId: string }; voidReason?: string; details?: Record<string, unknown>; status?: PackageWorkflowState['status'] } = {},
  ): Promise<void> {
    eventSeq += 1;
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
  }

  /** Update handlers run one at a time, so each sees the state the previous one left. */
  async function exclusively(step: () => Promise<void>): Promise<PackageWorkflowState> {
    await condition(() => !busy);
    busy = true;
    try {
      await step();
      return state;
    } finally {
      busy = false;
    }
  }

  function voidApprovals(): boolean {
    const had = state.approvals.length > 0 || state.approvedRevision !== null;
    state.approvals = [];
    state.approvedRevision = null;
    return had;
  }

  setHandler(stateQuery, () => state);

  // ── Organize ─────────────────────────────────────────────────────────────
  const submitChecks = (r: SubmitRequest) => {
    requireRole(r.by, ['editor', 'admin'], 'submit a package');
    refuse(canSubmit(state.status));
    refuseAll(organizeProblems(state.facts));
  };
  setHandler(
    submitUpdate,
    (r) =>
      exclusively(async () => {
        submitChecks(r);
        state.status = 'in_review';
        state.stageIndex = 0;
        state.approvals = [];
        state.lastRejection = null;
        await record(r.by.id, 'submit', { details: { stage: stageId() } });
      }),
    { validator: submitChecks },
  );

  const editChecks = (r: EditRequest) => {
    requireRole(r.by, ['editor', 'admin'], 'edit a package');
    refuse(canEdit(state.status));
    if (r.facts.revision !== state.revision + 1) {
      refuse({ code: 'stale_revision', message: `The package is at revision ${state.revision}; reload it and edit again.` });
    }
  };
  setHandler(
    editUpdate,
    (r) =>
      exclusively(async () => {
        editChecks(r);
        const wasApproved = state.status === 'approved' || state.status === 'scheduled';
        state.revision = r.facts.revision;
        state.contentHash = r.facts.contentHash;
        state.facts = r.facts;
        if (!state.authors.includes(r.by.id)) state.authors.push(r.by.id);
        const voided = voidApprovals();
        if (wasApproved) {
          // An edit after approval voids every approval: review restarts at the first stage.
          state.status = 'in_review';
          state.stageIndex = 0;
          scheduleVersion += 1;
        }
        await record(r.by.id, 'edit', {
          voidReason: voided ? `revision ${state.revision} replaced the approved content` : undefined,
          details: { reviewRestarted: wasApproved },
        });
      }),
    { validator: editChecks },
  );

  // ── Review ───────────────────────────────────────────────────────────────
  const decideChecks = (r: DecideRequest) => refuse(decisionProblem(state, r));
  setHandler(
    decideUpdate,
    (r) =>
      exclusively(async () => {
        decideChecks(r);
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
      }),
    { validator: decideChecks },
  );

  const withdrawChecks = (r: WithdrawRequest) => {
    requireRole(r.by, ['editor', 'admin'], 'withdraw a package');
    refuse(canWithdraw(state.status));
  };
  setHandler(
    withdrawUpdate,
    (r) =>
      exclusively(async () => {
        withdrawChecks(r);
        state.status = 'draft';
        state.stageIndex = null;
        const voided = voidApprovals();
        scheduleVersion += 1;
        await record(r.by.id, 'withdraw', { voidReason: voided ? 'withdrawn from review' : undefined, details: { reason: r.reason } });
      }),
    { validator: withdrawChecks },
  );

  // ── Release timing: changing it keeps the approvals ──────────────────────
  const scheduleChecks = (r: ScheduleRequest) => {
    requireRole(r.by, ['editor', 'reviewer', 'ops', 'admin'], 'change the release time');
    refuse(canSchedule(state.status));
    if (r.releaseAt !== null && Number.isNaN(Date.parse(r.releaseAt))) {
      refuse({ code: 'invalid_release_time', message: `releaseAt "${r.releaseAt}" is not an ISO 8601 date-time.` });
    }
  };
  setHandler(
    scheduleUpdate,
    (r) =>
      exclusively(async () => {
        scheduleChecks(r);
        const previous = { releaseAt: state.releaseAt, onHold: state.onHold };
        state.releaseAt = r.releaseAt;
        state.onHold = r.hold;
        if (state.status === 'approved' || state.status === 'scheduled') {
          state.status = statusAfterApproval(state.releaseAt, state.onHold, Date.now());
        }
        scheduleVersion += 1;
        await record(r.by.id, r.hold ? 'release_cancelled' : 'release_time_changed', {
          details: { from: previous, to: { releaseAt: state.releaseAt, onHold: state.onHold }, approvalsKept: true },
        });
      }),
    { validator: scheduleChecks },
  );

  const releaseNowChecks = (r: ReleaseNowRequest) => {
    requireRole(r.by, ['editor', 'reviewer', 'ops', 'admin'], 'release a package');
    if (state.status !== 'approved' && state.status !== 'scheduled') {
      refuse({ code: 'not_approved', message: `The package is ${state.status}; only an approved package can be released.` });
    }
  };
  setHandler(
    releaseNowUpdate,
    (r) =>
      exclusively(async () => {
        releaseNowChecks(r);
        state.onHold = false;
        state.status = 'releasing';
        scheduleVersion += 1;
        await record(r.by.id, 'release_requested', { details: { releaseAt: state.releaseAt } });
      }),
    { validator: releaseNowChecks },
  );

  // ── Retract ──────────────────────────────────────────────────────────────
  const retractChecks = (r: RetractRequest) => {
    refuse(canRetract(state.status, r.by));
    if (r.reason.trim() === '') refuse({ code: 'reason_required', message: 'Say why the package is retracted: the reason goes to the audit trail.' });
  };
  setHandler(
    retractUpdate,
    (r) =>
      exclusively(async () => {
        retractChecks(r);
        state.retraction = { reason: r.reason, by: r.by.id, at: nowIso() };
        await record(r.by.id, 'retract_requested', { details: { reason: r.reason } });
        releaseScope?.cancel();
      }),
    { validator: retractChecks },
  );

  // ── The main line: wait for approval and the release time, release, then stand by ──
  for (;;) {
    await condition(() => !busy && (state.status === 'scheduled' || state.status === 'releasing'));
    if (state.status === 'scheduled') {
      const version = scheduleVersion;
      const waitMs = Math.max(0, Date.parse(state.releaseAt!) - Date.now());
      // A durable timer; any change of timing, an edit or a withdrawal wakes it early.
      const changed = await condition(() => scheduleVersion !== version, waitMs);
      if (changed) continue;
      await exclusively(async () => {
        state.status = 'releasing';
        await record('system', 'release_time_reached', { details: { releaseAt: state.releaseAt } });
      });
    }
    break;
  }

  if (patched(DELIVERY_WORKFLOWS_PATCH)) {
    await releaseThroughDeliveries();
    await condition(() => state.retraction !== null);
    await retractThroughTakedowns();
  } else {
    await releaseTogether();
    await condition(() => state.retraction !== null);
    await retractEverywhere();
  }
  return state;

  /** Refreshes the per-channel view from the delivery rows (the system of record). */
  async function refreshDeliveries(revision: number): Promise<{ channelId: string; state: string; externalId: string | null }[]> {
    const rows = await deliveryStates({ packageId: state.packageId, revision });
    for (const r of rows) {
      state.deliveries[r.channelId] = { channelId: r.channelId, state: r.state, publicUrl: r.publicUrl, liveAt: r.liveAt };
    }
    return rows;
  }

  /** Starts one child workflow per plan, in batches, and waits until every one has settled. */
  async function runChildren(plans: DeliveryPlan[], start: (plan: DeliveryPlan) => Promise<{ result(): Promise<{ channelId: string; state: string; publicUrl: string | null; liveAt: string | null }> }>): Promise<void> {
    const settled: Promise<unknown>[] = [];
    for (let i = 0; i < plans.length; i += RELEASE_BATCH) {
      const handles = await Promise.all(plans.slice(i, i + RELEASE_BATCH).map(start));
      for (const handle of handles) {
        settled.push(
          handle.result().then((r) => {
            state.deliveries[r.channelId] = { channelId: r.channelId, state: r.state, publicUrl: r.publicUrl, liveAt: r.liveAt };
          }),
        );
      }
    }
    await Promise.allSettled(settled);
  }

  /**
   * Release: one delivery workflow per channel, each carrying document and interpretations as
   * one unit. The package is released when every delivery has settled (live, or skipped by
   * operations); deliveries waiting for an operator keep it "releasing" and say why.
   */
  async function releaseThroughDeliveries(): Promise<void> {
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
      await record('system', 'released', { status: 'released', details: { channels: rows.length, live: count('live'), skipped: count('canceled'), unconfirmed: count('unconfirmed') } });
      state.status = 'released';
    });
  }

  /** Retract: exactly the channels that received the package take it down (by API or by hand). */
  async function retractThroughTakedowns(): Promise<void> {
    const revision = state.approvedRevision!;
    await exclusively(async () => {
      state.status = 'retracting';
      await record(state.retraction!.by, 'retracting', { details: { reason: state.retraction!.reason } });
    });
    const rows = await refreshDeliveries(revision);
    const received = rows.filter((r) => RECEIVED_STATES.includes(r.state) || (r.state === 'retracting' && r.externalId));
    const plans = (await planDeliveries({ packageId: state.packageId, revision, channelIds: received.map((r) => r.channelId), releasedAt: nowIso() })).map((plan) => ({
      ...plan,
      reason: state.retraction!.reason,
      retractedBy: state.retraction!.by,
    }));
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

  /** Release: on every target channel, document and interpretation go out as one unit. */
  async function releaseTogether(): Promise<void> {
    const revision = state.approvedRevision!;
    const targets = state.facts.targets;
    await prepareDeliveries({ packageId: state.packageId, revision, channelIds: targets });
    for (const channelId of targets) state.deliveries[channelId] = { channelId, state: 'pending' };
    for (let i = 0; i < targets.length; i += RELEASE_BATCH) {
      await Promise.all(
        targets.slice(i, i + RELEASE_BATCH).map(async (channelId) => {
          const result = await publishUnit({ packageId: state.packageId, revision, channelId });
          state.deliveries[channelId] = { channelId, state: result.state, publicUrl: result.publicUrl, liveAt: result.liveAt };
        }),
      );
    }
    await exclusively(async () => {
      state.status = 'released';
      await record('system', 'released', { details: { channels: targets.length } });
    });
  }

  /** Retract: exactly the channels that received the package take it down. */
  async function retractEverywhere(): Promise<void> {
    await exclusively(async () => {
      state.status = 'retracting';
      await record(state.retraction!.by, 'retracting', { details: { reason: state.retraction!.reason } });
    });
    const received = Object.values(state.deliveries).filter((d) => d.liveAt);
    for (let i = 0; i < received.length; i += RELEASE_BATCH) {
      await Promise.all(
        received.slice(i, i + RELEASE_BATCH).map(async (delivery) => {
          const result = await takeDownUnit({
            packageId: state.packageId,
            revision: state.approvedRevision!,
            channelId: delivery.channelId,
            reason: state.retraction!.reason,
          });
          state.deliveries[delivery.channelId] = { ...delivery, state: result.state, takenDownAt: result.takenDownAt };
        }),
      );
    }
    await exclusively(async () => {
      state.status = 'retracted';
      await record('system', 'retracted', { details: { channels: received.map((d) => d.channelId) } });
    });
  }
}
