/**
 * Faults between the writes of editorial commands, and commands sent again after a lost answer.
 * Creating a package (POST /api/packages) writes the workflow start, the package's rows and audit
 * entry, and the Idempotency-Key's stored answer: whatever fails, the package ends up whole or
 * absent, and a client retrying ends with one package. A release time set again as it stands is
 * not audited twice. The API reaches the real PostgreSQL through a TCP proxy that can cut its connection.
 */
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { packageWorkflowId, stateQuery } from '../../contracts/package.js';
import { connectPostgres } from '../../db/connect.js';
import type { DB } from '../../db/schema.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller } from '../support/http.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let app: TestApp;
let api: FastifyInstance;
let proxy: TcpProxy;
let apiDb: Kysely<DB>;
let base: string;
let editor: string;

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  const target = new URL(app.databaseUrl);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(app.databaseUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  apiDb = connectPostgres(viaProxy.toString(), 5);
  api = await buildApi({ ...app.ctx, db: apiDb });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  editor = (await app.user('fault-editor', 'editor')).token;
});

afterAll(async () => {
  await api?.close();
  await apiDb?.destroy();
  await proxy?.close();
  await app?.close();
});

const call = apiCaller(() => base);

async function packagesTitled(title: string) {
  return app.db.selectFrom('packages').select(['id', 'status']).where('title', '=', title).execute();
}

describe('creating a package when the database fails between its writes', () => {
  it('keeps the package and its workflow when the COMMIT reached the database but its answer was lost', async () => {
    const title = '提交应答丢失时的发布包';
    proxy.cutAfterNext('commit');
    const answer = await call('POST', '/api/packages', editor, policyPackage(app.registry, { title }));

    // Either the answer says created, or the package is not there: never a row whose workflow is gone.
    const rows = await packagesTitled(title);
    expect(rows).toHaveLength(1);
    const workflow = app.client.workflow.getHandle(packageWorkflowId(rows[0]!.id));
    // It was terminated as "rows could not be stored", under stored rows: no command moved the package again.
    expect((await workflow.describe()).status.name).toBe('RUNNING');
    expect((await workflow.query(stateQuery)).status).toBe('draft');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.id).toBe(rows[0]!.id);
    const created = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', rows[0]!.id).execute();
    expect(created.map((a) => a.action)).toEqual(['create']);

    // And the editor can go on with it.
    const submitted = await call('POST', `/api/packages/${rows[0]!.id}/submit`, editor, {});
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.status).toBe('in_review');
  });

  it('ends the workflow when a statement before the COMMIT fails: no package, no workflow left running', async () => {
    const title = '行未能写入时的发布包';
    await sql`create function refuse_package_row() returns trigger language plpgsql as $$
      begin raise exception 'package % refused by the test', new.id; end $$`.execute(app.db);
    await sql`create trigger refuse_package_row before insert on packages for each row execute function refuse_package_row()`.execute(app.db);
    const { actor } = await app.user('fault-editor-2', 'editor');
    const failure = await app.packages.create(actor, policyPackage(app.registry, { title })).then(
      () => null,
      (e: unknown) => e as Error,
    );
    await sql`drop trigger refuse_package_row on packages`.execute(app.db);
    await sql`drop function refuse_package_row()`.execute(app.db);
    const id = /package (\S+) refused by the test/.exec(failure?.message ?? '')?.[1];
    expect(id, failure?.message).toBeDefined();
    expect(await packagesTitled(title)).toEqual([]);
    const description = await app.client.workflow.getHandle(packageWorkflowId(id!)).describe();
    expect(description.status.name).toBe('TERMINATED');
  });

  it('creates one package for an Idempotency-Key even when storing the key’s answer fails after the package was stored', async () => {
    const title = '幂等键应答未能保存时的发布包';
    const body = policyPackage(app.registry, { title });
    const key = 'create-once-1';
    // The database refuses to store the key's answer (as it would when it went away at that moment).
    await sql`create function refuse_idempotency_answer() returns trigger language plpgsql as $$
      begin
        if new.status_code is not null then raise exception 'storing the answer refused by the test'; end if;
        return new;
      end $$`.execute(app.db);
    await sql`create trigger refuse_idempotency_answer before update on idempotency_keys
      for each row execute function refuse_idempotency_answer()`.execute(app.db);
    const first = await call('POST', '/api/packages', editor, body, { 'idempotency-key': key });
    await sql`drop trigger refuse_idempotency_answer on idempotency_keys`.execute(app.db);
    await sql`drop function refuse_idempotency_answer()`.execute(app.db);
    expect(first.status).toBeGreaterThanOrEqual(500);

    // The client retries with the same key, later than a request is taken for abandoned.
    await app.db
      .updateTable('idempotency_keys')
      .set({ created_at: sql<Date>`created_at - interval '10 minutes'` })
      .where('key', '=', key)
      .execute();
    const retried = await call('POST', '/api/packages', editor, body, { 'idempotency-key': key });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const again = await call('POST', '/api/packages', editor, body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(retried.body.id);

    const rows = await packagesTitled(title);
    expect(rows.map((r) => r.id)).toEqual([retried.body.id]);
    const creates = await app.db
      .selectFrom('audit_log')
      .select('package_id')
      .where('action', '=', 'create')
      .where(sql`details->>'title'`, '=', title)
      .execute();
    expect(creates).toHaveLength(1);
  });
});

describe('a release time set again as it stands (a retry after a lost answer)', () => {
  it('answers with the package as it is and records no second change', async () => {
    const { actor: editorActor } = await app.user('schedule-editor', 'editor');
    const reviewers = await Promise.all(
      (['初审', '复审', '终审'] as const).map(async (stage, i) => (await app.user(`schedule-reviewer-${i}`, 'reviewer', [stage])).actor),
    );
    // Released in two weeks, so it waits as scheduled once approved.
    const twoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const created = await app.packages.create(editorActor, policyPackage(app.registry, { title: '重复设置发布时间的发布包', releaseAt: twoWeeks }));
    await app.packages.submit(editorActor, created.id);
    for (const reviewer of reviewers) await app.packages.decide(reviewer, created.id, { revision: 1, decision: 'approve', comment: '同意' });
    const changes = async (action: string) =>
      (await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).where('action', '=', action).execute()).length;

    const releaseAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const first = await app.packages.schedule(editorActor, created.id, releaseAt, false);
    const again = await app.packages.schedule(editorActor, created.id, releaseAt, false);
    expect(first).toMatchObject({ status: 'scheduled' });
    expect(again).toEqual(first);
    expect(await changes('release_time_changed')).toBe(1);

    // The hold, sent twice: one entry too.
    await app.packages.schedule(editorActor, created.id, null, true);
    await app.packages.schedule(editorActor, created.id, null, true);
    expect(await changes('release_cancelled')).toBe(1);
  });
});
