/**
 * Users, their API tokens and passwords: adding, authenticating, disabling, enabling, rotating,
 * setting a password or a unit; every change audited (never with a secret in it).
 */
import { looksLikeApiToken } from '../domain/api-token.js';
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/audit.js';
import type { DB, UserRow } from '../db/schema.js';
import { nearestName } from '../config/did-you-mean.js';
import { allUsers, insertUser, updateUser, userByName as findUserByName, userByTokenHash, userNamedAlike } from '../db/tokens.js';
import { deleteSessionsOf } from '../db/sessions.js';
import { inTransaction } from '../db/transaction.js';
import { chinaTimeToSecond } from '../domain/beijing-time.js';
import { GovpubError } from '../domain/errors.js';
import { roleZh } from '../domain/messages-zh.js';
import type { Actor, Role } from '../domain/package-rules.js';
import type { Registry } from '../domain/registry.js';
import { noteProblem, showsNothing } from '../domain/text.js';
import { passwordProblem } from '../domain/password-rule.js';
import { unitById } from '../domain/units.js';
import { validEmail } from './user-email.js';

export const ROLES: Role[] = ['editor', 'reviewer', 'ops', 'admin'];

/** A user's full name (e.g. 王伟), shown in lists. */
const MAX_DISPLAY_NAME = 100;

/**
 * A display name as stored: trimmed, one line, something a reader sees; '' (or only spaces) for none,
 * the login name then. A line break or tab splits the lists and review histories that show it, and a
 * name of zero-width characters shows as nobody where a reviewer's name belongs.
 */
function validDisplayName(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const problem = noteProblem(trimmed, MAX_DISPLAY_NAME);
  if (problem) throw new GovpubError('invalid_display_name', `The display name ${problem}.`);
  const lineBreak = /[\t\n\r\u2028\u2029]/.exec(trimmed);
  if (lineBreak) {
    throw new GovpubError(
      'invalid_display_name',
      `The display name contains a ${lineBreak[0] === '\t' ? 'tab' : 'line break'} at position ${lineBreak.index + 1}: a name is one line (e.g. 王伟); remove it.`,
    );
  }
  if (showsNothing(trimmed)) {
    throw new GovpubError(
      'invalid_display_name',
      "The display name shows nothing (only invisible characters such as zero-width spaces): give the person's full name (e.g. 王伟), or '' for the login name.",
    );
  }
  return trimmed;
}

const NAME_CHARACTERS = /^[\p{L}\p{N}_.@-]+$/u;
const MAX_NAME_CHARS = 64;

/**
 * A login name every command can take as it was typed: letters, digits and _ . @ -, at most 64,
 * beginning with a letter or a digit (a name such as -rf would be read as an option by every
 * `govpub users` command), and in half-width letters (ａｄｍｉｎ, typed with a Chinese input
 * method's full-width mode, looks like admin and signs in as nobody who types admin).
 */
