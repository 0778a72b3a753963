/**
 * A private PostgreSQL cluster that a test or bench may stop and start at will (the machine's
 * shared server on 5432 is never touched): initdb into a temporary directory, a free port on
 * 127.0.0.1, trust authentication. Uses the installed server binaries (GOVPUB_PG_BIN, else the
 * newest /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so as root the
 * commands run as the `postgres` user (runuser), which owns the directory.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './running.js';

const run = promisify(execFile);

export { freePort };

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  /** Server binaries and data directory, for the report. */
  description: string;
  running(): boolean;
  /** `pg_ctl stop -m <mode>`: fast (sessions ended, clean checkpoint) or immediate (as a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it (immediate) and removes its directory. */
  close(): Promise<void>;
}

function serverBinDir(): string | undefined {
  const explicit = process.env.GOVPUB_PG_BIN;
  if (explicit) return fs.existsSync(path.join(explicit, 'pg_ctl')) ? explicit : undefined;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

/** Starts a private cluster, or says why it cannot (no server binaries, no `postgres` user as root, initdb failed). */
export async function startPrivatePostgres(): Promise<PrivatePostgres | { unavailable: string }> {
  const bin = serverBinDir();
  if (!bin) return { unavailable: 'no PostgreSQL server binaries (set GOVPUB_PG_BIN to the directory holding initdb and pg_ctl)' };
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    try {
      owner = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
    } catch {
      return { unavailable: 'running as root and there is no `postgres` user to run the server as' };
    }
  }
  const cmd = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-private-pg-'));
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  let up = false;
  const start = async () => {
    // fsync off: the machine does not crash in these runs, the server does (stop -m immediate is a crash for PostgreSQL).
    await cmd('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
    up = true;
  };
  try {
    await cmd('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await start();
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { unavailable: `could not start a private cluster with ${bin}: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}` };
  }
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!up) return;
    await cmd('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    up = false;
  };
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    description: `private PostgreSQL cluster (${bin}, data in ${data}, port ${port})`,
    running: () => up,
    stop,
    start,
    async close() {
      await stop('immediate').catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
