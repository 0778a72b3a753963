/** A user's e-mail address, where compliance notices reach the owner unit's editors (services/notify/). */
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/audit.js';
import type { DB, UserRow } from '../db/schema.js';
import { updateUser } from '../db/tokens.js';
import { inTransaction } from '../db/transaction.js';
import { GovpubError } from '../domain/errors.js';
import { existingUser, refuseTokensIn } from './users.js';

const MAX_EMAIL = 254;

/** Why an address cannot be used, or null. Deliberately plain: one @, a dotted domain, no spaces, quotes or angle brackets (nothing a mail header could be split on). */
export function emailProblem(address: string): string | null {
  if (address.length > MAX_EMAIL) return `is ${address.length} characters long; at most ${MAX_EMAIL}`;
  if (/[\u0000-\u0020\u007f"<>(),;:\\[\]]/.test(address)) return 'contains a space, control character or one of " < > ( ) , ; : \\ [ ]';
  const m = /^([^@]{1,64})@([^@]+)$/.exec(address);
  if (!m) return 'is not of the form name@domain (one @, at most 64 characters before it)';
  const domain = m[2]!;
  if (!/^(?=.{1,253}$)([A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?\.)+[A-Za-z\u00a1-\uffff]{2,63}$/.test(domain)) {
    return `has no valid domain after the @ ("${domain.slice(0, 60)}")`;
  }
  return null;
}

/** The address, trimmed and checked, or the error naming the problem. */
export function validEmail(address: string): string {
  const trimmed = address.trim();
  const problem = emailProblem(trimmed);
  if (problem) {
    throw new GovpubError('invalid_email', `The e-mail address "${trimmed.slice(0, 80)}" ${problem}. Give an address like wang.wei@beilin.gov.cn.`);
  }
  return trimmed;
}

/** Sets (or with null clears) a user's e-mail address; audited with the operator. */
export async function setEmail(db: Kysely<DB>, name: string, address: string | null, by: string): Promise<UserRow> {
  refuseTokensIn({ email: address ?? undefined });
  const email = address === null ? null : validEmail(address);
  return inTransaction(db, async (trx) => {
    // Read locked, in the transaction that writes: the audit's "before" is what was there, even
    // when another administrator set an address a moment ago.
    const user = await existingUser(trx, name, { lock: true });
    // The address the user has already (a command sent again): nothing to change or audit.
    if (user.email === email) return user;
    const row = await updateUser(trx, user.id, { email });
    await appendAudit(trx, { actor: by, action: 'user_email_set', details: { user: name, email, before: user.email } });
    return row;
  });
}