function refuseUnusableName(name: string): void {
  const refuse = (reason: string, zh: string): never => {
    throw new GovpubError('invalid_name', `User name ${JSON.stringify(name)} ${reason}.`, {}, { zh: `用户名 ${JSON.stringify(name)} ${zh}。` });
  };
  const length = [...name].length;
  if (length === 0) refuse('is empty: a name is 1-64 letters, digits or _ . @ -', '为空：用户名须为 1–64 个字母、数字或 _ . @ -');
  if (length > MAX_NAME_CHARS)
    refuse(
      `is ${length} characters: a name is 1-${MAX_NAME_CHARS} letters, digits or _ . @ -`,
      `共 ${length} 个字符：用户名须为 1–${MAX_NAME_CHARS} 个字母、数字或 _ . @ -`,
    );
  const fullWidth = /[\uff01-\uff5e]/.exec(name);
  if (fullWidth) {
    const halfWidth = name.normalize('NFKC');
    refuse(
      `is written in full-width characters (${fullWidth[0]}, a Chinese input method's full-width mode): write it as ${halfWidth}`,
      `含全角字符（${fullWidth[0]}，中文输入法的全角模式）：请写作 ${halfWidth}`,
    );
  }
  const outside = [...name].findIndex((ch) => !NAME_CHARACTERS.test(ch));
  if (outside >= 0) {
    const ch = [...name][outside]!;
    const shown = /\s/.test(ch)
      ? ch === ' ' || ch === '\u3000'
        ? 'a space'
        : 'a tab or line break'
      : /\p{C}/u.test(ch)
        ? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`
        : `"${ch}"`;
    const shownZh = /\s/.test(ch) ? (ch === ' ' || ch === '\u3000' ? '空格' : '制表符或换行') : shown;
    refuse(
      `holds ${shown} at position ${outside + 1}: a name is 1-64 letters, digits or _ . @ - (no spaces)`,
      `第 ${outside + 1} 个字符是${shownZh}：用户名须为 1–64 个字母、数字或 _ . @ -（不含空格）`,
    );
  }
  if (!/^[\p{L}\p{N}]/u.test(name)) {
    const asOption = name.startsWith('-');
    refuse(
      `begins with "${name[0]}": begin it with a letter or a digit${asOption ? ' (every govpub command would read it as an option)' : ''}`,
      `以“${name[0]}”开头：请以字母或数字开头${asOption ? '（govpub 命令会把它当作选项）' : ''}`,
    );
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function toActor(row: UserRow): Actor {
  return { id: row.id, name: row.name, role: row.role, stages: row.stages };
}

/** Stage names (初审) or ids (first) → ids, refusing unknown ones with the list of valid ones. */
export function resolveStages(registry: Registry, stages: string[]): string[] {
  return stages.map((s) => {
    const stage = registry.review.stages.find((r) => r.id === s || r.name === s);
    if (!stage) {
      const valid = registry.review.stages.map((r) => `${r.name} (${r.id})`).join(', ');
      throw new GovpubError('unknown_stage', `Unknown review stage "${s}". Valid stages: ${valid}.`);
    }
    return stage.id;
  });
}

/**
 * The checks of a new user that need neither the registry nor the database, in addUser's order:
 * the CLI runs them before it opens either, so a mistyped role is refused at once.
 */
export function checkNewUserFields(input: { name: string; role: string; stages?: string[]; unit?: string; email?: string; displayName?: string }): {
  name: string;
  displayName: string | null;
} {
  const name = input.name.trim();
  // Checked first, and never echoed: a token pasted where the name belongs would otherwise be stored, audited and shown to everyone.
  if (looksLikeApiToken(name)) throw tokenAsNameError();
  refuseUnusableName(name);
  refuseTokensIn({ role: input.role, stages: input.stages, unit: input.unit, email: input.email, displayName: input.displayName });
  if (!ROLES.includes(input.role as Role)) {
    throw new GovpubError('invalid_role', `Role "${input.role}" is not one of ${ROLES.join(', ')}.`);
  }
  return { name, displayName: input.displayName === undefined ? null : validDisplayName(input.displayName) };
}

export async function addUser(
  db: Kysely<DB>,
  registry: Registry,
  input: {
    name: string;
    role: string;
    stages?: string[];
    displayName?: string;
    by?: string;
    tokenTtlDays?: number;
    /** A unit id from units.yaml. */
    unit?: string;
    /** A first password; without one a password is generated and returned. */
    password?: string;
    /** Where compliance notices reach the user (services/user-email.ts). */
    email?: string;
  },
): Promise<{ user: UserRow; token: string; generatedPassword?: string }> {
  const { name, displayName } = checkNewUserFields(input);
  const stages = resolveStages(registry, input.stages ?? []);
  if (stages.length > 0 && !['reviewer', 'admin'].includes(input.role)) {
    throw new GovpubError(
      'invalid_stages',
      `Only reviewers and admins decide at review stages; ${input.role === 'editor' || input.role === 'ops' ? 'an' : 'a'} ${input.role} takes no --stages.`,
    );
  }
  // As set-role and set-stages refuse it: a reviewer at no stage would see an empty queue and be asked for nothing.
  if (input.role === 'reviewer' && stages.length === 0) {
    const example = registry.review.stages[0]?.name ?? '初审';
    throw new GovpubError('invalid_stages', `A reviewer decides at one or more review stages: give them (--stages ${example}, …). Nothing was stored.`);
  }
  const unit = input.unit === undefined ? null : resolveUnit(registry, input.unit);
  const email = input.email === undefined ? null : validEmail(input.email);
  const generatedPassword = input.password === undefined ? newPassword() : undefined;
  const password = input.password ?? generatedPassword!;
  requireValidPassword(password);
  const passwordHash = await hashPassword(password);
  const token = newToken();
  const expiresAt = tokenExpiry(input.tokenTtlDays);
  const user = await inTransaction(db, async (trx) => {
    // The quick start's `users add admin … | tail -1` run a second time lands here: say how to get a token for the existing user.
    const existing = await userNamedAlike(trx, name);
    if (existing?.name === name)
      throw new GovpubError(
        'user_exists',
        `A user named "${name}" exists already. Pick another name, or, to get a new token for ${name} (the old one stops working), run \`govpub users rotate-token ${name}\`.`,
        {},
        { zh: `用户名 ${name} 已存在。请换一个用户名；如需为该用户换发新令牌（旧令牌随即失效），请运行 govpub users rotate-token ${name}。` },
      );
    // Admin beside admin: two people the audit trail, the review queue and a sign-in would mix up.
    if (existing)
      throw new GovpubError(
        'user_exists',
        `A user named "${existing.name}" exists already, and "${name}" differs from it only in case or in full-width letters: the audit trail and the review pages would mix the two up. Pick another name, or, to get a new token for ${existing.name}, run \`govpub users rotate-token ${existing.name}\`.`,
        { existing: existing.name },
        {
          zh: `已有用户 ${existing.name}，${name} 与它只有大小写或全角/半角之别，审计记录和审核页面会把两人混淆。请换一个用户名；如需为 ${existing.name} 换发新令牌，请运行 govpub users rotate-token ${existing.name}。`,
        },
      );
    const row = await insertUser(trx, {
      id: randomUUID(),
      name,
      display_name: displayName,
      role: input.role as Role,
      stages: JSON.stringify(stages),
      token_hash: hashToken(token),
      token_issued_at: new Date(),
      token_expires_at: expiresAt,
      password_hash: passwordHash,
      unit,
      email,
    });
    await appendAudit(trx, {
      actor: input.by ?? localOperator(),
      action: 'user_added',
      details: { user: name, role: input.role, stages, unit, email, tokenExpiresAt: expiresAt?.toISOString() ?? null },
    });
    return row;
  });
  return { user, token, ...(generatedPassword ? { generatedPassword } : {}) };
}

