/** Per-file access to the shared test services started by global-setup.ts. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { loadSettings } from '../../config/settings.js';
import { connectPostgres, openDatabase } from '../../db/connect.js';
import { findRunningEmbedded } from '../../db/embedded.js';
import { migrateToLatest } from '../../db/migrate.js';
import type { DB } from '../../db/schema.js';
import { withDatabase } from './global-setup.js';

export function servicesAvailable(): boolean {
  return inject('temporalAddress') !== '';
}

/** A database of this file's own, cloned from the migrated template: files never see each other's rows. */
export async function freshDatabase(): Promise<{ db: Kysely<DB>; url: string; close(): Promise<void> }> {
  const name = `${inject('testRunId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${inject('pgTemplateDatabase')}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(inject('pgAdminUrl'), name);
  const db = connectPostgres(url, 5);
  return { db, url, close: () => db.destroy() };
}

/**
 * The embedded default instead: PGlite in a data directory of its own, served over the wire and
 * reached through a pool, exactly as `govpub start` opens it when DATABASE_URL is not set.
 */
export async function freshEmbeddedDatabase(): Promise<{ db: Kysely<DB>; url: string; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-test-pglite-'));
  const database = await openDatabase({ databaseUrl: undefined, dataDir, pglitePort: 0, cacheDir: loadSettings().cacheDir });
  await migrateToLatest(database.db);
  const url = findRunningEmbedded(dataDir)!;
  return {
    db: database.db,
    url,
    async close() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function temporalClient(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection }), connection };
}

export async function workerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: inject('temporalAddress') });
}

/** A task queue of the file's own, so workers of parallel files never take each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
