/**
 * Messages of the delivery and take-down workflows (plans, outcomes of their activities, operator
 * Updates, status Query, ids and task queues): shared by the workflows, their activities and the
 * services. Pure: imported by workflow code. Delivery states (deliveries.state) are defined once,
 * in domain/delivery-state.ts.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryState } from '../domain/delivery-state.js';
export { DELIVERY_STATES, type DeliveryState } from '../domain/delivery-state.js';

export interface DeliveryRef {
  packageId: string;
  revision: number;
  channelId: string;
}

/** Everything the delivery workflow needs to know about its channel, decided once at planning. */
export interface DeliveryPlan extends DeliveryRef {
  deliveryId: string;
  businessKey: string;
  platform: string;
  publishing: 'api' | 'manual';
  /** Task queue of the platform's transmits (its concurrency cap lives on the workers). */
  platformQueue: string;
  mediaQueue: string;
  confirmTimeoutMs: number;
  /** First wait before a status query; absent in plans made before it existed (then 2 s, as those ran). */
  confirmFirstPollMs?: number;
  /**
   * Where the platform's status queries share a sweep (platforms.yaml `statusSweepSec`): their task
   * queue, outside the transmits' rate cap, and how long one query waits there for a final state.
   * Absent: status queries run on `platformQueue` and answer at once.
   */
  statusQueue?: string;
  statusWaitMs?: number;
  maxAttempts: number;
  reminderEveryMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  rateLimitWaitMs: number;
  /** When the release started: one stable date for every channel's pages and posts. */
  releasedAt: string;
  /**
   * The platform has more channels in this release than its quota lets start within a second
   * (domain/release-order.ts): the release starts these after the others have started. Absent in
   * plans made before it existed (then every channel starts in one batch, as those ran).
   */
  quotaBound?: boolean;
}

export type AttemptOutcome =
  | { kind: 'live'; publicUrl: string | null }
  | { kind: 'submitted' }
  | { kind: 'awaiting_manual' }
  /** The channel is paused (by operations or because its credentials were refused). */
  | { kind: 'held'; reason: string }
  | { kind: 'retryable'; message: string }
  | { kind: 'unconfirmed'; message: string }
  | { kind: 'rate_limited'; message: string; retryAfterMs: number }
  | { kind: 'needs_reconnect'; message: string }
  | { kind: 'rejected'; message: string }
  /** Nothing left to do: already live, skipped or retracted. */
  | { kind: 'settled'; state: DeliveryState; publicUrl: string | null };

export type FormatOutcome =
  /**
   * `renditions` the payload uses; `toPrepare` of them not yet in the media cache (absent in
   * histories recorded before it existed: then every rendition went through the media step).
   */
  | { kind: 'ready'; renditions: number; toPrepare?: number }
  | { kind: 'rejected'; message: string }
  | { kind: 'held'; reason: string }
  | { kind: 'settled'; state: DeliveryState; publicUrl: string | null };

export type ConfirmOutcome =
  | { kind: 'live'; publicUrl: string | null }
  | { kind: 'pending'; note?: string }
  | { kind: 'rejected'; message: string }
  | { kind: 'retryable'; message: string }
  | { kind: 'rate_limited'; message: string; retryAfterMs: number }
  | { kind: 'needs_reconnect'; message: string };

export type TakeDownOutcome =
  { kind: 'retracted' } | { kind: 'manual' } | { kind: 'retryable'; message: string; retryAfterMs?: number } | { kind: 'needs_reconnect'; message: string };

/**
 * What the platform says of a post an operator confirms taken down by hand: gone; still there
 * (public, or in its review), said in both languages; or not asked, and why (the platform offers
 * no such query, govpub holds no id of the post, or the platform could not be reached).
 */
export type TakedownCheck = { kind: 'gone' } | { kind: 'still_there'; message: string; messageZh: string } | { kind: 'unchecked'; reason: string };

/** A state change the workflow decides (waits, give-ups, operator actions), recorded with its audit entry. */
export interface DeliveryChange {
  state: DeliveryState;
  /** Audit action, e.g. `delivery_rate_limited`, `delivery_skipped`. */
  action: string;
  actor: string;
  /** Unique per change: `<workflowId>/<runId>/<seq>`, so a retried activity records once. */
  eventKey: string;
  errorClass?: string | null;
  errorMessage?: string | null;
  nextAttemptAt?: string | null;
  task?: string | null;
  publicUrl?: string | null;
  externalId?: string | null;
  skippedReason?: string | null;
  reminded?: boolean;
  live?: boolean;
  /** When it went live, if not now: a manual post confirmed after it went up (UTC ISO). */
  liveAt?: string;
  takenDown?: boolean;
  details?: Record<string, unknown>;
}

export interface DeliveryResult {
  channelId: string;
  state: DeliveryState;
  publicUrl: string | null;
  liveAt: string | null;
}

/** Operator requests to a delivery workflow (Updates). */
export interface RetryRequest {
  by: string;
}
export interface SkipRequest {
  by: string;
  reason: string;
}
export interface ConfirmManualRequest {
  by: string;
  url: string;
  note?: string;
  /** When the post went up on the platform (UTC ISO), when the operator says; else the confirmation's time. */
  postedAt?: string;
}