// ---- Passwords ------------------------------------------------------------------------------

/** scrypt cost: N=2^15, r=8, p=1 needs 32 MiB (128·N·r); memory-hard, ~0.1 s on one core. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const SCRYPT_KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above 128·N·r: Node's default (32 MiB) is exactly the need and refuses it.
    scrypt(password, salt, SCRYPT_KEY_BYTES, { ...params, maxmem: 256 * params.N * params.r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$saltB64$hashB64`: the parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** A fixed hash to verify against when the user is unknown, so both answers take the same time. */
let decoyHash: Promise<string> | undefined;

/** True when `password` matches `stored`; a missing hash (or user) costs the same scrypt run and is false. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const parts = (stored ?? (await decoyHash)).split('$');
  const [kind, n, r, p, salt, hash] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const wellFormed = parts.length === 6 && kind === 'scrypt' && Number.isInteger(params.N) && params.N <= 2 ** 20 && params.r <= 32 && params.p <= 4;
  if (!wellFormed) return false;
  const expected = Buffer.from(hash!, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt!, 'base64'), params);
  return stored !== null && stored !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected);
}

function requireValidPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new GovpubError('invalid_password', `The password ${problem.message}.`, {}, { zh: `密码${problem.messageZh}。` });
}

/** A first password someone can type: 16 characters from an alphabet without look-alikes. */
function newPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function resolveUnit(registry: Registry, unit: string): string {
  const found = unitById(registry, unit) ?? registry.units.find((u) => u.name === unit);
  if (!found) {
    const valid = registry.units.map((u) => `${u.id} (${u.name})`).join(', ');
    throw new GovpubError('unknown_unit', `Unknown unit "${unit}". Give a unit id from config/registry/units.yaml: ${valid}.`);
  }
  return found.id;
}

