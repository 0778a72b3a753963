/** Runtime records under `<data dir>/run/`: how local processes find each other. */
import fs from 'node:fs';
import path from 'node:path';
import { makeDataDir } from '../config/data-dir.js';
import { GovpubError } from '../domain/errors.js';
import { finishInterruptedRestore } from './restore-journal.js';

/**
 * Writes a runtime record (`<data dir>/run/*.json`) for other processes to find: its directory is
 * created first (a fresh GOVPUB_DATA_DIR has none, and with DATABASE_URL nothing else makes it),
 * and the file appears whole (written aside, then renamed), so a reader never sees half of it.
 */
export function writeRuntimeRecord(file: string, value: unknown): void {
  makeDataDir(path.dirname(file), path.dirname(path.dirname(file)));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
}

/** Where a running `govpub start` records its API's address, for acting CLI commands in another terminal. */
export function apiRuntimeFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'api.json');
}

/** Where a running `govpub topology` records its processes and API (README "One host, several processes"). */
export function topologyRecordFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'topology.json');
}

/**
 * The API address a running `govpub start` (run/api.json) or `govpub topology` (run/topology.json,
 * its `api`) recorded in `dataDir`, or null: none, or its process is gone (a crash left the record).
 */
export function recordedApiUrl(dataDir: string): string | null {
  for (const [file, key] of [
    [apiRuntimeFile(dataDir), 'url'],
    [topologyRecordFile(dataDir), 'api'],
  ] as const) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const url = record[key];
    if (typeof url === 'string' && typeof record.pid === 'number' && processExists(record.pid)) return url;
  }
  return null;
}

/** The record a running `govpub start` keeps in its data directory while it runs: only one may run there. */
export function startRuntimeFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'start.json');
}

/** Whether a process with this id exists (EPERM: it does, under another account). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `govpub start` that holds a data directory: its process id and, once its API is up, its address. */
export interface DataDirHolder {
  pid: number;
  apiUrl: string | null;
}

/**
 * Claims `dataDir` for this `govpub start`, or returns the running one that holds it. Two starts on
 * one data directory would run two Temporal dev servers on one `temporal.sqlite`, two embedded
 * databases on one PGlite directory, and overwrite each other's `run/` records. The claim is a file
 * created exclusively (`wx`), so two starts at the same moment cannot both win; a record left by a
 * process that is gone (killed, crashed) is taken over. `release` removes the record if it is still ours.
 */
export function claimDataDir(dataDir: string): { release: () => void } | { heldBy: DataDirHolder } {
  const file = startRuntimeFile(dataDir);
  makeDataDir(path.dirname(file), dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      fs.closeSync(fd);
      // Held now: a restore killed between its moves is finished before anything opens what it moves.
      const finished = finishInterruptedRestore(dataDir);
      if (finished) process.stderr.write(`govpub: ${finished}\n`);
      return {
        release: () => {
          if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = readPid(file);
    if (pid !== null && pid !== process.pid && processExists(pid)) return { heldBy: { pid, apiUrl: recordedApiUrl(dataDir) } };
    // A record being written this very moment reads as nothing yet: look again a moment later.
    if (pid === null && attempt === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    else fs.rmSync(file, { force: true });
  }
  throw new Error(`could not claim ${file}: another process keeps creating it`);
}

/**
 * The running `govpub start` (or topology) that holds `dataDir`, read without creating anything:
 * checked before the ports, whose refusal would otherwise hide that govpub already runs there.
 */
export function dataDirHolder(dataDir: string): DataDirHolder | null {
  const pid = readPid(startRuntimeFile(dataDir));
  return pid !== null && pid !== process.pid && processExists(pid) ? { pid, apiUrl: recordedApiUrl(dataDir) } : null;
}

function readPid(file: string): number | null {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown };
    return typeof record.pid === 'number' ? record.pid : null;
  } catch {
    return null;
  }
}

/** Why a second `govpub start` (or `govpub topology`) on a data directory is refused, and what to do instead. */
export function alreadyRunningError(dataDir: string, holder: DataDirHolder): GovpubError {
  const where = holder.apiUrl ? `, API at ${holder.apiUrl}` : '';
  return new GovpubError(
    'already_running',
    `govpub is already running on the data directory ${dataDir} (process ${holder.pid}${where}). ` +
      `Use that one (CLI commands in another terminal find it), stop it first (Ctrl+C in its terminal, or kill ${holder.pid}), ` +
      `or start another one on a directory of its own: GOVPUB_DATA_DIR=<another directory>, with other ports (PORT, GOVPUB_TEMPORAL_PORT, GOVPUB_TEMPORAL_UI_PORT, GOVPUB_SIMULATOR_PORT). ` +
      `If no govpub runs there, delete ${startRuntimeFile(dataDir)}.`,
    { dataDir, pid: holder.pid, apiUrl: holder.apiUrl },
    {
      zh: `govpub 已在数据目录 ${dataDir} 上运行（进程 ${holder.pid}${holder.apiUrl ? `，API 地址 ${holder.apiUrl}` : ''}），本次未启动。请直接使用正在运行的那一个（在另一个终端中运行的命令会自动找到它）；或先将其停止（在其终端按 Ctrl+C，或 kill ${holder.pid}）；或用 GOVPUB_DATA_DIR 指定另一个数据目录并换用其他端口另行启动。如确认该目录上并无 govpub 在运行，请删除 ${startRuntimeFile(dataDir)}。`,
    },
  );
}
