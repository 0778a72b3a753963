/**
 * Every command a person gives about a package, its media, its deliveries and their channels: who
 * may give it (roles; for review decisions also the stage and "not the author" rules), in which
 * package statuses, and what its input must be. The workflow's Update validators, the services,
 * the API's route schemas and the console all read this one table, so a rule changes in one place.
 * Pure: imported by workflow code.
 */
import { refusalError } from './errors.js';
import {
  canEdit,
  canRelease,
  canRetract,
  canSchedule,
  canSubmit,
  canWithdraw,
  type Actor,
  type DecisionRequest,
  type PackageStatus,
  type Problem,
  type ReviewState,
  type Role,
} from './package-rules.js';

// ── Who ──────────────────────────────────────────────────────────────────────

const AUTHORS: readonly Role[] = ['editor', 'admin'];
const DECIDERS: readonly Role[] = ['reviewer', 'admin'];
const STAFF: readonly Role[] = ['editor', 'reviewer', 'ops', 'admin'];
const RETRACTORS: readonly Role[] = ['reviewer', 'ops', 'admin'];
const UPLOADERS: readonly Role[] = ['editor', 'ops', 'admin'];
const OPERATIONS: readonly Role[] = ['ops', 'admin'];

// ── Input ────────────────────────────────────────────────────────────────────

/**
 * One input field of a command, described as data so the route schema (api/schemas/commands.ts)
 * and the console can be derived from it; `problem` is the check the services and the workflow run.
 */
export type FieldRule =
  /** An ISO 8601 date-time with its offset, or null. */
  | { kind: 'dateTime'; optional: boolean; description: string; problem: (value: unknown) => Problem | null }
  /** A free-text note (comment, reason) that goes to the audit trail; `required` means not blank. */
  | { kind: 'note'; optional: boolean; required: boolean; description: string; blank?: Problem }
  | { kind: 'choice'; optional: boolean; values: readonly string[] }
  | { kind: 'revision'; optional: boolean; description: string }
  | { kind: 'httpUrl'; optional: boolean; description: string; problem?: (value: unknown) => Problem | null };

/**
 * The release time: absent or null (release as soon as approved), or an ISO 8601 date-time with
 * its offset. The one check of it: the package body, the schedule request and the workflow use it.
 */
export function releaseTimeProblem(value: unknown): Problem | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return null;
  return {
    code: 'invalid_release_time',
    message: `expected an ISO 8601 date-time such as 2026-12-01T09:00:00+08:00, got ${JSON.stringify(value) ?? String(value)}`,
  };
}

