/**
 * Release-package operations for editors, reviewers and operations. The database keeps content,
 * revisions and the trail; every state change goes through the package's workflow, which
 * enforces the three synchronizations and refuses what the rules forbid before anything changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { GovpubError, httpStatusOf, packageNotFound, refusalError } from '../domain/errors.js';
import { repeatedRetractionProblem, type Actor, type PackageStatus, type Problem, type RevisionFacts, type StageRule } from '../domain/package-rules.js';
import { statusZh } from '../domain/messages-zh.js';
import { findChannel, stagesFor } from '../domain/registry.js';
import { localizedDeliveryTexts } from '../adapters/error-codes.js';
import {
  commandProblem,
  decisionProblem,
  normalizedReleaseTime,
  repeatedDecision,
  requireAllowed,
  roleProblem,
  submitBaseProblem,
} from '../domain/commands.js';
import { gateProblem } from '../adapters/preflight/problems.js';
import type { GateMatch } from '../domain/content-gate/model.js';
import { appendAudit } from '../db/audit.js';
import { deliveriesOfPackage } from '../db/deliveries.js';
import { mediaKinds } from '../db/media.js';
import { decisionsOf, deleteRevision, findPackage, findRevision, insertPackage, insertRevision, selectPackagesPage } from '../db/packages.js';
import { userById } from '../db/tokens.js';
import { scopeOf, targetsOutOfScope, unitById } from '../domain/units.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { inTransaction } from '../db/transaction.js';
import { packageMediaIds, packageMediaReferences, wrongKindMessage } from '../domain/package-media.js';
import { packageWorkflow } from '../workflows/package-release.js';
import {
  decideUpdate,
  editUpdate,
  packageWorkflowId,
  releaseNowUpdate,
  retractUpdate,
  scheduleUpdate,
  stateQuery,
  submitUpdate,
  withdrawUpdate,
  type DecideRequest,
  type PackageWorkflowState,
} from '../contracts/package.js';
import type { AppContext } from './context.js';
import { commandInput } from './command-input.js';
import { PreflightService } from './preflight.js';
import { parsePackageInput, ValidationError, type PackageContent } from './package-input.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { currentValidity } from './validity.js';
import { chinaTime } from '../domain/compliance/check-context.js';
import { chinaDate } from '../domain/working-days.js';

/** A revision row the workflow never took, older than this, was left by a lost answer and may be replaced. */
const ORPHAN_REVISION_AGE_MS = 2 * 60_000;
/** A release time this close behind the clock is "now" (a clock a little behind, a form sent a moment ago); earlier is refused. */
const PAST_RELEASE_GRACE_MS = 60_000;
/**
 * A release time further ahead than this is a mistyped year (2207 for 2027), refused rather than
 * waited for: Temporal's timers end at 100 years, and a package waiting that long would then release.
 */
const RELEASE_HORIZON_YEARS = 5;

/**
 * Why a release time given now cannot be kept (null when it can): one already past would release an
 * approved package at once, so a mistyped year must not publish; one beyond the horizon is a typo too.
 * `pastHint` says what to do instead of a past time, where the request is made.
 */
function releaseTimeOutOfReach(releaseAt: string | null | undefined, pastHint: string, now = Date.now()): string | null {
  if (!releaseAt) return null;
  const at = Date.parse(releaseAt);
  if (at < now - PAST_RELEASE_GRACE_MS) return `${chinaTime(releaseAt)} (Beijing time) is in the past; give a time to come, or ${pastHint}`;
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + RELEASE_HORIZON_YEARS);
  if (at > horizon.getTime())
    return `${chinaTime(releaseAt)} (Beijing time) is more than ${RELEASE_HORIZON_YEARS} years ahead (a mistyped year?); give a time within ${RELEASE_HORIZON_YEARS} years`;
  return null;
}

/** The pastHint of a package body's release time: without one, it releases once approved. */
const LEAVE_RELEASE_AT_OUT = 'leave releaseAt out to release as soon as approved';

