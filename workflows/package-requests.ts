/**
 * What editors, reviewers and operations ask of a package's workflow: one Update per command,
 * each declared once with its checks (the rules of domain/commands.ts, run in the validator and
 * again under the lock) and the step it applies. Organize and review happen here; the release and
 * the retraction they lead to are the main line's (workflows/package-release.ts).
 */
import { patched, setHandler } from '@temporalio/workflow';
import {
  decideUpdate,
  deliveryReportedSignal,
  editUpdate,
  releaseNowUpdate,
  restartDeliverySignal,
  retractUpdate,
  scheduleUpdate,
  stateQuery,
  submitUpdate,
  withdrawUpdate,
} from '../contracts/package.js';
import { blankNoteProblem, commandProblem, decisionProblem, releaseTimeProblem, repeatedDecision, roleProblem, submitBaseProblem } from '../domain/commands.js';
import { organizeProblems, repeatedRetractionProblem, statusAfterApproval } from '../domain/package-rules.js';
import { currentStageId, declareUpdate, nowIso, prepareMediaDuringReview, record, refuse, refuseAll, voidApprovals, type PackageRun } from './package-run.js';

/** A second retraction is refused (it replaced the first one's reason and was audited twice); earlier histories replay as they ran. */
const REFUSE_REPEATED_RETRACTION_PATCH = 'refuse-repeated-retraction';

/** An edit that puts an approved package back into review is held to the organize rule (it was not: a required interpretation could be dropped); earlier histories replay as they ran. */
const EDIT_INTO_REVIEW_ORGANIZED_PATCH = 'edit-into-review-organized';

/**
 * A decision sent again by its reviewer (a double click, a retry after a lost answer) is answered
 * with the package as it is and records nothing; it was refused as "decided meanwhile by another
 * reviewer". Earlier histories, whose handler refused such a request, replay as they ran.
 */
const REPEATED_DECISION_PATCH = 'repeated-decision-answered';