/** The release time as stored and sent to the workflow: UTC, so every reader compares like with like. */
export function normalizedReleaseTime(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

const releaseTime = <Optional extends boolean>(description: string, optional: Optional) =>
  ({ kind: 'dateTime', optional, description, problem: releaseTimeProblem }) as const satisfies FieldRule;
const reasonRequired = (blank?: Problem) =>
  ({ kind: 'note', optional: false, required: true, description: 'Why: it goes to the audit trail.', blank }) as const satisfies FieldRule;

/** The release time a package's body may carry (created or edited with its content). */
const PACKAGE_RELEASE_TIME = releaseTime('When to release once approved (with its offset); null: as soon as approved.', true);

/** The address of a post confirmed by hand: an http(s) URL without spaces. */
export function postUrlProblem(value: unknown): Problem | null {
  if (typeof value === 'string' && /^https?:\/\/\S+$/.test(value)) return null;
  return { code: 'invalid_url', message: `"${String(value)}" is not the http(s) URL of the post.` };
}

// ── The table ────────────────────────────────────────────────────────────────

export interface CommandRule {
  /** What the person does, as a refusal says it: "Your role (editor) may not <what>". */
  what: string;
  roles: readonly Role[];
  /** Whether the package's status allows the command (null when it does); absent where no package status applies. */
  status?: (status: PackageStatus) => Problem | null;
  /** The command's input fields, by name. */
  input?: Record<string, FieldRule>;
}

export const COMMANDS = {
  // Organize
  // (the rest of the package body is registry-aware: services/package-input.ts and its route schema)
  create: { what: 'create packages', roles: AUTHORS, input: { releaseAt: PACKAGE_RELEASE_TIME } },
  edit: { what: 'edit packages', roles: AUTHORS, status: canEdit, input: { releaseAt: PACKAGE_RELEASE_TIME } },
  submit: { what: 'submit a package', roles: AUTHORS, status: canSubmit },
  withdraw: {
    what: 'withdraw a package',
    roles: AUTHORS,
    status: canWithdraw,
    input: { reason: { kind: 'note', optional: true, required: false, description: 'Why (optional); it goes to the audit trail.' } },
  },
  // Review: also the stage's roles, the reviewer's stages and "not the author" (decisionProblem).
  decide: {
    what: 'decide at a review stage',
    roles: DECIDERS,
    input: {
      revision: { kind: 'revision', optional: false, description: 'The revision you reviewed' },
      decision: { kind: 'choice', optional: false, values: ['approve', 'reject'] },
      comment: { kind: 'note', optional: true, required: false, description: 'What the reviewer says (required in practice for a rejection).' },
    },
  },
  // Release timing (keeps the approvals) and release
  schedule: {
    what: 'change the release time',
    roles: STAFF,
    status: canSchedule,
    input: { releaseAt: releaseTime('The new release time (with its offset); null releases as soon as approved.', false) },
  },
  releaseNow: { what: 'release a package', roles: STAFF, status: canRelease },
  // Retract
  retract: {
    what: 'retract a release',
    roles: RETRACTORS,
    status: canRetract,
    input: { reason: reasonRequired({ code: 'reason_required', message: 'Say why the package is retracted: the reason goes to the audit trail.' }) },
  },
  // Media
  uploadMedia: { what: 'upload media', roles: UPLOADERS },
  requestRenditions: { what: 'request renditions', roles: UPLOADERS },
  cancelRenditionJob: { what: 'cancel rendition jobs', roles: UPLOADERS },
  // Deliveries and channels
  retryDelivery: { what: 'retry deliveries', roles: OPERATIONS },
  skipDelivery: {
    what: 'skip deliveries',
    roles: OPERATIONS,
    input: { reason: reasonRequired({ code: 'reason_required', message: 'Say why the delivery is skipped (field "reason"): it goes to the audit trail.' }) },
  },
  confirmDelivery: {
    what: 'confirm deliveries',
    roles: OPERATIONS,
    input: {
      url: {
        kind: 'httpUrl',
        optional: true,
        description: 'The address of the manual post on the platform (checked against the platform)',
        problem: postUrlProblem,
      },
      note: { kind: 'note', optional: true, required: false, description: 'What was done by hand.' },
    },
  },
  pauseChannel: {
    what: 'pause channels',
    roles: OPERATIONS,
    input: {
      reason: reasonRequired({
        code: 'reason_required',
        message: 'Say why the channel is paused (field "reason"): it goes to the audit trail and the channel list.',
      }),
    },
  },
  resumeChannel: { what: 'resume channels', roles: OPERATIONS },
} as const satisfies Record<string, CommandRule>;

export type CommandName = keyof typeof COMMANDS;

/** A command's input fields by name ({} for a command that takes none). */
export function commandFields(command: CommandName): Record<string, FieldRule> {
  return (COMMANDS[command] as CommandRule).input ?? {};
}

/** The TypeScript type a field of a kind arrives as, so the services and the route handlers keep their types. */
type FieldValue<F> = F extends { kind: 'dateTime' }
  ? string | null
  : F extends { kind: 'note' | 'httpUrl' }
    ? string
    : F extends { kind: 'revision' }
      ? number
      : F extends { kind: 'choice'; values: readonly (infer V)[] }
        ? V
        : never;

type InputOf<C extends CommandName> = (typeof COMMANDS)[C] extends { input: infer I } ? I : Record<string, never>;
type RequiredFields<I> = { -readonly [K in keyof I as I[K] extends { optional: true } ? never : K]: FieldValue<I[K]> };
type OptionalFields<I> = { -readonly [K in keyof I as I[K] extends { optional: true } ? K : never]?: FieldValue<I[K]> };
/** The body a command takes, as its fields in the table describe it. */
export type CommandBody<C extends CommandName> = RequiredFields<InputOf<C>> & OptionalFields<InputOf<C>>;

// ── Rules ────────────────────────────────────────────────────────────────────

/** May this actor's role give the command at all? */
export function roleProblem(command: CommandName, actor: Pick<Actor, 'role'>): Problem | null {
  const { what, roles } = COMMANDS[command];
  if (roles.includes(actor.role)) return null;
  return { code: 'role_not_allowed', message: `Your role (${actor.role}) may not ${what}; that needs: ${roles.join(', ')}.` };
}

/** The role first, then the package's status: the order refusals have always come in. */
export function commandProblem(command: CommandName, actor: Pick<Actor, 'role'>, status: PackageStatus): Problem | null {
  const rule: CommandRule = COMMANDS[command];
  return roleProblem(command, actor) ?? rule.status?.(status) ?? null;
}

/** A required note (a reason) that is missing or blank, refused with the command's own code and sentence. */
export function blankNoteProblem(command: CommandName, field: string, value: unknown): Problem | null {
  const rule = commandFields(command)[field];
  if (rule?.kind !== 'note' || !rule.required || !rule.blank) return null;
  return typeof value === 'string' && value.trim() !== '' ? null : rule.blank;
}

/**
 * For the services, which refuse a role before any work: `forbidden` (403), the code they have
 * always answered with (the workflow's validators answer `role_not_allowed`, also 403).
 */
export function requireAllowed(actor: Pick<Actor, 'role'>, command: CommandName): void {
  const problem = roleProblem(command, actor);
  if (problem) throw refusalError({ code: 'forbidden', message: problem.message });
}

/**
 * Review: is this decision allowed now? null when it is. Besides the command's roles, the stage's
 * own roles and the reviewer's stages decide; nobody approves what they wrote, or two stages.
 */
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
  if (roleProblem('decide', request.reviewer) || !stage.roles.includes(request.reviewer.role)) {
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