/**
 * Sets a user's password (given, or generated and returned) and ends their sessions: whoever
 * signed in with the old one is signed out. Audited without the password.
 */
export async function setPassword(
  db: Kysely<DB>,
  name: string,
  password?: string,
): Promise<{ user: UserRow; generatedPassword?: string; sessionsEnded: number }> {
  const user = await existingUser(db, name);
  const generatedPassword = password === undefined ? newPassword() : undefined;
  const chosen = password ?? generatedPassword!;
  requireValidPassword(chosen);
  const passwordHash = await hashPassword(chosen);
  return inTransaction(db, async (trx) => {
    const row = await updateUser(trx, user.id, { password_hash: passwordHash });
    const sessionsEnded = await deleteSessionsOf(trx, user.id);
    await appendAudit(trx, {
      actor: localOperator(),
      action: 'user_password_set',
      details: { user: name, generated: generatedPassword !== undefined, sessionsEnded },
    });
    return { user: row, sessionsEnded, ...(generatedPassword ? { generatedPassword } : {}) };
  });
}

/** Puts a user in a unit (an id or name from units.yaml); audited. */
export async function setUnit(db: Kysely<DB>, registry: Registry, name: string, unit: string): Promise<UserRow> {
  refuseTokensIn({ unit });
  const unitId = resolveUnit(registry, unit);
  return inTransaction(db, async (trx) => {
    // Read locked, in the transaction that writes: the audit's "before" is what was there, even
    // when another administrator moved the user a moment ago.
    const user = await existingUser(trx, name, { lock: true });
    // The unit the user is in already (a command sent again): nothing to change or audit.
    if (user.unit === unitId) return user;
    const row = await updateUser(trx, user.id, { unit: unitId });
    await appendAudit(trx, { actor: localOperator(), action: 'user_unit_set', details: { user: name, unit: unitId, before: user.unit } });
    return row;
  });
}

/** What `changeUser` changed, and the stages nobody can decide at any more. */
export interface UserChange {
  user: UserRow;
  before: { role: Role; stages: string[]; displayName: string | null };
  /** Review stages this user left that no enabled user decides at now: packages reaching them wait. */
  stagesWithoutReviewer: string[];
}

/**
 * Changes a user's role, review stages or display name (a reviewer moving from 初审 to 复审, an
 * editor becoming a reviewer); audited with the values before and after. It takes effect at the
 * user's next request, token or console session alike (both read the user each time). Approvals
 * already given stay: they were the user's to give then, and the rules that read them (nobody
 * approves two stages of one package) go on reading them. A role without stages (editor, ops)
 * drops the stages; stages kept from before must still suit the new role.
 */
