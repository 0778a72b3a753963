/**
 * The system's resident memory over a load's window, sampled from /proc: whether it levels off or
 * keeps growing over a long run (a year is 8,138 packages, and a released package's workflow stays
 * open for its retraction, so the workers' workflow cache fills), and each process's peak.
 */
import { procStatus, type Proc } from '../proc-figures.js';

export interface MemorySample {
  at: number;
  /** VmRSS of the govpub processes (node), summed, MiB. */
  govpub: number;
  /** VmRSS of the Temporal server the system started, MiB (0 when it runs elsewhere). */
  temporal: number;
}

export interface ProcessPeak {
  pid: number;
  comm: string;
  /** VmHWM: the most the process has been resident, from its start, MiB. */
  peakMiB: number;
}

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly peaks = new Map<number, ProcessPeak>();
  private timer: NodeJS.Timeout | undefined;

  /** `systemProcesses`: the processes of the system under test, read anew at each sample. */
  constructor(
    private readonly systemProcesses: () => Proc[],
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Each process's own peak, largest first. */
  processPeaks(): ProcessPeak[] {
    return [...this.peaks.values()].sort((a, b) => b.peakMiB - a.peakMiB);
  }

  private sample(): void {
    let govpub = 0;
    let temporal = 0;
    for (const p of this.systemProcesses()) {
      // ffmpeg and other short-lived tools come and go between samples: their memory is their own.
      if (p.comm !== 'node' && p.comm !== 'temporal') continue;
      const rss = procStatus(p.pid, 'VmRSS');
      if (rss === null) continue;
      if (p.comm === 'temporal') temporal += rss;
      else govpub += rss;
      const peak = Math.max(rss, procStatus(p.pid, 'VmHWM') ?? 0, this.peaks.get(p.pid)?.peakMiB ?? 0);
      this.peaks.set(p.pid, { pid: p.pid, comm: p.comm, peakMiB: peak });
    }
    this.samples.push({ at: Date.now(), govpub, temporal });
  }
}

const mb = (mib: number) => `${Math.round(mib).toLocaleString('en-US')} MB`;

/**
 * `[memory]` lines: the govpub processes' resident memory at the start of the window, at each
 * quarter of it and at the end, with the peak; each process's own peak; the Temporal server's; and
 * how many workflows the workers held cached at the end (`temporal_sticky_cache_size`), which is
 * what a long run's growth is mostly made of.
 */
export function memoryLines(tag: string, samples: readonly MemorySample[], peaks: readonly ProcessPeak[], cachedWorkflows: number | null): string[] {
  if (samples.length === 0) return [`[${tag}] no samples`];
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const span = last.at - first.at;
  const at = (fraction: number) =>
    samples.reduce((best, s) => (Math.abs(s.at - first.at - fraction * span) < Math.abs(best.at - first.at - fraction * span) ? s : best));
  const peak = samples.reduce((best, s) => (s.govpub > best.govpub ? s : best));
  // The median gap: the last sample, taken when the window closes, comes sooner than the others.
  const gaps = samples
    .slice(1)
    .map((s, i) => s.at - samples[i]!.at)
    .sort((a, b) => a - b);
  const every = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 0;
  const quarters = [0.25, 0.5, 0.75].map((f) => mb(at(f).govpub)).join(' / ');
  const peakAt = span > 0 ? Math.round(((peak.at - first.at) / span) * 100) : 100;
  const lines = [
    `[${tag}] govpub processes, resident (VmRSS summed, sampled every ${Math.round(every / 1000)} s): ${mb(first.govpub)} at the start of the window; ${quarters} at its quarters; ${mb(last.govpub)} at the end; most ${mb(peak.govpub)} (${peakAt} % into the window)`,
  ];
  const own = peaks.filter((p) => p.comm === 'node');
  if (own.length) lines.push(`[${tag}] each govpub process's peak since it started (VmHWM): ${own.map((p) => `pid ${p.pid} ${mb(p.peakMiB)}`).join(', ')}`);
  const temporal = peaks.filter((p) => p.comm === 'temporal');
  if (temporal.length)
    lines.push(
      `[${tag}] the Temporal dev server: ${mb(first.temporal)} at the start, ${mb(last.temporal)} at the end, peak ${mb(Math.max(...temporal.map((p) => p.peakMiB)))}`,
    );
  lines.push(
    cachedWorkflows === null
      ? `[${tag}] workflows cached by the workers at the end: n/a — no worker endpoint has temporal_sticky_cache_size`
      : `[${tag}] workflows cached by the workers at the end: ${cachedWorkflows} (temporal_sticky_cache_size; a released package's workflow stays open for its retraction, and the cache keeps up to the worker's maxCachedWorkflows of them)`,
  );
  return lines;
}
