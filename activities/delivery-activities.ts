/**
 * The side effects of one delivery (package revision × channel). Exactly once rests on three
 * habits here: every step is keyed by the delivery's business key; a transmit whose outcome is
 * unknown (crash, timeout, lost answer) is reconciled with the platform before anything is sent
 * again; and multi-step progress is checkpointed in the delivery row so a retry resumes.
 * The delivery row is the operators' view: state, error class and message, next attempt.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DB, DeliveryRow } from '../db/schema.js';
import { catalogueItem, type Channel, type NewMediaAccount, type Registry } from '../domain/registry.js';
import type { ChannelAdapter, MediaInfo, ReleaseUnit, RenditionNeed, RenditionSource, TokenStore, TransmitContext, TransmitResult } from '../adapters/types.js';
import { isDeliveryError, type DeliveryError } from '../adapters/errors.js';
import { mediaIdFromSrc, imageSources } from '../adapters/text.js';
import { portalPageUrls } from '../adapters/portal/urls.js';
import type { PlatformConfig } from '../config/platforms.js';
import {
  deliveryMediaQueue,
  platformTaskQueue,
  type AttemptOutcome,
  type ConfirmOutcome,
  type DeliveryChange,
  type DeliveryPlan,
  type DeliveryRef,
  type DeliveryStanding,
  type DeliveryState,
  type FormatOutcome,
  type TakeDownOutcome,
} from '../contracts/delivery.js';
import { appendAudit, deliveryKey } from './package-activities.js';

/** What the delivery activities need from the running process. */
export interface DeliveryDeps {
  db: Kysely<DB>;
  registry: Registry;
  channel(id: string): Channel | undefined;
  adapterFor(channel: Channel): ChannelAdapter;
  /** Per-platform settings (confirm timeout, retries, reminders). */
  platformConfig(platform: string): PlatformConfig | undefined;
  /** The channel's credentials with secrets resolved; throws a needs_reconnect DeliveryError when one is missing. */
  credentialsFor(channel: Channel): Record<string, string>;
  baseUrlFor(channel: Channel): string;
  account(channel: Channel): NewMediaAccount | undefined;
  /** Renditions for transmit (prepared and cached by the media step). */
  renditions(signal?: AbortSignal, onProgress?: (percent: number) => void, channel?: Channel): RenditionSource;
  /** Probe of a stored original, or null when it is not in the media store. */
  mediaInfo(mediaId: string): Promise<MediaInfo | null>;
  /** Public base URL of the portal pages (for "read the full text" links). */
  portalBaseUrl: string;
  /** Base task queue; platform queues are `<base>-<platform>`. */
  taskQueue: string;
}

const DEFAULT_PLATFORM: Omit<PlatformConfig, 'platform'> = {
  baseUrlSource: 'none',
  concurrency: 2,
  confirmTimeoutSec: 1800,
  maxAttempts: 8,
  reminderEverySec: 14400,
  retryInitialSec: 2,
  retryMaxSec: 300,
  rateLimitWaitSec: 60,
  credentials: {},
};

