/**
 * The side effects of one delivery (package revision × channel). Exactly once rests on three
 * habits here: every step is keyed by the delivery's business key; a transmit whose outcome is
 * unknown (crash, timeout, lost answer) is reconciled with the platform before anything is sent
 * again; and multi-step progress is checkpointed in the delivery row so a retry resumes.
 * The delivery row is the operators' view: state, error class and message, next attempt.
 */
import type { Kysely } from 'kysely';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { DB, DeliveryRow } from '../db/schema.js';
import { pausedReason } from '../db/channels.js';
import { deliveryByKey, firstTime, oneMoreAttempt, planDeliveryRows, releaseStandings, type DeliveryFields } from '../db/deliveries.js';
import { deliveryKey, SETTLED_STATES } from '../domain/delivery-state.js';
import { quotaBound, releaseStartOrder } from '../domain/release-order.js';
import type { Channel, NewMediaAccount, Registry } from '../domain/registry.js';
import type { ChannelAdapter, MediaInfo, PostListContext, ReleaseUnit, RenditionNeed, RenditionSource, TransmitContext } from '../adapters/types.js';
import { getSpec, specNameZh } from '../media/specs.js';
import { GovpubError } from '../domain/errors.js';
import { isDeliveryError, problemsWrittenOut } from '../adapters/errors.js';
import { controlsWrittenOut } from '../domain/text.js';
import { deliveryErrorZh } from '../adapters/error-codes.js';
import { storedWarnings } from '../adapters/format-notes.js';
import { PLATFORM_DEFAULTS, type PlatformConfig } from '../config/platforms.js';
import {
  deliveryMediaQueue,
  platformStatusQueue,
  platformTaskQueue,
  type AttemptOutcome,
  type ConfirmOutcome,
  type CredentialCheck,
  type CredentialCheckInput,
  type DeliveryChange,
  type DeliveryPlan,
  type DeliveryRef,
  type DeliveryStanding,
  type FormatOutcome,
  type TakeDownOutcome,
  type TakedownCheck,
} from '../contracts/delivery.js';
import { databaseTokenStore, transmitContext, withHeartbeat } from './delivery-context.js';
import { attemptEventKey, deliveryRecorder, errorOutcome } from './delivery-record.js';
import { checkTakenDown, takeDown } from './delivery-takedown.js';
import { loadReleaseUnit, releaseUnitLoader } from './release-unit.js';
import { transmitTimer, workerMetrics } from '../worker/metrics.js';

/** What the delivery activities need from the running process. */
export interface DeliveryDeps {
  db: Kysely<DB>;
  registry: Registry;
  channel(id: string): Channel | undefined;
  adapterFor(channel: Channel): ChannelAdapter;
  /** Per-platform settings (confirm timeout, retries, reminders). */
  platformConfig(platform: string): PlatformConfig | undefined;
  /** True when the platform's pushes of results are set up here (WeChat: its eventToken secret is provided). */
  resultsPushed?(platform: string): boolean;
  /** The channel's credentials with secrets resolved; throws a needs_reconnect DeliveryError when one is missing. */
  credentialsFor(channel: Channel): Record<string, string>;
  /** Read the secrets again at the next credentialsFor (they are reused for a while): an operator just fixed them. */
  reloadSecrets?(): void;
  baseUrlFor(channel: Channel): string;
  account(channel: Channel): NewMediaAccount | undefined;
  /** Renditions for transmit (prepared and cached by the media step). */
  renditions(signal?: AbortSignal, onProgress?: (percent: number) => void, channel?: Channel, onWaiting?: () => void): RenditionSource;
  /** Probe of a stored original, or null when it is not in the media store. */
  mediaInfo(mediaId: string): Promise<MediaInfo | null>;
  /** Public base URL of the portal pages (for "read the full text" links). */
  portalBaseUrl: string;
  /** Base task queue; platform queues are `<base>-<platform>`. */
  taskQueue: string;
}

/**
 * True when a rendition is made by the media step: a transcode (video, audio) or a video's poster
 * frame, which takes ffmpeg seconds to minutes. An unknown spec goes there too, whose own error
 * then says what is wrong.
 */
