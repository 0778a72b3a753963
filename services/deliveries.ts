/**
 * Operations on deliveries and channels: see every delivery, retry, skip with a reason, confirm a
 * manual post (or take-down), pause and resume a channel. Requests that change a delivery go to
 * its workflow, which refuses what its state does not allow; every action is audited.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { deliveryErrorZh, localizedDeliveryTexts, platformLocalName } from '../adapters/error-codes.js';
import { truncateChars } from '../adapters/text.js';
import { postLinkProblem } from '../adapters/post-links.js';
import { GovpubError } from '../domain/errors.js';
import { nearestName } from '../config/did-you-mean.js';
import { deliveryStateZh } from '../domain/messages-zh.js';
import type { Actor } from '../domain/package-rules.js';
import { postedAtProblem, postedAtTimeProblem, requireAllowed } from '../domain/commands.js';
import { findAccount, findChannel, isSecretRef, listChannels } from '../domain/registry.js';
import { appendAudit, auditedAfter, latestAuditIdFor } from '../db/audit.js';
import { currentPause, currentPauses, isRefusedCredentialsPause, lastResume, pauseChannel, unpauseChannel, type ChannelPause } from '../db/channels.js';
import { actorWords, pauseWords } from './pause-words.js';
import { chinaTime } from '../domain/compliance/check-context.js';
import { deliveriesOnChannel, findDeliveries, selectDeliveries } from '../db/deliveries.js';
import type { Kysely } from 'kysely';
import type { DB, DeliveryRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { DELIVERY_STATES, isDeliveryState, NEEDS_ACTION_STATES, WAITING_ON_CHANNEL_STATES, type DeliveryState } from '../domain/delivery-state.js';
import {
  channelResumedSignal,
  confirmManualUpdate,
  deliveryStatusQuery,
  retryDeliveryUpdate,
  skipDeliveryUpdate,
  credentialCheckWorkflowId,
  CREDENTIAL_CHECK_TIMEOUT_MS,
  type CredentialCheck,
  type DeliveryStatus,
  deliveryWorkflowId,
  takedownWorkflowId,
} from '../contracts/delivery.js';
import type { AppContext } from './context.js';
import { throughWorkflow } from './packages.js';
import { packageWorkflowId, restartDeliverySignal, stateQuery } from '../contracts/package.js';
import { commandInput, noteField } from './command-input.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { channelUnit, unitById } from '../domain/units.js';
import { WEB_LINK_MESSAGES_ZH, webLinkProblem } from '../domain/web-link.js';
import { channelCredentialCheckWorkflow } from '../workflows/channel-check.js';

/** What a resume did; `credentialCheck`: whether the platform was asked first (only after a hold for refused credentials). */
/** The answer to pausing a channel. */
export interface PausedChannel {
  channelId: string;
  pausedAt: string;
  reason: string;
}

export interface ResumeResult {
  channelId: string;
  woken: number;
  credentialCheck: 'not_needed' | 'accepted' | 'unchecked';
  note: string | null;
  noteZh: string | null;
}

export interface DeliveryFilter {
  /** A DeliveryState (as the caller typed it: anything else is refused). */
  state?: string;
  channel?: string;
  platform?: string;
  packageId?: string;
  /** Only deliveries with an open operator task (manual_post, manual_takedown) or waiting for one. */
  needsAction?: boolean;
  /** A unit id: only deliveries to that unit's channels. */
  unit?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface DeliveryView {
  id: string;
  businessKey: string;
  packageId: string;
  revision: number;
  channelId: string;
  channelName: string | null;
  platform: string | null;
  state: DeliveryState;
  task: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  /** The failure in Simplified Chinese: what happened and what to do (adapters/error-codes.ts). */
  errorMessageZh: string | null;
  platformCode: string | null;
  /** Content problems: `message` in Chinese, `messageEn` in English. */
  problems: { field: string; message: string; messageEn: string }[];
  /** Adaptations the format step made, in English (as stored), and the same in Chinese. */
  warnings: string[];
  warningsZh: string[];
  externalId: string | null;
  publicUrl: string | null;
  liveAt: string | null;
  submittedAt: string | null;
  remindedAt: string | null;
  skippedReason: string | null;
  takenDownAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** What the delivery is waiting for, from its workflow (only when asked for one delivery). */
  waitingFor?: DeliveryStatus['waitingFor'];
  payload?: unknown;
  renditions?: unknown[];
  /** Manual hand-off: the bundle's files and their download URLs. */
  bundleFiles?: { name: string; mediaId: string; spec: string; purpose: string; url: string }[];
  /**
   * The pause of its channel the delivery waits for (the list, one delivery, and the answer to a
   * retry); absent when the channel is not paused or the pause does not hold this delivery.
   */
  channelHold?: ChannelHold;
}

/** A pause a delivery waits for: it goes out once the channel is resumed. */
export interface ChannelHold {
  channelId: string;
  pausedAt: string;
  reason: string | null;
  /** Who paused it: a user name, or `system` when govpub held it after the platform refused the credentials. */
  by: string | null;
  credentialsRefused: boolean;
  message: string;
  messageZh: string;
}

export { NEEDS_ACTION_STATES } from '../domain/delivery-state.js';

/**
 * What the Temporal server answers an Update it had accepted when the workflow completed before the
 * Update did (a retry accepted while a skip finished the delivery): a race, answered in our own words.
 */
const ACCEPTED_UPDATE_COMPLETED_WORKFLOW = 'AcceptedUpdateCompletedWorkflow';

/** How long a retry is offered again while the workflow finishes recording the attempt it follows. */
const RETRY_SETTLE_GRACE_MS = 5_000;

/** A delivery an operator may confirm with a post's URL: a manual hand-off, or a post the platform never confirmed. */
/**
 * States whose delivery may be waiting for a confirmation, so that a post's address is held to its
 * platform's rule: the two that wait, and the two a row shows for an instant after its workflow
 * began to wait (the row is written by the attempt's last step). A live, failed or settled
 * delivery is answered by its workflow (409), not by the platform's hosts.
 */
const mayWaitForConfirmation = (state: string) => ['awaiting_manual', 'unconfirmed', 'pending', 'transmitting'].includes(state);

export class DeliveryService {
  constructor(private readonly ctx: AppContext) {}