/** Token storage in the database: shared by every worker, survives restarts (rotated refresh tokens). */
export function databaseTokenStore(db: Kysely<DB>, channelId: string): TokenStore {
  return {
    async get(name) {
      const row = await db
        .selectFrom('channel_tokens')
        .select(['value', 'expires_at'])
        .where('channel_id', '=', channelId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? { value: row.value, expiresAt: row.expires_at } : null;
    },
    async put(name, value, expiresAt) {
      await db
        .insertInto('channel_tokens')
        .values({ channel_id: channelId, name, value, expires_at: expiresAt, updated_at: new Date() })
        .onConflict((oc) => oc.columns(['channel_id', 'name']).doUpdateSet({ value, expires_at: expiresAt, updated_at: new Date() }))
        .execute();
    },
    async delete(name) {
      await db.deleteFrom('channel_tokens').where('channel_id', '=', channelId).where('name', '=', name).execute();
    },
  };
}

function errorOutcome(error: DeliveryError, defaultWaitMs = 60_000): AttemptOutcome {
  switch (error.errorClass) {
    case 'rate_limited':
      return { kind: 'rate_limited', message: error.message, retryAfterMs: error.retryAfterMs ?? defaultWaitMs };
    case 'needs_reconnect':
      return { kind: 'needs_reconnect', message: error.message };
    case 'rejected':
      return { kind: 'rejected', message: error.message };
    case 'unconfirmed':
      return { kind: 'unconfirmed', message: error.message };
    default:
      return { kind: 'retryable', message: error.message };
  }
}

const SETTLED: DeliveryState[] = ['live', 'canceled', 'retracted', 'retracting'];

export function createDeliveryActivities(deps: DeliveryDeps) {
  const { db } = deps;

  async function row(ref: DeliveryRef): Promise<DeliveryRow> {
    const found = await db.selectFrom('deliveries').selectAll().where('business_key', '=', deliveryKey(ref)).executeTakeFirst();
    if (!found) throw ApplicationFailure.nonRetryable(`No delivery ${deliveryKey(ref)}: it was never planned.`, 'delivery_missing');
    return found;
  }

  function channelOf(id: string): Channel {
    const channel = deps.channel(id);
    if (!channel)
      throw ApplicationFailure.nonRetryable(
        `Channel ${id} is not in the registry any more; restore it in config/registry or skip the delivery.`,
        'channel_unknown',
      );
    return channel;
  }

  /** Sets fields of the delivery row and appends the audit entry in one transaction. */
  async function record(
    ref: DeliveryRef,
    fields: Record<string, unknown>,
    audit: { action: string; actor?: string; details?: Record<string, unknown>; eventKey: string } | null,
    alsoInTransaction?: (trx: Kysely<DB>) => Promise<void>,
  ): Promise<void> {
    const key = deliveryKey(ref);
    await db.transaction().execute(async (trx) => {
      if (alsoInTransaction) await alsoInTransaction(trx);
      await trx
        .updateTable('deliveries')
        .set({ ...fields, updated_at: new Date() })
        .where('business_key', '=', key)
        .execute();
      if (audit) {
        await appendAudit(trx, {
          actor: audit.actor ?? 'system',
          action: audit.action,
          packageId: ref.packageId,
          revision: ref.revision,
          channelId: ref.channelId,
          details: audit.details ?? {},
          eventKey: audit.eventKey,
        });
      }
    });
  }

  async function pausedReason(channelId: string): Promise<string | null> {
    const channel = await db.selectFrom('channels').select(['paused_at', 'paused_reason']).where('id', '=', channelId).executeTakeFirst();
    return channel?.paused_at ? (channel.paused_reason ?? 'paused by operations') : null;
  }

  async function loadUnit(ref: DeliveryRef, releasedAt: string): Promise<ReleaseUnit> {
    const revision = await db
      .selectFrom('package_revisions')
      .select(['content', 'content_hash'])
      .where('package_id', '=', ref.packageId)
      .where('revision', '=', ref.revision)
      .executeTakeFirst();
    if (!revision)
      throw ApplicationFailure.nonRetryable(`Revision ${ref.revision} of package ${ref.packageId} is missing from the database.`, 'revision_missing');
    const content = revision.content as {
      title: string;
      catalogueItem: string;
      document: ReleaseUnit['document'];
      interpretations?: ReleaseUnit['interpretations'];
      cover?: ReleaseUnit['cover'];
      targets: string[];
    };
    const interpretations = content.interpretations ?? [];
    const item = catalogueItem(deps.registry, content.catalogueItem);
    const mediaIds = new Set<string>();
    if (content.cover?.mediaId) mediaIds.add(content.cover.mediaId);
    for (const i of interpretations) if (i.mediaId) mediaIds.add(i.mediaId);
    for (const a of content.document.attachments ?? []) if (a.mediaId) mediaIds.add(a.mediaId);
    for (const html of [content.document.body, ...interpretations.map((i) => i.body ?? '')]) {
      for (const src of imageSources(html)) {
        const id = mediaIdFromSrc(src);
        if (id) mediaIds.add(id);
      }
    }
    const media: Record<string, MediaInfo> = {};
    for (const id of mediaIds) {
      const info = await deps.mediaInfo(id);
      if (info) media[id] = info;
    }
    const onPortal = content.targets.some((t) => t.startsWith('portal:'));
    return {
      packageId: ref.packageId,
      revision: ref.revision,
      contentHash: revision.content_hash,
      title: content.title,
      catalogue: { id: content.catalogueItem, name: item?.name ?? content.catalogueItem, contentClass: item?.contentClass ?? 'other' },
      document: content.document,
      interpretations,
      ...(content.cover ? { cover: content.cover } : {}),
      media,
      portalLinks: onPortal ? portalPageUrls(deps.portalBaseUrl, ref.packageId, interpretations.length) : null,
      releasedAt,
    };
  }

  function transmitContext(delivery: DeliveryRow, channel: Channel, extra: { signal?: AbortSignal } = {}): TransmitContext {
    let checkpointed = (delivery.checkpoint ?? {}) as Record<string, unknown>;
    const ref = { packageId: delivery.package_id, revision: delivery.revision, channelId: delivery.channel_id };
    return {
      businessKey: delivery.business_key,
      channel,
      account: deps.account(channel),
      credentials: deps.credentialsFor(channel),
      baseUrl: deps.baseUrlFor(channel),
      tokens: databaseTokenStore(db, channel.id),
      renditions: deps.renditions(extra.signal, undefined, channel),
      // A getter: what reconcile saves is visible to the transmit that follows on the same context.
      get checkpointed() {
        return checkpointed;
      },
      async checkpoint(progress) {
        checkpointed = { ...checkpointed, ...progress };
        await db
          .updateTable('deliveries')
          .set({ checkpoint: sql`checkpoint || ${JSON.stringify(progress)}::jsonb`, updated_at: new Date() })
          .where('business_key', '=', deliveryKey(ref))
          .execute();
      },
      heartbeat: () => heartbeatIfActivity(),
      signal: extra.signal,
    };
  }

  /** Runs `work` with a heartbeat every 2 s, so a dead worker is noticed within the heartbeat timeout. */
  async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(heartbeatIfActivity, 2000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  async function recordTransmitResult(ref: DeliveryRef, result: TransmitResult, how: 'transmit' | 'reconcile'): Promise<AttemptOutcome> {
    const key = deliveryKey(ref);
    const now = new Date();
    if (result.state === 'live') {
      await record(
        ref,
        {
          state: 'live',
          external_id: result.externalId,
          public_url: result.publicUrl,
          live_at: now,
          error_class: null,
          error_message: null,
          next_attempt_at: null,
          task: null,
        },
        { action: 'delivery_live', details: { publicUrl: result.publicUrl, externalId: result.externalId, via: how }, eventKey: `${key}:live` },
      );
      return { kind: 'live', publicUrl: result.publicUrl };
    }
    if (result.state === 'submitted') {
      await record(
        ref,
        {
          state: 'unconfirmed',
          external_id: result.externalId,
          public_url: result.publicUrl ?? null,
          submitted_at: now,
          error_class: null,
          error_message: null,
          next_attempt_at: null,
        },
        { action: 'delivery_submitted', details: { externalId: result.externalId, via: how }, eventKey: `${key}:submitted` },
      );
      return { kind: 'submitted' };
    }
    await record(
      ref,
      { state: 'awaiting_manual', external_id: result.externalId, task: 'manual_post', error_class: null, error_message: null },
      { action: 'delivery_awaiting_manual', details: { via: how }, eventKey: `${key}:awaiting_manual` },
    );
    return { kind: 'awaiting_manual' };
  }

  /** Records a classified failure on the row (and holds the channel when credentials were refused). */
  async function recordFailure(plan: DeliveryPlan, error: DeliveryError, attempt: number): Promise<AttemptOutcome> {
    const outcome = errorOutcome(error, plan.rateLimitWaitMs);
    const state: DeliveryState =
      outcome.kind === 'needs_reconnect'
        ? 'needs_reconnect'
        : outcome.kind === 'rejected'
          ? 'failed'
          : outcome.kind === 'rate_limited'
            ? 'rate_limited'
            : outcome.kind === 'unconfirmed'
              ? 'unconfirmed'
              : 'pending';
    await record(
      plan,
      {
        state,
        error_class: error.errorClass,
        error_message: error.message,
        platform_code: error.platformCode === undefined ? null : String(error.platformCode),
        problems: JSON.stringify(error.problems),
        next_attempt_at: outcome.kind === 'rate_limited' ? new Date(Date.now() + outcome.retryAfterMs) : null,
      },
      {
        action: `delivery_${error.errorClass}`,
        details: { message: error.message, platformCode: error.platformCode ?? null, attempt },
        eventKey: `${plan.businessKey}:${error.errorClass}:${attempt}`,
      },
      outcome.kind !== 'needs_reconnect'
        ? undefined
        : async (trx) => {
            // Hold the whole channel, in the same transaction: every other delivery to it would be refused the same way.
            const updated = await trx
              .updateTable('channels')
              .set({ paused_at: new Date(), paused_reason: `needs reconnect: ${error.message}` })
              .where('id', '=', plan.channelId)
              .where('paused_at', 'is', null)
              .executeTakeFirst();
            if (Number(updated.numUpdatedRows) > 0) {
              await appendAudit(trx, {
                actor: 'system',
                action: 'channel_paused',
                channelId: plan.channelId,
                details: { reason: 'needs_reconnect', message: error.message },
                eventKey: `${plan.businessKey}:hold:${attempt}`,
              });
            }
          },
    );
    return outcome;
  }

  return {
    /** One delivery row per (package revision × channel), never two; the plan each delivery workflow follows. */
    async planDeliveries(input: { packageId: string; revision: number; channelIds: string[]; releasedAt: string }): Promise<DeliveryPlan[]> {
      if (input.channelIds.length === 0) return [];
      const channels = input.channelIds.map(channelOf);
      await db
        .insertInto('deliveries')
        .values(
          channels.map((channel) => ({
            id: randomUUID(),
            business_key: deliveryKey({ packageId: input.packageId, revision: input.revision, channelId: channel.id }),
            package_id: input.packageId,
            revision: input.revision,
            channel_id: channel.id,
            platform: channel.platform,
            state: 'pending',
          })),
        )
        .onConflict((oc) => oc.column('business_key').doNothing())
        .execute();
      const rows = await db
        .selectFrom('deliveries')
        .select(['id', 'business_key', 'channel_id'])
        .where('package_id', '=', input.packageId)
        .where('revision', '=', input.revision)
        .execute();
      const idByChannel = new Map(rows.map((r) => [r.channel_id, r]));
      return channels.map((channel) => {
        const config = { ...DEFAULT_PLATFORM, ...deps.platformConfig(channel.platform) };
        const planned = idByChannel.get(channel.id)!;
        return {
          packageId: input.packageId,
          revision: input.revision,
          channelId: channel.id,
          deliveryId: planned.id,
          businessKey: planned.business_key,
          platform: channel.platform,
          publishing: channel.publishing,
          platformQueue: platformTaskQueue(deps.taskQueue, channel.platform),
          mediaQueue: deliveryMediaQueue(deps.taskQueue),
          confirmTimeoutMs: config.confirmTimeoutSec * 1000,
          maxAttempts: config.maxAttempts,
          reminderEveryMs: config.reminderEverySec * 1000,
          retryInitialMs: config.retryInitialSec * 1000,
          retryMaxMs: config.retryMaxSec * 1000,
          rateLimitWaitMs: config.rateLimitWaitSec * 1000,
          releasedAt: input.releasedAt,
        };
      });
    },

    /**
     * The pure format step, once per delivery: the payload snapshot is kept, so every retry sends
     * exactly what was formatted first. Rejected content fails the delivery with the editor's message.
     */
    async formatDelivery(plan: DeliveryPlan): Promise<FormatOutcome> {
      const delivery = await row(plan);
      if (SETTLED.includes(delivery.state as DeliveryState)) return { kind: 'settled', state: delivery.state as DeliveryState, publicUrl: delivery.public_url };
      if (delivery.payload !== null) return { kind: 'ready', renditions: (delivery.renditions as unknown[]).length };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      try {
        const formatted = adapter.format(await loadUnit(plan, plan.releasedAt), channel);
        await record(
          plan,
          { payload: JSON.stringify(formatted.payload), renditions: JSON.stringify(formatted.renditions), warnings: JSON.stringify(formatted.warnings) },
          formatted.warnings.length
            ? { action: 'delivery_format_warnings', details: { warnings: formatted.warnings }, eventKey: `${plan.businessKey}:format-warnings` }
            : null,
        );
        return { kind: 'ready', renditions: formatted.renditions.length };
      } catch (error) {
        if (isDeliveryError(error) && error.errorClass === 'rejected') {
          await record(
            plan,
            { state: 'failed', error_class: 'rejected', error_message: error.message, problems: JSON.stringify(error.problems) },
            { action: 'delivery_rejected', details: { message: error.message, problems: error.problems }, eventKey: `${plan.businessKey}:rejected:format` },
          );
          return { kind: 'rejected', message: error.message };
        }
        throw error;
      }
    },

    /** Prepares the renditions the adapter asked for (sharp/ffmpeg; cached), heartbeating progress. */
    async prepareDeliveryMedia(plan: DeliveryPlan): Promise<{ prepared: number }> {
      const delivery = await row(plan);
      const needs = delivery.renditions as RenditionNeed[];
      const context = Context.current();
      let done = 0;
      for (const need of needs) {
        const source = deps.renditions(
          context.cancellationSignal,
          (percent) => context.heartbeat({ spec: need.spec, percent, done }),
          channelOf(plan.channelId),
        );
        try {
          await source.get(need.mediaId, need.spec);
        } catch (error) {
          if (context.cancellationSignal.aborted) throw error;
          const message = `Cannot prepare the ${need.purpose} (${need.spec}): ${(error as Error).message}`;
          await record(
            plan,
            { state: 'failed', error_class: 'rejected', error_message: message },
            { action: 'delivery_rejected', details: { message, spec: need.spec }, eventKey: `${plan.businessKey}:rejected:media:${need.spec}` },
          );
          throw ApplicationFailure.nonRetryable(message, 'media_unusable');
        }
        done += 1;
        context.heartbeat({ spec: need.spec, percent: 100, done });
      }
      return { prepared: done };
    },

    /** One attempt to put the unit on the channel; reconciles first when an earlier attempt's outcome is unknown. */
    async transmitDelivery(plan: DeliveryPlan): Promise<AttemptOutcome> {
      const delivery = await row(plan);
      if (SETTLED.includes(delivery.state as DeliveryState)) return { kind: 'settled', state: delivery.state as DeliveryState, publicUrl: delivery.public_url };
      const held = await pausedReason(plan.channelId);
      if (held) return { kind: 'held', reason: held };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      const context = Context.current();
      let ctx: TransmitContext;
      try {
        ctx = transmitContext(delivery, channel, { signal: context.cancellationSignal });
      } catch (error) {
        if (isDeliveryError(error)) return await recordFailure(plan, error, delivery.attempts);
        throw error;
      }
      return withHeartbeat(async () => {
        // Before any retry: did an earlier attempt (crashed, timed out, answer lost) create the post?
        if (delivery.attempts > 0 && adapter.reconcile) {
          try {
            const found = await adapter.reconcile(delivery.payload, ctx);
            if (found) return recordTransmitResult(plan, found, 'reconcile');
          } catch (error) {
            if (isDeliveryError(error)) return recordFailure(plan, error, delivery.attempts);
            throw error;
          }
        }
        await record(plan, { state: 'transmitting', attempts: sql<number>`attempts + 1`, last_attempt_at: new Date(), next_attempt_at: null }, null);
        try {
          const result = await adapter.transmit(delivery.payload, ctx);
          return await recordTransmitResult(plan, result, 'transmit');
        } catch (error) {
          if (isDeliveryError(error)) return recordFailure(plan, error, delivery.attempts + 1);
          throw error;
        }
      });
    },

    /** Asks the platform where a submitted post is now. */
    async confirmDelivery(plan: DeliveryPlan): Promise<ConfirmOutcome> {
      const delivery = await row(plan);
      if (delivery.state === 'live') return { kind: 'live', publicUrl: delivery.public_url };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      if (!adapter.confirm || !delivery.external_id) return { kind: 'pending', note: 'the platform offers no status query' };
      try {
        const status = await adapter.confirm(delivery.external_id, transmitContext(delivery, channel));
        if (status.state === 'live') {
          await record(
            plan,
            {
              state: 'live',
              public_url: status.publicUrl,
              external_id: status.externalId ?? delivery.external_id,
              live_at: new Date(),
              error_class: null,
              error_message: null,
              next_attempt_at: null,
            },
            { action: 'delivery_live', details: { publicUrl: status.publicUrl, via: 'confirm' }, eventKey: `${plan.businessKey}:live` },
          );
          return { kind: 'live', publicUrl: status.publicUrl };
        }
        if (status.state === 'rejected') {
          await record(
            plan,
            { state: 'failed', error_class: 'rejected', error_message: status.message },
            { action: 'delivery_rejected', details: { message: status.message, after: 'submission' }, eventKey: `${plan.businessKey}:rejected:confirm` },
          );
          return { kind: 'rejected', message: status.message };
        }
        return { kind: 'pending', ...(status.note ? { note: status.note } : {}) };
      } catch (error) {
        if (!isDeliveryError(error)) throw error;
        const outcome = errorOutcome(error, plan.rateLimitWaitMs);
        if (outcome.kind === 'needs_reconnect' || outcome.kind === 'rate_limited') return outcome;
        return { kind: 'retryable', message: error.message };
      }
    },

    /** A state the workflow decided (waits, give-ups, operator actions), with its audit entry. */
    async changeDelivery(ref: DeliveryRef, change: DeliveryChange): Promise<void> {
      const fields: Record<string, unknown> = { state: change.state };
      if (change.errorClass !== undefined) fields.error_class = change.errorClass;
      if (change.errorMessage !== undefined) fields.error_message = change.errorMessage;
      if (change.nextAttemptAt !== undefined) fields.next_attempt_at = change.nextAttemptAt;
      if (change.task !== undefined) fields.task = change.task;
      if (change.publicUrl !== undefined) fields.public_url = change.publicUrl;
      if (change.externalId !== undefined) fields.external_id = change.externalId;
      if (change.skippedReason !== undefined) fields.skipped_reason = change.skippedReason;
      if (change.reminded) fields.reminded_at = new Date();
      if (change.live) fields.live_at = sql`coalesce(live_at, now())`;
      if (change.takenDown) fields.taken_down_at = sql`coalesce(taken_down_at, now())`;
      await record(ref, fields, { action: change.action, actor: change.actor, details: change.details, eventKey: change.eventKey });
    },

    /** Take the unit down from one channel; a channel that cannot delete gets a manual take-down task. */
    async takeDownDelivery(plan: DeliveryPlan & { reason: string }): Promise<TakeDownOutcome> {
      const delivery = await row(plan);
      if (delivery.state === 'retracted') return { kind: 'retracted' };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      if (!adapter.capabilities.canDelete || !adapter.takeDown) {
        await record(
          plan,
          { state: 'retracting', task: 'manual_takedown' },
          {
            action: 'delivery_manual_takedown_task',
            details: { reason: plan.reason, publicUrl: delivery.public_url },
            eventKey: `${plan.businessKey}:takedown-task`,
          },
        );
        return { kind: 'manual' };
      }
      await record(plan, { state: 'retracting' }, null);
      try {
        let externalId = delivery.external_id;
        if (!externalId && delivery.payload !== null && (delivery.attempts > 0 || delivery.state === 'transmitting')) {
          // Sent, but its answer was lost: ask the platform whether the post exists before saying it is gone.
          if (!adapter.reconcile) {
            await record(
              plan,
              { state: 'retracting', task: 'manual_takedown' },
              {
                action: 'delivery_manual_takedown_task',
                details: { reason: plan.reason, why: 'the post may be public but the platform cannot be asked' },
                eventKey: `${plan.businessKey}:takedown-task`,
              },
            );
            return { kind: 'manual' };
          }
          const found = await withHeartbeat(async () => adapter.reconcile!(delivery.payload, transmitContext(delivery, channel)));
          externalId = found?.externalId ?? null;
          if (found && !externalId) {
            await record(
              plan,
              { state: 'retracting', task: 'manual_takedown', public_url: found.publicUrl ?? delivery.public_url },
              {
                action: 'delivery_manual_takedown_task',
                details: { reason: plan.reason, why: 'the platform shows the post but gave no id to delete it by' },
                eventKey: `${plan.businessKey}:takedown-task`,
              },
            );
            return { kind: 'manual' };
          }
          if (externalId)
            await record(
              plan,
              { external_id: externalId, ...(found?.publicUrl ? { public_url: found.publicUrl } : {}) },
              { action: 'delivery_found_by_reconcile', details: { externalId, for: 'retraction' }, eventKey: `${plan.businessKey}:reconciled-for-takedown` },
            );
        }
        if (externalId) {
          const id = externalId;
          await withHeartbeat(async () => adapter.takeDown!(id, { ...transmitContext(delivery, channel), reason: plan.reason }));
        }
      } catch (error) {
        if (!isDeliveryError(error)) throw error;
        if (error.errorClass === 'needs_reconnect') return { kind: 'needs_reconnect', message: error.message };
        await record(plan, { error_class: error.errorClass, error_message: error.message }, null);
        return { kind: 'retryable', message: error.message, ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}) };
      }
      await record(
        plan,
        { state: 'retracted', task: null, taken_down_at: new Date(), error_class: null, error_message: null },
        { action: 'delivery_retracted', details: { reason: plan.reason }, eventKey: `${plan.businessKey}:retracted` },
      );
      return { kind: 'retracted' };
    },

    /** The channels of a release and where each delivery stands (for the package workflow's state). */
    async deliveryStates(input: { packageId: string; revision: number }): Promise<DeliveryStanding[]> {
      const rows = await db
        .selectFrom('deliveries')
        .select(['channel_id', 'state', 'public_url', 'live_at', 'external_id', 'attempts'])
        .where('package_id', '=', input.packageId)
        .where('revision', '=', input.revision)
        .execute();
      return rows.map((r) => ({
        channelId: r.channel_id,
        state: r.state,
        publicUrl: r.public_url,
        liveAt: r.live_at?.toISOString() ?? null,
        externalId: r.external_id,
        attempts: r.attempts,
      }));
    },
  };
}

function heartbeatIfActivity(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (e.g. an adapter test calling the context directly).
  }
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
