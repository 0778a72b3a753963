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

export interface WaitOptions {
  /** Stops the wait (the promise waited for goes on). */
  signal?: AbortSignal;
  /** Called every `waitBeatMs` (default 10 s) while waiting, e.g. to heartbeat. */
  whileWaiting?: () => void;
  waitBeatMs?: number;
}

/** Waits for `promise`, calling `whileWaiting` meanwhile; rejects with the abort reason when `signal` aborts first. */
export function waitFor<T>(promise: Promise<T>, opts: WaitOptions): Promise<T> {
  if (!opts.whileWaiting && !opts.signal) return promise;
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
  return new Promise<T>((resolve, reject) => {
    const beat = opts.whileWaiting ? setInterval(opts.whileWaiting, opts.waitBeatMs ?? 10_000) : null;
    const settle = (finish: () => void) => {
      if (beat) clearInterval(beat);
      opts.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => settle(() => reject(abortError(opts.signal!)));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
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
  async run<T>(fn: () => Promise<T>, opts: WaitOptions = {}): Promise<T> {
    await this.acquire(opts);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private async acquire(opts: WaitOptions): Promise<void> {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (this.held < this.slots) {
      this.held += 1;
      return;
    }
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => {
      grant = () => {
        this.held += 1;
        resolve();
      };
    });
    this.waiters.push(grant);
    opts.whileWaiting?.();
    try {
      await waitFor(granted, opts);
    } catch (error) {
      // Cancelled while waiting: leave the queue, or hand on a slot granted meanwhile.
      const at = this.waiters.indexOf(grant);
      if (at >= 0) this.waiters.splice(at, 1);
      else this.release();
      throw error;
    }
  }

  private release(): void {
    this.held -= 1;
    const next = this.waiters.shift();
    if (next) next();
  }
}

/** The process's transcode gate (every media queue and worker in the process shares it). */
export const transcodeGate = new SlotGate(defaultTranscodeSlots());
