/**
 * Deliveries in the database: one row per (package revision × channel), found by its business
 * key; its state (a DeliveryState), payload snapshot, checkpoint and the operators' view.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type UpdateObject } from 'kysely';
import { deliveryKey, NEEDS_ACTION_STATES, type DeliveryState, type DeliveryUnit } from '../domain/delivery-state.js';
import { afterKey, pageKeyAt, type PageKey } from './paging.js';
import { auditRow, type AuditEntry } from './audit.js';
import type { DB, DeliveryRow } from './schema.js';

/** Fields of a delivery row that a step sets (updated_at is set with them). */
export type DeliveryFields = Omit<UpdateObject<DB, 'deliveries'>, 'updated_at'>;

/** Plans one pending delivery per channel; a row that exists already is kept as it is. Returns every row of the revision. */
export async function planDeliveryRows(
  db: Kysely<DB>,
  release: { packageId: string; revision: number },
  channels: { id: string; platform: string }[],
): Promise<Pick<DeliveryRow, 'id' | 'business_key' | 'channel_id'>[]> {
  await db
    .insertInto('deliveries')
    .values(
      channels.map((channel) => ({
        id: randomUUID(),
        business_key: deliveryKey({ ...release, channelId: channel.id }),
        package_id: release.packageId,
        revision: release.revision,
        channel_id: channel.id,
        platform: channel.platform,
        state: 'pending' as const,
      })),
    )
    .onConflict((oc) => oc.column('business_key').doNothing())
    .execute();
  return db
    .selectFrom('deliveries')
    .select(['id', 'business_key', 'channel_id'])
    .where('package_id', '=', release.packageId)
    .where('revision', '=', release.revision)
    .execute();
}

export async function deliveryByKey(db: Kysely<DB>, unit: DeliveryUnit): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('business_key', '=', deliveryKey(unit)).executeTakeFirst();
}

export async function updateDelivery(db: Kysely<DB>, unit: DeliveryUnit, fields: DeliveryFields): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ ...fields, updated_at: new Date() })
    .where('business_key', '=', deliveryKey(unit))
    .execute();
}

/**
 * A delivery's change and its audit entry in one statement (a data-modifying WITH): both or
 * neither, as a transaction would make them, in one round trip instead of four.
 */
export async function updateDeliveryWithAudit(db: Kysely<DB>, unit: DeliveryUnit, fields: DeliveryFields, entry: AuditEntry): Promise<void> {
  await db
    .with('changed', (qb) =>
      qb
        .updateTable('deliveries')
        .set({ ...fields, updated_at: new Date() })
        .where('business_key', '=', deliveryKey(unit))
        .returning('id'),
    )
    .insertInto('audit_log')
    .values(auditRow(entry))
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}

/** Merges multi-step transmit progress (upload ids, draft ids) into the row's checkpoint. */
export async function mergeCheckpoint(db: Kysely<DB>, unit: DeliveryUnit, progress: Record<string, unknown>): Promise<void> {
  await updateDelivery(db, unit, { checkpoint: sql`checkpoint || ${JSON.stringify(progress)}::jsonb` });
}

/** Where each delivery of a release stands. */
export async function releaseStandings(db: Kysely<DB>, release: { packageId: string; revision: number }) {
  return db
    .selectFrom('deliveries')
    .select(['channel_id', 'state', 'public_url', 'live_at', 'external_id', 'attempts'])
    .where('package_id', '=', release.packageId)
    .where('revision', '=', release.revision)
    .execute();
}

/** Every delivery of a package (all revisions), by channel. */
export async function deliveriesOfPackage(db: Kysely<DB>, packageId: string): Promise<DeliveryRow[]> {
  return db.selectFrom('deliveries').selectAll().where('package_id', '=', packageId).orderBy('channel_id').execute();
}

/** Every delivery of these packages (all revisions), e.g. to watch a batch of releases settle. */
export async function deliveriesOfPackages(db: Kysely<DB>, packageIds: readonly string[]): Promise<DeliveryRow[]> {
  if (packageIds.length === 0) return [];
  return db.selectFrom('deliveries').selectAll().where('package_id', 'in', packageIds).execute();
}

export interface DeliveryListFilter {
  state?: DeliveryState;
  channel?: string;
  platform?: string;
  packageId?: string;
  /** Only deliveries in a NEEDS_ACTION state or with an open operator task. */
  needsAction?: boolean;
  /** Only deliveries to these channels (a unit's), when given. */
  channelIds?: readonly string[];
  /** Continue after this row (the last of the previous page). */
  after?: PageKey;
  limit: number;
}