export async function changeUser(
  db: Kysely<DB>,
  registry: Registry,
  name: string,
  change: { role?: string; stages?: string[]; displayName?: string; by?: string },
): Promise<UserChange> {
  refuseTokensIn({ role: change.role, stages: change.stages, displayName: change.displayName });
  if (change.role !== undefined && !ROLES.includes(change.role as Role)) {
    throw new GovpubError('invalid_role', `Role "${change.role}" is not one of ${ROLES.join(', ')}.`);
  }
  const requestedStages = change.stages === undefined ? undefined : resolveStages(registry, change.stages);
  const requestedDisplayName = change.displayName === undefined ? undefined : validDisplayName(change.displayName);
  // The user is read locked, in the transaction that writes: two administrators changing one user at
  // once (one the stages, one the display name) each start from the other's result, so neither
  // change is written back over, and the audit's "before" is what was really there.
  const { row, before } = await inTransaction(db, async (trx) => {
    const user = await existingUser(trx, name, { lock: true });
    const role = (change.role ?? user.role) as Role;
    const decides = role === 'reviewer' || role === 'admin';
    let stages = requestedStages ?? user.stages;
    if (requestedStages !== undefined && stages.length > 0 && !decides) {
      const who = role === 'editor' ? 'an editor' : 'an ops user';
      throw new GovpubError(
        'invalid_stages',
        `Only reviewers and admins decide at review stages; ${who} takes no stages (to make ${name} a reviewer: govpub users set-role ${name} reviewer --stages …).`,
      );
    }
    if (!decides) stages = [];
    stages = [...new Set(stages)];
    // A reviewer who decides at no stage would see an empty queue and be asked for nothing.
    if (role === 'reviewer' && stages.length === 0) {
      const example = registry.review.stages[0]?.name ?? '初审';
      throw new GovpubError('invalid_stages', `A reviewer decides at one or more review stages: give them (--stages ${example}, …). Nothing was changed.`);
    }
    const displayName = requestedDisplayName === undefined ? user.display_name : requestedDisplayName;
    const before = { role: user.role, stages: user.stages, displayName: user.display_name };
    const unchanged = role === user.role && sameMembers(stages, user.stages) && displayName === user.display_name;
    if (unchanged) {
      // Said of what was asked: a display name set again is not answered with the role.
      const onlyName = change.role === undefined && change.stages === undefined;
      throw new GovpubError(
        'user_unchanged',
        onlyName
          ? `${name}'s display name is already ${user.display_name ? `"${user.display_name}"` : 'empty (the login name is shown)'}: nothing was changed.`
          : `${name} is already ${describeUser(registry, user.role, user.stages)}${user.display_name ? ` (${user.display_name})` : ''}: nothing was changed.`,
      );
    }
    const updated = await updateUser(trx, user.id, { role, stages: JSON.stringify(stages), display_name: displayName });
    await appendAudit(trx, {
      actor: change.by ?? localOperator(),
      action: 'user_changed',
      details: { user: name, before, after: { role, stages, displayName } },
    });
    return { row: updated, before };
  });
  const stillDeciding = row.disabled_at === null ? row.stages : [];
  const left = before.stages.filter((id) => !stillDeciding.includes(id));
  return { user: row, before, stagesWithoutReviewer: await stagesWithoutDecider(db, registry, left) };
}

/**
 * Of `stages` (those a user just stopped deciding at: moved, demoted or disabled), the ones no
 * enabled user decides at any more. Only these are worth a warning: a stage nobody decided at
 * before was not this change's doing, and a change of name leaves every stage as it was.
 */
export async function stagesWithoutDecider(db: Kysely<DB>, registry: Registry, stages: readonly string[]): Promise<string[]> {
  if (stages.length === 0) return [];
  const deciders = (await allUsers(db)).filter((u) => u.disabled_at === null && (u.role === 'reviewer' || u.role === 'admin'));
  return registry.review.stages.map((s) => s.id).filter((id) => stages.includes(id) && !deciders.some((u) => u.stages.includes(id)));
}

function sameMembers(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A stage as reviewers know it, with the id options take: `初审 (first)`, `初审（first）` in Chinese. */
export function stageLabel(registry: Registry, id: string, zh = false): string {
  const stage = registry.review.stages.find((s) => s.id === id);
  return stage ? (zh ? `${stage.name}（${id}）` : `${stage.name} (${id})`) : id;
}

/** `reviewer at 初审 (first), 复审 (second)`, as people read a role. */
export function describeUser(registry: Registry, role: string, stages: string[], zh = false): string {
  const names = stages.map((id) => stageLabel(registry, id, zh));
  // In Chinese (GOVPUB_LANG=zh): 审核人（reviewer），负责 复审（second）; the role's id is what --role takes.
  if (zh) return `${roleZh(role)}（${role}）${names.length ? `，负责 ${names.join('、')}` : ''}`;
  return `${role}${names.length ? ` at ${names.join(', ')}` : ''}`;
}

/** The user a bearer token belongs to, unless the user is disabled or the token has expired. */
export async function authenticate(db: Kysely<DB>, token: string): Promise<UserRow | undefined> {
  if (token.length > 256) return undefined;
  return userByTokenHash(db, hashToken(token));
}

function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
}

