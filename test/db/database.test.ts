/** Migrations and round trips on real PostgreSQL and on the embedded PGlite served over the wire. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectPostgres, openDatabase } from '../../db/connect.js';
import { migrateToLatest, migrationStatus } from '../../db/migrate.js';
import { renditionUsesQuery } from '../../db/deliveries.js';
import { loadRegistry } from '../../config/registry.js';
import { addUser, authenticate } from '../../services/users.js';
import { withDatabase } from '../support/global-setup.js';
import { runCli } from '../support/cli.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const name = `${inject('testRunId')}_empty_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return withDatabase(inject('pgAdminUrl'), name);
}

/**
 * The plan of the read behind 409 channel_already_paused (db/channels.ts currentPause: the latest
 * `channel_paused` entry of one channel): an index lookup, not a walk of the whole audit trail.
 */
async function channelPauseLookupPlan(db: Kysely<any>): Promise<string> {
  return db.transaction().execute(async (trx) => {
    // An empty table is read fastest by a scan whatever the indexes: ask what the planner would do without one.
    await sql`set local enable_seqscan = off`.execute(trx);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select actor from audit_log
      where channel_id = ${'weibo:blfb-wb'} and action = 'channel_paused' order by id desc limit 1`.execute(trx);
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/**
 * The plan of a media detail's lookup of the renditions deliveries use of an original
 * (db/deliveries.ts renditionUsesOf): the GIN index on the rows' rendition lists, not a scan of
 * every delivery (bench/rendition-uses-bench.ts measures both over a year of rows).
 */
async function renditionUsesPlan(db: Kysely<any>): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain ${renditionUsesQuery('a'.repeat(64))}`.execute(trx);
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe('PostgreSQL', () => {
  it('migrates a new database, and a second run applies nothing', async () => {
    const db = connectPostgres(await emptyDatabase(), 2);
    try {
      expect((await migrateToLatest(db)).applied).toEqual([
        '0001_foundation',
        '0002_delivery',
        '0003_media',
        '0004_idempotency_keys',
        '0005_user_tokens',
        '0006_console_indexes',
        '0007_accounts_units_paging',
        '0008_index_numbers_validity',
        '0009_compliance',
        '0010_user_email',
        '0011_site_probe_once',
        '0012_external_release_number',
        '0013_audit_channel_index',
        '0014_delivery_renditions_index',
        '0015_rendition_warnings_zh',
      ]);
      expect((await migrateToLatest(db)).applied).toEqual([]);
      expect((await migrationStatus(db)).every((m) => m.executedAt)).toBe(true);
      expect(await channelPauseLookupPlan(db)).toMatch(/Index (Only )?Scan.* using audit_log_channel_idx/);
      expect(await renditionUsesPlan(db)).toMatch(/Bitmap Index Scan on deliveries_renditions_idx/);
    } finally {
      await db.destroy();
    }
  });

  it('CLI commands that open the database leave PostgreSQL to `govpub db migrate`: `users add` on a new one refuses and names it, creating nothing', async () => {
    // It migrated on its own: a newer CLI changed the schema under the API and workers still running the release before.
    const url = await emptyDatabase();
    const refused = await runCli(['users', 'add', 'early-admin', '--role', 'admin'], { DATABASE_URL: url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('has no govpub schema yet');
    expect(refused.stderr).toContain('Run `govpub db migrate` once with the same DATABASE_URL');
    const db = connectPostgres(url, 1);
    try {
      const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db);
      expect(tables.rows.filter((r) => r.tablename === 'users')).toEqual([]);
    } finally {
      await db.destroy();
    }
    expect((await runCli(['db', 'migrate'], { DATABASE_URL: url })).code).toBe(0);
    const added = await runCli(['users', 'add', 'early-admin', '--role', 'admin'], { DATABASE_URL: url });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout.trim().split('\n').at(-1)).toMatch(/^gp_/);
  });

  it('leaves nothing half-migrated when a migration fails', async () => {
    const db = connectPostgres(await emptyDatabase(), 2);
    try {
      // A table in the way makes the foundation migration fail half-way through.
      await sql`create table deliveries (x int)`.execute(db);
      await expect(migrateToLatest(db)).rejects.toThrow(/0001_foundation failed: .*Nothing was applied/);
      const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db);
      expect(tables.rows.map((r) => r.tablename).filter((t) => !t.startsWith('govpub_migrations'))).toEqual(['deliveries']);
    } finally {
      await db.destroy();
    }
  });

  it('a connection cut while a query runs fails that query, not the process, and the pool recovers', async () => {
    // Without a listener on checked-out clients, pg's 'error' event crashed the process (issue 9, fault suite).
    const direct = await emptyDatabase();
    const target = new URL(direct);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.host = `127.0.0.1:${proxy.port}`;
    const db = connectPostgres(target.toString(), 2);
    const watcher = new pg.Client({ connectionString: direct });
    await watcher.connect();
    try {
      const slow = sql`select pg_sleep(5)`.execute(db);
      // Cut once the query runs on the server: a fixed 300 ms could end before a loaded machine had
      // even connected through the proxy, and the query then failed to connect instead.
      await expect
        .poll(
          async () =>
            (
              await watcher.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query = 'select pg_sleep(5)'`,
              )
            ).rows[0]!.n,
          { interval: 50 },
        )
        .toBe(1);
      proxy.down();
      await expect(slow).rejects.toThrow(/terminated/i);
      proxy.up();
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await watcher.end();
      await db.destroy();
      await proxy.close();
    }
  });

  it('names the database and what to do when it cannot be reached', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/nowhere', dataDir: '/tmp', pglitePort: 0 })).rejects.toThrow(
      /Cannot reach the database at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere \(ECONNREFUSED\)/,
    );
  });

  it('a password given as a query parameter is never echoed either', async () => {
    // pg reads ?password=… as the password; the error naming the database printed the URL whole.
    const unreachable = await runCli(['db', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere?password=hunter2-query' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Cannot reach the database at postgres://postgres@127.0.0.1:1/nowhere?password=*** (ECONNREFUSED)');
    const noRole = new URL(inject('pgAdminUrl'));
    noRole.username = 'nobody_of_govpub';
    noRole.searchParams.set('password', 'hunter2-role-query');
    const refused = await runCli(['db', 'status'], { DATABASE_URL: noRole.toString() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('role "nobody_of_govpub" does not exist (28000)');
    expect(unreachable.stderr + unreachable.stdout + refused.stderr + refused.stdout).not.toMatch(/hunter2/);
  });

  it('a missing database or role is named with what to do, the password never echoed', async () => {
    // A bare SQLSTATE (3D000, 28000) with "check that PostgreSQL is running" sent operators to a running server.
    const admin = new URL(inject('pgAdminUrl'));
    const missingDb = new URL(admin);
    missingDb.password = 'hunter2-db';
    missingDb.pathname = `/${inject('testRunId')}_never_created`;
    const noDb = await runCli(['db', 'migrate'], { DATABASE_URL: missingDb.toString() });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain(`database "${inject('testRunId')}_never_created" does not exist (3D000)`);
    expect(noDb.stderr).toContain(`createdb -h <host> -U <admin> ${inject('testRunId')}_never_created`);
    const missingRole = new URL(admin);
    missingRole.username = 'nobody_of_govpub';
    missingRole.password = 'hunter2-role';
    const noRole = await runCli(['api'], { DATABASE_URL: missingRole.toString(), PORT: '0' });
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('role "nobody_of_govpub" does not exist (28000)');
    expect(noRole.stderr).toContain('Fix the user in DATABASE_URL');
    expect(noDb.stderr + noDb.stdout + noRole.stderr + noRole.stdout).not.toMatch(/hunter2/);
  });

  it('a DATABASE_URL for another database is refused by its scheme, its password never echoed', async () => {
    const refused = await runCli(['db', 'migrate'], { DATABASE_URL: 'mysql://root:hunter2@db.internal/govpub' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DATABASE_URL is a mysql: URL; govpub needs PostgreSQL, e.g. postgres://');
    expect(refused.stderr + refused.stdout).not.toContain('hunter2');
  });
});

describe('embedded PGlite', () => {
  it('runs the same migrations, round-trips data, keeps the audit append-only, and serves other processes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-pglite-'));
    tmpDirs.push(dataDir);
    const database = await openDatabase({ databaseUrl: undefined, dataDir, pglitePort: 0 });
    try {
      expect(database.kind).toBe('pglite');
      expect((await migrateToLatest(database.db)).applied).toEqual([
        '0001_foundation',
        '0002_delivery',
        '0003_media',
        '0004_idempotency_keys',
        '0005_user_tokens',
        '0006_console_indexes',
        '0007_accounts_units_paging',
        '0008_index_numbers_validity',
        '0009_compliance',
        '0010_user_email',
        '0011_site_probe_once',
        '0012_external_release_number',
        '0013_audit_channel_index',
        '0014_delivery_renditions_index',
        '0015_rendition_warnings_zh',
      ]);
      const registry = await loadRegistry();
      const { token } = await addUser(database.db, registry, { name: 'editor-pglite', role: 'editor' });
      expect((await authenticate(database.db, token))?.name).toBe('editor-pglite');
      await expect(sql`update audit_log set actor = 'someone else'`.execute(database.db)).rejects.toThrow(/append-only/);
      expect(await channelPauseLookupPlan(database.db)).toMatch(/Index (Only )?Scan.* using audit_log_channel_idx/);
      expect(await renditionUsesPlan(database.db)).toMatch(/Bitmap Index Scan on deliveries_renditions_idx/);

      // Another process (the CLI) reaches the same data through the wire protocol while this one holds it.
      const listed = await runCli(['users', 'list', '--json'], { GOVPUB_DATA_DIR: dataDir, DATABASE_URL: '' });
      expect(listed.stderr).toBe('');
      expect(JSON.parse(listed.stdout).map((u: { name: string }) => u.name)).toEqual(['editor-pglite']);
      const added = await runCli(['users', 'add', 'reviewer-pglite', '--role', 'reviewer', '--stages', '初审'], { GOVPUB_DATA_DIR: dataDir, DATABASE_URL: '' });
      expect(added.code).toBe(0);
      expect(added.stdout.trim().split('\n').at(-1)).toMatch(/^gp_[A-Za-z0-9_-]{20,}$/);
      const rows = await database.db.selectFrom('users').select(['name', 'stages']).orderBy('name').execute();
      expect(rows).toEqual([
        { name: 'editor-pglite', stages: [] },
        { name: 'reviewer-pglite', stages: ['first'] },
      ]);
    } finally {
      await database.close();
    }
    // Reopened later (a restart), the data is still there.
    const again = await openDatabase({ databaseUrl: undefined, dataDir, pglitePort: 0 });
    try {
      expect((await migrateToLatest(again.db)).applied).toEqual([]);
      expect(await again.db.selectFrom('users').select('name').orderBy('name').execute()).toHaveLength(2);
    } finally {
      await again.close();
    }
  });

  it('a new data directory starts as a copy of the fresh cluster kept in the cache: alike, yet its own; a cache it cannot use only costs initdb', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-pglite-cache-'));
    tmpDirs.push(cacheDir);
    const newDataDir = () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-pglite-'));
      tmpDirs.push(dir);
      return dir;
    };
    const [first, second] = [newDataDir(), newDataDir()];
    const one = await openDatabase({ databaseUrl: undefined, dataDir: first, pglitePort: 0, cacheDir });
    const kept = path.join(cacheDir, 'pglite-fresh-cluster');
    // One copy, named by the PGlite release, shut down cleanly (no postmaster.pid), and nothing half-made beside it.
    const [release] = fs.readdirSync(kept);
    expect(fs.readdirSync(kept)).toEqual([release]);
    expect(release).toMatch(/^\d+\.\d+\.\d+/);
    expect(fs.existsSync(path.join(kept, release!, 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(kept, release!, 'postmaster.pid'))).toBe(false);
    const two = await openDatabase({ databaseUrl: undefined, dataDir: second, pglitePort: 0, cacheDir });
    try {
      await migrateToLatest(one.db);
      expect((await migrateToLatest(two.db)).applied).toContain('0001_foundation');
      const registry = await loadRegistry();
      await addUser(one.db, registry, { name: 'only-in-the-first', role: 'editor' });
      expect(await two.db.selectFrom('users').select('name').execute()).toEqual([]);
    } finally {
      await one.close();
      await two.close();
    }
    // The copy in the cache is untouched by what the data directories did.
    expect(fs.readdirSync(path.join(kept, release!, 'base')).length).toBeGreaterThan(0);

    // A cache that cannot be written (a file where its folder belongs): initdb, as without one.
    const blocked = path.join(newDataDir(), 'not-a-folder');
    fs.writeFileSync(blocked, '');
    const third = newDataDir();
    const three = await openDatabase({ databaseUrl: undefined, dataDir: third, pglitePort: 0, cacheDir: blocked });
    try {
      expect((await migrateToLatest(three.db)).applied).toContain('0001_foundation');
    } finally {
      await three.close();
    }
  });
});
