/**
 * `users set-unit` and `users set-email` while another administrator changes the same user, and
 * sent again as they stand: the audit entry's "before" is what was really there, and a change that
 * changes nothing is not audited.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import type { DB } from '../../db/schema.js';
import type { Registry } from '../../domain/registry.js';
import { setEmail } from '../../services/user-email.js';
import { addUser, setUnit } from '../../services/users.js';
import { freshDatabase } from '../support/services.js';

let db: Kysely<DB>;
let url: string;
let close: () => Promise<void>;
let registry: Registry;

beforeAll(async () => {
  ({ db, url, close } = await freshDatabase());
  registry = await loadRegistry();
  await addUser(db, registry, { name: 'admin-unit', role: 'editor' });
  await addUser(db, registry, { name: 'admin-email', role: 'editor' });
});

afterAll(async () => {
  await close?.();
});

async function audited(action: string, user: string) {
  const rows = await db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', action)
    .where(sql`details->>'user'`, '=', user)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.details as Record<string, unknown>);
}

/**
 * Runs `change` while another transaction has written `otherWrite` to the user's row and not
 * committed yet; commits it once `change` waits for the row, then awaits `change`.
 */
async function whileAnotherAdminChanges<T>(otherWrite: string, change: () => Promise<T>): Promise<T> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    await other.query('begin');
    await other.query(otherWrite);
    let finished = false;
    const running = change().finally(() => (finished = true));
    for (let waited = 0; ; waited += 100) {
      if (finished) break;
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like '%"users"%'`.execute(db);
      if (rows[0]!.n > 0) break;
      if (waited > 60_000) throw new Error('the change never waited for the other one');
      await new Promise((r) => setTimeout(r, 100));
    }
    await other.query('commit');
    return await running;
  } finally {
    await other.end();
  }
}

describe('users set-unit and set-email', () => {
  it('set-unit while another administrator moves the user: the audit says the unit the other one set was there before', async () => {
    await whileAnotherAdminChanges(`update users set unit = 'wlj' where name = 'admin-unit'`, () => setUnit(db, registry, 'admin-unit', 'jyj'));
    expect(await audited('user_unit_set', 'admin-unit')).toEqual([expect.objectContaining({ unit: 'jyj', before: 'wlj' })]);
  });

  it('set-unit to the unit the user is in already: nothing written, nothing audited', async () => {
    const row = await setUnit(db, registry, 'admin-unit', 'jyj');
    expect(row.unit).toBe('jyj');
    expect(await audited('user_unit_set', 'admin-unit')).toHaveLength(1);
  });

  it('set-email while another administrator sets one: the audit says the address the other one set was there before', async () => {
    await whileAnotherAdminChanges(`update users set email = 'first@beilin.gov.cn' where name = 'admin-email'`, () =>
      setEmail(db, 'admin-email', 'second@beilin.gov.cn', 'os:test'),
    );
    expect(await audited('user_email_set', 'admin-email')).toEqual([expect.objectContaining({ email: 'second@beilin.gov.cn', before: 'first@beilin.gov.cn' })]);
    // Sent again as it stands: not audited a second time.
    await setEmail(db, 'admin-email', 'second@beilin.gov.cn', 'os:test');
    expect(await audited('user_email_set', 'admin-email')).toHaveLength(1);
  });
});
