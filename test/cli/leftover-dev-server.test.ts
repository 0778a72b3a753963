/**
 * A `govpub start` killed outright (SIGKILL, the OOM killer) never runs its exit hook, and its
 * Temporal dev server, in a process group of its own, stays up on the data directory's history:
 * the next start was refused "port in use, stop whatever uses it". The next start stops it first.
 * Real processes stand in for the dev server here (the same command line: `start-dev --db-filename`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devServersOnHistory, stopLeftoverDevServers } from '../../runtime/temporal-dev-server.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A process whose command line is a dev server's on `history` (detached, as govpub starts it),
 * returned once its script runs: /proc shows the command line before Node has read the script, and
 * a SIGTERM then would end the stubborn one before its handler is in place (CI saw exactly that).
 */
async function fakeDevServer(history: string, ignoreTerm = false): Promise<ChildProcess> {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {}); " : ''}process.stdout.write('ready\\n'); setInterval(() => {}, 1000)`;
  const child = spawn(process.execPath, ['-e', code, 'server', 'start-dev', '--port', '0', '--db-filename', history], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code, signal) => reject(new Error(`the stand-in dev server ended before it was ready (${code ?? signal})`)));
  });
  child.stdout!.resume();
  return child;
}

const gone = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe.runIf(process.platform === 'linux')('a dev server left by a govpub start killed outright', () => {
  it('is found by its history file and stopped; one on another data directory is left alone', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-leftover-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-leftover-other-'));
    dirs.push(dataDir, other);
    const leftover = await fakeDevServer(path.join(dataDir, 'temporal.sqlite'));
    const stubborn = await fakeDevServer(path.join(dataDir, '.', 'temporal.sqlite'), true);
    const elsewhere = await fakeDevServer(path.join(other, 'temporal.sqlite'));
    await expect.poll(() => devServersOnHistory(dataDir).sort()).toEqual([leftover.pid, stubborn.pid].sort());

    const said: string[] = [];
    // Given as a relative path, as GOVPUB_DATA_DIR=.govpub is.
    const relative = path.relative(process.cwd(), dataDir);
    expect((await stopLeftoverDevServers(relative, (line) => said.push(line))).sort()).toEqual([leftover.pid, stubborn.pid].sort());
    await gone(leftover);
    await gone(stubborn); // SIGTERM ignored: killed after 10 s
    expect(leftover.signalCode).toBe('SIGTERM');
    expect(stubborn.signalCode).toBe('SIGKILL');
    expect(said).toEqual([expect.stringContaining(`dev server (pid ${leftover.pid})`), expect.stringContaining(`dev server (pid ${stubborn.pid})`)]);
    expect(elsewhere.exitCode).toBeNull();
    expect(elsewhere.signalCode).toBeNull();
    expect(devServersOnHistory(dataDir)).toEqual([]);
    expect(await stopLeftoverDevServers(dataDir)).toEqual([]);
  });
});
