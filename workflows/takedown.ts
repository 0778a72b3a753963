/**
 * One take-down: the retraction of one delivery on one channel. By API where the platform can
 * delete, retried and held like a delivery; otherwise, or when retries run out, a manual take-down
 * task that reminds operations until someone confirms the post is gone.
 */
import { ApplicationFailure, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import {
  channelResumedSignal,
  confirmManualUpdate,
  deliveryStatusQuery,
  retryDeliveryUpdate,
  type ConfirmManualRequest,
  type DeliveryPlan,
  type DeliveryResult,
  type DeliveryStatus,
  type RetryRequest,
  type TakedownCheck,
} from '../contracts/delivery.js';
import type { DeliveryActivities } from '../activities/delivery-activities.js';
import { CHANNEL_RECHECK_MS, DATABASE_RECHECK_MS, activitiesFor, eventKeys, failureMessage, isDatabaseOutage } from './delivery-steps.js';

/** An operator's "taken down by hand" is checked with the platform first, where it can be asked. */
const CONFIRMATION_CHECKED_PATCH = 'takedown-confirmation-checked-with-platform';

export async function takedownWorkflow(plan: DeliveryPlan & { reason: string; retractedBy: string }): Promise<DeliveryResult> {
  const { main, platform } = activitiesFor(plan);
  // The operator waits on this answer: short, and a platform that cannot answer leaves their word standing.
  const platformCheck = proxyActivities<DeliveryActivities>({
    taskQueue: plan.platformQueue,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 2 },
  });
  const status: DeliveryStatus = { state: 'retracting', waitingFor: 'nothing', attempts: 0, lastError: null };
  let manualConfirmation: ConfirmManualRequest | null = null;
  let confirmationCheck: Exclude<TakedownCheck, { kind: 'still_there' }> | null = null;
  let retryRequested: RetryRequest | null = null;
  let resumedTimes = 0;
  const eventKey = eventKeys();

  setHandler(deliveryStatusQuery, () => status);
  setHandler(
    confirmManualUpdate,
    async (r) => {
      if (patched(CONFIRMATION_CHECKED_PATCH)) {
        // The platform's word before the operator's: a post it still shows is not taken down.
        const check = await platformCheck
          .checkTakenDown(plan)
          .catch((error: unknown): TakedownCheck => ({ kind: 'unchecked', reason: `the check could not run: ${failureMessage(error)}` }));
        if (check.kind === 'still_there') {
          throw ApplicationFailure.create({
            type: 'post_still_public',
            message: check.message,
            nonRetryable: true,
            details: [null, { messageZh: check.messageZh }],
          });
        }
        if (!manualConfirmation) confirmationCheck = check;
        manualConfirmation ??= r;
      } else manualConfirmation = r;
      await condition(() => status.state === 'retracted');
      return status;
    },
    {
      validator: (_r: ConfirmManualRequest) => {
        if (status.state === 'retracted') throw ApplicationFailure.create({ type: 'delivery_settled', message: 'Already taken down.', nonRetryable: true });
      },
    },
  );
  setHandler(retryDeliveryUpdate, (r) => {
    retryRequested = r;
    return status;
  });
  setHandler(channelResumedSignal, () => {
    resumedTimes += 1;
  });

  for (;;) {
    status.waitingFor = 'platform';
    let outcome: Awaited<ReturnType<typeof platform.takeDownDelivery>>;
    try {
      outcome = await platform.takeDownDelivery(plan);
    } catch (error) {
      // The database away or a defect: the post may still be up, so keep trying (and stay operable).
      status.lastError = failureMessage(error);
      status.waitingFor = isDatabaseOutage(error) ? 'database' : 'backoff';
      await condition(() => retryRequested !== null || manualConfirmation !== null, isDatabaseOutage(error) ? DATABASE_RECHECK_MS : CHANNEL_RECHECK_MS);
      retryRequested = null;
      if (manualConfirmation) break;
      continue;
    }
    status.attempts += 1;
    if (outcome.kind === 'retracted') {
      status.state = 'retracted';
      status.waitingFor = 'nothing';
      return { channelId: plan.channelId, state: 'retracted', publicUrl: null, liveAt: null };
    }
    if (outcome.kind === 'manual') break;
    status.lastError = outcome.message;
    const seen = resumedTimes;
    const waitMs =
      outcome.kind === 'needs_reconnect'
        ? CHANNEL_RECHECK_MS
        : (outcome.retryAfterMs ?? Math.min(plan.retryMaxMs, plan.retryInitialMs * 2 ** Math.min(status.attempts - 1, 12)));
    if (status.attempts >= plan.maxAttempts && outcome.kind === 'retryable') {
      // Keep the task visible to operations: they may take it down by hand and confirm.
      await main.changeDelivery(plan, {
        state: 'retracting',
        action: 'delivery_takedown_failed',
        actor: 'system',
        eventKey: eventKey(),
        task: 'manual_takedown',
        errorClass: 'retryable',
        errorMessage: `${outcome.message} Take the post down by hand and confirm, or retry.`,
      });
      break;
    }
    status.waitingFor = outcome.kind === 'needs_reconnect' ? 'channel' : 'backoff';
    await condition(() => resumedTimes > seen || retryRequested !== null || manualConfirmation !== null, waitMs);
    retryRequested = null;
    if (manualConfirmation) break;
  }

  // Manual take-down task: remind until an operator confirms the post is gone.
  for (;;) {
    status.waitingFor = 'manual_takedown';
    if (manualConfirmation) break;
    const acted = await condition(() => manualConfirmation !== null || retryRequested !== null, plan.reminderEveryMs);
    if (retryRequested && !manualConfirmation) {
      retryRequested = null;
      const outcome = await platform.takeDownDelivery(plan).catch((error: unknown) => ({ kind: 'failed' as const, message: failureMessage(error) }));
      if (outcome.kind === 'failed') status.lastError = outcome.message;
      if (outcome.kind === 'retracted') {
        status.state = 'retracted';
        return { channelId: plan.channelId, state: 'retracted', publicUrl: null, liveAt: null };
      }
      continue;
    }
    if (!acted) {
      await main.changeDelivery(plan, {
        state: 'retracting',
        action: 'delivery_takedown_reminder',
        actor: 'system',
        eventKey: eventKey(),
        reminded: true,
        details: { reason: plan.reason },
      });
    }
  }
  const confirmation = manualConfirmation!;
  // Set by the update handler, which TypeScript's narrowing does not follow.
  const checked = confirmationCheck as Exclude<TakedownCheck, { kind: 'still_there' }> | null;
  await main.changeDelivery(plan, {
    state: 'retracted',
    action: 'delivery_takedown_confirmed',
    actor: confirmation.by,
    eventKey: eventKey(),
    task: null,
    takenDown: true,
    // Settled: the failed attempts' error stays in the audit trail, not on the delivery (as a take-down by API clears it).
    errorClass: null,
    errorMessage: null,
    details: {
      note: confirmation.note ?? null,
      url: confirmation.url,
      ...(checked ? { platformCheck: checked.kind === 'gone' ? 'gone' : `unchecked: ${checked.reason}` } : {}),
    },
  });
  status.state = 'retracted';
  status.waitingFor = 'nothing';
  return { channelId: plan.channelId, state: 'retracted', publicUrl: null, liveAt: null };
}
