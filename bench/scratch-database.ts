/**
 * A database of its own for one benchmark run, migrated, removed by `close()`: PostgreSQL
 * `<prefix>_<random>` created on GOVPUB_BENCH_DATABASE_URL (default the local server's `postgres`
 * database), or with `pglite` the embedded PGlite served over the wire from a scratch directory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { connectPostgres } from '../db/connect.js';
import { openEmbedded } from '../db/embedded.js';
import { loadSettings } from '../config/settings.js';
import { migrateToLatest } from '../db/migrate.js';
import type { DB } from '../db/schema.js';

export interface ScratchDatabase {
  db: Kysely<DB>;
  /** What it runs on, for the figures' heading: `PostgreSQL <name>` or `PGlite`. */
  label: string;
  close(): Promise<void>;
}

export async function openScratchDatabase(options: { prefix?: string; poolSize?: number; pglite?: boolean } = {}): Promise<ScratchDatabase> {
  const poolSize = options.poolSize ?? 4;
  if (options.pglite) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-bench-pglite-'));
    const embedded = await openEmbedded(dir, 0, { cacheDir: loadSettings().cacheDir });
    const db = connectPostgres(embedded.url, poolSize);
    await migrateToLatest(db);
    return {
      db,
      label: 'PGlite',
      close: async () => {
        await db.destroy();
        await embedded.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${options.prefix ?? 'govpub_bench'}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = connectPostgres(url.toString(), poolSize);
  const close = async () => {
    await db.destroy();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
  try {
    await migrateToLatest(db);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, label: `PostgreSQL ${name}`, close };
}
