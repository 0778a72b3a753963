/**
 * Runs ffmpeg/ffprobe as child processes: no shell, output files written by the child itself
 * (nothing large passes through this process), stdout read line by line, only the tail of stderr
 * kept for error messages, AbortSignal kills the child. Counters let tests prove a cache hit did
 * no work.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';
import { getFfmpeg, getFfprobe } from './binaries.js';

let deathSignalWrapper: Promise<string | null> | undefined;

/**
 * On Linux, util-linux's `setpriv --pdeathsig KILL` makes the kernel kill ffmpeg when the worker
 * that started it dies (PR_SET_PDEATHSIG, kept across exec): a worker killed mid-transcode leaves
 * no ffmpeg running (ffmpeg ignores SIGPIPE, so a broken progress pipe alone does not stop it).
 * Elsewhere, or with GOVPUB_NO_PDEATHSIG=1, children are started directly.
 */
function deathSignalLauncher(): Promise<string | null> {
  deathSignalWrapper ??= (async () => {
    if (process.platform !== 'linux' || process.env.GOVPUB_NO_PDEATHSIG === '1') return null;
    const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/bin'];
    for (const dir of dirs) {
      const candidate = path.join(dir, 'setpriv');
      if (
        await access(candidate, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return candidate;
    }
    return null;
  })();
  return deathSignalWrapper;
}

/** Work counters (process-wide). Tests read them to prove a cache hit spawned nothing. */
export const mediaCounters = {
  ffmpegSpawns: 0,
  ffprobeSpawns: 0,
  /** Image renditions actually rendered by sharp (not served from cache). */
  sharpRenders: 0,
};

const active = new Set<number>();

/** PIDs of ffmpeg/ffprobe processes this module has running now. */
export function activeMediaProcesses(): number[] {
  return [...active];
}

export class ToolFailure extends Error {
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly signalName: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    super(`${tool} exited with ${exitCode !== null ? `code ${exitCode}` : `signal ${signalName}`}: ${lastLines(stderrTail, 6)}`);
    this.name = 'ToolFailure';
  }
}

export function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' | ');
}

/** The error to throw when work stops because `signal` was aborted. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new GovpubError('media_cancelled', 'Media processing was cancelled.', {
    reason: reason === undefined ? undefined : String(reason),
  });
}

export interface RunToolOptions {
  signal?: AbortSignal;
  /** Called for each complete line on stdout (ffmpeg `-progress pipe:1`). */
  onStdoutLine?: (line: string) => void;
  /** Keep stdout and return it (ffprobe JSON); capped at `maxStdoutBytes`. */
  collectStdout?: boolean;
  maxStdoutBytes?: number;
  /** Bytes of stderr kept for error messages (default 16 KB). */
  stderrTailBytes?: number;
  /** Hard timeout; the child is killed and a media_timeout error raised. */
  timeoutMs?: number;
}

export interface RunToolResult {
  stdout: string;
  stderrTail: string;
}

/** Milliseconds between SIGTERM and SIGKILL when stopping a child. */
const KILL_GRACE_MS = 1500;

export async function runTool(tool: 'ffmpeg' | 'ffprobe', args: string[], opts: RunToolOptions = {}): Promise<RunToolResult> {
  const bin = tool === 'ffmpeg' ? await getFfmpeg() : await getFfprobe();
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);

  if (tool === 'ffmpeg') mediaCounters.ffmpegSpawns++;
  else mediaCounters.ffprobeSpawns++;

  const launcher = await deathSignalLauncher();
  const child = launcher
    ? spawn(launcher, ['--pdeathsig', 'KILL', '--', bin.path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    : spawn(bin.path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const pid = child.pid;
  if (pid !== undefined) active.add(pid);

  const maxStdout = opts.maxStdoutBytes ?? 8 * 1024 * 1024;
  const tailBytes = opts.stderrTailBytes ?? 16 * 1024;
  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  let stdoutOverflow = false;
  let partialLine = '';
  let stderrTail = '';

  child.stdout.on('data', (chunk: Buffer) => {
    if (opts.collectStdout) {
      stdoutBytes += chunk.length;
      if (stdoutBytes <= maxStdout) stdoutChunks.push(chunk);
      else stdoutOverflow = true;
    }
    if (opts.onStdoutLine) {
      const text = partialLine + chunk.toString('utf8');
      const lines = text.split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) opts.onStdoutLine(line.trimEnd());
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail += chunk.toString('utf8');
    if (stderrTail.length > tailBytes * 2) stderrTail = stderrTail.slice(-tailBytes);
  });

  let stopReason: 'abort' | 'timeout' | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'abort' | 'timeout') => {
    if (stopReason) return;
    stopReason = why;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  const onAbort = () => stop('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = opts.timeoutMs ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;

  try {
    const { code, sig } = await new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (err) => {
        reject(
          new GovpubError('media_tool_failed', `Could not start ${tool} (${bin.path}): ${err.message}`, {
            tool,
            path: bin.path,
          }),
        );
      });
      child.once('close', (c, s) => resolve({ code: c, sig: s }));
    });
    if (partialLine && opts.onStdoutLine) opts.onStdoutLine(partialLine.trimEnd());
    if (stopReason === 'abort' && signal) throw abortError(signal);
    if (stopReason === 'timeout') {
      throw new GovpubError('media_timeout', `${tool} did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was stopped.`, { tool, args });
    }
    if (code !== 0) throw new ToolFailure(tool, code, sig, stderrTail);
    if (stdoutOverflow) {
      throw new GovpubError('media_tool_failed', `${tool} printed more than ${maxStdout} bytes; refusing to buffer it.`);
    }
    return { stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderrTail };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (timeout) clearTimeout(timeout);
    if (killTimer) clearTimeout(killTimer);
    if (pid !== undefined) active.delete(pid);
  }
}
