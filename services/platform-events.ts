/**
 * Pushes from platforms about deliveries (WeChat's PUBLISHJOBFINISH): the delivery they name is
 * woken to ask the platform's status API now rather than at its next poll. Nothing is recorded from
 * the push itself, so a forged, repeated or stale push costs at most one status query.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { platformReportedSignal, deliveryWorkflowId } from '../contracts/delivery.js';
import { deliveryReportedSignal, packageWorkflowId } from '../contracts/package.js';
import { deliveryAwaitingPlatform } from '../db/deliveries.js';
import type { AppContext } from './context.js';

/** What became of a push: the delivery was asked to look now, or no delivery waits on that job. */
export type PushOutcome = 'woken' | 'no_waiting_delivery';

export class PlatformEventService {
  constructor(private readonly ctx: AppContext) {}

  /**
   * The platform says job `externalId` on `channelId` has ended: the delivery waiting on it asks
   * the platform now. Its own workflow when it has one; else its package's workflow, where its
   * first attempt waits (workflows/first-attempt.ts).
   */
  async platformReported(channelId: string, externalId: string): Promise<PushOutcome> {
    const row = await deliveryAwaitingPlatform(this.ctx.db, channelId, externalId);
    if (!row) return 'no_waiting_delivery';
    const workflow = this.ctx.temporal.workflow;
    try {
      await workflow.getHandle(deliveryWorkflowId(row.business_key)).signal(platformReportedSignal);
      return 'woken';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    try {
      await workflow.getHandle(packageWorkflowId(row.package_id)).signal(deliveryReportedSignal, { channelId });
      return 'woken';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'no_waiting_delivery';
      throw error;
    }
  }
}
