/**
 * Keyset paging over (updated_at desc, id desc): the key of a row as exact text (microseconds,
 * UTC, so the next page starts exactly after it) and the condition "after this key".
 */
import { sql, type RawBuilder } from 'kysely';

/** The sort key of the last row of a page. */
export interface PageKey {
  /** updated_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  at: string;
  id: string;
}

/** The row's key text, selected alongside it. */
export function pageKeyAt(table: 'packages' | 'deliveries'): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(`${table}.updated_at`)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after `key` in (updated_at desc, id desc) order: a row-value comparison the (updated_at, id) index serves. */
export function afterKey(table: 'packages' | 'deliveries', key: PageKey): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${table}.updated_at`)}, ${sql.ref(`${table}.id`)}) < (${key.at}::timestamptz, ${key.id})`;
}
