/**
 * The three synchronizations (三同步) as pure rules: a policy document and its interpretation are
 * organized together, reviewed and signed together, and released together. Imported by workflow
 * code, so nothing here may touch I/O, clocks or randomness.
 */
import { statusZh } from './messages-zh.js';
import { chinaTime } from './beijing-time.js';

export const INTERPRETATION_FORMS = ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'] as const;
export type InterpretationForm = (typeof INTERPRETATION_FORMS)[number];

/**
 * What an interpretation of each form may carry besides its title and body: an uploaded file
 * (`mediaId`: the infographic, the video, the recording) and a link (`url`: the H5 page, or where a
 * hosted video lives). A text interpretation is its text, an H5 one its page: a file or a link left
 * on them (a form changed in the console kept the picture chosen before) would be published under a
 * form that says otherwise.
 */
export const INTERPRETATION_FORM_CARRIES: Readonly<Record<InterpretationForm, { mediaId: boolean; url: boolean }>> = {
  text: { mediaId: false, url: false },
  graphic: { mediaId: true, url: true },
  cartoon: { mediaId: true, url: true },
  video: { mediaId: true, url: true },
  audio: { mediaId: true, url: true },
  h5: { mediaId: false, url: true },
  leader_interview: { mediaId: true, url: true },
};

/** Why an interpretation of `form` cannot carry the file or link it has (none when it can). Pure. */
export function interpretationCarriesProblems(
  form: InterpretationForm,
  has: { mediaId: boolean; url: boolean },
): { field: 'mediaId' | 'url'; message: string; messageZh: string }[] {
  const carries = INTERPRETATION_FORM_CARRIES[form];
  const problems: { field: 'mediaId' | 'url'; message: string; messageZh: string }[] = [];
  if (has.mediaId && !carries.mediaId)
    problems.push(
      form === 'text'
        ? {
            field: 'mediaId',
            message:
              'a text interpretation is its text and carries no file: put the picture in the body, or choose the form graphic (图解) for an infographic, video or audio for a recording; else remove the file',
            messageZh: '文字解读只有文字，不带文件：图片请插入正文；图解请选择“图解”形式，音视频请选择“视频”或“音频”形式；否则请移除该文件',
          }
        : {
            field: 'mediaId',
            message: 'an H5 interpretation is its page (url) and carries no file: remove the file, or choose graphic, video or audio for an uploaded one',
            messageZh: 'H5 解读只有页面链接，不带文件：请移除该文件；上传的图解或音视频请选择“图解”“视频”或“音频”形式',
          },
    );
  if (has.url && !carries.url)
    problems.push({
      field: 'url',
      message: 'a text interpretation is its text and carries no link: write the link into the body, or choose the form h5 for an H5 page',
      messageZh: '文字解读只有文字，不带链接：链接请写入正文；H5 页面请选择“H5”形式',
    });
  return problems;
}

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
  /** The revision refers to uploads (images, video): their renditions are prepared during review. Absent in facts from before it existed. */
  hasMedia?: boolean;
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
  /** The same sentence in Simplified Chinese (absent: the code's sentence in domain/messages-zh.ts). */
  messageZh?: string;
}

