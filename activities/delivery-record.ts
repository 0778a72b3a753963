/**
 * How a delivery's outcomes are written: the row's fields and the audit entry in one transaction
 * (never one without the other), an attempt's result as the state it leads to, and a classified
 * failure (holding the whole channel, atomically, when credentials were refused).
 */
import type { Kysely } from 'kysely';
import type { TransmitResult } from '../adapters/types.js';
import type { DeliveryError } from '../adapters/errors.js';
import { appendAudit } from '../db/audit.js';
import { pauseChannel, refusedCredentialsPauseReason } from '../db/channels.js';
import { oneMoreAttempt, updateDelivery, updateDeliveryWithAudit, type DeliveryFields } from '../db/deliveries.js';
import type { DB } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { deliveryKey, type DeliveryState, type DeliveryUnit } from '../domain/delivery-state.js';
import type { AttemptOutcome, DeliveryPlan } from '../contracts/delivery.js';

export interface DeliveryAudit {
  action: string;
  actor?: string;
  details?: Record<string, unknown>;
  eventKey: string;
}

export function errorOutcome(error: DeliveryError, defaultWaitMs = 60_000): AttemptOutcome {
  switch (error.errorClass) {
    case 'rate_limited':
      return { kind: 'rate_limited', message: error.message, retryAfterMs: error.retryAfterMs ?? defaultWaitMs };
    case 'needs_reconnect':
      return { kind: 'needs_reconnect', message: error.message };
    case 'rejected':
      return { kind: 'rejected', message: error.message };
    case 'unconfirmed':
      return { kind: 'unconfirmed', message: error.message };
    default:
      return { kind: 'retryable', message: error.message };
  }
}

/** The state each kind of failed attempt leaves the delivery in. */
const STATE_AFTER: Partial<Record<AttemptOutcome['kind'], DeliveryState>> = {
  needs_reconnect: 'needs_reconnect',
  rejected: 'failed',
  rate_limited: 'rate_limited',
  unconfirmed: 'unconfirmed',
};

