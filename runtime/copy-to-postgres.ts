/**
 * `govpub db copy-embedded`: the embedded database (PGlite in the data directory) copied into an
 * empty PostgreSQL database (DATABASE_URL), the first step off the embedded default. The schema
 * comes from the migrations, the rows table by table in one transaction (parents before the
 * tables that refer to them), the sequences set past the copied ids, and every table's count
 * compared before the commit: a copy that does not match leaves the target as empty as it was.
 *
 * Rows travel as JSON text (row_to_json on the embedded side, json_populate_recordset on
 * PostgreSQL's), so every column type arrives as PostgreSQL itself reads it back, with nothing
 * converted by the JavaScript driver on the way (a jsonb array would become a PostgreSQL array).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Settings } from '../config/settings.js';
import { redactUrl } from '../config/database-url.js';
import { GovpubError } from '../domain/errors.js';
import { holdDataDir, tableCounts } from './backup.js';

const BATCH_ROWS = 500;
const MIGRATION_TABLES = new Set(['govpub_migrations', 'govpub_migrations_lock']);

export interface CopyReport {
  from: string;
  to: string;
  /** Rows per table, the same in both (checked). */
  tables: Record<string, number>;
  migrationsApplied: string[];
  mediaDir: string;
  mediaFiles: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Tables in an order where each comes after the tables its foreign keys name. */
