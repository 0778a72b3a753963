/**
 * What an adapter is handed for one attempt (TransmitContext): the channel's credentials and base
 * URL, platform tokens kept in the database, renditions, and the delivery's checkpoint, which a
 * multi-step transmit extends so a retry resumes where it stopped; plus the activity heartbeat.
 */
import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Channel } from '../domain/registry.js';
import type { RenditionFile, RenditionSource, TokenStore, TransmitContext } from '../adapters/types.js';
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

export function transmitContext(deps: DeliveryDeps, delivery: DeliveryRow, channel: Channel, extra: { signal?: AbortSignal } = {}): TransmitContext {
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
  };
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
