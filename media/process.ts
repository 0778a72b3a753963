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
    /** The binary that was run (what operations check when it crashed). */
    readonly binPath?: string,
  ) {
    super(`${tool} exited with ${exitCode !== null ? `code ${exitCode}` : `signal ${signalName}`}: ${lastLines(stderrTail, 6)}`);
    this.name = 'ToolFailure';
  }
}

/**
 * The error for a tool killed by a signal (a crash such as SIGSEGV, or the system stopping it):
 * a fault of the installed ffmpeg/ffprobe, never of the file it was given; null for an ordinary
 * non-zero exit (the tool read the file and refused it). Our own stops (abort, timeout) never get here.
 */
export function toolCrashError(err: ToolFailure, doing: string, doingZh: string): GovpubError | null {
  if (err.exitCode !== null || err.signalName === null) return null;
  const variable = err.tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const bin = err.binPath ? ` (${err.binPath})` : '';
  return new GovpubError(
    'media_tool_failed',
    `${err.tool}${bin} crashed (killed by signal ${err.signalName}) while ${doing}. This is a fault of the ${err.tool} installed on the server, not of the file. ` +
      `Operations: run \`govpub config check\` to see which ${err.tool} is used, then repair or replace it, or set ${variable} to a working ${err.tool}; then try again.`,
    { tool: err.tool, path: err.binPath, signal: err.signalName, stderr: err.stderrTail },
    {
      zh:
        `服务器上的媒体处理工具 ${err.tool}${bin}在${doingZh}时崩溃（被信号 ${err.signalName} 终止）。这是服务器上 ${err.tool} 的安装问题，不是文件的问题，文件无需修改。` +
        `请联系运维人员：运行 govpub config check 查看正在使用的 ${err.tool}，修复或更换它，或用 ${variable} 指定一个可用的 ${err.tool}；之后再重试。`,
    },
  );
}

/**
 * A tool that could not be found (`ffmpeg_not_found` / `ffprobe_not_found`) while `doing` something
 * with an upload: the server's installation is at fault, not the file, so the sentence names the
 * file, keeps why nothing was found and tells operations what to install.
 */
export function toolMissingError(err: GovpubError, tool: 'ffmpeg' | 'ffprobe', doing: string, doingZh: string): GovpubError {
  const variable = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  return new GovpubError(
    err.code,
    `${doing}: this server has no usable ${tool}. This is a fault of the server's installation, not of the file. ${err.message} ` +
      `Then check with \`govpub config check\` and try again.`,
    err.details,
    {
      zh:
        `服务器上没有可用的 ${tool}，无法${doingZh}。这是服务器的安装问题，不是文件的问题，文件无需修改。` +
        `请联系运维人员：在 govpub 的目录运行 npm install（自带 ${tool}），或安装系统的 ffmpeg（如 apt-get install ffmpeg），或用 ${variable} 指定一个 ${tool}；` +
        `运行 govpub config check 确认后再重试。`,
    },
  );
}

export function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' | ');
}

/** The error to throw when work stops because `signal` was aborted. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new GovpubError(
    'media_cancelled',
    'Media processing was cancelled.',
    { reason: reason === undefined ? undefined : String(reason) },
    { zh: '媒体处理已被取消（上传中断、转码任务被取消或发布被撤回），本次没有生成文件。如仍需要，请重新上传或重新请求转码。' },
  );
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

/**
 * The environment of a child. A static build (`…-static`, the npm-bundled ffmpeg/ffprobe) carries
 * its own glibc, which loads the system's iconv modules (gconv) of another glibc when a demuxer
 * converts text, and crashes: the bundled ffprobe died with SIGSEGV on every MPEG-TS file (its
 * service name). With no gconv modules to load, iconv just fails and FFmpeg keeps the text as it is.
 */
function toolEnv(bin: { version?: { version: string } }): NodeJS.ProcessEnv | undefined {
  return bin.version?.version.endsWith('-static') ? { ...process.env, GCONV_PATH: '/dev/null' } : undefined;
}

export async function runTool(tool: 'ffmpeg' | 'ffprobe', args: string[], opts: RunToolOptions = {}): Promise<RunToolResult> {
  const bin = tool === 'ffmpeg' ? await getFfmpeg() : await getFfprobe();
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);

  if (tool === 'ffmpeg') mediaCounters.ffmpegSpawns++;
  else mediaCounters.ffprobeSpawns++;

  const launcher = await deathSignalLauncher();
  const spawnOptions = { stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], windowsHide: true, env: toolEnv(bin) };
  const child = launcher ? spawn(launcher, ['--pdeathsig', 'KILL', '--', bin.path, ...args], spawnOptions) : spawn(bin.path, args, spawnOptions);
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
          new GovpubError(
            'media_tool_failed',
            `Could not start ${tool} (${bin.path}): ${err.message}`,
            { tool, path: bin.path },
            {
              zh:
                `无法启动服务器上的媒体处理工具 ${tool}（${bin.path}）。这是服务器的安装问题，不是文件的问题。` +
                `请联系运维人员：运行 govpub config check 检查 ${tool}，或用 ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} 指定一个可用的 ${tool}；之后再重试。`,
            },
          ),
        );
      });
      child.once('close', (c, s) => resolve({ code: c, sig: s }));
    });
    if (partialLine && opts.onStdoutLine) opts.onStdoutLine(partialLine.trimEnd());
    if (stopReason === 'abort' && signal) throw abortError(signal);
    if (stopReason === 'timeout') {
      const seconds = Math.round((opts.timeoutMs ?? 0) / 1000);
      throw new GovpubError(
        'media_timeout',
        `${tool} did not finish within ${seconds} s and was stopped.`,
        { tool, args },
        { zh: `媒体处理工具 ${tool} 未能在 ${seconds} 秒内处理完该文件，已停止。请换用较短或较小的文件后重试；如仍超时，请联系运维人员检查服务器负载。` },
      );
    }
    if (code !== 0) throw new ToolFailure(tool, code, sig, stderrTail, bin.path);
    if (stdoutOverflow) {
      throw new GovpubError('media_tool_failed', `${tool} printed more than ${maxStdout} bytes; refusing to buffer it.`, undefined, {
        zh: `媒体处理工具 ${tool} 对该文件的输出超过 ${maxStdout} 字节，已停止处理。文件结构可能异常（例如流或章节极多）：请重新导出为 MP4（H.264/AAC）后再上传。`,
      });
    }
    return { stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderrTail };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (timeout) clearTimeout(timeout);
    if (killTimer) clearTimeout(killTimer);
    if (pid !== undefined) active.delete(pid);
  }
}