/** What a delivery or take-down workflow answers to its status Query and operator Updates. */
export interface DeliveryStatus {
  state: DeliveryState;
  /** What the delivery is waiting for right now. */
  waitingFor: 'nothing' | 'platform' | 'backoff' | 'rate_limit' | 'channel' | 'operator' | 'manual_post' | 'manual_takedown' | 'confirmation' | 'database';
  attempts: number;
  lastError: string | null;
}

// The names below are in every running workflow's history: they never change.
export const deliveryStatusQuery = defineQuery<DeliveryStatus>('status');
export const retryDeliveryUpdate = defineUpdate<DeliveryStatus, [RetryRequest]>('retry');
export const skipDeliveryUpdate = defineUpdate<DeliveryStatus, [SkipRequest]>('skip');
export const confirmManualUpdate = defineUpdate<DeliveryStatus, [ConfirmManualRequest]>('confirmManual');
/** Sent by operations' "resume channel" to every delivery held on that channel. */
export const channelResumedSignal = defineSignal('channelResumed');
/**
 * The platform said it has news of this delivery (WeChat's PUBLISHJOBFINISH push): a delivery
 * waiting to ask whether its post is public asks now. The push only wakes it; what the platform's
 * status API answers is what counts, so a forged or stale push costs one query at most.
 */
export const platformReportedSignal = defineSignal('platformReported');

/**
 * How one attempt ended: format, then the renditions not cached yet, then transmit
 * (workflows/delivery-steps.ts, attemptDelivery). `step_failed` is an activity that ran out of
 * retries (a defect, unusable media) or the database away; platforms' answers are `transmitted`.
 */
export type AttemptResult =
  | { kind: 'transmitted'; outcome: AttemptOutcome }
  | { kind: 'format_settled'; state: DeliveryState; publicUrl: string | null }
  | { kind: 'format_rejected'; message: string }
  | { kind: 'step_failed'; message: string; databaseOutage: boolean };

/**
 * Where a delivery workflow picks up: after continue-as-new (long confirmation or manual waits),
 * or (`attempted`) after its package's workflow made the first attempt itself and the platform's
 * answer needs more than that (workflows/first-attempt.ts): the workflow goes on from `attempt`.
 */
export interface DeliveryResume {
  phase: 'confirm' | 'manual' | 'attempted';
  markedUnconfirmed: boolean;
  confirmStartedAt: number;
  /** With phase `attempted`: how the first attempt ended. */
  attempt?: AttemptResult;
}

export function deliveryWorkflowId(businessKey: string): string {
  return `delivery:${businessKey}`;
}

export function takedownWorkflowId(businessKey: string): string {
  return `takedown:${businessKey}`;
}

/**
 * What the platform says of a channel's credentials when operations resume it after govpub held
 * it for refused credentials (services/deliveries.ts resumeChannel, workflows/channel-check.ts):
 * `accepted`, an authenticated call went through; `refused`, the platform refuses them still (its
 * message, credentials blanked, and code); `unchecked`, it could not be asked (the platform has no
 * such call, it did not answer, no worker of its queue took the check in time).
 */
export type CredentialCheck =
  { outcome: 'accepted' } | { outcome: 'refused'; message: string; platformCode: string | null } | { outcome: 'unchecked'; reason: string };

export interface CredentialCheckInput {
  channelId: string;
  platform: string;
}

/**
 * One check per channel at a time: two operators resuming at once share it. Per task queue too:
 * two deployments sharing a Temporal namespace (each with its own GOVPUB_TASK_QUEUE and database)
 * must not read each other's answer about their own credentials.
 */
export function credentialCheckWorkflowId(taskQueue: string, channelId: string): string {
  return `channel-check:${taskQueue}:${channelId}`;
}

/** How long the check may take on the platform's queue, waiting for a worker included. */
export const CREDENTIAL_CHECK_TIMEOUT_MS = 20_000;

export function platformTaskQueue(base: string, platform: string): string {
  return `${base}-${platform}`;
}

/** The queue of a sweeping platform's status queries (they wait at the sweep, so they get many slots and no rate cap). */
export function platformStatusQueue(base: string, platform: string): string {
  return `${base}-${platform}-status`;
}

export function deliveryMediaQueue(base: string): string {
  return `${base}-media`;
}

/** What a retraction needs to know about one delivery of the release. */
export interface DeliveryStanding {
  channelId: string;
  state: DeliveryState;
  publicUrl: string | null;
  liveAt: string | null;
  externalId: string | null;
  attempts?: number;
}

/**
 * A retraction goes to every channel where the post is, or may be, public: live or unconfirmed,
 * sent at least once whatever its state now (a failed or skipped delivery may have posted before
 * its answer was lost), or waiting for a manual post that an operator may have made. Only a
 * delivery that never left govpub is left out.
 */
export function mayBePublic(d: DeliveryStanding): boolean {
  if (d.state === 'retracted') return false;
  if (['live', 'unconfirmed', 'transmitting', 'awaiting_manual', 'retracting'].includes(d.state)) return true;
  return d.externalId !== null || (d.attempts ?? 0) > 0;
}