  private view(row: DeliveryRow, extra: Partial<DeliveryView> = {}): DeliveryView {
    const channel = findChannel(this.ctx.registry, row.channel_id);
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const texts = localizedDeliveryTexts({ ...row, platform: row.platform ?? channel?.platform ?? null });
    return {
      id: row.id,
      businessKey: row.business_key,
      packageId: row.package_id,
      revision: row.revision,
      channelId: row.channel_id,
      channelName: channel?.name ?? null,
      platform: row.platform ?? channel?.platform ?? null,
      state: row.state,
      task: row.task,
      attempts: row.attempts,
      nextAttemptAt: iso(row.next_attempt_at),
      errorClass: row.error_class,
      errorMessage: row.error_message,
      errorMessageZh: texts.errorMessageZh,
      platformCode: row.platform_code,
      problems: texts.problems,
      warnings: texts.warnings,
      warningsZh: texts.warningsZh,
      externalId: row.external_id,
      publicUrl: row.public_url,
      liveAt: iso(row.live_at),
      submittedAt: iso(row.submitted_at),
      remindedAt: iso(row.reminded_at),
      skippedReason: row.skipped_reason,
      takenDownAt: iso(row.taken_down_at),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      ...extra,
    };
  }

  /**
   * A channel filter names a channel govpub has: one of the registry's, or one removed from it whose
   * deliveries stay on record. A mistyped id answered an empty list, as if the channel had none.
   */
  private async requireKnownChannel(id: string): Promise<void> {
    if (findChannel(this.ctx.registry, id)) return;
    const recorded =
      (await this.ctx.db.selectFrom('channels').select('id').where('id', '=', id).executeTakeFirst()) ??
      (await this.ctx.db.selectFrom('deliveries').select('id').where('channel_id', '=', id).limit(1).executeTakeFirst());
    if (recorded) return;
    const near = nearestName(
      id,
      listChannels(this.ctx.registry).map((c) => c.id),
    );
    throw new GovpubError(
      'invalid_query',
      `channel "${id}" is not a channel of this registry${near ? ` (did you mean "${near}"?)` : ''}; GET /api/channels lists them.`,
      {
        status: 400,
        issues: [{ path: 'channel', message: 'not a channel id from GET /api/channels' }],
      },
      { zh: `没有编号为「${id}」的渠道${near ? `（是否要查「${near}」？）` : ''}，渠道编号见渠道列表（GET /api/channels）。` },
    );
  }

  async list(filter: DeliveryFilter = {}): Promise<{ items: DeliveryView[]; counts: Record<string, number>; nextCursor: string | null }> {
    const state = filter.state || undefined;
    if (state !== undefined && !isDeliveryState(state)) {
      throw new GovpubError('invalid_query', `state "${state}" is not a delivery state; use one of ${DELIVERY_STATES.join(', ')}.`, { status: 400 });
    }
    if (filter.channel !== undefined) await this.requireKnownChannel(filter.channel);
    let channelIds: string[] | undefined;
    if (filter.unit !== undefined) {
      const unit = unitById(this.ctx.registry, filter.unit);
      if (!unit) {
        throw new GovpubError('invalid_query', `unit "${filter.unit}" is not a unit id; GET /api/units lists them.`, {
          status: 400,
          issues: [{ path: 'unit', message: 'not a unit id from GET /api/units' }],
        });
      }
      channelIds = listChannels(this.ctx.registry)
        .filter((c) => channelUnit(this.ctx.registry, c)?.id === unit.id)
        .map((c) => c.id);
    }
    const limit = Math.min(Math.max(filter.limit ?? 200, 1), 1000);
    const { rows, counts } = await selectDeliveries(this.ctx.db, {
      state,
      channel: filter.channel,
      platform: filter.platform,
      packageId: filter.packageId,
      needsAction: filter.needsAction,
      channelIds,
      after: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    // The pauses of the page's channels in one read (a page of 1,000 deliveries is not 1,000 reads).
    const pauses = await currentPauses(
      this.ctx.db,
      page.filter((r) => heldByPause(r.state, undefined)).map((r) => r.channel_id),
    );
    return {
      items: page.map(({ page_at: _key, ...r }) => {
        const pause = heldByPause(r.state, undefined) ? pauses.get(r.channel_id) : undefined;
        return this.view(r, pause ? { channelHold: this.holdOf(r.channel_id, pause) } : {});
      }),
      counts,
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.page_at, id: last.id }) : null,
    };
  }

