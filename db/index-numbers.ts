/**
 * 索引号 in the database: drawn once per package, at its first release, from a counter per organ
 * code and China-time year (domain/index-number.ts says the format). Run inside the transaction
 * that records the release step, so the number and the step are stored together or not at all.
 */
import { sql, type Kysely } from 'kysely';
import { chinaYear, formatIndexNumber, organCodeFor } from '../domain/index-number.js';
import type { IndexNumberScheme } from '../domain/registry.js';
import type { DB } from './schema.js';

/**
 * The package's index number, assigned now if it has none. The package row is locked first, so a
 * retried or concurrent step for the same package takes no second serial; the counter row's
 * upsert serializes packages of the same organ and year (PostgreSQL and PGlite alike).
 */
export async function assignIndexNumber(trx: Kysely<DB>, packageId: string, scheme: IndexNumberScheme, at: Date): Promise<string | null> {
  const row = await trx.selectFrom('packages').select(['index_number', 'unit']).where('id', '=', packageId).forUpdate().executeTakeFirst();
  if (!row) return null;
  if (row.index_number) return row.index_number;
  const organCode = organCodeFor(scheme, row.unit);
  const year = chinaYear(at);
  const { last_serial: serial } = await trx
    .insertInto('index_number_serials')
    .values({ organ_code: organCode, year, last_serial: 1 })
    .onConflict((oc) => oc.columns(['organ_code', 'year']).doUpdateSet({ last_serial: sql<number>`index_number_serials.last_serial + 1` }))
    .returning('last_serial')
    .executeTakeFirstOrThrow();
  const indexNumber = formatIndexNumber(organCode, year, serial, scheme.serialWidth);
  await trx.updateTable('packages').set({ index_number: indexNumber }).where('id', '=', packageId).execute();
  return indexNumber;
}