function needsMediaStep(need: RenditionNeed): boolean {
  let spec;
  try {
    spec = getSpec(need.spec);
  } catch {
    return true;
  }
  return spec.kind === 'video' || spec.kind === 'audio' || spec.sourceKind === 'video';
}

/**
 * How long one status query of a sweeping platform waits at the sweep for the post to be final
 * before it answers "pending" (the workflow then pauses as after any pending answer); at most a
 * quarter of the platform's confirmation timeout.
 */
export const STATUS_QUERY_WAIT_MS = 20_000;

const DEFAULT_PLATFORM: Omit<PlatformConfig, 'platform'> = { baseUrlSource: 'none', credentials: {}, ...PLATFORM_DEFAULTS };

export function createDeliveryActivities(deps: DeliveryDeps) {
  const { db } = deps;

  async function row(ref: DeliveryRef): Promise<DeliveryRow> {
    const found = await deliveryByKey(db, ref);
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

  /**
   * The channels of a release or retraction. One removed from the registry after the package
   * targeted it (an account closed, a column dropped) is planned from its last synced definition
   * (the channels table keeps every channel ever synced): refusing the plan failed the whole
   * package workflow, so a retraction took nothing down anywhere. Its own delivery then says what
   * to do (a take-down becomes a manual task; a release fails with "restore it or skip").
   */
  async function channelsToPlan(ids: string[]): Promise<Channel[]> {
    const missing = ids.filter((id) => !deps.channel(id));
    if (missing.length === 0) return ids.map((id) => deps.channel(id)!);
    const stored = await db.selectFrom('channels').select(['id', 'definition']).where('id', 'in', missing).execute();
    const byId = new Map(stored.map((r) => [r.id, (typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition) as Channel]));
    return ids.map((id) => deps.channel(id) ?? byId.get(id) ?? channelOf(id));
  }

  const { record, recordTransmitResult, recordFailure } = deliveryRecorder(db);
  const releaseUnit = releaseUnitLoader(deps);

  /**
   * How many of the renditions a payload uses need the media step: transcodes (video, audio, a
   * video's poster frame) not in the media cache yet, made on the media queue two at a time per
   * worker, heartbeating their progress. A photo's renditions take a fraction of a second: the
   * transmit makes the missing ones itself (renderNeeds), which spares the delivery a task-queue
   * round trip and its package's workflow a task (issue 14: 126 media steps in a 100-package run).
   */
  async function renditionsToPrepare(channel: Channel, needs: RenditionNeed[]): Promise<number> {
    const slow = needs.filter(needsMediaStep);
    if (slow.length === 0) return 0;
    const source = deps.renditions(undefined, undefined, channel);
    if (!source.isCached) return slow.length;
    let missing = 0;
    for (const need of slow) if (!(await source.isCached(need.mediaId, need.spec))) missing += 1;
    return missing;
  }

  /**
   * Makes (or finds in the cache) every rendition the payload uses, in order; a rendition that
   * cannot be made fails the delivery as rejected, with a message that names it (the upload is
   * unusable for this platform: the editor replaces it). Returns that message, or null when all
   * are ready. Cancelled with the activity: a transcode in progress is stopped.
   */
  async function renderNeeds(
    plan: DeliveryPlan,
    needs: RenditionNeed[],
    source: (need: RenditionNeed, done: number) => RenditionSource,
    signal: AbortSignal,
  ): Promise<{ unusable: string | null; done: number }> {
    let done = 0;
    for (const need of needs) {
      try {
        await source(need, done).get(need.mediaId, need.spec);
      } catch (error) {
        if (signal.aborted) throw error;
        const message = `Cannot prepare the ${need.purpose} (${need.spec}): ${(error as Error).message}`;
        // Also as the delivery's problem, with the media error's Chinese sentence: the console shows
        // problems, and "rejected" alone would send the editor to look for a problem that is not listed.
        const problem = {
          field: need.purpose.startsWith('cover') ? 'cover' : '',
          message,
          messageZh: `发往该平台的媒体文件「${specNameZh(need.spec)}」无法生成：${error instanceof GovpubError ? error.messageZh : '媒体处理失败。'}`,
        };
        await record(
          plan,
          { state: 'failed', error_class: 'rejected', error_message: message, problems: JSON.stringify([problem]) },
          { action: 'delivery_rejected', details: { message, spec: need.spec }, eventKey: `${plan.businessKey}:rejected:media:${need.spec}` },
        );
        return { unusable: message, done };
      }
      done += 1;
    }
    return { unusable: null, done };
  }

  return {
    /** One delivery row per (package revision × channel), never two; the plan each delivery workflow follows. */
    async planDeliveries(input: { packageId: string; revision: number; channelIds: string[]; releasedAt: string }): Promise<DeliveryPlan[]> {
      if (input.channelIds.length === 0) return [];
      const channels = await channelsToPlan(input.channelIds);
      const rows = await planDeliveryRows(db, input, channels);
      const idByChannel = new Map(rows.map((r) => [r.channel_id, r]));
      // In the order the release starts them (domain/release-order.ts): quota-free platforms first, then
      // by when each platform's cap lets them go; quotaBound plans start in a later batch (workflows/release-fanout.ts).
      const capped = channels.map((channel) => ({ channel, platform: channel.platform, ratePerSecond: deps.platformConfig(channel.platform)?.ratePerSecond }));
      const bound = quotaBound(capped);
      const ordered = releaseStartOrder(capped.map((c, i) => ({ ...c, quotaBound: bound[i]! })));
      return ordered.map(({ channel, quotaBound: startsLater }) => {
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
          // Where the platform pushes its results, the first query waits for the push (pushWaitSec).
          confirmFirstPollMs:
            (config.pushWaitSec !== undefined && deps.resultsPushed?.(channel.platform) ? config.pushWaitSec : config.confirmFirstPollSec) * 1000,
          ...(config.statusSweepSec !== undefined
            ? {
                statusQueue: platformStatusQueue(deps.taskQueue, channel.platform),
                // A wait never pushes the "unconfirmed" mark much past the confirmation timeout.
                statusWaitMs: Math.min(STATUS_QUERY_WAIT_MS, Math.ceil((config.confirmTimeoutSec * 1000) / 4)),
              }
            : {}),
          maxAttempts: config.maxAttempts,
          reminderEveryMs: config.reminderEverySec * 1000,
          retryInitialMs: config.retryInitialSec * 1000,
          retryMaxMs: config.retryMaxSec * 1000,
          rateLimitWaitMs: config.rateLimitWaitSec * 1000,
          releasedAt: input.releasedAt,
          quotaBound: startsLater,
        };
      });
    },

    /**
     * The pure format step, once per delivery: the payload snapshot is kept, so every retry sends
     * exactly what was formatted first. Rejected content fails the delivery with the editor's message.
     */
    async formatDelivery(plan: DeliveryPlan): Promise<FormatOutcome> {
      const delivery = await row(plan);
      if (SETTLED_STATES.includes(delivery.state)) return { kind: 'settled', state: delivery.state, publicUrl: delivery.public_url };
      if (delivery.payload !== null) {
        const needs = delivery.renditions as RenditionNeed[];
        return { kind: 'ready', renditions: needs.length, toPrepare: await renditionsToPrepare(channelOf(plan.channelId), needs) };
      }
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      try {
        const formatted = adapter.format(await releaseUnit(plan, plan.releasedAt), channel);
        await record(
          plan,
          { payload: JSON.stringify(formatted.payload), renditions: JSON.stringify(formatted.renditions), warnings: JSON.stringify(storedWarnings(formatted)) },
          formatted.warnings.length
            ? { action: 'delivery_format_warnings', details: { warnings: formatted.warnings }, eventKey: `${plan.businessKey}:format-warnings` }
            : null,
        );
        return { kind: 'ready', renditions: formatted.renditions.length, toPrepare: await renditionsToPrepare(channel, formatted.renditions) };
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

    /**
     * Renders, while the package is in review, the renditions each target channel's payload will
     * use, so that its release finds them cached and goes straight to transmit (issue 14: waiting for
     * the media step was the longest wait between approval and live, and a video's transcodes take
     * minutes). Best effort and changes nothing but the media cache: what cannot be prepared now (an
     * unusable upload, a payload the adapter refuses) is met again by the delivery's own steps at
     * release, which report it to the editor.
     */
    async prepareReviewMedia(input: { packageId: string; revision: number; channelIds: string[] }): Promise<{ prepared: number; failed: number }> {
      const context = Context.current();
      const figures = { prepared: 0, failed: 0 };
      let unit: ReleaseUnit;
      try {
        unit = await loadReleaseUnit(deps, { ...input, channelId: '' }, new Date().toISOString());
      } catch {
        return figures; // the revision is gone (edited meanwhile): its successor is prepared at its own submit
      }
      for (const channel of input.channelIds.map((id) => deps.channel(id))) {
        if (!channel) continue;
        let needs: RenditionNeed[];
        try {
          needs = deps.adapterFor(channel).format(unit, channel).renditions;
        } catch {
          continue;
        }
        // The media cache answers at once for a rendition an earlier channel of the platform made.
        const beat = () => context.heartbeat(figures);
        const source = deps.renditions(context.cancellationSignal, beat, channel, beat);
        for (const need of needs) {
          if (context.cancellationSignal.aborted) return figures;
          await source.get(need.mediaId, need.spec).then(
            () => (figures.prepared += 1),
            () => (figures.failed += 1),
          );
          context.heartbeat(figures);
        }
      }
      return figures;
    },

    /** Prepares the renditions the adapter asked for (sharp/ffmpeg; cached), heartbeating progress. */
    async prepareDeliveryMedia(plan: DeliveryPlan): Promise<{ prepared: number }> {
      const delivery = await row(plan);
      const context = Context.current();
      const channel = channelOf(plan.channelId);
      const { unusable, done } = await renderNeeds(
        plan,
        delivery.renditions as RenditionNeed[],
        (need, done) => {
          context.heartbeat({ spec: need.spec, done });
          return deps.renditions(
            context.cancellationSignal,
            (percent) => context.heartbeat({ spec: need.spec, percent, done }),
            channel,
            () => context.heartbeat({ spec: need.spec, waiting: 'for a transcode slot', done }),
          );
        },
        context.cancellationSignal,
      );
      if (unusable) throw ApplicationFailure.nonRetryable(unusable, 'media_unusable');
      context.heartbeat({ percent: 100, done });
      return { prepared: done };
    },

    /** One attempt to put the unit on the channel; reconciles first when an earlier attempt's outcome is unknown. */
    async transmitDelivery(plan: DeliveryPlan): Promise<AttemptOutcome> {
      const delivery = await row(plan);
      if (SETTLED_STATES.includes(delivery.state)) return { kind: 'settled', state: delivery.state, publicUrl: delivery.public_url };
      const held = await pausedReason(db, plan.channelId);
      if (held) return { kind: 'held', reason: held };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      const context = Context.current();
      // The first attempt after a credentials hold reads the secrets afresh: the resume's check may
      // have run on another worker, and this one's cached secrets may be the refused ones.
      if (delivery.state === 'needs_reconnect') deps.reloadSecrets?.();
      let ctx: TransmitContext;
      try {
        ctx = transmitContext(deps, delivery, channel, { signal: context.cancellationSignal });
      } catch (error) {
        // A refusal before the transmit (a credential missing) is this try's: numbered and counted as one, so
        // a second refusal is recorded and audited, not taken for a repeat of the first.
        if (isDeliveryError(error)) return await recordFailure(plan, error, delivery.attempts + 1, { countsAsAttempt: true });
        throw error;
      }
      const timer = transmitTimer(channel.platform, delivery.created_at);
      return withHeartbeat(async () => {
        // Before any retry: did an earlier attempt (crashed, timed out, answer lost) create the post?
        if (delivery.attempts > 0 && adapter.reconcile) {
          try {
            const found = await adapter.reconcile(delivery.payload, ctx);
            if (found) return recordTransmitResult(plan, found, 'reconcile', delivery.attempts);
          } catch (error) {
            if (isDeliveryError(error)) return recordFailure(plan, error, delivery.attempts + 1, { countsAsAttempt: true });
            throw error;
          }
        }
        // The renditions the media step left to this step (a photo's), or lost from the cache since.
        const made = await renderNeeds(plan, delivery.renditions as RenditionNeed[], () => ctx.renditions, context.cancellationSignal);
        if (made.unusable) return { kind: 'rejected' as const, message: made.unusable };
        await record(plan, { state: 'transmitting', attempts: oneMoreAttempt(), last_attempt_at: new Date(), next_attempt_at: null }, null);
        try {
          const result = await adapter.transmit(delivery.payload, ctx);
          return await recordTransmitResult(plan, result, 'transmit', delivery.attempts + 1);
        } catch (error) {
          if (isDeliveryError(error)) return recordFailure(plan, error, delivery.attempts + 1);
          throw error;
        }
      }).then(timer.settled, timer.threw);
    },

    /** Asks the platform where a submitted post is now. */
    async confirmDelivery(plan: DeliveryPlan): Promise<ConfirmOutcome> {
      const delivery = await row(plan);
      if (delivery.state === 'live') return { kind: 'live', publicUrl: delivery.public_url };
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      if (!adapter.confirm || !delivery.external_id) return { kind: 'pending', note: 'the platform offers no status query' };
      try {
        // A sweeping platform's query waits at the sweep (heartbeating) for the post to be final.
        const sweepSec = deps.platformConfig(channel.platform)?.statusSweepSec;
        const statusWait = plan.statusWaitMs !== undefined && sweepSec !== undefined ? { waitMs: plan.statusWaitMs, sweepEveryMs: sweepSec * 1000 } : undefined;
        // A waiting query ends when its activity is cancelled (an operator acted, a worker is stopping).
        const ctx = { ...transmitContext(deps, delivery, channel, { signal: Context.current().cancellationSignal }), ...(statusWait ? { statusWait } : {}) };
        const ask = () => adapter.confirm!(delivery.external_id!, ctx);
        const status = statusWait ? await withHeartbeat(ask) : await ask();
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
              problems: '[]',
              next_attempt_at: null,
            },
            { action: 'delivery_live', details: { publicUrl: status.publicUrl, via: 'confirm' }, eventKey: `${plan.businessKey}:live` },
          );
          workerMetrics.planToLive(channel.platform, delivery.created_at);
          return { kind: 'live', publicUrl: status.publicUrl };
        }
        if (status.state === 'rejected') {
          // The platform's reviewers' words, quoted to people: shown, never acted on by a terminal.
          status.message = controlsWrittenOut(status.message);
          if (status.problems) status.problems = problemsWrittenOut(status.problems);
          await record(
            plan,
            {
              state: 'failed',
              error_class: 'rejected',
              error_message: status.message,
              // The platform's word for this refusal, or none: never the code of an earlier attempt's failure.
              platform_code: status.platformCode ?? null,
              ...(status.problems ? { problems: JSON.stringify(status.problems) } : {}),
            },
            {
              action: 'delivery_rejected',
              // The refused post and the platform's code, as a refusal reconcile finds names them (delivery-context.ts).
              details: {
                message: status.message,
                messageZh: deliveryErrorZh({
                  platform: channel.platform,
                  errorClass: 'rejected',
                  errorMessage: status.message,
                  platformCode: status.platformCode ?? null,
                }),
                after: 'submission',
                externalId: delivery.external_id,
                ...(status.platformCode ? { platformCode: status.platformCode } : {}),
                ...(status.problems ? { problems: status.problems } : {}),
              },
              // Once per submission: a retry's post refused again is audited again.
              eventKey: attemptEventKey(`${plan.businessKey}:rejected:confirm`, delivery.attempts),
            },
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
      const fields: DeliveryFields = { state: change.state };
      if (change.errorClass !== undefined) fields.error_class = change.errorClass;
      if (change.errorMessage !== undefined) fields.error_message = change.errorMessage;
      if (change.nextAttemptAt !== undefined) fields.next_attempt_at = change.nextAttemptAt;
      if (change.task !== undefined) fields.task = change.task;
      if (change.publicUrl !== undefined) fields.public_url = change.publicUrl;
      if (change.externalId !== undefined) fields.external_id = change.externalId;
      if (change.skippedReason !== undefined) fields.skipped_reason = change.skippedReason;
      if (change.reminded) fields.reminded_at = new Date();
      if (change.live) fields.live_at = firstTime('live_at', change.liveAt ? new Date(change.liveAt) : undefined);
      if (change.takenDown) fields.taken_down_at = firstTime('taken_down_at');
      await record(ref, fields, { action: change.action, actor: change.actor, details: change.details, eventKey: change.eventKey });
    },

    /** Whether the channel is still held (paused by operations, or after refused credentials). */
    async channelStillHeld(channelId: string): Promise<boolean> {
      return (await pausedReason(db, channelId)) !== null;
    },

    /**
     * Asks the platform whether it takes the channel's credentials now, with an authenticated call
     * that changes nothing, made as a delivery would make it (this worker's secrets, read afresh,
     * and the channel's stored tokens). Never throws: the answer says what the platform said.
     */
    async checkChannelCredentials(input: CredentialCheckInput): Promise<CredentialCheck> {
      const channel = channelOf(input.channelId);
      const adapter = deps.adapterFor(channel);
      const check =
        adapter.checkCredentials?.bind(adapter) ?? (adapter.latestPosts ? async (ctx: PostListContext) => void (await adapter.latestPosts!(ctx, 1)) : null);
      if (!check) return { outcome: 'unchecked', reason: `${channel.platform} offers no call govpub can check credentials with` };
      deps.reloadSecrets?.();
      try {
        await check({
          channel,
          account: deps.account(channel),
          credentials: deps.credentialsFor(channel),
          baseUrl: deps.baseUrlFor(channel),
          tokens: databaseTokenStore(db, channel.id),
          signal: Context.current().cancellationSignal,
        });
        return { outcome: 'accepted' };
      } catch (error) {
        if (isDeliveryError(error) && error.errorClass === 'needs_reconnect') {
          return { outcome: 'refused', message: error.message, platformCode: error.platformCode === undefined ? null : String(error.platformCode) };
        }
        return { outcome: 'unchecked', reason: `the platform could not be asked: ${(error as Error).message.split('\n')[0]!.slice(0, 300)}` };
      }
    },

    /** Take the unit down from one channel; a channel that cannot delete gets a manual take-down task. */
    async takeDownDelivery(plan: DeliveryPlan & { reason: string }): Promise<TakeDownOutcome> {
      const delivery = await row(plan);
      if (delivery.state === 'retracted') return { kind: 'retracted' };
      if (!deps.channel(plan.channelId)) {
        // No adapter can be built for a channel the registry no longer has: a person takes the post down.
        await record(
          plan,
          { state: 'retracting', task: 'manual_takedown' },
          {
            action: 'delivery_manual_takedown_task',
            details: {
              reason: plan.reason,
              publicUrl: delivery.public_url,
              why: `channel ${plan.channelId} is not in the registry any more (config/registry): take the post down by hand and confirm`,
            },
            eventKey: `${plan.businessKey}:takedown-task`,
          },
        );
        return { kind: 'manual' };
      }
      const channel = channelOf(plan.channelId);
      const adapter = deps.adapterFor(channel);
      return takeDown(deps, record, plan, delivery, channel, adapter);
    },

    /** Before an operator's "taken down by hand" is accepted: does the platform still have the post? */
    async checkTakenDown(plan: DeliveryPlan): Promise<TakedownCheck> {
      const delivery = await row(plan);
      const channel = deps.channel(plan.channelId);
      if (!channel) return { kind: 'unchecked', reason: `channel ${plan.channelId} is not in the registry any more` };
      return checkTakenDown(deps, delivery, channel, deps.adapterFor(channel));
    },

    /** The channels of a release and where each delivery stands (for the package workflow's state). */
    async deliveryStates(input: { packageId: string; revision: number }): Promise<DeliveryStanding[]> {
      const rows = await releaseStandings(db, input);
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

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
