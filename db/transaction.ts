/** Runs several data-layer calls as one transaction: all of them are stored, or none. */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
