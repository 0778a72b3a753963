/**
 * One workflow per release package (id `package-<id>`): the three synchronizations (三同步).
 *   Organize: a package enters review only with its document and, where required, its interpretation.
 *   Review:   the configured stages in order; one decision covers the whole package at one revision.
 *   Release:  at the release time, document and interpretation go out together, one unit per channel.
 *   Retract:  every channel where the package is, or may be, public takes it down.
 * The main line comes first, then how each of its steps is done. Organize and review are the
 * editors' and reviewers' Updates (workflows/package-requests.ts); who may do what, and with which
 * input, is the table in domain/commands.ts; the rules of 三同步 are in domain/package-rules.ts.
 */
import {
  ChildWorkflowCancellationType,
  CancellationScope,
  ParentClosePolicy,
  condition,
  deprecatePatch,
  patched,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { mayBePublic, deliveryWorkflowId, takedownWorkflowId, type DeliveryPlan, type DeliveryResume } from '../contracts/delivery.js';
import type { PackageWorkflowInput, PackageWorkflowState } from '../contracts/package.js';
import { deliveryWorkflow } from './delivery.js';
import { takedownWorkflow } from './takedown.js';
import { acceptRequests } from './package-requests.js';
import { firstAttemptHere } from './first-attempt.js';
import { runChildren } from './release-fanout.js';
import { exclusively, nowIso, planDeliveries, record, refreshDeliveries, startRun, type PackageRun } from './package-run.js';

/** Deliveries-as-child-workflows is the only path now; histories that took it carry this marker. */
const DELIVERY_WORKFLOWS_PATCH = 'deliveries-as-child-workflows';
/** Retraction reaches deliveries that may be public (sent once, whatever their state now). */
const RETRACT_MAY_BE_PUBLIC_PATCH = 'retract-what-may-be-public';
/** `released` is counted from the children's results, without reading the delivery rows again. */
const RELEASED_FROM_CHILD_RESULTS_PATCH = 'released-from-child-results';
/** Deliveries and take-downs run ahead of review work on the shared task queues (Temporal task priority). */
const RELEASE_FIRST_PATCH = 'release-work-first';
/** Each delivery's first attempt runs in this workflow; a delivery workflow starts only when it needs one. */
const FIRST_ATTEMPT_HERE_PATCH = 'first-attempt-in-package-workflow';
/**
 * Temporal's priority key (1 highest, 3 by default): a delivery's tasks, and the activities it
 * schedules, go before review work (Updates, renditions made during review) waiting on the same
 * queue, so a busy review desk does not hold back what is already approved.
 */
const RELEASE_PRIORITY = { priorityKey: 1 };
const releasePriority = () => (patched(RELEASE_FIRST_PATCH) ? { priority: RELEASE_PRIORITY } : {});

export async function packageWorkflow(input: PackageWorkflowInput): Promise<PackageWorkflowState> {
  const run = startRun(input);
  // Organize and review: editors and reviewers move the package by Update until it is approved.
  acceptRequests(run);
  // Release: at the release time, one delivery per target channel, document and interpretations as one unit.
  await untilReleaseTime(run);
  deprecatePatch(DELIVERY_WORKFLOWS_PATCH);
  await release(run);
  // Retract: stand by until someone retracts, then take it down wherever it may be public.
  await condition(() => run.state.retraction !== null);
  await retract(run);
  return run.state;
}

// ── How each step is done ────────────────────────────────────────────────────

/** Waits for approval and the release time (a durable timer that any change of timing wakes). */
async function untilReleaseTime(run: PackageRun): Promise<void> {
  const { state } = run;
  for (;;) {
    await condition(() => !run.busy && (state.status === 'scheduled' || state.status === 'releasing'));
    if (state.status === 'releasing') return;
    const version = run.scheduleVersion;
    const waitMs = Math.max(0, Date.parse(state.releaseAt!) - Date.now());
    if (await condition(() => run.scheduleVersion !== version, waitMs)) continue;
    await exclusively(run, async () => {
      state.status = 'releasing';
      await record(run, 'system', 'release_time_reached', { details: { releaseAt: state.releaseAt } });
    });
    return;
  }
}

/**
 * Release: one delivery per channel, each carrying document and interpretations as one unit.
 * The package is released when every delivery has settled (live, or skipped by operations);
 * deliveries waiting for an operator keep it "releasing" and say why.
 */
async function release(run: PackageRun): Promise<void> {
  const { state } = run;
  const revision = state.approvedRevision!;
  const plans = await planDeliveries({ packageId: state.packageId, revision, channelIds: state.facts.targets, releasedAt: nowIso() });
  for (const plan of plans) state.deliveries[plan.channelId] = { channelId: plan.channelId, state: 'pending' };
  const startDelivery = (plan: DeliveryPlan, resume?: DeliveryResume) =>
    startChild(deliveryWorkflow, {
      workflowId: deliveryWorkflowId(plan.businessKey),
      args: resume ? [plan, resume] : [plan],
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...releasePriority(),
    });
  // Most deliveries are live after one attempt: that attempt runs here, and a delivery workflow
  // starts only for what needs more (workflows/first-attempt.ts). Releases from before replay as
  // they ran, a child workflow each.
  const here = patched(FIRST_ATTEMPT_HERE_PATCH);
  const firstAttempt = here
    ? (plan: DeliveryPlan) => {
        // A push counts for this attempt only (one may be left from an earlier release of the package).
        run.platformReports.delete(plan.channelId);
        return firstAttemptHere(plan, releasePriority().priority, startDelivery, () => run.platformReports.has(plan.channelId));
      }
    : undefined;
  // A workflow task completes only once its local activities (the formats) have: a batch's
  // transmits are sent to the platform queues before the next batch formats (a timer ends the task).
  const betweenBatches = here ? () => CancellationScope.nonCancellable(() => sleep(1)) : undefined;
  run.releaseScope = new CancellationScope();
  try {
    await run.releaseScope.run(() => runChildren(run, plans, (plan) => startDelivery(plan), firstAttempt, betweenBatches));
  } catch (error) {
    if (state.retraction === null) throw error;
  } finally {
    run.releaseScope = null;
  }
  // Every delivery returned its final state after recording it, so the count comes from
  // those results; reading the rows back cost one more activity on every release's critical path.
  const rows = patched(RELEASED_FROM_CHILD_RESULTS_PATCH) ? plans.map((p) => state.deliveries[p.channelId]!) : await refreshDeliveries(state, revision);
  if (state.retraction !== null) return; // retracted mid-release: what went out is taken down next
  await exclusively(run, async () => {
    const count = (s: string) => rows.filter((r) => r.state === s).length;
    // Recorded first, then shown: whoever sees "released" finds it in the database too.
    await record(run, 'system', 'released', {
      status: 'released',
      details: { channels: rows.length, live: count('live'), skipped: count('canceled'), unconfirmed: count('unconfirmed') },
    });
    state.status = 'released';
  });
}

/** Retract: every channel where the package is, or may be, public takes it down (by API or by hand). */
async function retract(run: PackageRun): Promise<void> {
  const { state } = run;
  const revision = state.approvedRevision!;
  await exclusively(run, async () => {
    state.status = 'retracting';
    await record(run, state.retraction!.by, 'retracting', { details: { reason: state.retraction!.reason } });
  });
  const rows = await refreshDeliveries(state, revision);
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
  await runChildren(run, plans, (plan) =>
    startChild(takedownWorkflow, {
      workflowId: takedownWorkflowId(plan.businessKey),
      args: [plan],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...releasePriority(),
    }),
  );
  await refreshDeliveries(state, revision);
  await exclusively(run, async () => {
    await record(run, 'system', 'retracted', { status: 'retracted', details: { channels: received.map((r) => r.channelId) } });
    state.status = 'retracted';
  });
}
