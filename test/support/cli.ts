/** Runs the real `govpub` command as a child process, the way a user or script would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR } from '../../config/settings.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** With `timeoutMs`, a command still running then is killed and the promise rejects (a hang). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string, options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), ...args], {
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
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