  /** By id (uuid), a unique id prefix of at least 8 characters, or the business key. */
  async find(idOrKey: string): Promise<DeliveryRow> {
    const value = idOrKey.trim();
    const matches = await findDeliveries(this.ctx.db, value, /^[0-9a-f-]{8,}$/.test(value));
    if (matches.length > 1) throw new GovpubError('ambiguous_id', `More than one delivery id starts with ${value}; give more characters.`, { status: 400 });
    const row = matches[0];
    if (!row && /^pkg-\d{8}-[0-9a-f]{8}$/.test(value)) {
      // A package's id given where a delivery's belongs: its deliveries are listed by package.
      throw new GovpubError(
        'not_found',
        `No delivery ${value}: that is a package's id. Its deliveries: GET /api/deliveries?package=${value} or \`govpub deliveries list --package ${value}\`; each has its own id.`,
        { status: 404 },
        {
          zh: `找不到投递 ${value}：这是稿件编号。该稿件的投递见 GET /api/deliveries?package=${value} 或 \`govpub deliveries list --package ${value}\`，每个投递有自己的编号。`,
        },
      );
    }
    if (!row) {
      throw new GovpubError(
        'not_found',
        `No delivery ${value}. List them with GET /api/deliveries or \`govpub deliveries list\`.`,
        { status: 404 },
        { zh: `找不到投递 ${value}，请核对编号（投递列表见 GET /api/deliveries 或 \`govpub deliveries list\`）。` },
      );
    }
    return row;
  }

  async get(idOrKey: string): Promise<DeliveryView> {
    const row = await this.find(idOrKey);
    let waitingFor: DeliveryStatus['waitingFor'] | undefined;
    // Live, taken down or cancelled, it waits for nothing: a finished workflow still answers the
    // query with its last wait (a manual take-down read "waiting for confirmation" once confirmed,
    // a media-center delivery "confirmation" once live), and workflows from before it said so go on doing it.
    const done = row.state === 'live' || row.state === 'retracted' || row.state === 'canceled';
    if (!done) {
      try {
        const handle = this.ctx.temporal.workflow.getHandle(this.workflowFor(row));
        waitingFor = (await handle.query(deliveryStatusQuery)).waitingFor;
      } catch {
        // No delivery workflow: its first attempt running in the package's workflow, or finished
        // (or legacy) deliveries, where the row says everything.
        if (row.state === 'transmitting' && (await this.inFirstAttempt(row))) waitingFor = 'platform';
      }
    }
    // A manual hand-off lists its files with where to download them (the prepared renditions).
    const files = (row.payload as { files?: { name: string; mediaId: string; spec: string; purpose: string }[] } | null)?.files;
    const bundleFiles = Array.isArray(files)
      ? files.map((f) => ({ ...f, url: `/api/media/${f.mediaId}/renditions/${encodeURIComponent(f.spec)}?channel=${encodeURIComponent(row.channel_id)}` }))
      : undefined;
    const hold = heldByPause(row.state, waitingFor) ? await this.channelHold(row.channel_id) : null;
    return this.view(row, {
      ...(waitingFor ? { waitingFor } : {}),
      payload: row.payload,
      renditions: row.renditions as unknown[],
      ...(bundleFiles ? { bundleFiles } : {}),
      ...(hold ? { channelHold: hold } : {}),
    });
  }

  private workflowFor(row: Pick<DeliveryRow, 'state' | 'business_key'>): string {
    return row.state === 'retracting' ? takedownWorkflowId(row.business_key) : deliveryWorkflowId(row.business_key);
  }

  private async send<T>(row: DeliveryRow, call: (workflowId: string) => Promise<T>): Promise<T> {
    const notRunning = () =>
      new GovpubError('delivery_not_running', `Delivery ${row.id} is ${row.state} and nothing is waiting on it, so there is nothing to do.`, { status: 409 });
    try {
      return await throughWorkflow(notRunning, () => call(this.workflowFor(row)));
    } catch (error) {
      const gone =
        (error instanceof GovpubError && (error.code === 'delivery_not_running' || error.code === ACCEPTED_UPDATE_COMPLETED_WORKFLOW)) ||
        (!(error instanceof GovpubError) && /already completed|not found/i.test((error as Error).message));
      if (!gone) throw error;
      // Another request (a skip, a confirmation, the last attempt) finished the delivery's workflow
      // between reading the row and this request: say what the delivery is now, read again.
      const now = (await findDeliveries(this.ctx.db, row.id, false))[0] ?? row;
      if (now.state !== 'retracting' && (await this.inFirstAttempt(now))) {
        throw new GovpubError('delivery_busy', 'The delivery is being sent right now; wait for the attempt to finish, then try again.', { status: 409 });
      }
      // The code stays delivery_not_running (its contract); the sentence says the state now, and
      // that another request changed it, when it did.
      const raced = now.state !== row.state;
      throw new GovpubError(
        'delivery_not_running',
        `Delivery ${now.id} is ${now.state}${raced ? ` now (it was ${row.state} a moment ago: another request settled it)` : ''} and nothing is waiting on it, so there is nothing to do.`,
        { status: 409 },
        {
          zh: `该发布任务现为「${deliveryStateZh(now.state)}」${raced ? `（刚刚还是「${deliveryStateZh(row.state)}」，另一操作已先将其结束）` : ''}，当前没有等待处理的操作。`,
        },
      );
    }
  }