/** Deliveries, most recently changed first, and the count per state under the same channel, platform and package (not state) filters. */
export async function selectDeliveries(
  db: Kysely<DB>,
  filter: DeliveryListFilter,
): Promise<{ rows: (DeliveryRow & { page_at: string })[]; counts: Record<string, number> }> {
  let query = db.selectFrom('deliveries').selectAll().select(pageKeyAt('deliveries').as('page_at'));
  let counts = db
    .selectFrom('deliveries')
    .select(['state', sql<number>`count(*)::int`.as('n')])
    .groupBy('state');
  if (filter.channel) {
    query = query.where('channel_id', '=', filter.channel);
    counts = counts.where('channel_id', '=', filter.channel);
  }
  if (filter.platform) {
    query = query.where('platform', '=', filter.platform);
    counts = counts.where('platform', '=', filter.platform);
  }
  if (filter.packageId) {
    query = query.where('package_id', '=', filter.packageId);
    counts = counts.where('package_id', '=', filter.packageId);
  }
  if (filter.channelIds) {
    // A unit without channels matches nothing (an empty IN list is not valid SQL).
    const ids = filter.channelIds.length ? [...filter.channelIds] : [''];
    query = query.where('channel_id', 'in', ids);
    counts = counts.where('channel_id', 'in', ids);
  }
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.after) query = query.where(afterKey('deliveries', filter.after));
  if (filter.needsAction) query = query.where((eb) => eb.or([eb('state', 'in', [...NEEDS_ACTION_STATES]), eb('task', 'is not', null)]));
  const rows = await query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  const countRows = await counts.execute();
  return { rows, counts: Object.fromEntries(countRows.map((c) => [c.state, Number(c.n)])) };
}

/** By id or business key; else by an id prefix (at most two rows, so the caller can tell an ambiguous one). */
export async function findDeliveries(db: Kysely<DB>, idOrKey: string, idPrefix: boolean): Promise<DeliveryRow[]> {
  const exact = await db
    .selectFrom('deliveries')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrKey), eb('business_key', '=', idOrKey)]))
    .executeTakeFirst();
  if (exact || !idPrefix) return exact ? [exact] : [];
  return db.selectFrom('deliveries').selectAll().where('id', 'like', `${idOrKey}%`).limit(2).execute();
}

/** The delivery on `channelId` sent as platform job `externalId` and not confirmed yet, if any. */
export async function deliveryAwaitingPlatform(db: Kysely<DB>, channelId: string, externalId: string) {
  return db
    .selectFrom('deliveries')
    .select(['business_key', 'package_id', 'state'])
    .where('channel_id', '=', channelId)
    .where('external_id', '=', externalId)
    .where('state', 'in', ['transmitting', 'unconfirmed'] satisfies DeliveryState[])
    .executeTakeFirst();
}

/** Deliveries to a channel in the given states (business key and state). */
export async function deliveriesOnChannel(db: Kysely<DB>, channelId: string, states: readonly DeliveryState[]) {
  return db
    .selectFrom('deliveries')
    .select(['business_key', 'state'])
    .where('channel_id', '=', channelId)
    .where('state', 'in', [...states])
    .execute();
}

/** Field values the database computes: one more attempt counted. */
export function oneMoreAttempt() {
  return sql<number>`attempts + 1`;
}

/** A time set the first time only (a repeated step keeps the first): `at`, or the database's now. */
export function firstTime(column: 'live_at' | 'taken_down_at', at?: Date) {
  return at ? sql<Date>`coalesce(${sql.ref(column)}, ${at})` : sql<Date>`coalesce(${sql.ref(column)}, now())`;
}

/**
 * The renditions deliveries use of one original, as (spec, channel) pairs from the delivery rows'
 * `renditions` lists: what a delivery made of it (those renditions have no job row).
 */
export async function renditionUsesOf(db: Kysely<DB>, mediaId: string): Promise<{ spec: string; channelId: string }[]> {
  const { rows } = await renditionUsesQuery(mediaId).execute(db);
  return rows.filter((r) => typeof r.spec === 'string');
}

/**
 * The query of renditionUsesOf. Its containment test (`@>`) is what the GIN index on `renditions`
 * answers (migration 0014), so it reads the deliveries that use the original, not all of them.
 */
export function renditionUsesQuery(mediaId: string) {
  return sql<{ spec: string; channelId: string }>`
    select distinct used.value ->> 'spec' as "spec", d.channel_id as "channelId"
    from deliveries d cross join lateral jsonb_array_elements(d.renditions) as used
    where d.renditions @> ${JSON.stringify([{ mediaId }])}::jsonb and used.value ->> 'mediaId' = ${mediaId}
    order by 1, 2`;
}
