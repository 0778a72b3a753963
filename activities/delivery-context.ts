/**
 * What an adapter is handed for one attempt (TransmitContext): the channel's credentials and base
 * URL, platform tokens kept in the database, renditions, and the delivery's checkpoint, which a
 * multi-step transmit extends so a retry resumes where it stopped; plus the activity heartbeat and
 * the audit entry of a refusal reconcile finds (refusalFound).
 */
import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Channel } from '../domain/registry.js';
import type { RefusalFound, RenditionFile, RenditionSource, TokenStore, TransmitContext } from '../adapters/types.js';
import { deliveryErrorZh } from '../adapters/error-codes.js';
import { appendAudit } from '../db/audit.js';
import { mergeCheckpoint } from '../db/deliveries.js';
import type { DB, DeliveryRow } from '../db/schema.js';
import { channelToken, deleteChannelToken, saveChannelToken } from '../db/tokens.js';
import type { DeliveryDeps } from './delivery-activities.js';

/** Token storage in the database: shared by every worker, survives restarts (rotated refresh tokens). */
export function databaseTokenStore(db: Kysely<DB>, channelId: string): TokenStore {
  return {
    get: (name) => channelToken(db, channelId, name),
    put: (name, value, expiresAt) => saveChannelToken(db, channelId, name, value, expiresAt),
    delete: (name) => deleteChannelToken(db, channelId, name),
  };
}

/**
 * `reconcileFor`: what the attempt does after a reconcile that found its post refused (refusalFound):
 * a retry posts anew (the default), a retraction has nothing to take down.
 */
export function transmitContext(
  deps: DeliveryDeps,
  delivery: DeliveryRow,
  channel: Channel,
  extra: { signal?: AbortSignal; reconcileFor?: 'retry' | 'retraction' } = {},
): TransmitContext {
  let checkpointed = (delivery.checkpoint ?? {}) as Record<string, unknown>;
  const unit = { packageId: delivery.package_id, revision: delivery.revision, channelId: delivery.channel_id };
  return {
    businessKey: delivery.business_key,
    channel,
    account: deps.account(channel),
    credentials: deps.credentialsFor(channel),
    baseUrl: deps.baseUrlFor(channel),
    tokens: databaseTokenStore(deps.db, channel.id),
    renditions: onceEach(deps.renditions(extra.signal, undefined, channel)),
    // A getter: what reconcile saves is visible to the transmit that follows on the same context.
    get checkpointed() {
      return checkpointed;
    },
    async checkpoint(progress) {
      checkpointed = { ...checkpointed, ...progress };
      await mergeCheckpoint(deps.db, unit, progress);
    },
    heartbeat: () => heartbeatIfActivity(),
    signal: extra.signal,
    refusalFound: (refusal) => auditRefusalFound(deps.db, delivery, channel, refusal, extra.reconcileFor ?? 'retry'),
  };
}

/**
 * A refusal reconcile found, as its own audit entry: the refused post, the platform's word (its
 * code, and the sentence in English and Chinese) and whether the attempt posts anew. Keyed by the
 * refused post, so a retried activity that finds it again appends it once. Confirm's refusals are
 * `delivery_rejected`; this one is told apart because the delivery does not fail: it goes on.
 */
async function auditRefusalFound(db: Kysely<DB>, delivery: DeliveryRow, channel: Channel, refusal: RefusalFound, then: 'retry' | 'retraction'): Promise<void> {
  const messageZh = deliveryErrorZh({ platform: channel.platform, errorClass: 'rejected', errorMessage: refusal.message, platformCode: refusal.platformCode });
  await appendAudit(db, {
    actor: 'system',
    action: 'delivery_refusal_found',
    packageId: delivery.package_id,
    revision: delivery.revision,
    channelId: delivery.channel_id,
    details: {
      externalId: refusal.postId,
      platformCode: refusal.platformCode,
      message: refusal.message,
      ...(messageZh ? { messageZh } : {}),
      postsAnew: then === 'retry',
      ...(then === 'retraction' ? { for: 'retraction' } : {}),
    },
    eventKey: `${delivery.business_key}:refusal-found:${refusal.postId}`,
  });
}

/**
 * The same rendition asked for twice in one attempt (made ready before the transmit, then read by
 * the adapter) is looked up once; a failed lookup is not kept.
 */
function onceEach(source: RenditionSource): RenditionSource {
  const asked = new Map<string, Promise<RenditionFile>>();
  return {
    ...source,
    get(mediaId, spec) {
      const key = `${mediaId}\n${spec}`;
      let file = asked.get(key);
      if (!file) {
        file = source.get(mediaId, spec);
        asked.set(key, file);
        file.catch(() => asked.delete(key));
      }
      return file;
    },
  };
}

/** Runs `work` with a heartbeat every 2 s, so a dead worker is noticed within the heartbeat timeout. */
export async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(heartbeatIfActivity, 2000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function heartbeatIfActivity(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (e.g. an adapter test calling the context directly).
  }
}
