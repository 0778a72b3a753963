/** Runs the real `govpub` command as a child process, the way a user or script would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR } from '../../config/settings.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * With `timeoutMs`, a command still running then is killed and the promise rejects (a hang). With
 * `asUid`, the command runs as that user (util-linux `setpriv`; the test must run as root).
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string | Buffer,
  options: { timeoutMs?: number; asUid?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, path.join(ROOT_DIR, 'bin', 'govpub.mjs'), ...args];
    if (options.asUid !== undefined) command.unshift('setpriv', `--reuid=${options.asUid}`, `--regid=${options.asUid}`, '--clear-groups', '--');
    const child = spawn(command[0]!, command.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = options.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `govpub ${args.join(' ').slice(0, 200)} did not exit within ${options.timeoutMs} ms (a hang)\nstdout: ${stdout.slice(0, 500)}\nstderr: ${stderr.slice(0, 500)}`,
            ),
          );
        }, options.timeoutMs)
      : undefined;
    // Decoded as a stream: a Chinese character split across two pipe chunks would otherwise become two U+FFFD.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // A command that refuses its input part way (more than it takes) exits before reading the rest: the
    // pipe's EPIPE is what the test asked for, not an error of the run.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(input ?? '');
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr, the last 64 KiB). */
  output(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | NodeJS.Signals>;
}

/** Starts a long-running `govpub` command (worker, api) and resolves once it printed `ready`. */
export async function startCliProcess(args: string[], env: NodeJS.ProcessEnv, ready: string, timeoutMs = 90_000): Promise<CliProcess> {
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (d: Buffer) => {
    output += d;
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await killHard(child);
      throw new Error(`govpub ${args.join(' ')} did not start (${child.exitCode ?? child.signalCode ?? 'timeout'}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}

/** SIGKILL (no draining), and wait until the process is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
