/**
 * Keyset paging over (updated_at desc, id desc) — media: (created_at desc, id desc): the key of a row as exact text (microseconds,
 * UTC, so the next page starts exactly after it) and the condition "after this key".
 */
import { sql, type RawBuilder } from 'kysely';

/** The sort key of the last row of a page. */
export interface PageKey {
  /** updated_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  at: string;
  id: string;
}

/** The lists that page, and the time column each is ordered by (packages and deliveries by their last change, media by upload). */
const PAGED = { packages: 'updated_at', deliveries: 'updated_at', media: 'created_at' } as const;
type PagedTable = keyof typeof PAGED;

/** The row's key text, selected alongside it. */
export function pageKeyAt(table: PagedTable): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(`${table}.${PAGED[table]}`)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after `key` in (time desc, id desc) order: a row-value comparison the (time, id) index serves. */
export function afterKey(table: PagedTable, key: PageKey): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${table}.${PAGED[table]}`)}, ${sql.ref(`${table}.id`)}) < (${key.at}::timestamptz, ${key.id})`;
}
