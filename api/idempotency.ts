/**
 * Idempotency keys (`Idempotency-Key` header) for requests that must not run twice, so a client
 * retrying after a lost answer gets the first answer instead of a second package (POST
 * /api/packages) or a 409 channel_already_paused about its own pause (POST /api/channels/:id/pause).
 *
 * - The same key from the same user with the same request (route and canonical JSON body: field
 *   order and whitespace do not matter) answers with the stored first response, its status code
 *   and `Idempotent-Replayed: true`.
 * - The same key with another request: 409 `idempotency_key_reused`.
 * - While the first request is still running: 409 `idempotency_request_in_progress` (retry).
 * - A request that fails (4xx, 5xx) stores nothing: the key can be used again.
 * - Keys are kept RETENTION_HOURS; a key sent again after that is a new request. Expired keys
 *   are deleted as new keys are stored (at most once a minute), and a key is per user (two users
 *   may pick the same key).
 *
 * - A request that writes in a transaction stores its answer in that transaction (KeepAnswer).
 *
 * Rows live in `idempotency_keys` (db/migrations/0004_idempotency_keys.ts), read and written
 * through db/idempotency.ts.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  forgetExpiredKey,
  purgeIdempotencyKeys,
  releaseIdempotencyKey,
  takeOverAbandonedKey,
} from '../db/idempotency.js';
import type { DB } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { chinaTimeToSecond } from '../domain/beijing-time.js';

/** How long a key is remembered. */
export const RETENTION_HOURS = 24;
/** A key whose first request started this long ago and never finished (the process died) may be taken over. */
export const ABANDONED_AFTER_MS = 5 * 60_000;

/** The key as sent: a bare token or a quoted string (structured-field form). */
export function keyFromHeader(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Stores the answer in the caller's own transaction, with the rows the request writes: the request
 * and its answer are kept together or not at all. Were the answer stored afterwards and that write
 * lost, the key would look abandoned and a retry would run the request a second time.
 */
export type KeepAnswer = (trx: Kysely<DB>, answer: { status: number; body: unknown }) => Promise<void>;

export interface Outcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** How often a process deletes the expired keys (it was a statement on every keyed request). */
const PURGE_EVERY_MS = 60_000;
const lastPurge = new WeakMap<Kysely<DB>, number>();

async function purgeNowAndThen(db: Kysely<DB>): Promise<void> {
  const now = Date.now();
  if (now - (lastPurge.get(db) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(db, now);
  await purgeIdempotencyKeys(db, RETENTION_HOURS);
}

/**
 * Runs `run` once per (user, key): the first call runs it and stores its answer; later calls with
 * the same request get that answer back.
 */
export async function withIdempotencyKey(
  db: Kysely<DB>,
  request: { userId: string; key: string; route: string; body: unknown },
  run: (keepAnswer: KeepAnswer) => Promise<{ status: number; body: unknown }>,
): Promise<Outcome> {
  const owner = { userId: request.userId, key: request.key };
  const fingerprint = createHash('sha256')
    .update(`${request.route}\n${canonicalJson(request.body)}`)
    .digest('hex');
  await purgeNowAndThen(db);

  if (!(await claimIdempotencyKey(db, owner, { route: request.route, fingerprint }))) {
    const row = await findIdempotencyKey(db, owner);
    if (!row) return withIdempotencyKey(db, request, run); // deleted (expired) in between: claim it now
    // Expired but not purged yet: a new request, as if it had been (the database's clock decides).
    const expired = row.created_at.getTime() < Date.now() - RETENTION_HOURS * 3600_000;
    if (expired && (await forgetExpiredKey(db, owner, RETENTION_HOURS))) return withIdempotencyKey(db, request, run);
    if (row.fingerprint !== fingerprint) {
      throw new GovpubError(
        'idempotency_key_reused',
        `The Idempotency-Key "${request.key}" was already used for a different request (${row.route}, another body) at ${chinaTimeToSecond(row.created_at.toISOString())} (Beijing time). Use a new key for a new request.`,
        { status: 409 },
        {
          zh: `该幂等键（Idempotency-Key）"${request.key}" 已于 ${chinaTimeToSecond(row.created_at.toISOString())}（北京时间）用于另一个请求（${row.route}，请求内容不同）。新的请求请使用新的键。`,
        },
      );
    }
    if (row.status_code !== null) return { status: row.status_code, body: row.response, replayed: true };
    // Still running, or abandoned by a process that died: take it over only in the second case.
    if (!(await takeOverAbandonedKey(db, owner, new Date(Date.now() - ABANDONED_AFTER_MS)))) {
      throw new GovpubError(
        'idempotency_request_in_progress',
        `A request with the Idempotency-Key "${request.key}" is still running. Retry in a few seconds to get its answer.`,
        {
          status: 409,
        },
      );
    }
  }

  let outcome: { status: number; body: unknown };
  let keptInTransaction = false;
  try {
    outcome = await run(async (trx, answer) => {
      await completeIdempotencyKey(trx, owner, answer);
      keptInTransaction = true;
    });
  } catch (error) {
    // Nothing to remember: the same key may be sent again (after fixing the request). An answer
    // kept in a transaction that rolled back is gone with it (the row's status is null again).
    await releaseIdempotencyKey(db, owner);
    throw error;
  }
  if (!keptInTransaction) await completeIdempotencyKey(db, owner, outcome);
  return { ...outcome, replayed: false };
}