async function parentsFirst(db: Kysely<any>, tables: string[]): Promise<string[]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = 'public'`.execute(db);
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const { child, parent } of rows) if (unquote(child) !== unquote(parent)) parents.get(unquote(child))?.add(unquote(parent));
  const ordered: string[] = [];
  const visit = (table: string, seen: Set<string>) => {
    if (ordered.includes(table) || seen.has(table)) return;
    seen.add(table);
    for (const parent of parents.get(table) ?? []) visit(parent, seen);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

function mediaFileCount(dir: string): number {
  let count = 0;
  const visit = (at: string, relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!relative && entry.name === 'tmp') continue;
      if (entry.isDirectory()) visit(path.join(at, entry.name), `${relative}${entry.name}/`);
      else if (entry.isFile()) count++;
    }
  };
  visit(dir, '');
  return count;
}

export async function copyEmbeddedToPostgres(settings: Settings): Promise<CopyReport> {
  const url = settings.databaseUrl;
  if (!url)
    throw new GovpubError(
      'invalid_arguments',
      'Set DATABASE_URL to the empty PostgreSQL database to copy the embedded database into, e.g. DATABASE_URL=postgres://govpub@db:5432/govpub govpub db copy-embedded.',
      {},
      { zh: '请用 DATABASE_URL 指定要复制到的空 PostgreSQL 数据库，例如 DATABASE_URL=postgres://govpub@db:5432/govpub govpub db copy-embedded。' },
    );
  const pgdata = path.join(settings.dataDir, 'pgdata');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION')))
    throw new GovpubError(
      'backup_nothing',
      `There is no embedded database in ${settings.dataDir} (no ${pgdata}): nothing to copy. Check GOVPUB_DATA_DIR.`,
      { dataDir: settings.dataDir },
      {
        zh: `数据目录 ${settings.dataDir} 中没有内置数据库（没有 ${pgdata}），无可复制的内容。请检查 GOVPUB_DATA_DIR。`,
      },
    );
  const hold = holdDataDir(settings, 'db copy-embedded');
  const to = redactUrl(url);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const source = await PGlite.create(pgdata);
    const { assertReachable, connectPostgres } = await import('../db/connect.js');
    const target = connectPostgres(url, 2);
    try {
      // Named, with what to do, before any work: a refused connection ended in "unexpected error: connect ECONNREFUSED".
      await assertReachable(target, to, [new URL(url).password].filter(Boolean));
      const { migrations, tables: sourceCounts } = await tableCounts(source);
      const { MIGRATION_NAMES, migrateToLatest } = await import('../db/migrate.js');
      const missing = MIGRATION_NAMES.filter((name) => !migrations.includes(name));
      const unknown = migrations.filter((name) => !MIGRATION_NAMES.includes(name));
      if (unknown.length > 0 || missing.length > 0)
        throw new GovpubError(
          'copy_schema_differs',
          unknown.length > 0
            ? `The embedded database has migrations this release does not know (${unknown.join(', ')}): copy it with the release that wrote it. Nothing was copied.`
            : `The embedded database lacks migrations of this release (${missing.join(', ')}): bring it up to date first (govpub db migrate without DATABASE_URL), then copy. Nothing was copied.`,
          { missing, unknown },
          {
            zh:
              unknown.length > 0
                ? `内置数据库含本版本不认识的迁移（${unknown.join('、')}），请用写入它的版本复制。未复制任何数据。`
                : `内置数据库缺少本版本的迁移（${missing.join('、')}），请先不设 DATABASE_URL 运行 govpub db migrate，再复制。未复制任何数据。`,
          },
        );

      // Empty: no table holds a row (a copy that failed before its commit left only the schema).
      const existing = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(target);
      const occupied: string[] = [];
      for (const { table_name } of existing.rows) {
        if (MIGRATION_TABLES.has(table_name)) continue;
        const { rows } = await sql<{ any: boolean }>`select exists (select 1 from ${sql.table(table_name)}) as any`.execute(target);
        if (rows[0]!.any) occupied.push(table_name);
      }
      if (occupied.length > 0)
        throw new GovpubError(
          'postgres_not_empty',
          `The PostgreSQL database ${to} is not empty (rows in ${occupied.join(', ')}): nothing was copied. Copy into a new, empty database (createdb), so nothing in it is mixed with or overwritten by the embedded rows.`,
          { database: to, occupied },
          {
            zh: `PostgreSQL 数据库 ${to} 不是空库（${occupied.join('、')} 中已有数据），未复制任何数据。请复制到新建的空数据库（createdb），以免与内置数据库的数据混在一起或被覆盖。`,
          },
        );

      const report = await migrateToLatest(target);
      const tables = Object.keys(sourceCounts).filter((t) => !MIGRATION_TABLES.has(t));
      const order = await parentsFirst(target, tables);
      const copied: Record<string, number> = {};
      await target.transaction().execute(async (trx) => {
        for (const table of order) {
          // One read of the table, cut into batches by row number: paging with OFFSET over a
          // column that is not unique could skip one row and repeat another.
          const batches = await source.query<{ rows: string }>(
            `select json_agg(r)::text as rows from (select row_to_json(t) as r, (row_number() over () - 1) / ${BATCH_ROWS} as batch from ${quote(table)} t) s group by batch order by batch`,
          );
          for (const { rows } of batches.rows) {
            await sql`insert into ${sql.table(table)} select * from json_populate_recordset(null::${sql.table(table)}, ${rows}::json)`.execute(trx);
          }
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx);
          copied[table] = rows[0]!.n;
        }
        const differing = tables.filter((t) => copied[t] !== sourceCounts[t]);
        if (differing.length > 0)
          throw new GovpubError(
            'copy_count_mismatch',
            `After the copy, PostgreSQL does not hold the rows the embedded database does (${differing.map((t) => `${t}: ${sourceCounts[t]} embedded, ${copied[t]} copied`).join('; ')}). The copy was rolled back; nothing was kept.`,
            { differing },
            { zh: `复制后 PostgreSQL 的行数与内置数据库不符（${differing.join('、')}），已整体回滚，未保留任何数据。` },
          );
        // Serial and identity columns continue after the copied ids.
        const sequences = await sql<{ table_name: string; column_name: string; sequence: string }>`
          select table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
          from information_schema.columns where table_schema = 'public' and pg_get_serial_sequence(quote_ident(table_name), column_name) is not null`.execute(
          trx,
        );
        for (const { table_name, column_name, sequence } of sequences.rows) {
          await sql`select setval(${sequence}::regclass, coalesce((select max(${sql.ref(column_name)}) from ${sql.table(table_name)}), 0) + 1, false)`.execute(
            trx,
          );
        }
      });
      return {
        from: pgdata,
        to,
        tables: copied,
        migrationsApplied: report.applied,
        mediaDir: settings.mediaDir,
        mediaFiles: mediaFileCount(settings.mediaDir),
      };
    } finally {
      await target.destroy();
      await source.close();
    }
  } finally {
    hold.release();
  }
}