  /**
   * True while the delivery's first attempt runs in its package's workflow
   * (workflows/first-attempt.ts): it has no workflow of its own to ask yet, and its package still
   * waits for it.
   */
  private async inFirstAttempt(row: DeliveryRow): Promise<boolean> {
    if (['live', 'canceled', 'retracted'].includes(row.state)) return false;
    const state = await this.ctx.temporal.workflow
      .getHandle(packageWorkflowId(row.package_id))
      .query(stateQuery)
      .catch(() => undefined);
    if (!state || state.status !== 'releasing' || state.approvedRevision !== row.revision) return false;
    return state.deliveries[row.channel_id]?.state === 'pending' && !(state.stalledDeliveries ?? []).includes(row.channel_id);
  }

  /**
   * The attempt's last activity writes the row (say `failed`, or `awaiting_manual` for a hand-off)
   * a moment before a workflow waits for an operator (its own, which the package's workflow starts
   * after a first attempt), and an operator's retry or confirmation in that moment is refused as
   * busy. While the row still shows the same attempt waiting for action, the request is offered
   * again for a few seconds; once the row moves on (another attempt began), the refusal stands, so
   * a double click is one action.
   */
  private async actOnceSettled<T>(seen: DeliveryRow, call: (workflowId: string) => Promise<T>): Promise<T> {
    const deadline = Date.now() + RETRY_SETTLE_GRACE_MS;
    for (;;) {
      try {
        return await this.send(seen, call);
      } catch (error) {
        if (!(error instanceof GovpubError && error.code === 'delivery_busy') || Date.now() > deadline) throw error;
        if (!NEEDS_ACTION_STATES.includes(seen.state)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
        const now = await this.find(seen.id);
        if (now.state !== seen.state || now.attempts !== seen.attempts) throw error;
      }
    }
  }

  /**
   * Tries a delivery again now. On a held channel (paused by operations, or by govpub after the
   * platform refused the credentials) the attempt finds the hold and the delivery waits for the
   * resume, as every delivery to that channel does: the retry is accepted (a failed delivery is then
   * woken by the resume like the others), and the answer's `channelHold` says what it waits for and
   * why, so the operator is not left believing it was sent. A take-down, and a post whose status
   * the retry asks the platform for again, do not wait for a pause.
   */
  async retry(actor: Actor, idOrKey: string): Promise<DeliveryView> {
    requireAllowed(actor, 'retryDelivery');
    const row = await this.find(idOrKey);
    const askingPlatform = row.state !== 'retracting' && (await this.statusOf(row))?.waitingFor === 'confirmation';
    const auditMark = await latestAuditIdFor(this.ctx.db, row.package_id, row.channel_id);
    try {
      await this.actOnceSettled(row, (id) => this.ctx.temporal.workflow.getHandle(id).executeUpdate(retryDeliveryUpdate, { args: [{ by: actor.id }] }));
      await this.auditRetry(actor, row, auditMark);
    } catch (error) {
      // A delivery whose workflow failed for good waits in its package's workflow: start it again there.
      if (!(error instanceof GovpubError && error.code === 'delivery_not_running') || !(await this.restartStalled(actor, row))) throw error;
    }
    // The delivery read afresh names the hold once it waits for it; a retried one still settling
    // (its row not yet pending) will wait for it all the same. The retry cut short the wait its row
    // may still name (the attempt, which clears it, starts now): the answer names none.
    const read = await this.get(row.id);
    const before = row.next_attempt_at?.toISOString() ?? null;
    const view = before !== null && read.nextAttemptAt === before ? { ...read, nextAttemptAt: null } : read;
    if (view.channelHold || row.state === 'retracting' || askingPlatform) return view;
    const hold = await this.channelHold(row.channel_id);
    return hold ? { ...view, channelHold: hold } : view;
  }

  /**
   * Audits an accepted retry with who asked for it. A failed delivery's workflow records the retry
   * itself (`delivery_retry_requested`, before it answers); a retry that cuts a wait short (a
   * backoff, a rate limit, a paused channel, a status query) or tries a take-down again was
   * recorded nowhere, so the trail did not say who made govpub call the platform again. Looked for
   * after the answer, so a retry is recorded once, whichever of the two recorded it.
   */
  private async auditRetry(actor: Actor, row: DeliveryRow, afterId: string | null): Promise<void> {
    const entry = { packageId: row.package_id, channelId: row.channel_id, action: 'delivery_retry_requested', actor: actor.id };
    if (await auditedAfter(this.ctx.db, { ...entry, afterId })) return;
    await appendAudit(this.ctx.db, { ...entry, revision: row.revision, details: { state: row.state } });
  }

  private async statusOf(row: DeliveryRow): Promise<DeliveryStatus | undefined> {
    return this.ctx.temporal.workflow
      .getHandle(this.workflowFor(row))
      .query(deliveryStatusQuery)
      .catch(() => undefined);
  }

  /** The channel's pause as a delivery waits for it, or null when the channel is not held. */
  private async channelHold(channelId: string): Promise<ChannelHold | null> {
    const pause = await currentPause(this.ctx.db, channelId);
    return pause ? this.holdOf(channelId, pause) : null;
  }

  /** A pause of a delivery's channel as the delivery waits for it: who, when, why, and how it goes out, in both languages. */
  private holdOf(channelId: string, pause: ChannelPause): ChannelHold {
    const name = findChannel(this.ctx.registry, channelId)?.name ?? channelId;
    const { at, byEn, byZh, reasonZh, heldForCredentials: credentialsRefused } = pauseWords(pause);
    const resume = `govpub channels resume ${channelId}`;
    return {
      channelId,
      pausedAt: pause.at.toISOString(),
      reason: pause.reason,
      by: pause.by,
      credentialsRefused,
      message: credentialsRefused
        ? `Channel ${channelId} (${name}) is held: the platform refused the account's credentials (${pause.reason}). ` +
          `This delivery waits for the channel and is not sent until then: fix the credentials, then resume the channel (${resume}).`
        : `Channel ${channelId} (${name}) is paused (by ${byEn} at ${at}, Beijing time; reason: "${pause.reason ?? 'none given'}"). ` +
          `This delivery waits for the channel and goes out once it is resumed (${resume}).`,
      messageZh: credentialsRefused
        ? `渠道“${name}”因平台拒绝该账号的凭据已被暂停。本条投递将等待该渠道恢复，在此之前不会发出：请先更新凭据或重新授权账号，再点击「恢复渠道」（命令行：${resume}）。`
        : `渠道“${name}”已于 ${at}（北京时间）由 ${byZh} 暂停，原因：${reasonZh}。本条投递将等待该渠道恢复后再发出（点击「恢复渠道」，命令行：${resume}）。`,
    };
  }

  async skip(actor: Actor, idOrKey: string, reason: unknown): Promise<DeliveryView> {
    requireAllowed(actor, 'skipDelivery');
    const { reason: why } = commandInput('skipDelivery', { reason });
    const row = await this.find(idOrKey);
    // A take-down has no skip (its workflow has no such update, which answered a bare "No registered
    // handler"): giving up on it would leave a retracted post public with nobody reminded.
    if (row.state === 'retracting') {
      throw new GovpubError(
        'takedown_not_skippable',
        `Delivery ${row.id} is taking a retracted post down, and a take-down is never skipped: the post may still be public on ${row.channel_id}. ` +
          `Take it down on the platform by hand and confirm (govpub deliveries confirm ${row.id}), or retry (govpub deliveries retry ${row.id}).`,
        { status: 409 },
        {
          zh: `该任务正在撤下已撤稿的内容，撤稿删除不能跳过：内容可能仍在「${row.channel_id}」公开。请在平台上手动删除后点击「确认已删除」（命令行：govpub deliveries confirm ${row.id}），或点击重试（govpub deliveries retry ${row.id}）。`,
        },
      );
    }
    await this.send(row, (id) => this.ctx.temporal.workflow.getHandle(id).executeUpdate(skipDeliveryUpdate, { args: [{ by: actor.id, reason: why }] }));
    return this.get(row.id);
  }

  private async restartStalled(actor: Actor, row: DeliveryRow): Promise<boolean> {
    const pkg = this.ctx.temporal.workflow.getHandle(packageWorkflowId(row.package_id));
    const state = await pkg.query(stateQuery).catch(() => undefined);
    if (!state?.stalledDeliveries?.includes(row.channel_id)) return false;
    // The workflow records the restart in the audit trail as it takes the signal (one place, so a
    // crash here cannot leave a restart without its entry, nor an entry for a restart never sent).
    await pkg.signal(restartDeliverySignal, { channelId: row.channel_id, by: actor.id });
    return true;
  }

  /**
   * Confirms by hand: a manual post with its URL (or an unconfirmed delivery seen live), or a
   * manual take-down once the post is gone.
   */
  async confirm(
    actor: Actor,
    idOrKey: string,
    body: { url?: unknown; note?: unknown; postedAt?: unknown },
    validateUrl?: (platform: string, url: string) => { message: string; messageZh: string } | null,
  ): Promise<DeliveryView> {
    requireAllowed(actor, 'confirmDelivery');
    const row = await this.find(idOrKey);
    // Not commandInput: the URL is checked only for a post (against its platform here, a manual
    // hand-off's and an unconfirmed API post's alike; then by the workflow with the table's rule,
    // refused there as invalid_url); a take-down ignores it.
    const note = noteField(body.note, 'note') || undefined;
    if (typeof body.url === 'string') noteField(body.url, 'url');
    if (row.state === 'retracting') {
      // A URL is a post's address: given for a delivery whose package was retracted meanwhile (a
      // hand-off posted while the board still showed it), it was taken as "taken down" and the post
      // stayed public with the delivery recorded retracted. The take-down is confirmed without one.
      if (typeof body.url === 'string' && body.url.trim() !== '') throw this.postOnRetracted(row, body.url.trim());
      await this.send(row, (id) =>
        this.ctx.temporal.workflow.getHandle(id).executeUpdate(confirmManualUpdate, { args: [{ by: actor.id, url: row.public_url ?? '', note }] }),
      );
      return this.get(row.id);
    }
    // Taken down or cancelled: nothing waits for a confirmation (it answered "url: required").
    if (row.state === 'retracted' || row.state === 'canceled') {
      throw new GovpubError('delivery_settled', `The delivery is already ${row.state}; there is nothing to confirm.`, { status: 409 });
    }
    const url = typeof body.url === 'string' ? body.url.trim() : '';
    if (!url)
      throw new GovpubError('invalid_body', 'url: required — the address of the post on the platform.', {
        status: 400,
        issues: [{ path: 'url', message: 'required' }],
      });
    // Every platform first: an address a reader can follow (no spaces, no user:password@, a host),
    // since it is shown on the delivery and in the audit trail; then the platform's own pattern.
    const linkProblem = webLinkProblem(url);
    const problem = linkProblem
      ? {
          message: `${linkProblem}: give the address of the post as the platform shows it`,
          messageZh: `${WEB_LINK_MESSAGES_ZH[linkProblem]}：请填写帖子在平台上的网址`,
        }
      : mayWaitForConfirmation(row.state)
        ? (validateUrl ?? postLinkProblem)(row.platform ?? '', url)
        : null; // a delivery no one can confirm now: the workflow's answer says why (409), not the platform's hosts
    // In Chinese too: the console shows it beside the URL field (it showed 不符合要求： and the English).
    if (problem)
      throw new GovpubError(
        'invalid_body',
        `url: ${problem.message}`,
        { status: 400, issues: [{ path: 'url', message: problem.message, messageZh: problem.messageZh }] },
        { zh: `url：${problem.messageZh}` },
      );
    const postedAt = this.postedAt(body.postedAt, row);
    await this.actOnceSettled(row, (id) =>
      this.ctx.temporal.workflow.getHandle(id).executeUpdate(confirmManualUpdate, { args: [{ by: actor.id, url, note, ...(postedAt ? { postedAt } : {}) }] }),
    );
    return this.get(row.id);
  }

  /** A post's URL given for a delivery that now waits for its take-down: delete the post, then confirm without a URL. */
  private postOnRetracted(row: DeliveryRow, url: string): GovpubError {
    const shown = truncateChars(url, 200);
    const command = `govpub deliveries confirm ${row.id}`;
    return new GovpubError(
      'delivery_retracting',
      `Package ${row.package_id} was retracted, so delivery ${row.id} to ${row.channel_id} now waits for its post to be taken down, not for a post's address; nothing was recorded. ` +
        `If you posted it (${shown}), delete it on the platform, then confirm the take-down without a URL (${command}).`,
      { status: 409 },
      {
        zh:
          `稿件 ${row.package_id} 已撤稿，此投递现在等待删除「${row.channel_id}」上的帖子，不再登记帖子网址，本次未做任何记录。` +
          `若您已在平台上发布（${shown}），请先在平台上删除该帖子，再确认已删除（不填网址；命令行：${command}）。`,
      },
    );
  }

  /**
   * The time a manual post went up, as the operator gives it (UTC), or undefined for now; refused
   * (400, naming `postedAt`) when it is no instant, still to come, or before the hand-off.
   */
  private postedAt(value: unknown, row: DeliveryRow): string | undefined {
    if (value === undefined || value === null) return undefined;
    const problem = postedAtProblem(value) ?? postedAtTimeProblem(value as string, row.created_at, new Date());
    if (problem)
      throw new GovpubError(
        'invalid_body',
        `postedAt: ${problem.message}`,
        { status: 400, issues: [{ path: 'postedAt', message: problem.message, messageZh: problem.messageZh }] },
        { zh: problem.messageZh },
      );
    return new Date(value as string).toISOString();
  }

  /**
   * Holds every delivery to a channel (they wait as pending) until it is resumed. A channel already
   * paused is refused (409 channel_already_paused, naming who paused it, when and why): a second
   * pause would overwrite the first one's reason, and the operator who wrote it would lose it.
   */
  async pauseChannel(
    actor: Actor,
    channelId: string,
    reason: unknown,
    alsoInTransaction?: (trx: Kysely<DB>, paused: PausedChannel) => Promise<void>,
  ): Promise<PausedChannel> {
    requireAllowed(actor, 'pauseChannel');
    this.requireChannel(channelId);
    const { reason: why } = commandInput('pauseChannel', { reason });
    const now = new Date();
    const paused: PausedChannel = { channelId, pausedAt: now.toISOString(), reason: why };
    await inTransaction(this.ctx.db, async (trx) => {
      // The channel's row stays locked until the pause is written: of two operators pausing at once, the second is refused.
      const pause = await currentPause(trx, channelId, { lock: true });
      if (pause) throw this.alreadyPaused(channelId, pause);
      await pauseChannel(trx, channelId, why, now);
      await appendAudit(trx, { actor: actor.id, action: 'channel_paused', channelId, details: { reason: why } });
      // The API's Idempotency-Key answer, kept with the pause (api/idempotency.ts KeepAnswer).
      await alsoInTransaction?.(trx, paused);
    });
    return paused;
  }

  private alreadyPaused(channelId: string, pause: { at: Date; reason: string | null; by: string | null }): GovpubError {
    const name = findChannel(this.ctx.registry, channelId)?.name ?? channelId;
    const { at, byEn, byZh, reasonZh, heldForCredentials } = pauseWords(pause);
    const resume = `POST /api/channels/${encodeURIComponent(channelId)}/resume or \`govpub channels resume ${channelId}\``;
    return new GovpubError(
      'channel_already_paused',
      `Channel ${channelId} (${name}) is already paused: by ${byEn} at ${at} (Beijing time), reason: "${pause.reason ?? 'none given'}". Nothing was changed. ` +
        (heldForCredentials
          ? `Fix the account's credentials, then resume it (${resume}).`
          : `Leave it paused, or resume it first (${resume}) and pause it again with your reason.`),
      { status: 409 },
      {
        zh:
          `渠道“${name}”已于 ${at}（北京时间）由 ${byZh} 暂停，原因：${reasonZh}。本次未做任何更改。` +
          (heldForCredentials
            ? `请先重新授权或更新该账号的凭据，再点击「恢复渠道」（命令行：govpub channels resume ${channelId}）。`
            : `如需以新的原因暂停，请先点击「恢复渠道」（命令行：govpub channels resume ${channelId}），再重新暂停；否则保持暂停即可。`),
      },
    );
  }

  /**
   * Lifts a pause and wakes every delivery waiting on the channel. A hold govpub set itself after
   * the platform refused the account's credentials is lifted only once the platform takes them:
   * the resume first asks it (an authenticated call that changes nothing, on a worker of the
   * platform: workflows/channel-check.ts). Still refused: 409 channel_credentials_refused, the
   * channel stays held, nothing is woken, and the audit trail records the refused resume. Lifting
   * it unchecked would let the first waiting delivery be refused again and the channel be held
   * again within a second, with nothing telling the operator why. When the platform cannot be
   * asked (no such call, no answer), the hold is lifted and the answer says so: a delivery refused
   * again holds the channel again, and the pause names the delivery and attempt.
   *
   * A channel that is not paused is refused (409 channel_not_paused) and nothing is audited: the
   * operator most likely typed another channel than the one they meant, and a success would hide
   * that. Deliveries that wait on a channel govpub did not hold (a take-down or a status query the
   * platform refused) are woken by `deliveries retry`, which the refusal names.
   */
  async resumeChannel(actor: Actor, channelId: string): Promise<ResumeResult> {
    requireAllowed(actor, 'resumeChannel');
    this.requireChannel(channelId);
    const pause = await currentPause(this.ctx.db, channelId);
    if (!pause) throw await this.notPaused(channelId);
    const heldForCredentials = pause !== null && pause.reason !== null && isRefusedCredentialsPause(pause.reason);
    const check = heldForCredentials ? await this.checkCredentials(channelId) : null;
    if (check?.outcome === 'refused') {
      await appendAudit(this.ctx.db, {
        actor: actor.id,
        action: 'channel_resume_refused',
        channelId,
        details: { message: check.message, platformCode: check.platformCode },
      });
      throw this.credentialsStillRefused(channelId, check);
    }
    const resumed = await inTransaction(this.ctx.db, async (trx) => {
      // Locked until the resume is written: of two operators resuming at once, the second is told the first did.
      if (!(await currentPause(trx, channelId, { lock: true }))) return false;
      const wasPausedFor = await unpauseChannel(trx, channelId);
      await appendAudit(trx, {
        actor: actor.id,
        action: 'channel_resumed',
        channelId,
        details: { wasPausedFor, ...(check ? { credentialCheck: check.outcome, ...(check.outcome === 'unchecked' ? { why: check.reason } : {}) } : {}) },
      });
      return true;
    });
    if (!resumed) throw await this.notPaused(channelId);
    const waiting = await deliveriesOnChannel(this.ctx.db, channelId, WAITING_ON_CHANNEL_STATES);
    let woken = 0;
    for (const d of waiting) {
      const workflowId = this.workflowFor(d);
      try {
        await this.ctx.temporal.workflow.getHandle(workflowId).signal(channelResumedSignal);
        woken += 1;
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    if (!check) return { channelId, woken, credentialCheck: 'not_needed', note: null, noteZh: null };
    if (check.outcome === 'accepted') {
      return {
        channelId,
        woken,
        credentialCheck: 'accepted',
        note: 'The platform accepted the credentials.',
        noteZh: '已向平台核实，该账号的凭据可以使用。',
      };
    }
    const name = platformLocalName(findChannel(this.ctx.registry, channelId)?.platform ?? null);
    return {
      channelId,
      woken,
      credentialCheck: 'unchecked',
      note: `The credentials could not be checked (${check.reason}). If the platform still refuses them, the first delivery is refused again and govpub holds the channel again: its pause names that delivery.`,
      noteZh: `未能向${name}核实凭据（${check.reason}）。若平台仍拒绝该凭据，第一条投递会再次被拒，govpub 会再次暂停该渠道，并在暂停原因和审计记录中写明是哪条投递。`,
    };
  }

  /** The refusal of a resume of a channel that is not paused, naming who last resumed it and when. */
  private async notPaused(channelId: string): Promise<GovpubError> {
    const name = findChannel(this.ctx.registry, channelId)?.name ?? channelId;
    const last = await lastResume(this.ctx.db, channelId);
    const at = last ? chinaTime(last.at.toISOString()) : null;
    const { en: byEn, zh: byZh } = actorWords(last?.by ?? null);
    return new GovpubError(
      'channel_not_paused',
      `Channel ${channelId} (${name}) is not paused, so there is nothing to resume; nothing was changed` +
        (last ? ` (it was last resumed by ${byEn} at ${at}, Beijing time).` : '.') +
        ' Check the channel id: GET /api/channels?paused=true lists the paused channels.' +
        ' To try a delivery waiting on this channel again now, use `govpub deliveries retry ID`.',
      { status: 409 },
      {
        zh:
          `渠道“${name}”（${channelId}）没有暂停，无需恢复，本次未做任何更改` +
          // From the console the channel was shown paused, so someone resumed it since (named here); a wrong id comes from the command line.
          (last ? `（该渠道最近一次由 ${byZh} 于 ${at}（北京时间）恢复）。用命令行操作时，请核对渠道编号是否为您要恢复的渠道` : '。请核对渠道编号') +
          '（已暂停的渠道见「渠道状态」页面，或 GET /api/channels?paused=true）。' +
          '如需让等待该渠道的某条投递立即重试，请在投递详情中点击「重试」（命令行：govpub deliveries retry <投递编号>）。',
      },
    );
  }

  /** What the platform says of the channel's credentials now; `unchecked` when it cannot be asked in time. */
  private async checkCredentials(channelId: string): Promise<CredentialCheck> {
    const channel = findChannel(this.ctx.registry, channelId)!;
    if (channel.publishing !== 'api') return { outcome: 'unchecked', reason: `${channel.platform} is published by hand` };
    try {
      return await this.ctx.temporal.workflow.execute(channelCredentialCheckWorkflow, {
        workflowId: credentialCheckWorkflowId(this.ctx.taskQueue, channelId),
        taskQueue: this.ctx.taskQueue,
        args: [{ channelId, platform: channel.platform }],
        // Two operators resuming at once share one check.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowExecutionTimeout: CREDENTIAL_CHECK_TIMEOUT_MS + 10_000,
        priority: { priorityKey: 1 },
      });
    } catch (error) {
      return { outcome: 'unchecked', reason: `the check did not finish: ${(error as Error).message.split('\n')[0]!.slice(0, 200)}` };
    }
  }

  private credentialsStillRefused(channelId: string, check: Extract<CredentialCheck, { outcome: 'refused' }>): GovpubError {
    const channel = findChannel(this.ctx.registry, channelId)!;
    const account = channel.kind === 'new_media_account' ? findAccount(this.ctx.registry, channel.ref) : undefined;
    const secrets = Object.values(account?.credentials ?? {})
      .filter(isSecretRef)
      .map((ref) => ref.secret);
    const where =
      secrets.length > 0 ? `the secret${secrets.length === 1 ? '' : 's'} ${secrets.join(', ')} (GOVPUB_SECRETS_FILE or the environment)` : 'its credentials';
    const platformSays = deliveryErrorZh({
      platform: channel.platform,
      errorClass: 'needs_reconnect',
      errorMessage: check.message,
      platformCode: check.platformCode,
    });
    return new GovpubError(
      'channel_credentials_refused',
      `Channel ${channelId} (${channel.name}) stays paused: the platform still refuses its credentials (${check.message}). Nothing was resumed. ` +
        `Fix ${where}, or authorize the account again and update its token, then resume it again; workers read a changed secrets file within 30 s.`,
      { status: 409, platformCode: check.platformCode },
      {
        zh:
          `渠道“${channel.name}”仍保持暂停：刚刚向平台核实，平台仍拒绝该账号的凭据。${platformSays ?? ''}本次未恢复，等待中的投递不会发出。` +
          `请先更新${secrets.length > 0 ? `密钥 ${secrets.join('、')}（密钥文件 GOVPUB_SECRETS_FILE 或环境变量）` : '该账号的凭据'}，或重新授权账号并更新令牌，再点击「恢复渠道」（命令行：govpub channels resume ${channelId}）。`,
      },
    );
  }

  private requireChannel(channelId: string): void {
    if (!findChannel(this.ctx.registry, channelId)) {
      const near = nearestName(
        channelId,
        listChannels(this.ctx.registry).map((c) => c.id),
      );
      throw new GovpubError(
        'not_found',
        `No channel ${channelId}${near ? ` (did you mean ${near}?)` : ''}. List them with GET /api/channels or \`govpub channels list\`.`,
        { status: 404 },
        { zh: `找不到渠道 ${channelId}${near ? `（是否要找 ${near}？）` : ''}，请核对渠道编号（渠道列表见 GET /api/channels 或 \`govpub channels list\`）。` },
      );
    }
  }
}

/**
 * Whether a pause of its channel holds a delivery: one still to be sent (or held after the platform
 * refused the credentials) finds the pause at its next attempt and waits for the resume, and an
 * unconfirmed one waits when its reconciling attempt found it. A take-down, a post whose status
 * govpub is asking the platform for, a hand-off, a delivery being sent now and a finished one go on
 * regardless; a failed one waits for operations (the answer to its retry names the pause).
 * Without `waitingFor` (the list asks no workflow) the state decides alone: an unconfirmed delivery
 * is named held only when read on its own.
 */
function heldByPause(state: DeliveryState, waitingFor: DeliveryStatus['waitingFor'] | undefined): boolean {
  if (state === 'unconfirmed') return waitingFor === 'channel';
  return (state === 'pending' || state === 'needs_reconnect' || state === 'rate_limited') && waitingFor !== 'confirmation';
}
