/**
 * `govpub start` when the person or terminal in front of it goes away: its output closed
 * (`npm start | head`), Ctrl+C while it is still starting up, the terminal it runs in closed
 * (SIGHUP). Each stops what it started, in order, leaving nothing running or recorded. Each test
 * starts a `govpub start` of its own (a data directory and ports of its own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { processExists } from '../../runtime/runtime-files.js';
import { freePort, portAnswers, simulatorPortBase } from '../support/running.js';

/** A data directory and ports of its own, on the embedded database and a dev server it starts. */
async function ownStartSetup(prefix: string) {
  const ownDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ownEnv = {
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    GOVPUB_DATA_DIR: ownDir,
    PORT: String(await freePort()),
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
  };
  return { ownDir, ownEnv };
}

/** `govpub start` with its output piped here; with `ownProcessGroup`, as a terminal runs it (Ctrl+C reaches the group). */
function spawnStart(ownEnv: Record<string, string>, options: { ownProcessGroup?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'start'], {
    env: { ...process.env, ...ownEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
}

describe('its output closed (`npm start | head`)', () => {
  it(
    'stops what it started, in order, exit code 0: no Temporal dev server left running, no records left behind, the data directory free for the next start, which a Ctrl+C to its terminal stops cleanly',
    // Two starts and two stops: 33 s alone, but once over 240 s on a CI-like machine running the heaviest files beside it.
    { timeout: 420_000 },
    async () => {
      const { ownDir, ownEnv } = await ownStartSetup('govpub-start-piped-');
      const piped = spawnStart(ownEnv);
      let errors = '';
      piped.stderr!.on('data', (d) => (errors += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        piped.once('exit', (code, signal) => resolve({ code, signal })),
      );
      // Like `head -1`: read the first line, then go away while it is still starting up.
      await new Promise<void>((resolve) => {
        let first = '';
        piped.stdout!.on('data', (d) => {
          first += d;
          if (first.includes('\n')) resolve();
        });
      });
      piped.stdout!.destroy();
      // A stop that never comes fails here saying so, with what it printed on stderr, not as a bare test timeout.
      let waiting: NodeJS.Timeout | undefined;
      const stoppedOrNot = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) => (waiting = setTimeout(() => resolve('still running'), 300_000))),
      ]);
      clearTimeout(waiting);
      if (stoppedOrNot === 'still running') piped.kill('SIGKILL');
      expect(stoppedOrNot, `govpub start after its output closed; its stderr:\n${errors}`).toEqual({ code: 0, signal: null });
      expect(errors).toBe('');
      expect(await portAnswers(Number(ownEnv.GOVPUB_TEMPORAL_PORT))).toBe(false);
      expect(await portAnswers(Number(ownEnv.PORT))).toBe(false);
      expect(fs.readdirSync(path.join(ownDir, 'run'))).toEqual([]);
      // It came up before it stopped (the dev server's history was written) and stopped whole: the next start comes up.
      expect(fs.existsSync(path.join(ownDir, 'temporal.sqlite'))).toBe(true);
      // In a process group of its own, as a terminal runs it: Ctrl+C goes to the whole group.
      const again = spawnStart(ownEnv, { ownProcessGroup: true });
      let said = '';
      again.stdout!.on('data', (d) => (said += d));
      again.stderr!.on('data', (d) => (said += d));
      // The banner's last line: the lines before it may come in more than one read of the pipe.
      await expect.poll(() => said, { timeout: 120_000 }).toContain('Press Ctrl+C to stop.\n');
      // The portal's pages are brought up to the registry in the background, and it says when (before
      // or after the banner; 3 s on a slow machine): a Ctrl+C before then would have that line among the stop's.
      await expect.poll(() => said, { timeout: 120_000 }).toMatch(/^portal: /m);
      const stopped = new Promise((resolve) => again.once('exit', resolve));
      const from = said.length;
      process.kill(-again.pid!, 'SIGINT');
      expect(await stopped).toBe(0);
      // The dev server is not in that group: govpub stops it after the worker, whose shutdown calls it still answers.
      expect(said.slice(from)).toMatch(/^stopping… \(Ctrl\+C again to stop at once\)\nstopped\.\n$/);
      expect(await portAnswers(Number(ownEnv.GOVPUB_TEMPORAL_PORT))).toBe(false);
      fs.rmSync(ownDir, { recursive: true, force: true });
    },
  );

  it('a Ctrl+C while it starts up: it finishes starting, then stops in order (exit 0), nothing left running or recorded', { timeout: 240_000 }, async () => {
    const { ownDir, ownEnv } = await ownStartSetup('govpub-start-interrupted-');
    const starting = spawnStart(ownEnv, { ownProcessGroup: true });
    let said = '';
    starting.stdout!.on('data', (d) => (said += d));
    starting.stderr!.on('data', (d) => (said += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      starting.once('exit', (code, signal) => resolve({ code, signal })),
    );
    // Its first line: the database is open, the rest (the dev server among it) still to come.
    await expect.poll(() => said, { timeout: 120_000 }).toContain('database:');
    process.kill(-starting.pid!, 'SIGINT');
    expect(await exited, said).toEqual({ code: 0, signal: null });
    expect(said).toContain('stopping once started… (Ctrl+C again to stop at once)');
    expect(said).toContain('govpub is running');
    expect(said).toMatch(/stopped\.\n$/);
    expect(await portAnswers(Number(ownEnv.GOVPUB_TEMPORAL_PORT))).toBe(false);
    expect(fs.readdirSync(path.join(ownDir, 'run'))).toEqual([]);
    fs.rmSync(ownDir, { recursive: true, force: true });
  });
});

describe('the terminal it runs in closed (SIGHUP)', () => {
  it('stops what it started, in order: no Temporal dev server or API left running, no records left behind', { timeout: 300_000 }, async () => {
    const { ownDir, ownEnv } = await ownStartSetup('govpub-start-hangup-');
    // `script` (util-linux) runs it on a terminal of its own as the session's leader, the way an ssh
    // session or a terminal window runs `exec govpub start`. Killing `script` closes the terminal's
    // other side: the kernel hangs the terminal up, sends SIGHUP, and every later write fails (EIO).
    const command = `exec '${process.execPath}' '${path.join(ROOT_DIR, 'bin', 'govpub.mjs')}' start`;
    const terminal = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: { ...process.env, ...ownEnv, SHELL: '/bin/sh' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let shown = '';
    terminal.stdout!.on('data', (d) => (shown += d));
    terminal.stderr!.on('data', (d) => (shown += d));
    await expect.poll(() => shown, { timeout: 120_000 }).toContain('govpub is running');
    const { pid } = JSON.parse(fs.readFileSync(path.join(ownDir, 'run', 'start.json'), 'utf8')) as { pid: number };
    const closed = new Promise((resolve) => terminal.once('exit', resolve));
    terminal.kill('SIGKILL');
    await closed;
    // Not a child of this test: watched by its process id until it is gone.
    await expect.poll(() => processExists(pid), { timeout: 120_000, interval: 250 }).toBe(false);
    // Stopped in order, not killed: it removed its records (a process that is killed leaves them) and what it started is gone.
    expect(fs.readdirSync(path.join(ownDir, 'run'))).toEqual([]);
    expect(await portAnswers(Number(ownEnv.GOVPUB_TEMPORAL_PORT))).toBe(false);
    expect(await portAnswers(Number(ownEnv.PORT))).toBe(false);
    fs.rmSync(ownDir, { recursive: true, force: true });
  });
});
