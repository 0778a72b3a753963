/**
 * The embedded default database: PGlite in a data directory, served over the PostgreSQL wire
 * protocol so every process (all-in-one start, CLI, tests) talks to it with the same `pg` code.
 * PGlite is single-process, so exactly one process owns the data directory at a time; it records
 * its address in run/pglite.json and every other process connects there instead of opening it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedServer {
  url: string;
  /** True when this process owns the data directory (and must stop it). */
  owned: boolean;
  stop(): Promise<void>;
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
export async function openEmbedded(dataDir: string, port: number): Promise<EmbeddedServer> {
  const lockFile = path.join(dataDir, 'run', 'pglite.lock');
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
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
      return await serve(dataDir, port, lockFile);
    } catch (error) {
      fs.rmSync(lockFile, { force: true });
      throw error;
    }
  }
  throw new Error(`Could not open the embedded database in ${dataDir}: another process keeps it locked (${lockFile}).`);
}

async function serve(dataDir: string, port: number, lockFile: string): Promise<EmbeddedServer> {
  const pgdata = path.join(dataDir, 'pgdata');
  fs.mkdirSync(pgdata, { recursive: true });
  const db = await PGlite.create(pgdata);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 32 });
  await server.start();
  // With port 0 the OS picks one; read it back from the listening socket.
  const listening = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  const url = `postgres://postgres@127.0.0.1:${listening.port}/postgres`;
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