/** Declares every Query, Signal and Update of the package workflow (before its first step waits). */
export function acceptRequests(run: PackageRun): void {
  const { state } = run;
  setHandler(stateQuery, () => state);
  setHandler(restartDeliverySignal, (r) => {
    run.restartRequests.set(r.channelId, r.by);
  });
  setHandler(deliveryReportedSignal, (r) => {
    run.platformReports.add(r.channelId);
  });

  // ── Organize ─────────────────────────────────────────────────────────────
  declareUpdate(run, submitUpdate, {
    check: (r) => {
      refuse(commandProblem('submit', r.by, state.status));
      // Histories from before carry no revision: the rule passes them as they ran.
      refuse(submitBaseProblem(r.revision, state.revision));
      refuseAll(organizeProblems(state.facts));
    },
    apply: async (r) => {
      state.status = 'in_review';
      state.stageIndex = 0;
      state.approvals = [];
      state.lastRejection = null;
      await record(run, r.by.id, 'submit', { details: { stage: currentStageId(state) } });
      prepareMediaDuringReview(run);
    },
  });

  declareUpdate(run, editUpdate, {
    check: (r, where) => {
      refuse(commandProblem('edit', r.by, state.status));
      if (r.facts.revision !== state.revision + 1)
        refuse({ code: 'stale_revision', message: `The package is at revision ${state.revision}; reload it and edit again.` });
      refuse(releaseTimeProblem(r.releaseAt));
      // An edit of an approved package goes straight back into review, so it must be what a submit would take (三同步).
      const reentersReview = state.status === 'approved' || state.status === 'scheduled';
      if (reentersReview && (where === 'validator' || patched(EDIT_INTO_REVIEW_ORGANIZED_PATCH))) refuseAll(organizeProblems(r.facts));
    },
    apply: async (r) => {
      const wasApproved = state.status === 'approved' || state.status === 'scheduled';
      state.revision = r.facts.revision;
      state.contentHash = r.facts.contentHash;
      state.facts = r.facts;
      if (r.releaseAt !== undefined) state.releaseAt = r.releaseAt;
      if (!state.authors.includes(r.by.id)) state.authors.push(r.by.id);
      const voided = voidApprovals(state);
      if (wasApproved) {
        // An edit after approval voids every approval: review restarts at the first stage.
        state.status = 'in_review';
        state.stageIndex = 0;
      }
      run.scheduleVersion += 1;
      await record(run, r.by.id, 'edit', {
        voidReason: voided ? `revision ${state.revision} replaced the approved content` : undefined,
        details: { reviewRestarted: wasApproved, ...(r.releaseAt !== undefined ? { releaseAt: r.releaseAt } : {}) },
      });
    },
  });

  // ── Review ───────────────────────────────────────────────────────────────
  declareUpdate(run, decideUpdate, {
    check: (r, where) => {
      // The decision this reviewer already gave, sent again: accepted, and applied as nothing.
      if (repeatedDecision(state, r) && (where === 'validator' || patched(REPEATED_DECISION_PATCH))) return;
      refuse(decisionProblem(state, r));
    },
    apply: async (r) => {
      // Never true of a request decisionProblem lets through: a repeated decision's stage is behind the package.
      if (repeatedDecision(state, r)) return;
      const stage = state.stages[state.stageIndex!]!;
      const decision = { stage: stage.id, decision: r.decision, comment: r.comment, reviewerId: r.reviewer.id };
      if (r.decision === 'reject') {
        state.lastRejection = { stage: stage.id, reviewerId: r.reviewer.id, comment: r.comment, at: nowIso() };
        state.status = 'draft';
        state.stageIndex = null;
        voidApprovals(state);
        await record(run, r.reviewer.id, 'reject', { decision, voidReason: `rejected at ${stage.name}`, details: { stage: stage.id, comment: r.comment } });
        return;
      }
      state.approvals.push({ stage: stage.id, reviewerId: r.reviewer.id, revision: r.revision, at: nowIso() });
      if (state.stageIndex! + 1 < state.stages.length) {
        state.stageIndex! += 1;
      } else {
        state.stageIndex = null;
        state.approvedRevision = state.revision;
        state.status = statusAfterApproval(state.releaseAt, state.onHold, Date.now());
        run.scheduleVersion += 1;
      }
      const overWarnings = r.gateWarnings?.length ? { gateWarnings: r.gateWarnings } : {};
      await record(run, r.reviewer.id, 'approve', {
        decision,
        details: { stage: stage.id, comment: r.comment, next: currentStageId(state) ?? state.status, ...overWarnings },
      });
    },
  });

  declareUpdate(run, withdrawUpdate, {
    check: (r) => refuse(commandProblem('withdraw', r.by, state.status)),
    apply: async (r) => {
      state.status = 'draft';
      state.stageIndex = null;
      const voided = voidApprovals(state);
      run.scheduleVersion += 1;
      await record(run, r.by.id, 'withdraw', { voidReason: voided ? 'withdrawn from review' : undefined, details: { reason: r.reason } });
    },
  });

  // ── Release timing: changing it keeps the approvals ──────────────────────
  declareUpdate(run, scheduleUpdate, {
    check: (r) => {
      refuse(commandProblem('schedule', r.by, state.status));
      refuse(releaseTimeProblem(r.releaseAt));
    },
    apply: async (r) => {
      const previous = { releaseAt: state.releaseAt, onHold: state.onHold };
      state.releaseAt = r.releaseAt;
      state.onHold = r.hold;
      if (state.status === 'approved' || state.status === 'scheduled') state.status = statusAfterApproval(state.releaseAt, state.onHold, Date.now());
      run.scheduleVersion += 1;
      await record(run, r.by.id, r.hold ? 'release_cancelled' : 'release_time_changed', {
        details: { from: previous, to: { releaseAt: state.releaseAt, onHold: state.onHold }, approvalsKept: true },
      });
    },
  });

  declareUpdate(run, releaseNowUpdate, {
    check: (r) => refuse(commandProblem('releaseNow', r.by, state.status)),
    apply: async (r) => {
      state.onHold = false;
      state.status = 'releasing';
      run.scheduleVersion += 1;
      await record(run, r.by.id, 'release_requested', { details: { releaseAt: state.releaseAt } });
    },
  });

  // ── Retract ──────────────────────────────────────────────────────────────
  declareUpdate(run, retractUpdate, {
    check: (r, where) => {
      refuse(roleProblem('retract', r.by));
      // Two retractions sent at once both pass their validators; the second is refused under the lock.
      if (where === 'validator' || patched(REFUSE_REPEATED_RETRACTION_PATCH)) refuse(repeatedRetractionProblem(state.status, state.retraction));
      refuse(commandProblem('retract', r.by, state.status));
      refuse(blankNoteProblem('retract', 'reason', r.reason));
    },
    apply: async (r) => {
      state.retraction = { reason: r.reason, by: r.by.id, at: nowIso() };
      await record(run, r.by.id, 'retract_requested', { details: { reason: r.reason } });
      run.releaseScope?.cancel();
    },
  });
}
