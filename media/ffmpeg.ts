/** Running ffmpeg: the opening of every command line, progress from `-progress pipe:1` as percentages, and failures in words. */
import { availableParallelism } from 'node:os';
import { GovpubError } from '../domain/errors.js';
import { runTool, ToolFailure, lastLines, toolCrashError } from './process.js';

/** Reports integer percentages, never going backwards, never repeating. */
export class ProgressReporter {
  private last = -1;
  constructor(private readonly cb?: (percent: number) => void) {}
  get current(): number {
    return Math.max(0, this.last);
  }
  report(percent: number): void {
    const v = Math.floor(Math.min(100, Math.max(0, percent)));
    if (v > this.last) {
      this.last = v;
      this.cb?.(v);
    }
  }
}

/** Parses one `-progress` line; returns seconds of output written, when the line says so. */
export function parseProgressLine(line: string): number | null {
  const eq = line.indexOf('=');
  if (eq < 0) return null;
  const key = line.slice(0, eq);
  // out_time_ms is (despite the name) also in microseconds in ffmpeg's output.
  if (key !== 'out_time_us' && key !== 'out_time_ms') return null;
  const v = Number(line.slice(eq + 1));
  return Number.isFinite(v) && v >= 0 ? v / 1e6 : null;
}

/** ffmpeg threads when the job does not say: min(available cores, 4). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * The start of every ffmpeg command line: quiet, no prompts, overwrite, then the input. Untrusted
 * input: no network or other protocols (e.g. references inside a crafted file).
 */
export function ffmpegInputArgs(input: string, opts: { threads?: number; seekSec?: number } = {}): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    ...(opts.threads !== undefined ? ['-threads', String(opts.threads)] : []),
    ...(opts.seekSec !== undefined ? ['-ss', opts.seekSec.toFixed(3)] : []),
    '-protocol_whitelist',
    'file',
    '-i',
    input,
  ];
}

/** Runs ffmpeg, turning `-progress` output into percentages within [from, to]. */
export async function runWithProgress(
  args: string[],
  durationSec: number,
  progress: ProgressReporter,
  from: number,
  to: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  try {
    await runTool('ffmpeg', args, {
      signal,
      onStdoutLine: (line) => {
        const t = parseProgressLine(line);
        if (t !== null && durationSec > 0) progress.report(from + (to - from) * Math.min(1, t / durationSec));
      },
    });
  } catch (err) {
    if (err instanceof ToolFailure) {
      const crash = toolCrashError(err, `making ${what}`, `生成转码文件（${what}）`);
      if (crash) throw crash;
      throw new GovpubError(
        'media_transcode_failed',
        `ffmpeg could not make ${what}: ${lastLines(err.stderrTail, 3) || `exit code ${err.exitCode}`}. The original may be damaged; if it plays normally, report this with the file.`,
        { stderr: err.stderrTail, exitCode: err.exitCode },
        {
          zh: `ffmpeg 无法生成转码文件（${what}），原始文件可能已损坏。请确认它能在本机正常播放，重新导出为 MP4（H.264/AAC）后再上传；如文件播放正常，请联系运维人员并附上该文件。`,
        },
      );
    }
    throw err;
  }
  progress.report(to);
}

let toneMapping: Promise<boolean> | undefined;

/**
 * Whether this ffmpeg can tone-map HDR to SDR (the zscale and tonemap filters; builds without
 * libzimg lack zscale). Asked once per process.
 */
export function ffmpegCanToneMap(): Promise<boolean> {
  toneMapping ??= runTool('ffmpeg', ['-hide_banner', '-filters'], { collectStdout: true }).then(
    ({ stdout }) => {
      // " ..C zscale            V->V       Apply resizing…": three flag characters, then the name.
      const names = new Set(stdout.split('\n').map((line) => line.trim().split(/\s+/)[1]));
      return names.has('zscale') && names.has('tonemap');
    },
    () => false,
  );
  return toneMapping;
}
