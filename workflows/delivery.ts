/**
 * One delivery: one package revision on one channel, exactly once.
 *   format once (the payload snapshot is what every retry sends) → prepare media → transmit
 *   → confirm until the platform says it is public (or hand off to an operator).
 * Failures follow their class: transient ones back off, rate limits wait as long as the platform
 * says, refused credentials hold the channel until operations resume it, rejected content waits
 * for operations (retry or skip), and an unknown outcome is reconciled before anything is sent
 * again (the transmit activity does that). Activities run on the platform's own task queue, whose
 * workers cap how many transmits run at once.
 * A release makes each delivery's first attempt in the package's own workflow
 * (workflows/first-attempt.ts); this workflow starts only when that attempt's answer needs more
 * (a confirmation, a wait, an operator), and goes on from that answer (resume phase `attempted`).
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import {
  channelResumedSignal,
  platformReportedSignal,
  confirmManualUpdate,
  deliveryStatusQuery,
  retryDeliveryUpdate,
  skipDeliveryUpdate,
  type AttemptOutcome,
  type ConfirmOutcome,
  type ConfirmManualRequest,
  type DeliveryChange,
  type DeliveryPlan,
  type DeliveryResult,
  type DeliveryResume,
  type DeliveryStatus,
  type RetryRequest,
  type SkipRequest,
} from '../contracts/delivery.js';
import {
  CHANNEL_RECHECK_MS,
  CONFIRM_POLL_AFTER_TIMEOUT_MS,
  CONFIRM_POLL_MAX_MS,
  CONTINUE_AS_NEW_AFTER_EVENTS,
  DATABASE_RECHECK_MS,
  activitiesFor,
  attemptDelivery,
  failureMessage,
  eventKeys,
  isDatabaseOutage,
  recordCancelledByRetraction,
  safely,
} from './delivery-steps.js';
import { blankNoteProblem, postedAtProblem, postUrlProblem } from '../domain/commands.js';
import type { Problem } from '../domain/package-rules.js';

/** Held deliveries look at the hold again before they wait for "resume channel" (histories from before replay without). */
const RECHECK_HOLD_PATCH = 'recheck-hold-before-waiting';

