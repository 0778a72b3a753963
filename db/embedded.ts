/**
 * The embedded default database: PGlite in a data directory, served over the PostgreSQL wire
 * protocol so every process (all-in-one start, CLI, tests) talks to it with the same `pg` code.
 * PGlite is single-process, so exactly one process owns the data directory at a time; it records
 * its address in run/pglite.json and every other process connects there instead of opening it.
 * All connections share PGlite's one session; db/pglite-wire.ts makes them take turns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startWireServer } from './pglite-wire.js';
import { makeDataDir } from '../config/data-dir.js';

export interface EmbeddedServer {
  url: string;
  /** True when this process owns the data directory (and must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** How long a client may hold the session idle in a transaction (the wire server's default when unset). */
  idleInTransactionTimeoutMs?: number;
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
    if (running) return { url: running, owned: false, stop: async () => {} };
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
  makeDataDir(pgdata, dataDir);
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
