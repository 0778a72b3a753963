/**
 * The opaque cursor of the lists (packages, deliveries): base64url of the last row's sort key,
 * `[updated_at with microseconds, id]`. Lists order by (updated_at desc, id desc) and continue
 * strictly after the key, so a row inserted meanwhile never shifts a page (it sorts first).
 */
import { GovpubError } from '../domain/errors.js';
import type { PageKey } from '../db/paging.js';

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');
}

function badCursor(): GovpubError {
  return new GovpubError(
    'bad_cursor',
    'The cursor is not one this list gave out. Pass `nextCursor` from the previous page unchanged, or leave it out to start from the first page.',
    {
      status: 400,
      issues: [
        {
          path: 'cursor',
          message: 'not a cursor from this list; use nextCursor as given',
          messageZh: '不是本列表给出的游标；请原样使用上一页返回的 nextCursor',
        },
      ],
    },
  );
}

/**
 * Whether `at` names an instant as the lists write it: Date.parse takes 30 February, 24:00 and
 * year 0000 (rolling them over) where PostgreSQL refuses them, so a cursor edited by hand to one
 * would fail in the query (a 500) instead of being refused as a cursor.
 */
function isCalendarInstant(at: string): boolean {
  const ms = Date.parse(at);
  return !Number.isNaN(ms) && !at.startsWith('0000') && new Date(ms).toISOString().slice(0, 19) === at.slice(0, 19);
}

export function decodeCursor(value: string): PageKey {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(value)) throw badCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw badCursor();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !AT.test(at) || !isCalendarInstant(at)) throw badCursor();
  if (typeof id !== 'string' || id.length === 0 || id.length > 300 || /[\u0000-\u001f\u007f]/.test(id)) throw badCursor();
  return { at, id };
}
