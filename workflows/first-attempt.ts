/**
 * A delivery's first attempt, made in its package's workflow (issue 14). Most deliveries are live
 * after one attempt (format → renditions not cached yet → transmit, and for a platform that
 * publishes in the background one status query), and a delivery workflow of their own cost
 * Temporal a workflow start, two workflow tasks and two more in the package's workflow: the
 * largest part of what a delivery cost the machine. So the package's workflow runs the same steps
 * (attemptDelivery, with the same activities on the same queues) and starts the delivery workflow
 * only when the answer needs more: a confirmation still to wait for, a rate limit, a held channel,
 * a rejection or failure waiting for operations, a manual hand-off. That workflow goes on from the
 * answer (resume phase `attempted`), so nothing is sent twice.
 *
 * While the first attempt runs there is no delivery workflow to ask: operators' requests are
 * answered "being sent right now" (services/deliveries.ts), as a delivery workflow answers them
 * while it transmits. A retraction meanwhile cancels it the way it cancels a delivery workflow:
 * what was sent stays recorded (and is taken down), what was not is recorded as cancelled.
 */
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { DeliveryPlan, DeliveryResult, DeliveryResume, DeliveryStatus } from '../contracts/delivery.js';
import { activitiesFor, attemptDelivery, recordCancelledByRetraction, safely } from './delivery-steps.js';
import type { ChildHandle } from './release-fanout.js';

/** Temporal's priority key of release work (workflows/package-release.ts). */
type Priority = { priorityKey: number };

/**
 * Starts the first attempt of `plan` and returns, once its format step is done, a handle whose
 * result() is the delivery's final result: at once when the attempt settled it, else the delivery
 * workflow's that `startDelivery` starts with the attempt's answer.
 */
export async function firstAttemptHere(
  plan: DeliveryPlan,
  priority: Priority | undefined,
  startDelivery: (plan: DeliveryPlan, resume: DeliveryResume) => Promise<ChildHandle>,
  platformReported: () => boolean = () => false,
): Promise<ChildHandle> {
  const activities = activitiesFor(plan, priority ? { priority } : {});
  const status: DeliveryStatus = { state: 'pending', waitingFor: 'nothing', attempts: 0, lastError: null };
  let formatted = false;
  const outcome = (async (): Promise<DeliveryResult> => {
    try {
      // A retraction that came first: nothing goes out (a delivery workflow would not be started).
      if (CancellationScope.current().consideredCancelled) return await recordCancelled(plan, activities, status);
      const tried = await attemptDelivery(plan, activities, status, () => void (formatted = true));
      const settled = (state: DeliveryResult['state'], publicUrl: string | null, liveAt: string | null): DeliveryResult => {
        status.state = state;
        return { channelId: plan.channelId, state, publicUrl, liveAt };
      };
      if (tried.kind === 'format_settled') return settled(tried.state, tried.publicUrl, null);
      if (tried.kind === 'transmitted' && tried.outcome.kind === 'live') return settled('live', tried.outcome.publicUrl, new Date(Date.now()).toISOString());
      if (tried.kind === 'transmitted' && tried.outcome.kind === 'settled') return settled(tried.outcome.state, tried.outcome.publicUrl, null);
      const answeredAt = Date.now();
      // Sent, not confirmed yet: a retraction from here on leaves it recorded as sent (the delivery
      // workflow's own 'unconfirmed'), and takes it down.
      if (tried.kind === 'transmitted' && (tried.outcome.kind === 'submitted' || tried.outcome.kind === 'unconfirmed')) status.state = 'unconfirmed';
      // Accepted for processing (WeChat publishes in the background): most are public by the first
      // poll, or by WeChat's push that wakes it (plan.confirmFirstPollMs is then the wait for the
      // push), so that poll is made here too. Not where a status query waits at a sweep (the media
      // center), which may take minutes: that is the delivery workflow's, where operators can act.
      if (tried.kind === 'transmitted' && tried.outcome.kind === 'submitted' && plan.statusWaitMs === undefined) {
        // Asked sooner when the platform pushes news of it (WeChat's PUBLISHJOBFINISH).
        await condition(platformReported, plan.confirmFirstPollMs ?? 2000);
        status.waitingFor = 'platform';
        const answer = await safely(() => activities.statusQueries.confirmDelivery(plan)).catch(() => null);
        // Recorded live by the query itself; any other answer the delivery workflow asks again.
        if (answer?.kind === 'live') return settled('live', answer.publicUrl, new Date(Date.now()).toISOString());
      }
      const handle = await startDelivery(plan, { phase: 'attempted', markedUnconfirmed: false, confirmStartedAt: answeredAt, attempt: tried });
      return await handle.result();
    } catch (error) {
      if (!isCancellation(error) || !CancellationScope.current().consideredCancelled) throw error;
      return await recordCancelled(plan, activities, status);
    }
  })();
  let ended = false;
  // Marked handled here: the fan-out follows the result only once its whole batch has begun.
  outcome.then(
    () => void (ended = true),
    () => void (ended = true),
  );
  // Begun once formatted, as a delivery workflow has begun once started (the fan-out starts the
  // next batch then); not cancellable, so a retraction now still ends in a recorded result.
  await CancellationScope.nonCancellable(() => condition(() => formatted || ended));
  return { result: () => outcome };
}

/** As a cancelled delivery workflow does: what went out stays recorded, what did not is cancelled. */
async function recordCancelled(plan: DeliveryPlan, activities: ReturnType<typeof activitiesFor>, status: DeliveryStatus): Promise<DeliveryResult> {
  await recordCancelledByRetraction(activities, plan, status, () => `${plan.businessKey}:canceled:first-attempt`);
  return { channelId: plan.channelId, state: status.state, publicUrl: null, liveAt: null };
}