export function contentHash(content: PackageContent): string {
  // The release time is not content: changing it alone keeps the approvals.
  const { releaseAt: _timing, ...rest } = content;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function factsOf(content: PackageContent, revision: number, hash: string, requiresInterpretation: boolean): RevisionFacts {
  return {
    revision,
    contentHash: hash,
    hasDocument: content.document !== null,
    interpretationCount: content.interpretations.length,
    requiresInterpretation,
    targets: content.targets,
    hasMedia: packageMediaIds(content).length > 0,
  };
}

/** `pkg-<yyyymmdd>-<8 hex>`, dated by the Beijing calendar as every page and list shows dates (not UTC: 07:30 on 3 Dec is 3 Dec). */
function newPackageId(at: Date): string {
  return `pkg-${chinaDate(at).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
}

/** Turns a workflow refusal into the error the caller sees: the rule's code and sentence. */
async function viaWorkflow<T>(packageId: string, call: () => Promise<T>): Promise<T> {
  return throughWorkflow(() => notFound(packageId), call);
}

/** Runs a workflow Update/Query; a validator's refusal becomes a GovpubError with its code, at that code's status (domain/errors.ts). */
export async function throughWorkflow<T>(notFoundError: () => GovpubError, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFoundError();
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const code = error.cause.type ?? 'refused';
      const zh = (error.cause.details?.[1] as { messageZh?: string } | null | undefined)?.messageZh;
      throw new GovpubError(
        code,
        error.cause.message,
        { status: httpStatusOf(code), ...(error.cause.details?.[0] ? { problems: error.cause.details[0] } : {}) },
        { zh },
      );
    }
    throw error;
  }
}

function notFound(packageId: string): GovpubError {
  return packageNotFound(packageId);
}

/** The answer to creating a package. */
export interface CreatedPackage {
  id: string;
  revision: 1;
  status: 'draft';
  contentHash: string;
}

/** What a command's rule needs of a package whose workflow has ended. */
type StateNow = Pick<PackageWorkflowState, 'status' | 'retraction'>;

export interface PackageServiceOptions {
  /** The clock a new package's id is dated by (tests set one near midnight). */
  now?: () => Date;
}

export class PackageService {
  private preflight: PreflightService | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly ctx: AppContext,
    options: PackageServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private handle(packageId: string): WorkflowHandle<typeof packageWorkflow> {
    return this.ctx.temporal.workflow.getHandle<typeof packageWorkflow>(packageWorkflowId(packageId));
  }

  /**
   * Sends a command (an Update) to the package's workflow. A retracted package's workflow has
   * ended and takes no Update: the command is refused by its own rule on the package's last
   * state (a second retraction, an edit of retracted content), never answered "no such package".
   */
  private async command<T>(packageId: string, problem: (state: StateNow) => Problem | null, call: () => Promise<T>): Promise<T> {
    try {
      return await viaWorkflow(packageId, call);
    } catch (error) {
      if (!(error instanceof GovpubError) || error.code !== 'not_found') throw error;
      const row = await findPackage(this.ctx.db, packageId);
      if (!row) throw error;
      // A closed workflow still answers queries, until its history is deleted (the namespace's retention).
      const state = await this.state(packageId).catch(() => null);
      const now: StateNow = state ?? { status: row.status as PackageStatus, retraction: null };
      throw refusalError(
        problem(now) ?? {
          code: 'package_closed',
          message: `Package ${packageId} is ${now.status}; it takes no more commands.`,
          messageZh: `稿件状态为「${statusZh(now.status)}」，已不能再对其进行操作。`,
        },
      );
    }
  }

  /**
   * Every uploaded file the package refers to must exist and be of the right kind, so a release
   * never finds a missing cover or a "video" that is a photo. Problems name the field.
   */
  private async checkMedia(content: PackageContent): Promise<void> {
    const refs = packageMediaReferences(content);
    if (refs.length === 0) return;
    const kinds = await mediaKinds(this.ctx.db, packageMediaIds(content));
    const issues = refs.flatMap((r) => {
      const kind = kinds.get(r.mediaId);
      if (!kind)
        return [
          { path: r.path, message: `no uploaded file has id ${r.mediaId.slice(0, 12)}…; upload it first (POST /api/media or \`govpub media add FILE\`)` },
        ];
      if (r.kind && kind !== r.kind) return [{ path: r.path, message: wrongKindMessage(r.kind, r.mediaId, kind) }];
      return [];
    });
    if (issues.length > 0) throw new ValidationError(issues);
  }

  /** The acting user's unit id (null: none); read per request, so a new unit applies at once. */
  private async unitOf(actor: Actor): Promise<string | null> {
    return (await userById(this.ctx.db, actor.id))?.unit ?? null;
  }

  /**
   * An editor with a unit targets only that unit's channels (domain/units.ts): any other target
   * refuses the whole request with 403, each named by its place in the list; nothing is stored.
   */
  private checkScope(actor: Actor, unit: string | null, targets: readonly string[]): void {
    const outside = targetsOutOfScope(this.ctx.registry, { role: actor.role, unit }, targets);
    if (outside.length === 0) return;
    const issues = outside.map(({ index, channelId }) => ({
      path: `/targets/${index}`,
      message: `channel ${channelId} is not one of your unit's channels; drop it or ask its unit to publish (GET /api/channels?scope=mine lists yours)`,
      messageZh: `渠道 ${channelId} 不属于您所在单位，请移除该目标或请其所属单位发布（GET /api/channels?scope=mine 列出您可选的渠道）`,
    }));
    throw new GovpubError(
      'target_out_of_scope',
      `${outside.length === 1 ? 'One target is' : `${outside.length} targets are`} outside your unit's channels (${outside.map((o) => o.channelId).join(', ')}); remove ${outside.length === 1 ? 'it' : 'them'} and send again.`,
      { status: 403, issues },
    );
  }

  /**
   * An editor with a unit acts on a package (edits, submits, withdraws, schedules, releases it)
   * only when every target of its current revision is within their unit: the rule that bounds
   * what they create (targetsOutOfScope), so a package of another unit is not theirs to move.
   * Refused with 403 naming the first target outside; other roles and editors without a unit pass.
   */
  private async checkPackageScope(actor: Actor, row: { id: string; current_revision: number }): Promise<void> {
    if (actor.role !== 'editor') return;
    const unit = await this.unitOf(actor);
    if (scopeOf({ role: actor.role, unit }) === 'all') return;
    const { targets } = (await this.revision(row.id, row.current_revision)).content as PackageContent;
    const outside = targetsOutOfScope(this.ctx.registry, { role: actor.role, unit }, targets);
    const first = outside[0];
    if (!first) return;
    throw new GovpubError(
      'target_out_of_scope',
      `Package ${row.id} targets channel ${first.channelId}, which is not one of your unit's channels${outside.length > 1 ? ` (nor ${outside.length - 1} more of its targets)` : ''}: only its own unit, a reviewer or operations may act on it.`,
      {
        status: 403,
        issues: [
          {
            path: `/targets/${first.index}`,
            message: `channel ${first.channelId} is not one of your unit's channels`,
            messageZh: `渠道 ${first.channelId} 不属于您所在单位`,
          },
        ],
      },
      {
        zh: `稿件 ${row.id} 的发布目标 ${first.channelId} 不属于您所在单位的渠道${outside.length > 1 ? `（另有 ${outside.length - 1} 个目标也不属于）` : ''}：您不能操作这份稿件，请由其所属单位的编辑、审核人或运维人员处理。`,
      },
    );
  }

  /**
   * Creates a package: its workflow first (under the package's id), then its rows and audit entry
   * in one transaction. `alsoInTransaction` writes more in that transaction with the answer (the
   * API stores an Idempotency-Key's answer there, so a package is never stored without it).
   */
  async create(actor: Actor, body: unknown, alsoInTransaction?: (trx: Kysely<DB>, created: CreatedPackage) => Promise<void>): Promise<CreatedPackage> {
    requireAllowed(actor, 'create');
    const { content, item } = parsePackageInput(body, this.ctx.registry);
    const timing = releaseTimeOutOfReach(content.releaseAt, LEAVE_RELEASE_AT_OUT);
    if (timing) throw new ValidationError([{ path: 'releaseAt', message: timing }]);
    const unit = await this.unitOf(actor);
    this.checkScope(actor, unit, content.targets);
    await this.checkMedia(content);
    const stages: StageRule[] = stagesFor(this.ctx.registry, item.contentClass).map((s) => ({ id: s.id, name: s.name, roles: s.roles }));
    const id = newPackageId(this.now());
    const hash = contentHash(content);
    const handle = await this.ctx.temporal.workflow.start(packageWorkflow, {
      workflowId: packageWorkflowId(id),
      taskQueue: this.ctx.taskQueue,
      args: [{ packageId: id, createdBy: actor.id, stages, facts: factsOf(content, 1, hash, item.requiresInterpretation), releaseAt: content.releaseAt }],
    });
    const created: CreatedPackage = { id, revision: 1, status: 'draft', contentHash: hash };
    let committing = false;
    try {
      await inTransaction(this.ctx.db, async (trx) => {
        await insertPackage(trx, {
          id,
          title: content.title,
          catalogue_item_id: item.id,
          content_class: item.contentClass,
          status: 'draft',
          current_revision: 1,
          release_at: content.releaseAt,
          created_by: actor.id,
          unit,
        });
        await insertRevision(trx, { package_id: id, revision: 1, content: JSON.stringify(content), content_hash: hash, created_by: actor.id });
        await appendAudit(trx, {
          actor: actor.id,
          action: 'create',
          packageId: id,
          revision: 1,
          contentHash: hash,
          details: { title: content.title, catalogueItem: item.id, targets: content.targets.length },
        });
        await alsoInTransaction?.(trx, created);
        committing = true;
      });
    } catch (error) {
      // A failed COMMIT may still have been stored (the connection broke before its answer came):
      // then the rows decide. Stored: the package is whole, and this is its answer. Not stored (or
      // a statement before the COMMIT failed): nothing is stored half, so the workflow goes.
      // Unknown (the database unreachable): the workflow stays, since terminating it under stored
      // rows would leave a package nobody can move (and `packages repair` could not bring it back).
      const stored = committing ? await this.packageStored(id) : false;
      if (stored === true) return created;
      if (stored === false) await handle.terminate('package rows could not be stored').catch(() => {});
      throw error;
    }
    return created;
  }

  /** Whether the package's row is stored; undefined when the database cannot say (asked a few times). */
  private async packageStored(packageId: string): Promise<boolean | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await findPackage(this.ctx.db, packageId)) !== undefined;
      } catch {
        if (attempt === 3) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /**
   * A new revision from the body. `baseRevision` is the revision the editor's form was loaded
   * with: when the package has a later one by now (another tab or person saved meanwhile), the
   * edit is refused (409 concurrent_edit) instead of silently replacing that revision's changes.
   */
  async edit(actor: Actor, packageId: string, body: unknown, baseRevision?: number) {
    requireAllowed(actor, 'edit');
    const current = await this.row(packageId);
    await this.checkPackageScope(actor, current);
    const { content, item } = parsePackageInput(body, this.ctx.registry);
    this.checkScope(actor, await this.unitOf(actor), content.targets);
    await this.checkMedia(content);
    if (item.id !== current.catalogue_item_id) {
      const stagesNow = JSON.stringify(stagesFor(this.ctx.registry, item.contentClass).map((s) => s.id));
      const stagesBefore = JSON.stringify(stagesFor(this.ctx.registry, current.content_class).map((s) => s.id));
      if (stagesNow !== stagesBefore) {
        throw new GovpubError(
          'catalogue_class_changed',
          `Moving the package to catalogue item ${item.id} would change its review stages; create a new package instead.`,
          { status: 409 },
        );
      }
    }
    const hash = contentHash(content);
    const latest = await this.revision(packageId, current.current_revision);
    // The package's release time now, as set by its last save or by 定时发布 (PUT …/schedule), which
    // changes it without a revision: the revision's own copy can be older, and compared with it a
    // time cleared in the form was taken for no change and kept.
    const currentReleaseAt = current.release_at ? current.release_at.toISOString() : null;
    if (latest.content_hash === hash) {
      // Same content: at most the release time changed, which keeps the approvals.
      const releaseAtChanged = (content.releaseAt ?? null) !== currentReleaseAt;
      // No time means "as soon as approved", which for an approved package is now: a save (a file
      // or form without the time) released it years early. An edit never publishes.
      if (releaseAtChanged && !content.releaseAt && (current.status === 'approved' || current.status === 'scheduled')) {
        const message = `saving the approved package without a release time would release it at once, and an edit never publishes. Nothing was changed. Keep its releaseAt (${currentReleaseAt}) in the body, or release it now with POST /api/packages/${packageId}/release (govpub packages release ${packageId}), or keep it waiting with DELETE /api/packages/${packageId}/schedule (govpub packages schedule ${packageId} --cancel)`;
        const messageZh = `稿件已通过审核，不填发布时间保存会立即发布，而修改稿件不会发布稿件，本次未作任何修改。请保留原发布时间（releaseAt），或点击「立即发布」（govpub packages release ${packageId}），或取消定时发布使其等待（govpub packages schedule ${packageId} --cancel）`;
        throw releaseTimeCleared(message, messageZh);
      }
      if (releaseAtChanged) await this.schedule(actor, packageId, content.releaseAt, false);
      return {
        id: packageId,
        revision: current.current_revision,
        status: (await this.state(packageId)).status,
        contentHash: hash,
        unchanged: true,
        ...(releaseAtChanged ? { releaseAtChanged: true } : {}),
      };
    }
    if (baseRevision !== undefined && baseRevision !== current.current_revision) {
      throw new GovpubError(
        'concurrent_edit',
        `This edit was made on revision ${baseRevision}, but the package is at revision ${current.current_revision} now (saved meanwhile, in another tab or by someone else); saving would undo those changes. Nothing was saved: reload the package and apply your edit again.`,
        { status: 409, baseRevision, currentRevision: current.current_revision },
        {
          zh: `您修改的是第 ${baseRevision} 版，但这份稿件此后已保存为第 ${current.current_revision} 版（在另一个窗口或由其他人保存）。为免覆盖那次修改，本次没有保存。请先复制您的修改，刷新页面载入第 ${current.current_revision} 版后再改。`,
        },
      );
    }
    // New content without the approved package's release time (a file made from a revision, which
    // never holds a time set by 定时发布): saved, it went back to review with no time, and the
    // re-approved correction was released at once, days before the time everyone had agreed on.
    if (!content.releaseAt && currentReleaseAt && (current.status === 'approved' || current.status === 'scheduled')) {
      const at = `${chinaTime(currentReleaseAt)} (Beijing time)`;
      const message = `the package is approved to be released at ${at}, and this edit has no release time: saved, it would go back to review and be released as soon as it is approved again, not at ${at}. Nothing was saved. Keep its releaseAt (${currentReleaseAt}) in the body; to have the corrected package released as soon as it is approved, save it with its time, then clear the time while it is in review (PUT /api/packages/${packageId}/schedule {"releaseAt": null}, govpub packages schedule ${packageId} --now)`;
      const messageZh = `稿件已通过审核，定于北京时间 ${chinaTime(currentReleaseAt)} 发布，而本次修改没有填写发布时间：保存后稿件将重新审核，并在再次审核通过后立即发布，而不是在原定时间发布。本次未作任何修改。请保留原发布时间（releaseAt）；如需在再次审核通过后立即发布，请先带原发布时间保存，待稿件进入审核后再取消定时（govpub packages schedule ${packageId} --now）`;
      throw releaseTimeCleared(message, messageZh);
    }
    // A time the edit sets (not one it keeps, which may have passed while the package waited).
    if (content.releaseAt && !sameInstant(content.releaseAt, currentReleaseAt)) {
      const timing = releaseTimeOutOfReach(content.releaseAt, LEAVE_RELEASE_AT_OUT);
      if (timing) throw new ValidationError([{ path: 'releaseAt', message: timing }]);
    }
    const revision = current.current_revision + 1;
    // The revision row is written first (content never travels through Temporal). It is removed
    // again only when the workflow surely did not take it: after a refusal, not after an answer
    // that was lost, since the workflow may point at it by then.
    await this.insertRevision(packageId, revision, content, hash, actor);
    let updateSent = false;
    try {
      // An approved package goes straight back into review with this edit: a channel that would
      // refuse it is said now, as a submit says it, not at release.
      if (current.status === 'approved' || current.status === 'scheduled') {
        this.preflight ??= new PreflightService(this.ctx);
        await this.preflight.requireClean(
          packageId,
          { ...current, current_revision: revision },
          'The edit would put the approved package back into review as a channel would refuse it',
        );
      }
      const releaseAtChanged = content.releaseAt !== currentReleaseAt;
      const state = await this.command(
        packageId,
        (now) => commandProblem('edit', actor, now.status),
        () => {
          updateSent = true;
          return this.handle(packageId).executeUpdate(editUpdate, {
            args: [
              {
                by: actor,
                facts: factsOf(content, revision, hash, item.requiresInterpretation),
                ...(releaseAtChanged ? { releaseAt: content.releaseAt } : {}),
              },
            ],
          });
        },
      );
      return { id: packageId, revision, status: state.status, contentHash: hash };
    } catch (error) {
      // A failure before the Update was sent, or a refusal (the rule's, the validator's: a
      // GovpubError), means the workflow did not take the revision. Any other failure of the
      // Update (the connection, a timeout) leaves its fate open: it may still land after the
      // state is read and point the workflow at the row, so the row stays (insertRevision
      // replaces it later if it was never taken).
      if (!updateSent || error instanceof GovpubError) {
        const taken = await this.state(packageId).then(
          (s) => s.revision >= revision,
          () => true,
        );
        if (!taken) await deleteRevision(this.ctx.db, packageId, revision);
      }
      throw error;
    }
  }

  /**
   * Stores the content of a new revision. A row already at that number is someone else's edit,
   * unless the workflow never took it and it is old: then it is what a lost answer left behind.
   */
  private async insertRevision(packageId: string, revision: number, content: PackageContent, hash: string, actor: Actor): Promise<void> {
    const values = { package_id: packageId, revision, content: JSON.stringify(content), content_hash: hash, created_by: actor.id };
    try {
      await insertRevision(this.ctx.db, values);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
    }
    const existing = await findRevision(this.ctx.db, packageId, revision);
    const workflowRevision = await this.state(packageId).then(
      (s) => s.revision,
      () => revision,
    );
    const orphaned = existing && workflowRevision < revision && Date.now() - existing.created_at.getTime() > ORPHAN_REVISION_AGE_MS;
    if (!orphaned) {
      throw new GovpubError('concurrent_edit', `Someone else saved revision ${revision} a moment ago. Reload the package and apply your edit again.`, {
        status: 409,
      });
    }
    await inTransaction(this.ctx.db, async (trx) => {
      await deleteRevision(trx, packageId, revision);
      await insertRevision(trx, values);
    });
  }

  /**
   * Sends the draft into review. `baseRevision` is the revision the editor saw: a later one saved
   * meanwhile refuses the submit (409 concurrent_edit), here and again in the workflow, which
   * decides under its lock (an edit between this read and the Update is caught there).
   */
  async submit(actor: Actor, packageId: string, baseRevision?: number) {
    const row = await this.row(packageId);
    await this.checkPackageScope(actor, row);
    if (row.status === 'draft' && !roleProblem('submit', actor)) {
      const stale = submitBaseProblem(baseRevision, row.current_revision);
      if (stale) throw refusalError(stale, { baseRevision, currentRevision: row.current_revision });
    }
    // A channel that would refuse the package is said now, not after three approvals. Other
    // refusals (status, role, 三同步) stay the workflow's, with their own codes.
    if (row.status === 'draft' && !roleProblem('submit', actor)) {
      this.preflight ??= new PreflightService(this.ctx);
      await this.preflight.requireClean(packageId, row);
    }
    const state = await this.command(
      packageId,
      (now) => commandProblem('submit', actor, now.status),
      () => this.handle(packageId).executeUpdate(submitUpdate, { args: [{ by: actor, ...(baseRevision !== undefined ? { revision: baseRevision } : {}) }] }),
    );
    return summary(state);
  }

  async decide(actor: Actor, packageId: string, body: unknown) {
    const { revision, decision, comment = '', stage: asked } = commandInput('decide', body);
    const row = await this.row(packageId);
    const stage =
      asked === undefined && !(row.current_stage !== null && actor.stages.includes(row.current_stage))
        ? ((await this.ownDecidedStage(actor, row, { revision, decision })) ?? this.pinnedStage(row, asked))
        : this.pinnedStage(row, asked);
    // An approval over the content gate's warnings says which, in its audit entry. A revision the
    // package does not have has none: the workflow refuses it (stale_revision) with its own answer.
    const known = Number.isSafeInteger(revision) && revision >= 1 && revision <= row.current_revision;
    const findings = decision === 'approve' && known ? await this.gateFindings(packageId, revision) : [];
    const request = { revision, ...(stage ? { stage } : {}), decision, comment, reviewer: actor };
    if (findings.some((m) => m.blocking)) await this.refuseBlockedApproval(packageId, request, findings);
    const gateWarnings = findings
      .filter((m) => !m.blocking)
      .slice(0, 50)
      .map((m) => ({ code: m.code, field: m.place.field, ...(m.place.within ? { within: m.place.within } : {}), line: m.place.line }));
    const state = await this.command(
      packageId,
      (now) =>
        roleProblem('decide', actor) ??
        decisionProblem(
          { ...now, revision: row.current_revision, stages: [], stageIndex: null, approvals: [], authors: [] },
          { revision, decision, comment, reviewer: actor },
        ),
      () =>
        this.handle(packageId).executeUpdate(decideUpdate, {
          args: [{ ...request, ...(gateWarnings.length ? { gateWarnings } : {}) }],
        }),
    );
    return summary(state);
  }

  /**
   * The stage a decision is for, pinned so that it never applies to a later one: the stage the
   * reviewer names (its id or name, one of the package's stages), else the stage the package is at
   * now (none when it is not in review: the workflow refuses that with its own answer). Read from
   * the package's row, which the workflow writes before it answers a decision.
   */
  private pinnedStage(row: { current_stage: string | null; content_class: string }, asked: string | undefined): string | undefined {
    if (asked === undefined) return row.current_stage ?? undefined;
    const stages = stagesFor(this.ctx.registry, row.content_class);
    const stage = stages.find((s) => s.id === asked || s.name === asked);
    if (stage) return stage.id;
    const known = stages.map((s) => `${s.id} (${s.name})`).join(', ');
    throw new ValidationError([{ path: 'stage', message: `"${asked}" is not a review stage of this package; its stages are ${known}` }]);
  }

  /**
   * A decision sent without its stage (a script, the CLI) by a reviewer who may not decide at the
   * stage the package is at now: when this round's decision of one of their stages is their own,
   * on this revision and of this kind (an approval still counted, or the rejection that sent the
   * package back), the request is that decision sent again — its answer was lost — and is pinned to
   * its stage, so the workflow answers it as taken instead of "not your stage". Undefined otherwise.
   */
  private async ownDecidedStage(
    actor: Actor,
    row: { id: string; status: string; current_revision: number },
    request: { revision: number; decision: 'approve' | 'reject' },
  ): Promise<string | undefined> {
    if (request.revision !== row.current_revision) return undefined;
    const decisions = await decisionsOf(this.ctx.db, row.id);
    const own = (d: (typeof decisions)[number]) => d.reviewer === actor.name && d.revision === request.revision && actor.stages.includes(d.stage);
    if (request.decision === 'approve') return decisions.find((d) => own(d) && d.decision === 'approve' && d.voided_at === null)?.stage;
    const last = decisions.at(-1);
    return row.status === 'draft' && last && own(last) && last.decision === 'reject' ? last.stage : undefined;
  }

  /**
   * The content gate's findings on a revision, with the wording list in force now (a revision that
   * does not exist has none: the workflow refuses it). Only the gate runs: the channels' own checks
   * were made at submit on the same revision, and an approval records nothing of them.
   */
  private async gateFindings(packageId: string, revision: number): Promise<GateMatch[]> {
    this.preflight ??= new PreflightService(this.ctx);
    return (await this.preflight.gateFindings(packageId, revision)) ?? [];
  }

  /**
   * An approval over a blocking finding of the content gate (personal data, a blocked or wrong
   * term the wording list made blocking after the package was submitted) is refused, as submit
   * refuses it: approved, it would be released as it is. Only when the workflow would take the
   * decision otherwise, so a reviewer of another stage, a stale revision or a repeated decision
   * keeps its own answer.
   */
  private async refuseBlockedApproval(packageId: string, request: DecideRequest, findings: readonly GateMatch[]): Promise<void> {
    const now = await this.state(packageId).catch(() => null);
    if (!now || repeatedDecision(now, request) || decisionProblem(now, request) !== null) return;
    const problems = findings.filter((m) => m.blocking).map(gateProblem);
    const first = problems[0]!;
    throw new GovpubError(
      'preflight_blocked',
      `Revision ${request.revision} cannot be approved: the content gate finds ${problems.length} problem${problems.length === 1 ? '' : 's'} that must be fixed before release (first: ${first.messageEn}). Reject it with what must change, so the editor corrects it and submits it again.`,
      { status: 409, problems },
      {
        zh: `第 ${request.revision} 版不能审核通过：内容检查发现 ${problems.length} 个必须修改的问题（第一个：${first.message}）。请退回稿件并写明需要修改的内容，由编辑改正后重新提交。`,
      },
    );
  }

  async withdraw(actor: Actor, packageId: string, rawReason: unknown = '') {
    const { reason = '' } = commandInput('withdraw', { reason: rawReason });
    await this.checkPackageScope(actor, await this.row(packageId));
    return summary(
      await this.command(
        packageId,
        (now) => commandProblem('withdraw', actor, now.status),
        () => this.handle(packageId).executeUpdate(withdrawUpdate, { args: [{ by: actor, reason }] }),
      ),
    );
  }

  async schedule(actor: Actor, packageId: string, rawReleaseAt: string | null, hold: boolean) {
    const { releaseAt } = commandInput('schedule', { releaseAt: rawReleaseAt });
    await this.checkPackageScope(actor, await this.row(packageId));
    const normalized = normalizedReleaseTime(releaseAt);
    const timing = releaseTimeOutOfReach(normalized, `release now (POST /api/packages/${packageId}/release, govpub packages release)`);
    if (timing) throw new ValidationError([{ path: 'releaseAt', message: timing }]);
    // The time (or hold) the package has already, sent again (a retry after a lost answer): the
    // package as it is, and no second "changed" in its audit trail. Anyone the command is not for
    // still gets its refusal, from the workflow.
    const now = await this.state(packageId).catch(() => null);
    if (now && now.onHold === hold && sameInstant(now.releaseAt, normalized) && commandProblem('schedule', actor, now.status) === null) return summary(now);
    return summary(
      await this.command(
        packageId,
        (now) => commandProblem('schedule', actor, now.status),
        () => this.handle(packageId).executeUpdate(scheduleUpdate, { args: [{ by: actor, releaseAt: normalized, hold }] }),
      ),
    );
  }

  async releaseNow(actor: Actor, packageId: string) {
    await this.checkPackageScope(actor, await this.row(packageId));
    return summary(
      await this.command(
        packageId,
        (now) => commandProblem('releaseNow', actor, now.status),
        () => this.handle(packageId).executeUpdate(releaseNowUpdate, { args: [{ by: actor }] }),
      ),
    );
  }

  async retract(actor: Actor, packageId: string, rawReason: unknown) {
    const { reason } = commandInput('retract', { reason: rawReason });
    await this.row(packageId);
    return summary(
      await this.command(
        packageId,
        (now) => roleProblem('retract', actor) ?? repeatedRetractionProblem(now.status, now.retraction) ?? commandProblem('retract', actor, now.status),
        () => this.handle(packageId).executeUpdate(retractUpdate, { args: [{ by: actor, reason }] }),
      ),
    );
  }

  async state(packageId: string): Promise<PackageWorkflowState> {
    return viaWorkflow(packageId, () => this.handle(packageId).query(stateQuery));
  }

  private async row(packageId: string) {
    const row = await findPackage(this.ctx.db, packageId);
    if (!row) throw notFound(packageId);
    return row;
  }

  private async revision(packageId: string, revision: number) {
    const row = await findRevision(this.ctx.db, packageId, revision);
    if (!row) throw new GovpubError('revision_missing', `Revision ${revision} of package ${packageId} is missing from the database.`);
    return row;
  }

  /** Everything a person needs to see about one package. */
  async get(packageId: string) {
    // The workflow records each step before it shows it: its state read first, the rows read after
    // are at least as new (never "retracted" without its time, "released" without its deliveries).
    const state = await this.state(packageId).catch(() => undefined);
    const row = await this.row(packageId);
    const { db } = this.ctx;
    const [revision, decisions, deliveries] = await Promise.all([
      this.revision(packageId, row.current_revision),
      decisionsOf(db, packageId),
      deliveriesOfPackage(db, packageId),
    ]);
    const stages = state?.stages ?? [];
    return {
      id: row.id,
      title: row.title,
      catalogueItem: row.catalogue_item_id,
      contentClass: row.content_class,
      status: state?.status ?? row.status,
      currentStage: row.current_stage,
      currentStageName: stages.find((s) => s.id === row.current_stage)?.name ?? null,
      stages: stages.map((s) => ({ id: s.id, name: s.name })),
      revision: row.current_revision,
      contentHash: revision.content_hash,
      approvedRevision: row.approved_revision,
      releaseAt: row.release_at?.toISOString() ?? null,
      onHold: state?.onHold ?? false,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      releasedAt: row.released_at?.toISOString() ?? null,
      retractedAt: row.retracted_at?.toISOString() ?? null,
      indexNumber: row.index_number,
      validity: currentValidity(this.ctx.registry, row, revision.content),
      lastRejection: state?.lastRejection ?? null,
      retraction: state?.retraction ?? null,
      waitingFor: state?.pendingStep ? await this.pendingStep(packageId, state.pendingStep) : null,
      stalledDeliveries: state?.stalledDeliveries ?? [],
      approvals: decisions
        .filter((d) => d.decision === 'approve' && d.voided_at === null)
        .map((d) => ({
          stage: d.stage,
          reviewer: d.reviewer,
          reviewerName: d.reviewer_display_name ?? d.reviewer,
          revision: d.revision,
          at: d.decided_at.toISOString(),
          comment: d.comment,
        })),
      decisions: decisions.map((d) => ({
        stage: d.stage,
        decision: d.decision,
        reviewer: d.reviewer,
        reviewerName: d.reviewer_display_name ?? d.reviewer,
        revision: d.revision,
        comment: d.comment,
        at: d.decided_at.toISOString(),
        voided: d.voided_at !== null,
        voidedReason: d.voided_reason,
      })),
      deliverySummary: deliveries.reduce<Record<string, number>>((counts, d) => ({ ...counts, [d.state]: (counts[d.state] ?? 0) + 1 }), {}),
      deliveries: deliveries.map((d) => {
        const channel = findChannel(this.ctx.registry, d.channel_id);
        const platform = d.platform ?? channel?.platform ?? null;
        return {
          id: d.id,
          channelId: d.channel_id,
          // What people call the channel (碑林发布, 政策解读): the id is for scripts.
          channelName: channel?.name ?? null,
          platform,
          state: d.state,
          task: d.task,
          publicUrl: d.public_url,
          liveAt: d.live_at?.toISOString() ?? null,
          attempts: d.attempts,
          nextAttemptAt: d.next_attempt_at?.toISOString() ?? null,
          errorClass: d.error_class,
          errorMessage: d.error_message,
          ...localizedDeliveryTexts({ ...d, platform }),
          revision: d.revision,
        };
      }),
      content: revision.content as PackageContent,
    };
  }

  /**
   * What a step that is still being recorded waits for: the activity's attempts and last failure
   * (e.g. the database unreachable), so a person sees why the package does not move.
   */
  private async pendingStep(packageId: string, step: { action: string; since: string }) {
    const description = await this.handle(packageId)
      .describe()
      .catch(() => undefined);
    const activity = description?.raw.pendingActivities?.find((a) => a.activityType?.name === 'recordPackageEvent');
    return {
      step: step.action,
      since: step.since,
      attempts: activity?.attempt ?? 1,
      lastFailure: activity?.lastFailure?.message ?? null,
    };
  }

  /**
   * A page of packages, most recently changed first, and the cursor of the next page (null on the
   * last). `createdBy: 'me'` is the caller.
   */
  async listPage(
    filter: { status?: string; stage?: string; createdBy?: string; q?: string; unit?: string; returned?: boolean; cursor?: string; limit?: number },
    actor?: Actor,
  ) {
    const stage = filter.stage ? this.ctx.registry.review.stages.find((s) => s.id === filter.stage || s.name === filter.stage) : undefined;
    // A filter that can match nothing is a mistake to say, not an empty page (as GET /api/deliveries does).
    if (filter.stage && !stage) {
      const stages = this.ctx.registry.review.stages.map((s) => `${s.id} (${s.name})`).join(', ');
      throw new GovpubError('invalid_query', `stage "${filter.stage}" is not a review stage; use one of ${stages}.`, {
        status: 400,
        issues: [{ path: 'stage', message: `not a review stage: ${stages}` }],
      });
    }
    if (filter.unit !== undefined && !unitById(this.ctx.registry, filter.unit)) {
      throw new GovpubError('invalid_query', `unit "${filter.unit}" is not a unit id; GET /api/units lists them.`, {
        status: 400,
        issues: [{ path: 'unit', message: 'not a unit id from GET /api/units' }],
      });
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const rows = await selectPackagesPage(this.ctx.db, {
      status: filter.status,
      stage: filter.stage ? (stage?.id ?? filter.stage) : undefined,
      createdBy: filter.createdBy === 'me' ? actor?.id : filter.createdBy,
      titleContains: filter.q,
      unit: filter.unit,
      returned: filter.returned,
      after: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      packages: page.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        currentStage: r.current_stage,
        currentStageName: this.ctx.registry.review.stages.find((s) => s.id === r.current_stage)?.name ?? null,
        revision: r.current_revision,
        catalogueItem: r.catalogue_item_id,
        contentClass: r.content_class,
        releaseAt: r.release_at?.toISOString() ?? null,
        updatedAt: r.updated_at.toISOString(),
        createdBy: r.created_by,
        createdByName: r.created_by_display_name ?? r.created_by_name ?? null,
        unit: r.unit,
        returned:
          r.returned_stage && r.returned_at
            ? {
                stage: r.returned_stage,
                stageName: this.ctx.registry.review.stages.find((s) => s.id === r.returned_stage)?.name ?? r.returned_stage,
                at: r.returned_at.toISOString(),
              }
            : null,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.page_at, id: last.id }) : null,
    };
  }

  /** The first page only (at most 200), for callers inside govpub that want the rows. */
  async list(filter: { status?: string; stage?: string; limit?: number }) {
    return (await this.listPage(filter)).packages;
  }
}

/** An edit of an approved package that would lose its release time: refused at releaseAt, nothing saved. */
function releaseTimeCleared(message: string, messageZh: string): GovpubError {
  return new GovpubError(
    'release_time_cleared',
    `releaseAt: ${message}`,
    { status: 409, issues: [{ path: 'releaseAt', message, messageZh }] },
    { zh: `releaseAt：${messageZh}` },
  );
}

/** Whether two release times (ISO strings, or null for none) are the same instant. */
function sameInstant(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : Date.parse(a) === Date.parse(b);
}

function summary(state: PackageWorkflowState) {
  return {
    id: state.packageId,
    status: state.status,
    revision: state.revision,
    currentStage: state.stageIndex === null ? null : state.stages[state.stageIndex]!.id,
    currentStageName: state.stageIndex === null ? null : state.stages[state.stageIndex]!.name,
    approvals: state.approvals,
    releaseAt: state.releaseAt,
    onHold: state.onHold,
    retraction: state.retraction,
  };
}