export function deliveryRecorder(db: Kysely<DB>) {
  /** Sets fields of the delivery row and appends the audit entry in one transaction. */
  async function record(
    unit: DeliveryUnit,
    fields: DeliveryFields,
    audit: DeliveryAudit | null,
    alsoInTransaction?: (trx: Kysely<DB>) => Promise<void>,
  ): Promise<void> {
    const entry = audit && {
      actor: audit.actor ?? 'system',
      action: audit.action,
      packageId: unit.packageId,
      revision: unit.revision,
      channelId: unit.channelId,
      details: audit.details ?? {},
      eventKey: audit.eventKey,
    };
    // The common case is one statement; a change with more to write goes in a transaction.
    if (!alsoInTransaction) {
      if (entry) await updateDeliveryWithAudit(db, unit, fields, entry);
      else await updateDelivery(db, unit, fields);
      return;
    }
    await inTransaction(db, async (trx) => {
      await alsoInTransaction(trx);
      await updateDelivery(trx, unit, fields);
      if (entry) await appendAudit(trx, entry);
    });
  }

  /**
   * `attempt`: the attempt whose post this is. A later attempt's submission (a retry after the
   * platform refused the first post) is audited as its own entry; the first keeps its old key.
   */
  async function recordTransmitResult(unit: DeliveryUnit, result: TransmitResult, how: 'transmit' | 'reconcile', attempt: number): Promise<AttemptOutcome> {
    const key = deliveryKey(unit);
    const now = new Date();
    // A success clears what an earlier attempt was refused for (a site's review, a format's limits).
    const cleared = { error_class: null, error_message: null, problems: '[]' };
    if (result.state === 'live') {
      await record(
        unit,
        { state: 'live', external_id: result.externalId, public_url: result.publicUrl, live_at: now, ...cleared, next_attempt_at: null, task: null },
        { action: 'delivery_live', details: { publicUrl: result.publicUrl, externalId: result.externalId, via: how }, eventKey: `${key}:live` },
      );
      return { kind: 'live', publicUrl: result.publicUrl };
    }
    if (result.state === 'submitted') {
      await record(
        unit,
        { state: 'unconfirmed', external_id: result.externalId, public_url: result.publicUrl ?? null, submitted_at: now, ...cleared, next_attempt_at: null },
        { action: 'delivery_submitted', details: { externalId: result.externalId, via: how }, eventKey: attemptEventKey(`${key}:submitted`, attempt) },
      );
      return { kind: 'submitted' };
    }
    await record(
      unit,
      { state: 'awaiting_manual', external_id: result.externalId, task: 'manual_post', ...cleared },
      { action: 'delivery_awaiting_manual', details: { via: how }, eventKey: `${key}:awaiting_manual` },
    );
    return { kind: 'awaiting_manual' };
  }

  /**
   * Records a classified failure on the row (and holds the channel when credentials were refused).
   * `attempt` numbers the audit entries (one per attempt: a repeat of the same is not recorded
   * twice); `countsAsAttempt`: the failure came before the transmit counted the attempt (a
   * reconcile, the channel's credentials), so it counts it.
   */
  async function recordFailure(
    plan: DeliveryPlan,
    error: DeliveryError,
    attempt: number,
    options: { countsAsAttempt?: boolean } = {},
  ): Promise<AttemptOutcome> {
    const outcome = errorOutcome(error, plan.rateLimitWaitMs);
    await record(
      plan,
      {
        ...(options.countsAsAttempt ? { attempts: oneMoreAttempt(), last_attempt_at: new Date() } : {}),
        state: STATE_AFTER[outcome.kind] ?? 'pending',
        error_class: error.errorClass,
        error_message: error.message,
        platform_code: error.platformCode === undefined ? null : String(error.platformCode),
        problems: JSON.stringify(error.problems),
        next_attempt_at: outcome.kind === 'rate_limited' ? new Date(Date.now() + outcome.retryAfterMs) : null,
      },
      {
        action: `delivery_${error.errorClass}`,
        details: { message: error.message, platformCode: error.platformCode ?? null, attempt },
        eventKey: `${plan.businessKey}:${error.errorClass}:${attempt}`,
      },
      outcome.kind !== 'needs_reconnect'
        ? undefined
        : // The delivery and attempt the platform refused: after a resume that could not check the credentials, the pause says which one held the channel again.
          (trx) => holdChannelForRefusedCredentials(trx, plan, error.message, { attempt }, `${plan.businessKey}:hold:${attempt}`),
    );
    return outcome;
  }

  return { record, recordTransmitResult, recordFailure };
}

/**
 * Holds a channel whose platform refused the account's credentials (a delivery's or a take-down's
 * call), in the caller's transaction, with its `channel_paused` entry: every other call to it would
 * be refused the same way. A channel already paused keeps its pause (and reason).
 */
export async function holdChannelForRefusedCredentials(
  trx: Kysely<DB>,
  plan: Pick<DeliveryPlan, 'channelId' | 'businessKey'>,
  message: string,
  details: Record<string, unknown>,
  eventKey: string,
): Promise<void> {
  if (!(await pauseChannel(trx, plan.channelId, refusedCredentialsPauseReason(message), new Date(), true))) return;
  await appendAudit(trx, {
    actor: 'system',
    action: 'channel_paused',
    channelId: plan.channelId,
    details: { reason: 'needs_reconnect', message, businessKey: plan.businessKey, ...details },
    eventKey,
  });
}

/** An audit entry's idempotency key for something that may happen once per attempt: attempt 1 keeps the plain key (entries recorded before attempts were told apart). */
export function attemptEventKey(key: string, attempt: number): string {
  return attempt > 1 ? `${key}:${attempt}` : key;
}
