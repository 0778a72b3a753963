/**
 * What a request could leave behind, for the bad-input suites: rows, states, keys, jobs, files in
 * the media store, and workflows (through Temporal's visibility). A refused request leaves none.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../db/schema.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Row counts, a digest of every user, package, delivery and channel state, and the media store's files. */
export async function traces(db: Kysely<DB>, mediaDir: string): Promise<Record<string, string>> {
  const { rows } = await sql<Record<string, string>>`select
      (select count(*) from packages)::text as packages,
      (select count(*) from package_revisions)::text as package_revisions,
      (select count(*) from review_decisions)::text as review_decisions,
      (select count(*) from audit_log)::text as audit_log,
      (select count(*) from deliveries)::text as deliveries,
      (select count(*) from media)::text as media,
      (select count(*) from media_jobs)::text as media_jobs,
      (select count(*) from idempotency_keys)::text as idempotency_keys,
      (select md5(coalesce(string_agg(name || ':' || coalesce(display_name, '-') || ':' || role || ':' || stages::text || ':' || token_hash || ':' || coalesce(token_expires_at::text, '-') || ':' || coalesce(disabled_at::text, '-') || ':' || coalesce(password_hash, '-') || ':' || coalesce(unit, '-'), ',' order by name), '')) from users) as users,
      (select md5(coalesce(string_agg(id || ':' || status || ':' || current_revision || ':' || coalesce(current_stage, '-') || ':' || coalesce(release_at::text, '-'), ',' order by id), '')) from packages) as package_states,
      (select md5(coalesce(string_agg(id || ':' || state || ':' || coalesce(skipped_reason, '-'), ',' order by id), '')) from deliveries) as delivery_states,
      (select md5(coalesce(string_agg(id || ':' || coalesce(paused_reason, '-'), ',' order by id), '')) from channels) as channel_states`.execute(db);
  return { ...rows[0]!, mediaFiles: (await listFiles(mediaDir)).join('\n') };
}

/** Asserts what changed between two snapshots: exactly these counts grew, and only the listed states changed. */
export function expectOnly(before: Record<string, string>, after: Record<string, string>, grew: Record<string, number>, changed: string[] = []): void {
  const expected = { ...before };
  for (const [key, n] of Object.entries(grew)) expected[key] = String(Number(before[key]) + n);
  for (const key of changed) expected[key] = after[key]!;
  expect(after).toEqual(expected);
}

/**
 * No refused request started a workflow: one package workflow per package row and one rendition
 * workflow per media job on this task queue (visibility lags a little, so wait for it to agree).
 */
export async function expectNoStrayWorkflows(db: Kysely<DB>, client: Client, taskQueue: string): Promise<void> {
  const count = async (type: string) => (await client.workflow.count(`WorkflowType = '${type}' AND TaskQueue = '${taskQueue}'`)).count;
  const rows = async (table: 'packages' | 'media_jobs') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select(sql<string>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  let expected = {};
  let seen = {};
  // Up to 30 s: on a loaded machine the dev server's visibility store can trail by seconds.
  for (const deadline = Date.now() + 30_000; ;) {
    seen = { packageWorkflow: await count('packageWorkflow'), mediaRenditionsWorkflow: await count('mediaRenditionsWorkflow') };
    expected = { packageWorkflow: await rows('packages'), mediaRenditionsWorkflow: await rows('media_jobs') };
    if (JSON.stringify(seen) === JSON.stringify(expected) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(seen, 'workflows started on this task queue vs the rows that justify them').toEqual(expected);
}
