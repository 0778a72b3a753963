/**
 * Every command a person gives about a package, its media, its deliveries and their channels: who
 * may give it (roles; for review decisions also the stage and "not the author" rules), in which
 * package statuses, and what its input must be. The workflow's Update validators, the services,
 * the API's route schemas and the console all read this one table, so a rule changes in one place.
 * Pure: imported by workflow code.
 */
import { refusalError } from './errors.js';
import { roleZh, statusZh } from './messages-zh.js';
import { chinaTimeToSecond } from './beijing-time.js';
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
  type StageRule,
  VALIDITY_STATES,
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
  /** A review stage of the package, by id (or its name, 初审): checked against the package's stages by the service. */
  | { kind: 'stage'; optional: boolean; description: string }
  | { kind: 'httpUrl'; optional: boolean; description: string; problem?: (value: unknown) => Problem | null }
  /** A calendar date YYYY-MM-DD, or null. */
  | { kind: 'date'; optional: boolean; description: string };

/**
 * An instant as the API's schema takes it (ajv's date-time): ISO 8601 with seconds and its offset
 * (Z or ±hh:mm). Date.parse alone reads "2026-11-02 23:30" in the server's zone and "12" as
 * 1 December 2001, so callers without the schema (the CLI's direct commands, the workflow) check this.
 */
export function isInstantWithOffset(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    unusedOffset(value) === null
  );
}

/**
 * The offset of an ISO 8601 instant that no place on Earth uses (null when it is Z or one that is
 * used): zones run from -12:00 to +14:00, so `-23:59` is a slip of the keyboard, not a time zone,
 * and taken it would move the release by up to two days.
 */
export function unusedOffset(value: string): string | null {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  const inUse = Number(m[3]) < 60 && (m[1] === '+' ? minutes <= 14 * 60 : minutes <= 12 * 60);
  return inUse ? null : `${m[1]}${m[2]}:${m[3]}`;
}

/** The sentence for an instant whose offset no time zone uses, in both languages. */
function unusedOffsetProblem(code: string, value: string, offset: string): Problem {
  return {
    code,
    message: `${value}: the offset ${offset} is no time zone's (they run from -12:00 to +14:00); Beijing time is +08:00, e.g. 2026-12-01T09:00:00+08:00`,
    messageZh: `${value}：时区偏移 ${offset} 不存在（时区在 -12:00 到 +14:00 之间）；北京时间为 +08:00，例如 2026-12-01T09:00:00+08:00`,
  };
}

/**
 * The release time: absent or null (release as soon as approved), or an ISO 8601 date-time with
 * its offset. The one check of it: the package body, the schedule request and the workflow use it.
 */
