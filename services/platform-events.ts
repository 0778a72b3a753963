/**
 * Pushes from platforms about deliveries (WeChat's PUBLISHJOBFINISH): the delivery they name is
 * woken to ask the platform's status API now rather than at its next poll. Nothing is recorded from
 * the push itself, so a forged, repeated or stale push costs at most one status query.
 *
 * A push can come before the delivery has recorded the job it names: WeChat publishes in seconds,
 * and on a loaded machine the worker may record the submit's answer later still. Such a push is
 * answered at once (WeChat wants an answer within 5 s) and looked for again a few times over the
 * next seconds, in this process only: a look is one indexed read, the looks are bounded in number
 * and in time, and a push whose looks are lost (a restart, another API process) leaves the
 * delivery to its own poll, as before.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { platformReportedSignal, deliveryWorkflowId } from '../contracts/delivery.js';
import { deliveryReportedSignal, packageWorkflowId } from '../contracts/package.js';
import { deliveryAwaitingPlatform } from '../db/deliveries.js';
import type { AppContext } from './context.js';

/**
 * What became of a push: the delivery was asked to look now; no delivery waits on that job yet and
 * it is looked for again in the next seconds; or no delivery waits on it and it is not looked for
 * (too many pushes are being looked for, or the service is closing).
 */
export type PushOutcome = 'woken' | 'looking_again' | 'no_waiting_delivery';

/**
 * When a push that found no delivery is looked for again, in ms after it came (about 8 s in all).
 * Past that a delivery that records its job late waits at most its first poll (pushWaitSec, 5 s).
 */
export const PUSH_LOOKS_AGAIN_MS: readonly number[] = [250, 750, 1750, 3750, 7750];

/** Pushes looked for again at once, per process: beyond it a push is left to the delivery's poll. */
export const MAX_PUSHES_LOOKED_FOR = 200;

export class PlatformEventService {
  /** The next look of each push being looked for again, by channel and job. */
  private readonly lookingFor = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly looksAgainMs: readonly number[] = PUSH_LOOKS_AGAIN_MS,
  ) {}

  /**
   * The platform says job `externalId` on `channelId` has ended: the delivery waiting on it asks
   * the platform now, or once it has recorded the job if that comes within the next seconds.
   */
  async platformReported(channelId: string, externalId: string): Promise<PushOutcome> {
    if (await this.wake(channelId, externalId)) return 'woken';
    return this.lookAgain(channelId, externalId) ? 'looking_again' : 'no_waiting_delivery';
  }

  /** How many pushes are being looked for again now. */
  get pushesLookedFor(): number {
    return this.lookingFor.size;
  }

  /** Stops looking (the API is closing): the deliveries concerned ask at their own polls. */
  close(): void {
    this.closed = true;
    for (const timer of this.lookingFor.values()) clearTimeout(timer);
    this.lookingFor.clear();
  }

  /**
   * Wakes the delivery waiting on the job: its own workflow when it has one; else its package's
   * workflow, where its first attempt waits (workflows/first-attempt.ts). False when none waits.
   */
  private async wake(channelId: string, externalId: string): Promise<boolean> {
    const row = await deliveryAwaitingPlatform(this.ctx.db, channelId, externalId);
    if (!row) return false;
    const workflow = this.ctx.temporal.workflow;
    try {
      await workflow.getHandle(deliveryWorkflowId(row.business_key)).signal(platformReportedSignal);
      return true;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    try {
      await workflow.getHandle(packageWorkflowId(row.package_id)).signal(deliveryReportedSignal, { channelId });
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** Looks for the job's delivery again at PUSH_LOOKS_AGAIN_MS; false when it is not looked for. */
  private lookAgain(channelId: string, externalId: string): boolean {
    const key = `${channelId}\n${externalId}`;
    // The same push again (WeChat resends one it got no answer to in time): the looks under way serve it.
    if (this.lookingFor.has(key)) return true;
    if (this.closed || this.looksAgainMs.length === 0 || this.lookingFor.size >= MAX_PUSHES_LOOKED_FOR) return false;
    const cameAt = Date.now();
    const look = (n: number) => {
      const timer = setTimeout(
        () => {
          // A look that fails (the database or Temporal away) counts as not found: the poll remains.
          void this.wake(channelId, externalId)
            .catch(() => false)
            .then((woken) => {
              if (woken || this.closed || n + 1 >= this.looksAgainMs.length) this.lookingFor.delete(key);
              else look(n + 1);
            });
        },
        Math.max(0, cameAt + this.looksAgainMs[n]! - Date.now()),
      );
      // The looks never hold a process open that is otherwise done.
      timer.unref();
      this.lookingFor.set(key, timer);
    };
    look(0);
    return true;
  }
}
