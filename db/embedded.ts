/**
 * The embedded default database: PGlite in a data directory, served over the PostgreSQL wire
 * protocol so every process (all-in-one start, CLI, tests) talks to it with the same `pg` code.
 * PGlite is single-process, so exactly one process owns the data directory at a time; it records
 * its address in run/pglite.json and every other process connects there instead of opening it.
 * All connections share PGlite's one session; db/pglite-wire.ts makes them take turns.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startWireServer } from './pglite-wire.js';
import { makeDataDir } from '../config/data-dir.js';
import { finishInterruptedRestore } from '../runtime/restore-journal.js';

export interface EmbeddedServer {
  url: string;
  /** True when this process owns the data directory (and must stop it). */
  owned: boolean;
  /** True when this process made the database: the data directory held none before. */
  created: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** How long a client may hold the session idle in a transaction (the wire server's default when unset). */
  idleInTransactionTimeoutMs?: number;
  /** Where a fresh cluster is kept to copy into the next new data directory (GOVPUB_CACHE_DIR); none when unset. */
  cacheDir?: string;
}

interface RuntimeRecord {
  pid: number;
  url: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runtimeFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'pglite.json');
}

/** The address of the embedded database a live process (maybe this one) already serves, if any. */
export function findRunningEmbedded(dataDir: string): string | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(runtimeFile(dataDir), 'utf8')) as RuntimeRecord;
    if (isAlive(record.pid)) return record.url;
  } catch {
    // no record, or unreadable: nobody serves it
  }
  return undefined;
}

/** Connect to the process that serves the data directory, or become that process. */
export async function openEmbedded(dataDir: string, port: number, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const lockFile = path.join(dataDir, 'run', 'pglite.lock');
  makeDataDir(path.dirname(lockFile), dataDir);
  for (let attempt = 0; attempt < 50; attempt++) {
    const running = findRunningEmbedded(dataDir);
    if (running) return { url: running, owned: false, created: false, stop: async () => {} };
    let lock: number;
    try {
      lock = fs.openSync(lockFile, 'wx');
    } catch {
      // Someone holds the lock: either starting up right now, or it died and left it behind.
      const holder = Number(fs.readFileSync(lockFile, 'utf8') || '0');
      if (holder && !isAlive(holder)) fs.rmSync(lockFile, { force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    fs.writeSync(lock, String(process.pid));
    fs.closeSync(lock);
    try {
      return await serve(dataDir, port, lockFile, options);
    } catch (error) {
      fs.rmSync(lockFile, { force: true });
      throw error;
    }
  }
  throw new Error(`Could not open the embedded database in ${dataDir}: another process keeps it locked (${lockFile}).`);
}

async function serve(dataDir: string, port: number, lockFile: string, options: EmbeddedOptions): Promise<EmbeddedServer> {
  const pgdata = path.join(dataDir, 'pgdata');
  // A local command on a stopped govpub opens the database first: a restore killed between its moves is finished before.
  const finished = finishInterruptedRestore(dataDir);
  if (finished) process.stderr.write(`govpub: ${finished}\n`);
  const created = !fs.existsSync(path.join(pgdata, 'PG_VERSION'));
  makeDataDir(pgdata, dataDir);
  if (options.cacheDir) await seedFromFreshCluster(pgdata, options.cacheDir);
  const db = await PGlite.create(pgdata);
  const server = await startWireServer({
    db,
    host: '127.0.0.1',
    port,
    maxConnections: 32,
    idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs,
  }).catch(async (error) => {
    await db.close();
    throw error;
  });
  const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
  const record: RuntimeRecord = { pid: process.pid, url };
  fs.writeFileSync(runtimeFile(dataDir), JSON.stringify(record));
  let stopped = false;
  return {
    url,
    owned: true,
    created,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      fs.rmSync(runtimeFile(dataDir), { force: true });
      fs.rmSync(lockFile, { force: true });
    },
  };
}

/** The PGlite release in use: the clusters its initdb makes are alike, so one serves as the copy for all. */
function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * A new data directory starts as a copy of a fresh cluster kept in the cache, instead of running
 * PGlite's initdb again: that costs about 10 CPU-s, the copy of its 40 MB a fraction of one (a
 * restore, a second installation and every test's data directory start new). The first new data
 * directory on a machine makes the copy: initdb in a folder beside it, shut down cleanly, then
 * renamed into place, so a copy in the cache is always whole. The cache is a convenience only:
 * when it cannot be written or read, initdb runs as it always did.
 */
async function seedFromFreshCluster(pgdata: string, cacheDir: string): Promise<void> {
  if (fs.readdirSync(pgdata).length > 0) return;
  try {
    const fresh = path.join(cacheDir, 'pglite-fresh-cluster', pgliteVersion());
    if (!fs.existsSync(path.join(fresh, 'PG_VERSION'))) await makeFreshCluster(fresh);
    fs.cpSync(fresh, pgdata, { recursive: true });
  } catch {
    // Leave pgdata empty, as it was: PGlite.create runs initdb there.
    for (const entry of fs.readdirSync(pgdata)) fs.rmSync(path.join(pgdata, entry), { recursive: true, force: true });
  }
}

async function makeFreshCluster(fresh: string): Promise<void> {
  fs.mkdirSync(path.dirname(fresh), { recursive: true, mode: 0o700 });
  const staging = fs.mkdtempSync(`${fresh}.making-`);
  try {
    const db = await PGlite.create(staging);
    await db.close();
    try {
      fs.renameSync(staging, fresh);
    } catch (error) {
      // Another process put its copy there first: use that one.
      if (!fs.existsSync(path.join(fresh, 'PG_VERSION'))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