export function releaseTimeProblem(value: unknown): Problem | null {
  if (value === undefined || value === null) return null;
  if (isInstantWithOffset(value)) return null;
  const offset = typeof value === 'string' ? unusedOffset(value) : null;
  if (offset) return unusedOffsetProblem('invalid_release_time', value as string, offset);
  return {
    code: 'invalid_release_time',
    message: `expected an ISO 8601 date-time such as 2026-12-01T09:00:00+08:00, got ${JSON.stringify(value) ?? String(value)}`,
    messageZh: `发布时间应为带时区的 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00，收到的是 ${JSON.stringify(value) ?? String(value)}`,
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
const PACKAGE_RELEASE_TIME = releaseTime(
  'When to release once approved (with its offset): a time to come, at most 5 years ahead; null: as soon as approved.',
  true,
);

/** When a manual post went up: absent or null (now), or an instant with its offset. */
export function postedAtProblem(value: unknown): Problem | null {
  if (value === undefined || value === null || isInstantWithOffset(value)) return null;
  const offset = typeof value === 'string' ? unusedOffset(value) : null;
  if (offset) return unusedOffsetProblem('invalid_posted_at', value as string, offset);
  return {
    code: 'invalid_posted_at',
    message: `expected the time the post went up, an ISO 8601 date-time such as 2026-12-01T09:00:00+08:00, got ${JSON.stringify(value) ?? String(value)}`,
    messageZh: `实际发布时间应为带时区的 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00，收到的是 ${JSON.stringify(value) ?? String(value)}`,
  };
}

/**
 * Why a manual post cannot have gone up at `postedAt` (an instant already checked by postedAtProblem):
 * not after now (a minute's leeway for clocks), nor before govpub handed the post off (`handedOffAt`,
 * when the delivery was created). Null when it can. Pure: `now` is given.
 */
export function postedAtTimeProblem(postedAt: string, handedOffAt: Date, now: Date): Problem | null {
  const at = Date.parse(postedAt);
  if (at > now.getTime() + 60_000)
    return {
      code: 'invalid_posted_at',
      message: `${postedAt} is still to come: give the time the post went up on the platform (now or earlier).`,
      messageZh: `实际发布时间 ${postedAt} 晚于当前时间：请填写帖子在平台上实际发出的时间（不晚于现在）。`,
    };
  if (at < handedOffAt.getTime())
    return {
      code: 'invalid_posted_at',
      message: `${postedAt} is before govpub handed this post off (${chinaTimeToSecond(handedOffAt.toISOString())} Beijing time, ${handedOffAt.toISOString()}): the post cannot have gone up then. Check the date and the offset (+08:00 for Beijing time).`,
      messageZh: `实际发布时间 ${postedAt} 早于本条发布任务的交付时间（北京时间 ${chinaTimeToSecond(handedOffAt.toISOString())}），不可能在此之前发出。请核对日期和时区（北京时间为 +08:00）。`,
    };
  return null;
}

/** The address of a post confirmed by hand: an http(s) URL without spaces. */
export function postUrlProblem(value: unknown): Problem | null {
  if (typeof value === 'string' && /^https?:\/\/\S+$/.test(value)) return null;
  return {
    code: 'invalid_url',
    message: `"${String(value)}" is not the http(s) URL of the post.`,
    messageZh: `"${String(value)}" 不是该帖子的 http(s) 网址，请填写帖子在平台上的完整网址。`,
  };
}

// ── The table ────────────────────────────────────────────────────────────────

export interface CommandRule {
  /** What the person does, as a refusal says it: "Your role (editor) may not <what>". */
  what: string;
  /** The same in Simplified Chinese: "您的角色（编辑）无权<whatZh>". */
  whatZh: string;
  roles: readonly Role[];
  /** Whether the package's status allows the command (null when it does); absent where no package status applies. */
  status?: (status: PackageStatus) => Problem | null;
  /** The command's input fields, by name. */
  input?: Record<string, FieldRule>;
}

export const COMMANDS = {
  // Organize
  // (the rest of the package body is registry-aware: services/package-input.ts and its route schema)
  create: { what: 'create packages', whatZh: '创建稿件', roles: AUTHORS, input: { releaseAt: PACKAGE_RELEASE_TIME } },
  edit: { what: 'edit packages', whatZh: '修改稿件', roles: AUTHORS, status: canEdit, input: { releaseAt: PACKAGE_RELEASE_TIME } },
  submit: { what: 'submit a package', whatZh: '提交稿件审核', roles: AUTHORS, status: canSubmit },
  withdraw: {
    what: 'withdraw a package',
    whatZh: '撤回稿件',
    roles: AUTHORS,
    status: canWithdraw,
    input: { reason: { kind: 'note', optional: true, required: false, description: 'Why (optional); it goes to the audit trail.' } },
  },
  // Review: also the stage's roles, the reviewer's stages and "not the author" (decisionProblem).
  decide: {
    what: 'decide at a review stage',
    whatZh: '在审核环节作出审核决定',
    roles: DECIDERS,
    input: {
      revision: { kind: 'revision', optional: false, description: 'The revision you reviewed' },
      stage: {
        kind: 'stage',
        optional: true,
        description:
          'The stage you decide at (its id, e.g. "first", or name, 初审), as the package showed it; left out: the stage the package is at when the request arrives. A decision whose stage was decided meanwhile is refused (409 stage_already_decided), never applied to the next stage.',
      },
      decision: { kind: 'choice', optional: false, values: ['approve', 'reject'] },
      comment: { kind: 'note', optional: true, required: false, description: 'What the reviewer says (required in practice for a rejection).' },
    },
  },
  // Release timing (keeps the approvals) and release
  schedule: {
    what: 'change the release time',
    whatZh: '修改发布时间',
    roles: STAFF,
    status: canSchedule,
    input: {
      releaseAt: releaseTime('The new release time (with its offset): a time to come, at most 5 years ahead; null releases as soon as approved.', false),
    },
  },
  releaseNow: { what: 'release a package', whatZh: '发布稿件', roles: STAFF, status: canRelease },
  // Retract
  retract: {
    what: 'retract a release',
    whatZh: '撤回发布',
    roles: RETRACTORS,
    status: canRetract,
    input: {
      reason: reasonRequired({
        code: 'reason_required',
        message: 'Say why the package is retracted: the reason goes to the audit trail.',
        messageZh: '请填写撤回发布的原因：原因将记入审计记录。',
      }),
    },
  },
  // 有效性 of a published normative document: no new revision, no content change (services/validity.ts)
  changeValidity: {
    what: "change a normative document's validity",
    whatZh: '变更规范性文件的有效性',
    roles: DECIDERS,
    input: {
      state: { kind: 'choice', optional: false, values: VALIDITY_STATES },
      effectiveFrom: { kind: 'date', optional: true, description: '施行日期 (YYYY-MM-DD); left out: kept as it is.' },
      endedAt: { kind: 'date', optional: true, description: '失效日期 / 废止日期 (YYYY-MM-DD): required for expired and repealed.' },
      reason: reasonRequired({
        code: 'reason_required',
        message: 'Say why the document\'s validity changes (field "reason"): it goes to the audit trail.',
        messageZh: '请填写变更有效性的原因（字段 reason）：原因将记入审计记录。',
      }),
    },
  },
  // Media
  uploadMedia: { what: 'upload media', whatZh: '上传媒体', roles: UPLOADERS },
  requestRenditions: { what: 'request renditions', whatZh: '请求媒体转码', roles: UPLOADERS },
  cancelRenditionJob: { what: 'cancel rendition jobs', whatZh: '取消转码任务', roles: UPLOADERS },
  // Deliveries and channels
  retryDelivery: { what: 'retry deliveries', whatZh: '重试发布任务', roles: OPERATIONS },
  skipDelivery: {
    what: 'skip deliveries',
    whatZh: '跳过发布任务',
    roles: OPERATIONS,
    input: {
      reason: reasonRequired({
        code: 'reason_required',
        message: 'Say why the delivery is skipped (field "reason"): it goes to the audit trail.',
        messageZh: '请填写跳过该发布任务的原因（字段 reason）：原因将记入审计记录。',
      }),
    },
  },
  confirmDelivery: {
    what: 'confirm deliveries',
    whatZh: '确认发布任务',
    roles: OPERATIONS,
    input: {
      url: {
        kind: 'httpUrl',
        optional: true,
        description: 'The address of the manual post on the platform (checked against the platform)',
        problem: postUrlProblem,
      },
      note: { kind: 'note', optional: true, required: false, description: 'What was done by hand.' },
      postedAt: {
        kind: 'dateTime',
        optional: true,
        description:
          'When the post went up on the platform, with its offset (a manual post only); left out or null: now. It dates the post in the figures (an account’s last post, the year’s items): give it when confirming a post made earlier.',
        problem: postedAtProblem,
      },
    },
  },
  pauseChannel: {
    what: 'pause channels',
    whatZh: '暂停渠道',
    roles: OPERATIONS,
    input: {
      reason: reasonRequired({
        code: 'reason_required',
        message: 'Say why the channel is paused (field "reason"): it goes to the audit trail and the channel list.',
        messageZh: '请填写暂停该渠道的原因（字段 reason）：原因将记入审计记录并显示在渠道列表中。',
      }),
    },
  },
  resumeChannel: { what: 'resume channels', whatZh: '恢复渠道', roles: OPERATIONS },
} as const satisfies Record<string, CommandRule>;

export type CommandName = keyof typeof COMMANDS;

/** A command's input fields by name ({} for a command that takes none). */
export function commandFields(command: CommandName): Record<string, FieldRule> {
  return (COMMANDS[command] as CommandRule).input ?? {};
}

/** The TypeScript type a field of a kind arrives as, so the services and the route handlers keep their types. */
type FieldValue<F> = F extends { kind: 'dateTime' | 'date' }
  ? string | null
  : F extends { kind: 'note' | 'httpUrl' | 'stage' }
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
  const { what, whatZh, roles } = COMMANDS[command];
  if (roles.includes(actor.role)) return null;
  return {
    code: 'role_not_allowed',
    message: `Your role (${actor.role}) may not ${what}; that needs: ${roles.join(', ')}.`,
    messageZh: `您的角色（${roleZh(actor.role)}）无权${whatZh}；需要以下角色之一：${roles.map(roleZh).join('、')}。`,
  };
}

/**
 * A submit names the revision the editor saw (`baseRevision`): when the package has a later one by
 * now (saved meanwhile, in another tab or by someone else), submitting would send content the
 * editor never looked at into review, so it is refused as an edit on an old revision is. Left out
 * (older scripts): the current revision is submitted.
 */
export function submitBaseProblem(baseRevision: number | undefined, current: number): Problem | null {
  if (baseRevision === undefined || baseRevision === current) return null;
  if (baseRevision > current)
    return {
      code: 'concurrent_edit',
      message: `The package has no revision ${baseRevision}: it is at revision ${current}. Nothing was submitted: reload the package, check revision ${current} and submit it.`,
      messageZh: `稿件没有第 ${baseRevision} 版，当前是第 ${current} 版。本次没有提交，请刷新页面载入第 ${current} 版，核对后再提交审核。`,
    };
  return {
    code: 'concurrent_edit',
    message: `You are submitting revision ${baseRevision}, but the package is at revision ${current} now (saved meanwhile, in another tab or by someone else); submitting would send content you have not seen into review. Nothing was submitted: reload the package, check revision ${current} and submit it.`,
    messageZh: `您看到的是第 ${baseRevision} 版，但这份稿件此后已保存为第 ${current} 版（在另一个窗口或由其他人保存）。为免把您没有看过的内容送审，本次没有提交。请刷新页面载入第 ${current} 版，核对后再提交审核。`,
  };
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
  if (problem) throw refusalError({ code: 'forbidden', message: problem.message, messageZh: problem.messageZh });
}

/** A stage's name (初审) from its id, or the id when the package has no such stage. */
function stageName(stages: readonly StageRule[], id: string): string {
  return stages.find((s) => s.id === id)?.name ?? id;
}

/**
 * A decision pinned to the stage the reviewer saw (DecisionRequest.stage) applies only while the
 * package is still at that stage: two decisions sent at once are both accepted by the validator,
 * and the one that runs second finds the stage decided and is refused, never applied to the next.
 * Called with the package in review; requests without a stage (older histories) are not pinned.
 */
function pinnedStageProblem(state: ReviewState, request: DecisionRequest): Problem | null {
  if (request.stage === undefined) return null;
  const current = state.stages[state.stageIndex!]!;
  if (request.stage === current.id) return null;
  const pinnedIndex = state.stages.findIndex((s) => s.id === request.stage);
  const pinned = stageName(state.stages, request.stage);
  if (pinnedIndex > state.stageIndex!) {
    return {
      code: 'stage_not_reached',
      message: `You decided at ${pinned} (${request.stage}), but the package is at ${current.name} (${current.id}): it has not reached that stage. Reload it and decide at the stage it is at, if that is yours.`,
      messageZh: `您提交的是「${pinned}」环节的审核决定，但稿件当前处于「${current.name}」环节，尚未进入「${pinned}」环节。请刷新稿件后再作决定。`,
    };
  }
  return {
    code: 'stage_already_decided',
    message: `You decided at ${pinned} (${request.stage}), but that stage has been decided meanwhile: the package is now at ${current.name} (${current.id}). Your decision was not applied; reload the package and decide again if ${current.name} is yours.`,
    messageZh: `您提交的是「${pinned}」环节的审核决定，但该环节刚刚已由其他审核人作出决定，稿件现处于「${current.name}」环节。您的决定未被采用：请刷新稿件，如「${current.name}」环节由您负责，再重新作出决定。`,
  };
}

/**
 * Is this request the decision its reviewer already gave, sent again (a double click, an answer
 * that was lost and a retry)? True when the request is pinned to a stage and that stage's decision
 * of this round is this reviewer's own on the same revision: an approval still counted, or the
 * rejection that sent the package back (same comment, not edited since). Such a request is answered
 * with the package as it is, recording nothing, instead of "another reviewer decided meanwhile".
 */
export function repeatedDecision(
  state: ReviewState & { lastRejection: { stage: string; reviewerId: string; comment: string } | null },
  request: DecisionRequest,
): boolean {
  if (request.stage === undefined) return false;
  if (request.decision === 'approve') {
    return state.approvals.some((a) => a.stage === request.stage && a.reviewerId === request.reviewer.id && a.revision === request.revision);
  }
  const rejection = state.lastRejection;
  return (
    state.status === 'draft' &&
    rejection !== null &&
    rejection.stage === request.stage &&
    rejection.reviewerId === request.reviewer.id &&
    rejection.comment === request.comment &&
    request.revision === state.revision
  );
}

/**
 * Review: is this decision allowed now? null when it is. Besides the command's roles, the stage's
 * own roles and the reviewer's stages decide; nobody approves what they wrote, or two stages.
 */
export function decisionProblem(state: ReviewState, request: DecisionRequest): Problem | null {
  if (state.status !== 'in_review' || state.stageIndex === null) {
    const left = request.stage === undefined ? undefined : state.stages.find((s) => s.id === request.stage);
    if (left) {
      // The other decision of a race was the last approval or a rejection: the stage is behind it.
      return {
        code: 'stage_already_decided',
        message: `You decided at ${left.name} (${left.id}), but the package has left that stage meanwhile: it is now ${state.status}. Your decision was not applied.`,
        messageZh: `您提交的是「${left.name}」环节的审核决定，但稿件刚刚已离开该环节，现为「${statusZh(state.status)}」状态。您的决定未被采用，请刷新稿件查看。`,
      };
    }
    return {
      code: 'not_in_review',
      message: `The package is ${state.status}, not in review: there is nothing to decide.`,
      messageZh: `稿件状态为「${statusZh(state.status)}」，不在审核中，没有需要审核的内容。`,
    };
  }
  const stage = state.stages[state.stageIndex]!;
  const pinned = pinnedStageProblem(state, request);
  if (pinned) return pinned;
  if (request.revision !== state.revision) {
    // A revision ahead of the package is a typo, not an edit made meanwhile: say which it is.
    return request.revision > state.revision
      ? {
          code: 'stale_revision',
          message: `The package has no revision ${request.revision}: it is at revision ${state.revision}. Review that one and decide on it (--revision ${state.revision}).`,
          messageZh: `稿件没有第 ${request.revision} 版，当前是第 ${state.revision} 版。请审核第 ${state.revision} 版后再作决定。`,
        }
      : {
          code: 'stale_revision',
          message: `You reviewed revision ${request.revision}, but the package is now at revision ${state.revision}. Reload it, review the current revision and decide again.`,
          messageZh: `您审核的是第 ${request.revision} 版，但稿件已更新到第 ${state.revision} 版。请刷新后审核最新版本，再作决定。`,
        };
  }
  if (roleProblem('decide', request.reviewer) || !stage.roles.includes(request.reviewer.role)) {
    return {
      code: 'role_not_allowed',
      message: `Your role (${request.reviewer.role}) may not decide at ${stage.name}; the stage is decided by: ${stage.roles.join(', ')}.`,
      messageZh: `您的角色（${roleZh(request.reviewer.role)}）不能在「${stage.name}」环节作出审核决定；该环节由以下角色审核：${stage.roles.map(roleZh).join('、')}。`,
    };
  }
  if (!request.reviewer.stages.includes(stage.id)) {
    const yours = request.reviewer.stages.map((id) => stageName(state.stages, id));
    return {
      code: 'wrong_stage',
      message: `The package is at ${stage.name} (${stage.id}), and you may decide only at: ${request.reviewer.stages.map((id, i) => (yours[i] && yours[i] !== id ? `${yours[i]} (${id})` : id)).join(', ') || 'no stage'}. Ask an administrator to grant the stage, or leave it to its reviewers.`,
      messageZh: `稿件当前处于「${stage.name}」环节，而您只能审核：${yours.map((n) => `「${n}」`).join('、') || '（无环节）'}。请管理员为您授予该环节，或交由该环节的审核人处理。`,
    };
  }
  if (request.decision === 'approve' && state.authors.includes(request.reviewer.id)) {
    return {
      code: 'self_approval',
      message: 'You wrote or edited this package, so you may not approve it: another reviewer must.',
      messageZh: `您撰写或修改过这份稿件，不能在「${stage.name}」环节审核通过自己的稿件：请由该环节的其他审核人审核。`,
    };
  }
  const earlier = state.approvals.find((a) => a.reviewerId === request.reviewer.id);
  if (request.decision === 'approve' && earlier) {
    const earlierStage = state.stages.find((s) => s.id === earlier.stage)?.name ?? earlier.stage;
    return {
      code: 'same_reviewer_two_stages',
      message: `You already approved this package at ${earlierStage}; each stage needs a different reviewer.`,
      messageZh: `您已在「${earlierStage}」环节审核通过了这份稿件；「${stage.name}」环节须由另一位审核人审核（每个环节须由不同的人审核）。`,
    };
  }
  if (request.decision === 'reject' && request.comment.trim() === '') {
    return {
      code: 'comment_required',
      message: 'A rejection goes back to the editor: say in the comment what must change.',
      messageZh: `在「${stage.name}」环节退回稿件时，请在审核意见中写明需要修改的内容，稿件将退回给编辑。`,
    };
  }
  return null;
}