/** Organize: may this revision enter review? Every reason, so the editor can fix all at once. */
export function organizeProblems(facts: RevisionFacts): Problem[] {
  const problems: Problem[] = [];
  if (!facts.hasDocument && facts.interpretationCount > 0) {
    problems.push({
      code: 'interpretation_without_document',
      message: 'An interpretation cannot be submitted without its policy document: add the document to this package.',
      messageZh: '解读不能脱离其政策文件单独提交：请在稿件中加入政策文件（三同步）。',
    });
  }
  if (!facts.hasDocument && facts.interpretationCount === 0) {
    problems.push({
      code: 'document_missing',
      message: 'The package has no document: add the document before submitting.',
      messageZh: '稿件没有政策文件：请先添加文件再提交审核。',
    });
  }
  if (facts.requiresInterpretation && facts.interpretationCount === 0) {
    problems.push({
      code: 'interpretation_required',
      message:
        'This catalogue item is a policy document that must be released with its interpretation (三同步): add at least one interpretation (text, graphic, video, audio, H5 or leader interview) before submitting.',
      messageZh: '该目录事项属于须与解读同步发布的政策文件（三同步）：提交审核前请至少添加一项解读（文字、图解、漫画、视频、音频、H5 或领导访谈）。',
    });
  }
  if (facts.targets.length === 0) {
    problems.push({
      code: 'no_targets',
      message: 'The package has no target channels: choose at least one channel (GET /api/channels).',
      messageZh: '稿件没有选择发布渠道：请至少选择一个渠道。',
    });
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
  /** The stage id the reviewer decides at, as the package showed it; absent (older histories): the current stage. */
  stage?: string;
  decision: 'approve' | 'reject';
  comment: string;
  reviewer: Actor;
}

// ── What each status allows (who may decide, and every command's roles, are in domain/commands.ts) ──

export function canEdit(status: PackageStatus): Problem | null {
  if (status === 'draft' || status === 'approved' || status === 'scheduled') return null;
  if (status === 'in_review') {
    return {
      code: 'content_locked',
      message: 'The package is in review and its content is locked. Withdraw it from review first, then edit it.',
      messageZh: '稿件正在审核中，内容已锁定。请先撤回审核，再进行修改。',
    };
  }
  if (status === 'retracting' || status === 'retracted') {
    // Retracted content is neither edited nor released again: the correction is a package of its own.
    return {
      code: 'already_released',
      message: `The package is ${status}; a retracted package is not edited or released again. Create a new package with the corrected content.`,
      messageZh: `稿件状态为「${statusZh(status)}」，已撤稿的稿件不能再修改或重新发布。如需发布更正后的内容，请新建一份稿件。`,
    };
  }
  return {
    code: 'already_released',
    message: `The package is ${status}; released content is not edited in place. Retract it and publish a corrected package.`,
    messageZh: `稿件状态为「${statusZh(status)}」，已发布的内容不能直接修改。请先撤回发布，再发布一份更正后的稿件。`,
  };
}

export function canSubmit(status: PackageStatus): Problem | null {
  if (status === 'draft') return null;
  return {
    code: 'not_a_draft',
    message: `The package is ${status}; only a draft can be submitted for review.`,
    messageZh: `稿件状态为「${statusZh(status)}」，只有草稿才能提交审核。`,
  };
}

export function canWithdraw(status: PackageStatus): Problem | null {
  if (['in_review', 'approved', 'scheduled'].includes(status)) return null;
  return {
    code: 'cannot_withdraw',
    message: `The package is ${status}; only a package in review, approved or scheduled can be withdrawn.`,
    messageZh: `稿件状态为「${statusZh(status)}」，只有审核中、已通过或已排期的稿件才能撤回。`,
  };
}

export function canSchedule(status: PackageStatus): Problem | null {
  if (['draft', 'in_review', 'approved', 'scheduled'].includes(status)) return null;
  return {
    code: 'release_time_fixed',
    message: `The package is ${status}; its release time can no longer be changed.`,
    messageZh: `稿件状态为「${statusZh(status)}」，发布时间已不能再修改。`,
  };
}

export function canRelease(status: PackageStatus): Problem | null {
  if (status === 'approved' || status === 'scheduled') return null;
  // Released already, or on its way: a second 立即发布 (another tab, a retry) has nothing to do.
  if (status === 'releasing' || status === 'released') {
    return {
      code: 'already_released',
      message: `The package is ${status} already; nothing more to release. Follow its channels on the board or with govpub packages show.`,
      messageZh: `稿件已${status === 'releasing' ? '在发布中' : '发布'}，无需再次发布。各渠道进度请在发布看板或用 govpub packages show 查看。`,
    };
  }
  if (status === 'retracting' || status === 'retracted') {
    return {
      code: 'already_released',
      message: `The package is ${status}; a retracted package is not released again. Create a new package with the corrected content.`,
      messageZh: `稿件状态为「${statusZh(status)}」，已撤稿的稿件不能重新发布。如需发布更正后的内容，请新建一份稿件。`,
    };
  }
  return {
    code: 'not_approved',
    message: `The package is ${status}; only an approved package can be released.`,
    messageZh: `稿件状态为「${statusZh(status)}」，只有审核通过的稿件才能发布。`,
  };
}

export function canRetract(status: PackageStatus): Problem | null {
  if (status === 'released' || status === 'releasing') return null;
  // Nothing is public yet: say what keeps it from going out instead.
  if (status === 'approved' || status === 'scheduled') {
    return {
      code: 'not_released',
      message: `The package is ${status}; nothing of it is public yet, so there is nothing to retract. To keep it from going out, cancel its release (DELETE /api/packages/:id/schedule, govpub packages schedule ID --cancel): it then waits, approved. Its editor may also withdraw it.`,
      messageZh: `稿件状态为「${statusZh(status)}」，尚未发布，无需撤稿。如需暂不发布，请取消其发布时间（稿件保持审核通过，等待发布），或由编辑撤回稿件。`,
    };
  }
  if (status === 'in_review') {
    return {
      code: 'not_released',
      message:
        'The package is in review; nothing of it is public yet, so there is nothing to retract. If it must not go out, a reviewer rejects it or its editor withdraws it.',
      messageZh: '稿件正在审核中，尚未发布，无需撤稿。如不应发布，请由审核人退回，或由编辑撤回稿件。',
    };
  }
  return {
    code: 'not_released',
    message: `The package is ${status}; only a released package can be retracted.`,
    messageZh: `稿件状态为「${statusZh(status)}」，只有已发布的稿件才能撤回发布。`,
  };
}

/**
 * A package is retracted once: a second request, while the first is carried out (the package may
 * still show "releasing" for a moment) or after it, would only replace the reason and audit twice.
 * Said with the first request's time and reason, so the operator knows it is in hand.
 */
export function repeatedRetractionProblem(status: PackageStatus, retraction: { reason: string; at: string } | null): Problem | null {
  if (retraction === null) return null;
  const at = chinaTime(retraction.at);
  if (status === 'retracted') {
    return {
      code: 'already_retracted',
      message: `The package was retracted (asked at ${at} Beijing time, reason: ${retraction.reason}); nothing of it is left to take down.`,
      messageZh: `稿件已撤稿（${at} 申请，原因：${retraction.reason}），无需再次撤稿。`,
    };
  }
  return {
    code: 'already_retracting',
    message: `The package is already being retracted (asked at ${at} Beijing time, reason: ${retraction.reason}); a second retraction changes nothing. Follow its take-downs in the package's deliveries (GET /api/packages/:id).`,
    messageZh: `稿件已在撤稿中（${at} 申请，原因：${retraction.reason}），无需再次撤稿。请在稿件详情或发布看板中跟进各渠道的撤下进度。`,
  };
}

/** The status after an approval at the last stage: released at once, or waiting for its time. */
export function statusAfterApproval(releaseAt: string | null, onHold: boolean, nowMs: number): PackageStatus {
  if (onHold) return 'approved';
  if (releaseAt && Date.parse(releaseAt) > nowMs) return 'scheduled';
  return 'releasing';
}

// ── 有效性 of normative documents (行政规范性文件) ──────────────────────────────

export const VALIDITY_STATES = ['valid', 'expired', 'repealed'] as const;
export type ValidityState = (typeof VALIDITY_STATES)[number];

/** 有效 / 失效 / 废止 */
export const VALIDITY_STATE_ZH: Readonly<Record<ValidityState, string>> = { valid: '有效', expired: '失效', repealed: '废止' };

/** 有效性 as a package stores it (the same shape as the portal's DocumentValidity). */
export interface Validity {
  state: ValidityState;
  /** 施行日期, YYYY-MM-DD */
  effectiveFrom: string | null;
  /** 失效日期 / 废止日期, YYYY-MM-DD; only for expired and repealed documents. */
  endedAt: string | null;
}

/** A calendar date written YYYY-MM-DD that exists (2026-02-30 does not). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

/**
 * Every problem of a validity value, by field name relative to it (`state`, `effectiveFrom`,
 * `endedAt`): a known state, real dates, an end date exactly when the document has ended, and
 * never an end before the start. The package body, the validity command and the workflow-free
 * service all use this one check.
 */
/** The years a validity date may fall in (as a 成文日期's). */
const VALIDITY_YEARS = { from: 1949, to: 2099 } as const;

export function validityProblems(value: unknown): { field: string; message: string; messageZh: string }[] {
  const out: { field: string; message: string; messageZh: string }[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field: '', message: 'expected an object { state, effectiveFrom, endedAt }', messageZh: '有效性应为对象 { state, effectiveFrom, endedAt }。' }];
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['state', 'effectiveFrom', 'endedAt'].includes(key)) out.push({ field: key, message: 'unknown field', messageZh: '未知字段。' });
  }
  const state = v.state;
  if (typeof state !== 'string' || !(VALIDITY_STATES as readonly string[]).includes(state)) {
    out.push({
      field: 'state',
      message: `expected one of ${VALIDITY_STATES.join(', ')} (有效, 失效, 废止), got ${JSON.stringify(state) ?? 'nothing'}`,
      messageZh: `有效性应为 valid（有效）、expired（失效）或 repealed（废止）之一。`,
    });
  }
  const date = (key: 'effectiveFrom' | 'endedAt', label: string): string | null => {
    const raw = v[key];
    if (raw === undefined || raw === null || raw === '') return null;
    if (typeof raw !== 'string' || !isCalendarDate(raw)) {
      out.push({ field: key, message: `${JSON.stringify(raw)} is not a date written YYYY-MM-DD`, messageZh: `${label}应为 YYYY-MM-DD 格式的日期。` });
      return null;
    }
    // As a 成文日期: a year of the People's Republic's documents, not a slip of the keyboard (9999, 1800).
    const year = Number(raw.slice(0, 4));
    if (year < VALIDITY_YEARS.from || year > VALIDITY_YEARS.to) {
      out.push({
        field: key,
        message: `${raw} is not a plausible date for a document (years ${VALIDITY_YEARS.from} to ${VALIDITY_YEARS.to}); check the year`,
        messageZh: `${label} ${raw} 不是合理的日期（应在 ${VALIDITY_YEARS.from}–${VALIDITY_YEARS.to} 年之间），请核对年份。`,
      });
      return null;
    }
    return raw;
  };
  const effectiveFrom = date('effectiveFrom', '施行日期');
  const endedAt = date('endedAt', '失效或废止日期');
  if (state === 'valid' && v.endedAt !== undefined && v.endedAt !== null && v.endedAt !== '') {
    out.push({ field: 'endedAt', message: 'a valid document has no end date: leave endedAt empty', messageZh: '有效的文件没有失效或废止日期，请留空。' });
  }
  if ((state === 'expired' || state === 'repealed') && (v.endedAt === undefined || v.endedAt === null || v.endedAt === '')) {
    out.push({
      field: 'endedAt',
      message: `${state === 'expired' ? 'an' : 'a'} ${state} document needs the date it ${state === 'expired' ? 'expired' : 'was repealed'} (YYYY-MM-DD)`,
      messageZh: `${state === 'expired' ? '失效' : '废止'}的文件须填写${state === 'expired' ? '失效' : '废止'}日期（YYYY-MM-DD）。`,
    });
  }
  if (effectiveFrom && endedAt && endedAt < effectiveFrom) {
    out.push({
      field: 'endedAt',
      message: `the end date ${endedAt} is before the effective date ${effectiveFrom}`,
      messageZh: `失效或废止日期 ${endedAt} 早于施行日期 ${effectiveFrom}，请核对。`,
    });
  }
  return out;
}

