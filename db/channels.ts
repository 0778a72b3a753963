/** Channels as the database keeps them: the registry's snapshot plus operational state (a pause and its reason). */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { ChannelsTable, DB } from './schema.js';

/** Inserts or refreshes channel rows from the registry, keeping their pause. */
export async function upsertChannels(db: Kysely<DB>, rows: Insertable<ChannelsTable>[]): Promise<void> {
  await db
    .insertInto('channels')
    .values(rows)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        platform: sql`excluded.platform`,
        kind: sql`excluded.kind`,
        name: sql`excluded.name`,
        owner_unit: sql`excluded.owner_unit`,
        publishing: sql`excluded.publishing`,
        ref: sql`excluded.ref`,
        definition: sql`excluded.definition`,
        registry_digest: sql`excluded.registry_digest`,
        synced_at: sql`excluded.synced_at`,
      }),
    )
    .execute();
}

/** Every channel's pause (null when not paused), by channel id. */
export async function channelPauses(db: Kysely<DB>): Promise<Map<string, { paused_at: Date | null; paused_reason: string | null }>> {
  const rows = await db.selectFrom('channels').select(['id', 'paused_at', 'paused_reason']).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Why a channel is held, or null when it is not. */
export async function pausedReason(db: Kysely<DB>, channelId: string): Promise<string | null> {
  const channel = await db.selectFrom('channels').select(['paused_at', 'paused_reason']).where('id', '=', channelId).executeTakeFirst();
  return channel?.paused_at ? (channel.paused_reason ?? 'paused by operations') : null;
}

/** A channel's pause: when, why, and who set it (a user's name, `system` for govpub's own hold, null when the audit trail does not say). */
export interface ChannelPause {
  at: Date;
  reason: string | null;
  by: string | null;
}

/**
 * The pause a channel is under now, with who set it: the actor of its latest `channel_paused`
 * audit entry (written in the same transaction as every pause), by user name when a user, `system`
 * when govpub held it itself; null when the channel is not paused. `lock`: the channel's row is
 * locked until the transaction ends (a pause decided on what was read here cannot race another).
 */
export async function currentPause(db: Kysely<DB>, channelId: string, options: { lock?: boolean } = {}): Promise<ChannelPause | null> {
  if (options.lock) await db.selectFrom('channels').select('id').where('id', '=', channelId).forUpdate().execute();
  return (await currentPauses(db, [channelId])).get(channelId) ?? null;
}

/**
 * The pauses of the given channels (every channel when `channelIds` is left out), by channel id;
 * a channel that is not paused is not in the map. One query, however many channels: lists that
 * name a pause on each of their rows read them here, not one channel at a time.
 */
export async function currentPauses(db: Kysely<DB>, channelIds?: readonly string[]): Promise<Map<string, ChannelPause>> {
  if (channelIds?.length === 0) return new Map();
  let read = db
    .selectFrom('channels')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('audit_log')
          .select('audit_log.actor')
          .whereRef('audit_log.channel_id', '=', 'channels.id')
          .where('audit_log.action', '=', 'channel_paused')
          .orderBy('audit_log.id', 'desc')
          .limit(1)
          .as('pauser'),
      (join) => join.onTrue(),
    )
    .leftJoin('users', 'users.id', 'pauser.actor')
    .select(['channels.id', 'channels.paused_at', 'channels.paused_reason', 'pauser.actor', 'users.name'])
    .where('channels.paused_at', 'is not', null);
  if (channelIds) read = read.where('channels.id', 'in', [...new Set(channelIds)]);
  const rows = await read.execute();
  return new Map(rows.map((r) => [r.id, { at: r.paused_at!, reason: r.paused_reason, by: r.actor === null ? null : (r.name ?? r.actor) }] as const));
}

/**
 * The latest lifting of a channel's pause, with who lifted it (by user name when a user), or null
 * when it was never resumed: what a resume of a channel that is not paused names.
 */
export async function lastResume(db: Kysely<DB>, channelId: string): Promise<{ at: Date; by: string } | null> {
  const entry = await db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor')
    .select(['audit_log.at', 'audit_log.actor', 'users.name'])
    .where('audit_log.channel_id', '=', channelId)
    .where('audit_log.action', '=', 'channel_resumed')
    .orderBy('audit_log.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return entry ? { at: entry.at, by: entry.name ?? entry.actor } : null;
}

/**
 * The reason govpub writes when it holds a channel because the platform refused its credentials,
 * and how readers recognise it (channel health reports the credentials as invalid).
 */
const REFUSED_CREDENTIALS_PREFIX = 'needs reconnect: ';
export const refusedCredentialsPauseReason = (platformMessage: string): string => `${REFUSED_CREDENTIALS_PREFIX}${platformMessage}`;
export const isRefusedCredentialsPause = (reason: string): boolean => reason.startsWith(REFUSED_CREDENTIALS_PREFIX);

/**
 * Holds a channel. `onlyIfRunning`: leaves an existing pause (and its reason) alone; returns
 * whether this call paused it.
 */
export async function pauseChannel(db: Kysely<DB>, channelId: string, reason: string, at: Date, onlyIfRunning = false): Promise<boolean> {
  let q = db.updateTable('channels').set({ paused_at: at, paused_reason: reason }).where('id', '=', channelId);
  if (onlyIfRunning) q = q.where('paused_at', 'is', null);
  const updated = await q.executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Lifts a channel's pause; returns the reason it had. */
export async function unpauseChannel(db: Kysely<DB>, channelId: string): Promise<string | null> {
  const before = await db.selectFrom('channels').select(['paused_reason']).where('id', '=', channelId).executeTakeFirst();
  await db.updateTable('channels').set({ paused_at: null, paused_reason: null }).where('id', '=', channelId).execute();
  return before?.paused_reason ?? null;
}
