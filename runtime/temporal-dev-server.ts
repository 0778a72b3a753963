/**
 * Runs the Temporal CLI's dev server as a child process for the all-in-one start: history kept
 * in a SQLite file under the data directory, frontend and web UI on configurable ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { GovpubError } from '../domain/errors.js';
import { portInUseError, portTaken } from './ports.js';
import { makeDataDir } from '../config/data-dir.js';

export interface DevServerOptions {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log?: (line: string) => void;
  /** Its own process group, so a terminal's Ctrl+C reaches only the parent, which stops it last (govpub topology). */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Refuses a port something already listens on; `what` and `whatZh` name its user in English and Chinese. */
export async function assertPortFree(port: number, what: string, envName: string, whatZh: string): Promise<void> {
  if (port !== 0 && (await portTaken(port))) throw portInUseError(port, what, whatZh, envName);
}

/** The history file a dev server of this data directory keeps: also how its leftover is recognised. */
function historyFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'temporal.sqlite');
}

/**
 * Pids of dev servers running on this data directory's history (Linux: read from /proc; elsewhere
 * none are found, and a leftover's port is refused by name as before).
 */
export function devServersOnHistory(dataDir: string): number[] {
  const history = historyFile(dataDir);
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const at = argv.indexOf('--db-filename');
    if (argv.includes('start-dev') && at !== -1 && argv[at + 1] !== undefined && path.resolve(argv[at + 1]!) === history) found.push(Number(entry));
  }
  return found;
}

/**
 * Stops the dev servers a `govpub start` of this data directory left running when it was killed
 * outright (SIGKILL, the OOM killer: its exit hook never ran, and the dev server has a process group
 * of its own). Called only once no running govpub holds the data directory, so whatever still runs
 * on its history is a leftover: left alone, it held the ports and the next start was refused with
 * "port in use, stop whatever uses it". Returns the pids stopped.
 */
export async function stopLeftoverDevServers(dataDir: string, log?: (line: string) => void): Promise<number[]> {
  const pids = devServersOnHistory(dataDir);
  for (const pid of pids) {
    log?.(`temporal: stopping the dev server (pid ${pid}) a govpub start on this data directory left running when it was killed`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue; // gone already, or another user's (then its port is refused as before)
    }
    const deadline = Date.now() + 10_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  return pids;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) counts as gone: it holds no port or file.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  await assertPortFree(options.port, 'the Temporal dev server', 'GOVPUB_TEMPORAL_PORT', 'Temporal 开发服务器');
  await assertPortFree(options.uiPort, "Temporal's web UI", 'GOVPUB_TEMPORAL_UI_PORT', 'Temporal 网页界面');
  makeDataDir(options.dataDir);
  const logFile = path.join(options.dataDir, 'temporal-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    options.binary,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      historyFile(options.dataDir),
      // Write-ahead log: every commit still reaches the disk (synchronous stays FULL), with one
      // sync instead of the rollback journal's several. A child workflow's start is a few commits
      // on its parent, one after another, so one release to 39 channels started its last child
      // 2.2 s after its first with the default journal and 1.1–1.4 s with this (issue 14).
      '--sqlite-pragma',
      'journal_mode=wal',
      '--namespace',
      options.namespace,
      '--log-level',
      'warn',
      // Task priority (release work first, workflows/package-release.ts); the default from server 1.29 on, said here for older CLIs.
      '--dynamic-config-value',
      'matching.useNewMatcher=true',
      // One partition per task queue. The server splits a queue's rate limit among its partitions
      // (4 by default), so a platform queue capped at 1 activity a second dispatched 13 transmits
      // over 23–28 s instead of 13 (measured here; issue 14). On one host partitions add nothing.
      // On a cluster, set these two for the rate-capped platform queues only (README, production).
      '--dynamic-config-value',
      'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value',
      'matching.numTaskqueueWritePartitions=1',
    ],
    { stdio: ['ignore', out, out], detached: options.detached ?? false },
  );
  fs.closeSync(out);
  const address = `127.0.0.1:${options.port}`;
  let exited: number | null = null;
  // However this process ends (an uncaught error, process.exit on a closed output), the dev server
  // ends with it: left running it would hold its ports and temporal.sqlite for the next start.
  const endWithParent = () => {
    if (exited === null) child.kill('SIGTERM');
  };
  process.once('exit', endWithParent);
  child.once('exit', (code) => {
    exited = code ?? -1;
    process.off('exit', endWithParent);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) {
      throw new GovpubError('temporal_dev_server_failed', `The Temporal dev server exited with code ${exited} at start. See ${logFile}.`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new GovpubError('temporal_dev_server_failed', `The Temporal dev server did not answer on ${address} within 60 s. See ${logFile}.`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    async stop() {
      if (exited !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
