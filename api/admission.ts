/**
 * Finish before starting: the API runs a bounded number of commands at once, and when more are
 * waiting, those that move approved work forward (a review decision, release now, an operator's
 * retry or skip) go before those that bring new work in (create, edit, submit).
 *
 * Why: every command is CPU on the machines that also release. With no bound, a burst of editors'
 * submissions shares the cores with releases already approved, and every step of a release waits
 * behind it (issue 14: 10 clients on 2 cores put approval → released at p95 10–19 s; 2 clients moved
 * as many deliveries a second with p95 1.3 s for a portal package). A waiting command costs nothing,
 * holds no lock and has changed nothing, so one that waits too long is refused with 503 and can
 * simply be sent again.
 *
 * Reads are never held (the console and monitoring stay live), nor sign-in or uploads (an upload
 * streams at the sender's pace and would hold its turn for as long), nor the urgent actions
 * (pausing or resuming a channel, retracting a package).
 */
import { GovpubError } from '../domain/errors.js';

/** `finish`: moves work already approved (or being released) along. `start`: brings new work in. */
export type CommandClass = 'finish' | 'start';

export interface AdmissionStats {
  running: number;
  waiting: Record<CommandClass, number>;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

export class CommandAdmission {
  private running = 0;
  private readonly queues: Record<CommandClass, Waiter[]> = { finish: [], start: [] };

  /**
   * `atOnce`: commands run at the same time (1 or more). `maxWaitMs`: a command waiting longer is
   * refused with 503 `api_busy`. `observe`: told how long each admitted command waited.
   */
  constructor(
    readonly atOnce: number,
    readonly maxWaitMs: number,
    private readonly observe: (kind: CommandClass, waitedSec: number) => void = () => {},
  ) {
    if (!Number.isInteger(atOnce) || atOnce < 1) throw new RangeError(`CommandAdmission: atOnce must be a whole number of 1 or more, got ${atOnce}`);
  }

  stats(): AdmissionStats {
    return { running: this.running, waiting: { finish: this.queues.finish.length, start: this.queues.start.length } };
  }

  /**
   * Runs `command` when its turn comes. `abandoned` resolves when the client has gone away: a
   * command still waiting then leaves the queue without running.
   */
  async run<T>(kind: CommandClass, command: () => Promise<T>, abandoned?: Promise<unknown>): Promise<T> {
    await this.turn(kind, abandoned);
    try {
      return await command();
    } finally {
      this.running--;
      this.next();
    }
  }

  private turn(kind: CommandClass, abandoned?: Promise<unknown>): Promise<void> {
    const queued = Date.now();
    if (this.running < this.atOnce && this.queues.finish.length === 0 && this.queues.start.length === 0) {
      this.running++;
      this.observe(kind, 0);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues[kind];
      const leave = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        clearTimeout(waiter.timer);
      };
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          this.observe(kind, (Date.now() - queued) / 1000);
          resolve();
        },
        timer: setTimeout(() => {
          leave();
          reject(
            new GovpubError(
              'api_busy',
              `govpub is busy finishing releases: this ${kind === 'start' ? 'request' : 'command'} waited ${Math.round(this.maxWaitMs / 1000)} s for its turn and was not carried out (nothing was changed). Send it again in a few seconds.`,
              { status: 503, retryAfterSec: 5 },
              {
                zh: `系统正在优先完成已批准的发布：本${kind === 'start' ? '请求' : '命令'}排队 ${Math.round(this.maxWaitMs / 1000)} 秒仍未轮到，未做任何更改。请几秒后重新发送。`,
              },
            ),
          );
        }, this.maxWaitMs),
      };
      queue.push(waiter);
      void abandoned?.then(() => {
        if (!queue.includes(waiter)) return;
        leave();
        reject(new GovpubError('client_gone', 'The client closed the connection before the command ran; nothing was changed.', { status: 499 }));
      });
    });
  }

  /** Gives a freed turn to the longest-waiting `finish` command, else the longest-waiting `start` one. */
  private next(): void {
    while (this.running < this.atOnce) {
      const waiter = this.queues.finish.shift() ?? this.queues.start.shift();
      if (!waiter) return;
      this.running++;
      waiter.admit();
    }
  }
}
