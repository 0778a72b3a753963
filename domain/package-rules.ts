/**
 * The three synchronizations (三同步) as pure rules: a policy document and its interpretation are
 * organized together, reviewed and signed together, and released together. Imported by workflow
 * code, so nothing here may touch I/O, clocks or randomness.
 */

export const INTERPRETATION_FORMS = ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'] as const;
export type InterpretationForm = (typeof INTERPRETATION_FORMS)[number];

export const PACKAGE_STATUSES = ['draft', 'in_review', 'approved', 'scheduled', 'releasing', 'released', 'retracting', 'retracted'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

export type Role = 'editor' | 'reviewer' | 'ops' | 'admin';

export interface Actor {
  id: string;
  name: string;
  role: Role;
  /** Review stage ids this actor may decide at. */
  stages: string[];
}

export interface StageRule {
  id: string;
  name: string;
  /** Roles that may decide at this stage. */
  roles: string[];
}

/** What the rules need to know about a revision's content: facts, never the content itself. */
export interface RevisionFacts {
  revision: number;
  contentHash: string;
  hasDocument: boolean;
  interpretationCount: number;
  requiresInterpretation: boolean;
  targets: string[];
}

export interface Approval {
  stage: string;
  reviewerId: string;
  revision: number;
  at: string;
}

export interface Problem {
  code: string;
  message: string;
}

/** Organize: may this revision enter review? Every reason, so the editor can fix all at once. */
export function organizeProblems(facts: RevisionFacts): Problem[] {
  const problems: Problem[] = [];
  if (!facts.hasDocument && facts.interpretationCount > 0) {
    problems.push({
      code: 'interpretation_without_document',
      message: 'An interpretation cannot be submitted without its policy document: add the document to this package.',
    });
  }
  if (!facts.hasDocument && facts.interpretationCount === 0) {
    problems.push({ code: 'document_missing', message: 'The package has no document: add the document before submitting.' });
  }
  if (facts.requiresInterpretation && facts.interpretationCount === 0) {
    problems.push({
      code: 'interpretation_required',
      message:
        'This catalogue item is a policy document that must be released with its interpretation (三同步): add at least one interpretation (text, graphic, video, audio, H5 or leader interview) before submitting.',
    });
  }
  if (facts.targets.length === 0) {
    problems.push({ code: 'no_targets', message: 'The package has no target channels: choose at least one channel (GET /api/channels).' });
  }
  return problems;
}

export interface ReviewState {
  status: PackageStatus;
  revision: number;
  stages: StageRule[];
  /** Index into `stages` while in review. */
  stageIndex: number | null;
  /** Approvals of the current review round (voided ones are dropped). */
  approvals: Approval[];
  /** Everyone who created or edited the package: they may not approve it. */
  authors: string[];
}

export interface DecisionRequest {
  revision: number;
  decision: 'approve' | 'reject';
  comment: string;
  reviewer: Actor;
}

/** Review: is this decision allowed now? null when it is. */
export function decisionProblem(state: ReviewState, request: DecisionRequest): Problem | null {
  if (state.status !== 'in_review' || state.stageIndex === null) {
    return { code: 'not_in_review', message: `The package is ${state.status}, not in review: there is nothing to decide.` };
  }
  const stage = state.stages[state.stageIndex]!;
  if (request.revision !== state.revision) {
    return {
      code: 'stale_revision',
      message: `You reviewed revision ${request.revision}, but the package is now at revision ${state.revision}. Reload it, review the current revision and decide again.`,
    };
  }
  if (!['reviewer', 'admin'].includes(request.reviewer.role) || !stage.roles.includes(request.reviewer.role)) {
    return {
      code: 'role_not_allowed',
      message: `Your role (${request.reviewer.role}) may not decide at ${stage.name}; the stage is decided by: ${stage.roles.join(', ')}.`,
    };
  }
  if (!request.reviewer.stages.includes(stage.id)) {
    return {
      code: 'wrong_stage',
      message: `The package is at ${stage.name} (${stage.id}), and you may decide only at: ${request.reviewer.stages.join(', ') || 'no stage'}. Ask an administrator to grant the stage, or leave it to its reviewers.`,
    };
  }
  if (request.decision === 'approve' && state.authors.includes(request.reviewer.id)) {
    return { code: 'self_approval', message: 'You wrote or edited this package, so you may not approve it: another reviewer must.' };
  }
  const earlier = state.approvals.find((a) => a.reviewerId === request.reviewer.id);
  if (request.decision === 'approve' && earlier) {
    const earlierStage = state.stages.find((s) => s.id === earlier.stage)?.name ?? earlier.stage;
    return {
      code: 'same_reviewer_two_stages',
      message: `You already approved this package at ${earlierStage}; each stage needs a different reviewer.`,
    };
  }
  if (request.decision === 'reject' && request.comment.trim() === '') {
    return { code: 'comment_required', message: 'A rejection goes back to the editor: say in the comment what must change.' };
  }
  return null;
}

export function canEdit(status: PackageStatus): Problem | null {
  if (status === 'draft' || status === 'approved' || status === 'scheduled') return null;
  if (status === 'in_review') {
    return {
      code: 'content_locked',
      message: 'The package is in review and its content is locked. Withdraw it from review first, then edit it.',
    };
  }
  return {
    code: 'already_released',
    message: `The package is ${status}; released content is not edited in place. Retract it and publish a corrected package.`,
  };
}

export function canSubmit(status: PackageStatus): Problem | null {
  return status === 'draft' ? null : { code: 'not_a_draft', message: `The package is ${status}; only a draft can be submitted for review.` };
}

export function canWithdraw(status: PackageStatus): Problem | null {
  if (['in_review', 'approved', 'scheduled'].includes(status)) return null;
  return { code: 'cannot_withdraw', message: `The package is ${status}; only a package in review, approved or scheduled can be withdrawn.` };
}

export function canSchedule(status: PackageStatus): Problem | null {
  if (['draft', 'in_review', 'approved', 'scheduled'].includes(status)) return null;
  return { code: 'release_time_fixed', message: `The package is ${status}; its release time can no longer be changed.` };
}

export function canRetract(status: PackageStatus, actor: Actor): Problem | null {
  if (!['reviewer', 'ops', 'admin'].includes(actor.role)) {
    return { code: 'role_not_allowed', message: 'Only operations, reviewers or administrators may retract a release.' };
  }
  if (status === 'released' || status === 'releasing') return null;
  return { code: 'not_released', message: `The package is ${status}; only a released package can be retracted.` };
}

/** The status after an approval at the last stage: released at once, or waiting for its time. */
export function statusAfterApproval(releaseAt: string | null, onHold: boolean, nowMs: number): PackageStatus {
  if (onHold) return 'approved';
  if (releaseAt && Date.parse(releaseAt) > nowMs) return 'scheduled';
  return 'releasing';
}