const TOKEN_PREFIX = 'gp_';

/** True when `token` begins as every govpub API token does (`gp_`); anything else cannot be one, whatever the database holds. */
export function hasApiTokenPrefix(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

export { looksLikeApiToken } from '../domain/api-token.js';
export { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '../domain/password-rule.js';

/** How each field is named in the refusal: the value itself is never repeated. */
const FIELD_NAMES = {
  role: ['role', '角色'],
  stages: ['review stage', '审核环节'],
  unit: ['unit', '单位'],
  email: ['e-mail address', '电子邮箱'],
  displayName: ['display name', '显示名称'],
  reason: ['reason', '原因'],
} as const;

/**
 * Refuses an API token typed where a role, a stage, a unit, an address, a display name or a reason
 * belongs, before anything is read or stored: each of those is quoted back in a refusal ("Unknown
 * review stage …"), stored in the users table or written to the audit trail, where every
 * administrator reads it.
 */
export function refuseTokensIn(fields: Partial<Record<keyof typeof FIELD_NAMES, string | string[] | undefined>>): void {
  for (const [field, value] of Object.entries(fields)) {
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (!values.some(looksLikeApiToken)) continue;
    const [what, whatZh] = FIELD_NAMES[field as keyof typeof FIELD_NAMES];
    throw new GovpubError(
      'token_in_field',
      `The ${what} given looks like an API token (gp_ followed by 32 characters): a token is a credential, never ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}, and it is not repeated here. Nothing was changed. Give the ${what} itself; if a token was pasted where others can see it, issue a new one with \`govpub users rotate-token NAME\`.`,
      { field },
      {
        zh: `所填的${whatZh}看起来是一个 API 令牌（gp_ 开头、后接 32 个字符）：令牌是凭据，不能填作${whatZh}，此处也不会回显。未做任何更改。请填写${whatZh}本身；如果令牌已被他人看到，请用 govpub users rotate-token NAME 换发新令牌。`,
      },
    );
  }
}

function tokenAsNameError(): GovpubError {
  return new GovpubError(
    'name_is_token',
    'That user name looks like an API token (gp_ followed by 32 characters): a token is a credential, never a name, and it is not repeated here. Give the user name (e.g. wang.wei); if a token was pasted where others can see it, issue a new one with `govpub users rotate-token NAME`.',
  );
}

function tokenExpiry(days: number | undefined): Date | null {
  if (days === undefined) return null;
  if (!Number.isFinite(days) || days <= 0 || days > 3650) {
    throw new GovpubError(
      'invalid_ttl',
      `A token lifetime of ${days} days is not allowed: give 1 to 3650 days (or none for a token that lasts until rotated).`,
    );
  }
  return new Date(Date.now() + days * 86_400_000);
}

/**
 * Who ran a local administration command: the operating-system account (these commands open the
 * database directly, so that is the identity there is), recorded in the audit trail.
 */
export function localOperator(): string {
  let name = process.env.SUDO_USER || process.env.USER || process.env.LOGNAME || '';
  try {
    name ||= os.userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `os:${name || `uid-${process.getuid?.() ?? '?'}`}`;
}

/** The user named so (a token typed as the name is refused, never quoted), or user_unknown. */
export async function existingUser(db: Kysely<DB>, name: string, options: { lock?: boolean } = {}): Promise<UserRow> {
  if (looksLikeApiToken(name)) throw tokenAsNameError();
  const row = await findUserByName(db, name, options);
  if (!row) {
    // A name typed wrong (zhoa for zhao, Admin for admin) names the user it is nearest to.
    const alike =
      (await userNamedAlike(db, name))?.name ??
      nearestName(
        name,
        (await allUsers(db)).map((u) => u.name),
      );
    throw new GovpubError(
      'user_unknown',
      `No user named "${name}"${alike ? ` (did you mean "${alike}"?)` : ''} (see \`govpub users list\`).`,
      {},
      { zh: `没有名为“${name}”的用户${alike ? `（是否要找“${alike}”？）` : ''}，用户列表见 govpub users list。` },
    );
  }
  return row;
}

/**
 * Disables a user: every request with their token is refused from now on and their browser
 * sessions end. Their past actions stay in the audit trail.
 */
export async function disableUser(db: Kysely<DB>, name: string, reason: string): Promise<UserRow> {
  refuseTokensIn({ reason });
  // A reason like every other in the audit trail: given, storable, at most 2,000 characters.
  const reasonProblem = reason.trim() === '' ? 'is blank: say why the user is disabled' : noteProblem(reason);
  if (reasonProblem) throw new GovpubError('invalid_reason', `The reason ${reasonProblem}.`);
  return inTransaction(db, async (trx) => {
    // Read locked: of two administrators disabling one user at once, the second is told it is done.
    const user = await existingUser(trx, name, { lock: true });
    if (user.disabled_at) {
      const since = chinaTimeToSecond(user.disabled_at.toISOString());
      throw new GovpubError('user_disabled', `${name} has been disabled since ${since} (Beijing time).`, undefined, {
        zh: `${name} 已于 ${since}（北京时间）停用。`,
      });
    }
    const row = await updateUser(trx, user.id, { disabled_at: new Date() });
    const sessionsEnded = await deleteSessionsOf(trx, user.id);
    await appendAudit(trx, { actor: localOperator(), action: 'user_disabled', details: { user: name, reason, sessionsEnded } });
    return row;
  });
}

/**
 * Lets a disabled user in again with a new token, since the old one may have leaked. The new token
 * gets its own lifetime, as a rotated one does: the old token's end may have passed while the user
 * was disabled, and a token printed already expired would let nobody in. A user who is not
 * disabled is refused: enabling again would replace the token they are using.
 */
export async function enableUser(db: Kysely<DB>, name: string, tokenTtlDays?: number): Promise<{ user: UserRow; token: string }> {
  const token = newToken();
  const expiresAt = tokenExpiry(tokenTtlDays);
  const row = await inTransaction(db, async (trx) => {
    // Read locked: of two administrators enabling one user at once, the second is refused here
    // rather than told a token the first one's replaces a moment later.
    const user = await existingUser(trx, name, { lock: true });
    if (!user.disabled_at)
      throw new GovpubError(
        'user_not_disabled',
        `${name} is not disabled: nothing was changed, and their token still works. To issue a new token, \`govpub users rotate-token ${name}\`.`,
      );
    const updated = await updateUser(trx, user.id, {
      disabled_at: null,
      token_hash: hashToken(token),
      token_issued_at: new Date(),
      token_expires_at: expiresAt,
    });
    await appendAudit(trx, {
      actor: localOperator(),
      action: 'user_enabled',
      details: { user: name, newToken: true, tokenExpiresAt: expiresAt?.toISOString() ?? null },
    });
    return updated;
  });
  return { user: row, token };
}

/** Issues a new token (shown once); the old one stops working at once. */
export async function rotateToken(db: Kysely<DB>, name: string, tokenTtlDays?: number): Promise<{ user: UserRow; token: string }> {
  const user = await existingUser(db, name);
  if (user.disabled_at) throw new GovpubError('user_disabled', `${name} is disabled; enable the user first (\`govpub users enable ${name}\`).`);
  const token = newToken();
  const expiresAt = tokenExpiry(tokenTtlDays);
  const row = await inTransaction(db, async (trx) => {
    const updated = await updateUser(trx, user.id, { token_hash: hashToken(token), token_issued_at: new Date(), token_expires_at: expiresAt });
    await appendAudit(trx, { actor: localOperator(), action: 'user_token_rotated', details: { user: name, tokenExpiresAt: expiresAt?.toISOString() ?? null } });
    return updated;
  });
  return { user: row, token };
}

export async function listUsers(db: Kysely<DB>): Promise<Omit<UserRow, 'token_hash' | 'password_hash'>[]> {
  const rows = await allUsers(db);
  return rows.map(({ token_hash: _hidden, password_hash: _alsoHidden, ...rest }) => rest);
}
