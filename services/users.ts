import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, UserRow } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor, Role } from '../domain/package-rules.js';
import type { Registry } from '../domain/registry.js';
import { appendAudit } from '../activities/package-activities.js';

export const ROLES: Role[] = ['editor', 'reviewer', 'ops', 'admin'];

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

export async function addUser(
  db: Kysely<DB>,
  registry: Registry,
  input: { name: string; role: string; stages?: string[]; displayName?: string; by?: string },
): Promise<{ user: UserRow; token: string }> {
  const name = input.name.trim();
  if (!/^[\p{L}\p{N}_.@-]{1,64}$/u.test(name)) {
    throw new GovpubError('invalid_name', `User name "${input.name}" must be 1-64 letters, digits or _ . @ - (no spaces).`);
  }
  if (!ROLES.includes(input.role as Role)) {
    throw new GovpubError('invalid_role', `Role "${input.role}" is not one of ${ROLES.join(', ')}.`);
  }
  const stages = resolveStages(registry, input.stages ?? []);
  if (stages.length > 0 && !['reviewer', 'admin'].includes(input.role)) {
    throw new GovpubError('invalid_stages', `Only reviewers and admins decide at review stages; a ${input.role} takes no --stages.`);
  }
  const token = `gp_${randomBytes(24).toString('base64url')}`;
  const user = await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
    if (existing) throw new GovpubError('user_exists', `A user named "${name}" exists already. Pick another name.`);
    const row = await trx
      .insertInto('users')
      .values({ id: randomUUID(), name, display_name: input.displayName ?? null, role: input.role as Role, stages: JSON.stringify(stages), token_hash: hashToken(token) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, { actor: input.by ?? 'cli', action: 'user_added', details: { user: name, role: input.role, stages } });
    return row;
  });
  return { user, token };
}

export async function authenticate(db: Kysely<DB>, token: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('token_hash', '=', hashToken(token)).where('disabled_at', 'is', null).executeTakeFirst();
}

export async function listUsers(db: Kysely<DB>): Promise<Omit<UserRow, 'token_hash'>[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('created_at').execute();
  return rows.map(({ token_hash: _hidden, ...rest }) => rest);
}