export async function deliveryWorkflow(plan: DeliveryPlan, resume?: DeliveryResume): Promise<DeliveryResult> {
  const activities = activitiesFor(plan);
  const { main, statusQueries } = activities;
  const status: DeliveryStatus = { state: 'pending', waitingFor: 'nothing', attempts: 0, lastError: null };
  let retryRequested: RetryRequest | null = null;
  let skipRequested: SkipRequest | null = null;
  let manualConfirmation: ConfirmManualRequest | null = null;
  let resumedTimes = 0;
  let publicUrl: string | null = null;
  let liveAt: string | null = null;

  const eventKey = eventKeys();
  const nowIso = () => new Date(Date.now()).toISOString();
  const change = (c: Omit<DeliveryChange, 'eventKey' | 'actor'> & { actor?: string }) =>
    safely(() => main.changeDelivery(plan, { actor: 'system', ...c, eventKey: eventKey() }));

  // ── Operator requests ────────────────────────────────────────────────────
  setHandler(deliveryStatusQuery, () => status);
  const refuse = (code: string, message: string, messageZh?: string) => {
    throw ApplicationFailure.create({ type: code, message, nonRetryable: true, ...(messageZh ? { details: [null, { messageZh }] } : {}) });
  };
  const refuseProblem = (problem: Problem | null) => {
    if (problem) refuse(problem.code, problem.message, problem.messageZh);
  };
  const finished = () => ['live', 'retracted', 'canceled'].includes(status.state);
  // Each handler returns once the main line has acted on the request, so the caller sees the outcome.
  setHandler(
    retryDeliveryUpdate,
    async (r) => {
      retryRequested = r;
      await condition(() => retryRequested !== r);
      return status;
    },
    {
      validator: (_r: RetryRequest) => {
        if (finished()) refuse('delivery_settled', `The delivery is ${status.state}; there is nothing to retry.`);
        if (status.waitingFor === 'platform' || status.waitingFor === 'nothing')
          refuse('delivery_busy', 'The delivery is being sent right now; wait for the attempt to finish.');
        if (status.waitingFor === 'manual_post')
          refuse('delivery_manual', 'This is a manual hand-off: post the bundle on the platform and confirm the URL instead.');
      },
    },
  );
  setHandler(
    skipDeliveryUpdate,
    async (r) => {
      skipRequested = r;
      await condition(() => status.state === 'canceled' || status.state === 'live');
      return status;
    },
    {
      validator: (r) => {
        if (finished()) refuse('delivery_settled', `The delivery is already ${status.state}.`);
        refuseProblem(blankNoteProblem('skipDelivery', 'reason', r.reason));
        if (status.waitingFor === 'platform' || status.waitingFor === 'nothing')
          refuse('delivery_busy', 'The delivery is being sent right now; wait for the attempt to finish, then skip.');
      },
    },
  );
  setHandler(
    confirmManualUpdate,
    async (r) => {
      manualConfirmation = r;
      await condition(() => finished());
      return status;
    },
    {
      validator: (r) => {
        if (finished()) refuse('delivery_settled', `The delivery is already ${status.state}.`);
        if (status.waitingFor === 'platform' || status.waitingFor === 'nothing') {
          refuse('delivery_busy', 'The delivery is being sent right now; wait for the attempt to finish, then confirm.');
        }
        if (status.state !== 'awaiting_manual' && status.state !== 'unconfirmed') {
          refuse('not_awaiting_confirmation', `Only a manual hand-off or an unconfirmed delivery can be confirmed by hand; this one is ${status.state}.`);
        }
        refuseProblem(postUrlProblem(r.url));
        refuseProblem(postedAtProblem(r.postedAt));
      },
    },
  );
  setHandler(channelResumedSignal, () => {
    resumedTimes += 1;
  });
  let platformReports = 0;
  setHandler(platformReportedSignal, () => {
    platformReports += 1;
  });

  const operatorAsked = () => retryRequested !== null || skipRequested !== null || manualConfirmation !== null;

  /** Waits `ms` (or until an operator acts); true when an operator acted. */
  async function wait(ms: number, waitingFor: DeliveryStatus['waitingFor'], also: () => boolean = () => false): Promise<boolean> {
    status.waitingFor = waitingFor;
    const acted = await condition(() => operatorAsked() || also(), ms);
    return acted;
  }

  async function skip(): Promise<DeliveryResult> {
    const request = skipRequested!;
    await change({
      state: 'canceled',
      action: 'delivery_skipped',
      actor: request.by,
      skippedReason: request.reason,
      task: null,
      details: { reason: request.reason },
    });
    status.state = 'canceled';
    status.waitingFor = 'nothing';
    return result();
  }

  /** The delivery's end: it waits for nothing more (a finished workflow still answers the status query). */
  function result(): DeliveryResult {
    status.waitingFor = 'nothing';
    return { channelId: plan.channelId, state: status.state, publicUrl, liveAt };
  }

  /** Waits for operations: retry (true) or skip (false). */
  async function waitForOperator(): Promise<boolean> {
    status.waitingFor = 'operator';
    await condition(() => retryRequested !== null || skipRequested !== null);
    if (skipRequested) return false;
    const by = retryRequested!.by;
    status.attempts = 0;
    await change({ state: 'pending', action: 'delivery_retry_requested', actor: by, errorClass: null, errorMessage: null, nextAttemptAt: null });
    status.state = 'pending';
    retryRequested = null;
    return true;
  }

  async function confirmByHand(): Promise<DeliveryResult> {
    const c = manualConfirmation!;
    publicUrl = c.url;
    liveAt = c.postedAt ?? nowIso();
    await change({
      state: 'live',
      action: 'delivery_confirmed_manually',
      actor: c.by,
      publicUrl: c.url,
      task: null,
      live: true,
      // Absent (not undefined-valued) when the operator gave no time: earlier histories replay as recorded.
      ...(c.postedAt ? { liveAt: c.postedAt } : {}),
      errorClass: null,
      errorMessage: null,
      details: { url: c.url, note: c.note ?? null, ...(c.postedAt ? { postedAt: c.postedAt } : {}) },
    });
    status.state = 'live';
    status.waitingFor = 'nothing';
    return result();
  }

  /** Polls the platform until the post is public, refused, or confirmed by hand. */
  async function confirmUntilFinal(from: DeliveryResume): Promise<'live' | 'rejected' | DeliveryResult> {
    // Plans made before confirmFirstPollMs existed keep the 2 s they ran with (replay is unchanged).
    let interval = plan.confirmFirstPollMs ?? 2000;
    let markedUnconfirmed = from.markedUnconfirmed;
    for (;;) {
      if (workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof deliveryWorkflow>(plan, { phase: 'confirm', markedUnconfirmed, confirmStartedAt: from.confirmStartedAt });
      }
      // A push that comes while the query below runs still ends the pause after it.
      const reportsBeforeAsking = platformReports;
      let outcome: ConfirmOutcome;
      try {
        if (plan.statusWaitMs !== undefined) {
          const answered = await askWhileOperatorsMayAct();
          if (answered === null) {
            // An operator acted while the query waited at the sweep: do as asked.
            if (skipRequested) return skip();
            if (manualConfirmation) return confirmByHand();
            retryRequested = null; // "retry" while confirming means: ask the platform again now
            continue;
          }
          outcome = answered;
        } else {
          status.waitingFor = 'platform';
          outcome = await safely(() => statusQueries.confirmDelivery(plan));
        }
      } catch (error) {
        if (isCancellation(error)) throw error;
        // The database or a defect, not the platform: keep the delivery alive and ask again later.
        status.lastError = failureMessage(error);
        if (
          await wait(
            isDatabaseOutage(error) ? DATABASE_RECHECK_MS : CONFIRM_POLL_MAX_MS,
            isDatabaseOutage(error) ? 'database' : 'confirmation',
            () => manualConfirmation !== null,
          )
        ) {
          if (skipRequested) return skip();
          if (manualConfirmation) return confirmByHand();
          retryRequested = null;
        }
        continue;
      }
      if (outcome.kind === 'live') {
        publicUrl = outcome.publicUrl;
        liveAt = nowIso();
        status.state = 'live';
        return 'live';
      }
      if (outcome.kind === 'rejected') {
        status.state = 'failed';
        status.lastError = outcome.message;
        return 'rejected';
      }
      if (outcome.kind === 'needs_reconnect') {
        const seen = resumedTimes;
        if (await wait(CHANNEL_RECHECK_MS, 'channel', () => resumedTimes > seen || manualConfirmation !== null)) {
          if (skipRequested) return skip();
          if (manualConfirmation) return confirmByHand();
        }
        continue;
      }
      const elapsed = Date.now() - from.confirmStartedAt;
      if (!markedUnconfirmed && elapsed > plan.confirmTimeoutMs) {
        markedUnconfirmed = true;
        status.state = 'unconfirmed';
        const minutes = Math.round(plan.confirmTimeoutMs / 60_000);
        status.lastError = `Accepted by the platform but not confirmed after ${minutes} min. Check the account's back office: if the post is public, confirm it with its URL; if it is not coming, skip the delivery. govpub keeps asking the platform meanwhile.`;
        await change({ state: 'unconfirmed', action: 'delivery_unconfirmed', errorClass: 'unconfirmed', errorMessage: status.lastError });
      }
      const pause = outcome.kind === 'rate_limited' ? outcome.retryAfterMs : markedUnconfirmed ? CONFIRM_POLL_AFTER_TIMEOUT_MS : interval;
      interval = Math.min(interval * 2, CONFIRM_POLL_MAX_MS);
      // A push from the platform (platformReportedSignal) ends the pause, ask again now; not a
      // pause the platform asked for (rate limited).
      const pushEnds = outcome.kind !== 'rate_limited';
      if (await wait(pause, 'confirmation', () => manualConfirmation !== null || (pushEnds && platformReports > reportsBeforeAsking))) {
        if (skipRequested) return skip();
        if (manualConfirmation) return confirmByHand();
        retryRequested = null; // "retry" while confirming means: ask the platform again now
      }
    }
  }

  /**
   * A status query that waits at the platform's sweep (plan.statusWaitMs). It only reads, so it
   * does not hold operators off: the delivery shows as waiting for confirmation, and an operator's
   * skip, confirmation or retry cancels the query. Null when an operator acted before the platform
   * had news (a "live" or "rejected" answer already recorded still counts).
   */
  async function askWhileOperatorsMayAct(): Promise<ConfirmOutcome | null> {
    status.waitingFor = 'confirmation';
    const scope = new CancellationScope();
    const box: { answer?: { outcome: ConfirmOutcome } | { error: unknown } } = {};
    const query = scope
      .run(() => statusQueries.confirmDelivery(plan))
      .then(
        (outcome: ConfirmOutcome) => void (box.answer = { outcome }),
        (error: unknown) => void (box.answer = { error }),
      );
    await condition(() => box.answer !== undefined || operatorAsked());
    if (box.answer === undefined) {
      scope.cancel();
      await query;
    }
    const settled = box.answer!;
    if ('outcome' in settled) {
      const { outcome } = settled;
      return operatorAsked() && outcome.kind !== 'live' && outcome.kind !== 'rejected' ? null : outcome;
    }
    if (isCancellation(settled.error) && operatorAsked()) return null;
    throw settled.error;
  }

  /** Manual hand-off: reminds operations until someone posts the bundle and confirms the URL. */
  async function awaitManualPost(): Promise<DeliveryResult> {
    status.state = 'awaiting_manual';
    for (;;) {
      if (workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof deliveryWorkflow>(plan, { phase: 'manual', markedUnconfirmed: false, confirmStartedAt: Date.now() });
      }
      status.waitingFor = 'manual_post';
      const acted = await condition(() => manualConfirmation !== null || skipRequested !== null, plan.reminderEveryMs);
      if (skipRequested) return skip();
      if (manualConfirmation) return confirmByHand();
      if (!acted)
        await change({
          state: 'awaiting_manual',
          action: 'delivery_manual_reminder',
          reminded: true,
          details: { message: 'The hand-off bundle is still waiting to be posted.' },
        });
    }
  }

  async function settleAfterConfirm(outcome: 'live' | 'rejected' | DeliveryResult): Promise<DeliveryResult | null> {
    if (outcome === 'live') return result();
    if (outcome === 'rejected') return (await waitForOperator()) ? null : skip();
    return outcome;
  }

  /** The main line: attempts until the delivery is live, handed off, skipped or cancelled. */
  async function deliver(): Promise<DeliveryResult> {
    if (resume?.phase === 'confirm') {
      const settled = await settleAfterConfirm(await confirmUntilFinal(resume));
      if (settled) return settled;
    } else if (resume?.phase === 'manual') {
      return awaitManualPost();
    }
    // The package's workflow made the first attempt itself: go on from how it ended.
    let handedOver = resume?.phase === 'attempted' ? resume.attempt : undefined;
    let attemptEndedAt = handedOver ? resume!.confirmStartedAt : undefined;
    for (;;) {
      if (skipRequested) return skip();
      // An operator saw the post live (e.g. while an unknown outcome waited to be reconciled).
      if (manualConfirmation) return confirmByHand();
      const tried = handedOver ?? (await attemptDelivery(plan, activities, status));
      const endedAt = attemptEndedAt ?? Date.now();
      handedOver = attemptEndedAt = undefined;
      if (tried.kind === 'format_settled') {
        status.state = tried.state;
        publicUrl = tried.publicUrl;
        return result();
      }
      if (tried.kind === 'format_rejected') {
        status.state = 'failed';
        status.lastError = tried.message;
        if (await waitForOperator()) continue;
        return skip();
      }
      if (tried.kind === 'step_failed') {
        status.lastError = tried.message;
        if (tried.databaseOutage) {
          // Nothing can be recorded now; the row keeps its last state and the step runs again.
          await wait(DATABASE_RECHECK_MS, 'database');
          if (retryRequested) retryRequested = null;
          continue;
        }
        // Retries of the activity itself ran out (a bug, unusable media).
        status.state = 'failed';
        await change({
          state: 'failed',
          action: 'delivery_failed',
          errorClass: 'internal',
          errorMessage: `${status.lastError} (retry once the cause is fixed)`,
        });
        if (await waitForOperator()) continue;
        return skip();
      }
      const outcome: AttemptOutcome = tried.outcome;
      status.attempts += 1;
      switch (outcome.kind) {
        case 'live':
          status.state = 'live';
          publicUrl = outcome.publicUrl;
          liveAt = nowIso();
          return result();
        case 'settled':
          status.state = outcome.state;
          publicUrl = outcome.publicUrl;
          return result();
        case 'awaiting_manual':
          return awaitManualPost();
        case 'submitted': {
          status.state = 'unconfirmed';
          const settled = await settleAfterConfirm(await confirmUntilFinal({ phase: 'confirm', markedUnconfirmed: false, confirmStartedAt: endedAt }));
          if (settled) return settled;
          continue;
        }
        case 'held':
        case 'needs_reconnect': {
          status.state = outcome.kind === 'held' ? 'pending' : 'needs_reconnect';
          status.lastError = outcome.kind === 'held' ? `channel paused: ${outcome.reason}` : outcome.message;
          const seen = resumedTimes;
          // A resume between the attempt's look at the hold and this wait went unheard (its signal
          // came first, or before this workflow existed when the package's workflow made the
          // attempt): look once more, now that every later resume is counted.
          if (patched(RECHECK_HOLD_PATCH) && !(await safely(() => main.channelStillHeld(plan.channelId)))) continue;
          // Woken by "resume channel"; re-checked every few minutes in case a signal was missed.
          await wait(CHANNEL_RECHECK_MS, 'channel', () => resumedTimes > seen);
          if (retryRequested) retryRequested = null;
          continue;
        }
        case 'rate_limited':
          status.state = 'rate_limited';
          status.lastError = outcome.message;
          await wait(Math.max(1000, outcome.retryAfterMs), 'rate_limit');
          if (retryRequested) retryRequested = null;
          continue;
        case 'unconfirmed':
        case 'retryable': {
          status.state = outcome.kind === 'unconfirmed' ? 'unconfirmed' : 'pending';
          status.lastError = outcome.message;
          if (status.attempts >= plan.maxAttempts) {
            status.state = 'failed';
            await change({
              state: 'failed',
              action: 'delivery_failed',
              errorClass: outcome.kind,
              errorMessage: `${outcome.message} Gave up after ${status.attempts} attempts; retry when the platform is back, or skip.`,
            });
            if (await waitForOperator()) continue;
            return skip();
          }
          const backoff = Math.min(plan.retryMaxMs, plan.retryInitialMs * 2 ** Math.min(status.attempts - 1, 12));
          const nextAt = new Date(Date.now() + backoff).toISOString();
          await change({
            state: status.state,
            action: 'delivery_retry_scheduled',
            nextAttemptAt: nextAt,
            details: { attempt: status.attempts, inMs: backoff },
          });
          await wait(backoff, 'backoff');
          if (retryRequested) retryRequested = null;
          continue;
        }
        case 'rejected':
          status.state = 'failed';
          status.lastError = outcome.message;
          if (await waitForOperator()) continue;
          return skip();
      }
    }
  }

  try {
    return await deliver();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await recordCancelledByRetraction(activities, plan, status, eventKey);
    return result();
  }
}
