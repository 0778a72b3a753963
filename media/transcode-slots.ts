/**
 * How many ffmpeg transcodes (video and audio renditions) run at once in this process.
 *
 * The media queues take many jobs at once (issue 14: an image job spends most of its time waiting
 * for the event loop, the store and the thread pool, so two slots left the release's renditions
 * queued for minutes at a year's pace). A transcode is different: one ffmpeg keeps up to four
 * cores busy for minutes. So the job slots are wide and the transcodes pass through this gate; a
 * job waiting here tells its caller (`whileWaiting`, e.g. a heartbeat) so it is not taken for dead.
 */
import { availableParallelism } from 'node:os';
import { abortError } from './process.js';

/** Default transcodes at once: half the cores, at least two (each ffmpeg uses up to 4 threads). */
export function defaultTranscodeSlots(cores = availableParallelism()): number {
  return Math.max(2, Math.floor(cores / 2));
}

/** A counting gate: at most `slots` holders; waiters are served in arrival order. */
export class SlotGate {
  private held = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`A slot gate needs 1 or more slots, not ${slots}.`);
  }

  get inUse(): number {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Runs `fn` holding a slot. While waiting for one, calls `whileWaiting` every `waitBeatMs`; an
   * abort while waiting rejects without ever taking a slot.
   */
  async run<T>(fn: () => Promise<T>, opts: { signal?: AbortSignal; whileWaiting?: () => void; waitBeatMs?: number } = {}): Promise<T> {
    await this.acquire(opts);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(opts: { signal?: AbortSignal; whileWaiting?: () => void; waitBeatMs?: number }): Promise<void> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.held < this.slots) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const beat = opts.whileWaiting ? setInterval(opts.whileWaiting, opts.waitBeatMs ?? 10_000) : null;
      const done = () => {
        if (beat) clearInterval(beat);
        signal?.removeEventListener('abort', onAbort);
      };
      const grant = () => {
        done();
        this.held += 1;
        resolve();
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(grant);
        if (at >= 0) this.waiters.splice(at, 1);
        done();
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
      opts.whileWaiting?.();
    });
  }

  private release(): void {
    this.held -= 1;
    const next = this.waiters.shift();
    if (next) next();
  }
}

/** The process's transcode gate (every media queue and worker in the process shares it). */
export const transcodeGate = new SlotGate(defaultTranscodeSlots());