/** A validity known to be well-formed (validityProblems found nothing), normalized: absent dates are null. */
export function normalizedValidity(value: { state: ValidityState; effectiveFrom?: string | null; endedAt?: string | null }): Validity {
  return {
    state: value.state,
    effectiveFrom: value.effectiveFrom || null,
    endedAt: value.state === 'valid' ? null : value.endedAt || null,
  };
}

/** Facts the validity command needs about a package. */
export interface ValidityTarget {
  status: PackageStatus;
  normative: boolean;
  /** Released at least once (released_at set): only published documents have a validity to change. */
  everReleased: boolean;
}

/**
 * May the validity of this package be changed now? Only a normative document (行政规范性文件)
 * that is published: released (or releasing again after an edit), never retracted.
 */
export function canChangeValidity(target: ValidityTarget): Problem | null {
  if (!target.normative) {
    return {
      code: 'not_normative',
      message:
        'This package is not a normative document (行政规范性文件): only those carry a validity (有效性). Its catalogue item says so in catalogue.yaml (normative: true).',
      messageZh: '该稿件不是行政规范性文件，没有「有效性」可以修改：只有目录事项标为规范性文件（normative: true）的稿件才有有效性。',
    };
  }
  if (!target.everReleased || !['released', 'releasing'].includes(target.status)) {
    return {
      code: 'validity_not_published',
      message: `The package is ${target.status}; a document's validity is changed once it is published (released), and not after it was retracted.`,
      messageZh: `稿件状态为「${statusZh(target.status)}」：只有已发布（且未撤回）的规范性文件才能变更有效性。未发布的稿件请在编辑稿件时填写有效性。`,
    };
  }
  return null;
}

/** A normative document written without a validity is in force (有效) from its release. */
export const DEFAULT_VALIDITY: Validity = Object.freeze({ state: 'valid', effectiveFrom: null, endedAt: null }) as Validity;

/**
 * The validity of a document now: none unless it is normative; else the one set by the validity
 * command (stored JSON), else the one it was written with, else 有效 (DEFAULT_VALIDITY).
 */
export function effectiveValidity(normative: boolean, override: unknown, content: unknown): Validity | null {
  if (!normative) return null;
  if (override) return (typeof override === 'string' ? JSON.parse(override) : override) as Validity;
  return (content as { document?: { validity?: Validity } | null } | undefined)?.document?.validity ?? { ...DEFAULT_VALIDITY };
}
