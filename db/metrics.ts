/** Counts the API's /metrics reports from the database: one grouped query each, read at scrape time. */
import { sql, type Kysely } from 'kysely';
import type { DeliveryState } from '../domain/delivery-state.js';
import type { DB } from './schema.js';

/** Deliveries per (platform, state). A row planned before platforms were recorded counts as platform "". */
export async function deliveryCountsByPlatformAndState(db: Kysely<DB>): Promise<{ platform: string; state: DeliveryState; count: number }[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select([sql<string>`coalesce(platform, '')`.as('platform'), 'state', sql<number>`count(*)::int`.as('count')])
    .groupBy([sql`coalesce(platform, '')`, 'state'])
    .execute();
  return rows.map((r) => ({ platform: r.platform, state: r.state, count: Number(r.count) }));
}

/** Packages per status. */
export async function packageCountsByStatus(db: Kysely<DB>): Promise<{ status: string; count: number }[]> {
  const rows = await db
    .selectFrom('packages')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
}
