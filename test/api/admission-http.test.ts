/**
 * Commands taking turns (api/admission.ts) through real HTTP on the real API: a decision goes
 * before a create that waited longer, a command that waits too long is refused with 503
 * `api_busy` and Retry-After and changes nothing, reads are never held, and the OpenAPI document
 * says which routes take turns. A test route registered through `ApiOptions.register` holds the
 * API's one turn for as long as the test needs.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { ApiClient } from '../../cli/api-client.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { scrape, total } from '../support/prometheus.js';

let app: TestApp;
const apis: FastifyInstance[] = [];
const tokens = { editor: '', first: '' };

/** An API with one turn, and `hold()`: a request that takes the turn and keeps it until released. */
async function oneTurnApi(maxWaitMs: number) {
  let release = () => {};
  let held = () => {};
  const api = await buildApi(app.ctx, {
    logger: false,
    admission: { atOnce: 1, maxWaitMs },
    register: async (instance) => {
      instance.post('/api/test-hold', { config: { admission: 'start' } }, async () => {
        held();
        await new Promise<void>((resolve) => (release = resolve));
        return { held: true };
      });
    },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  apis.push(api);
  const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, any> };
  };
  const hold = async () => {
    const holding = new Promise<void>((resolve) => (held = resolve));
    const done = call('POST', '/api/test-hold', tokens.editor);
    await holding;
    return { done, release: () => release() };
  };
  /** Until `count` commands of the class wait for their turn (the API's own gauge, GET /metrics). */
  const waiting = (kind: 'finish' | 'start', count: number) =>
    expect.poll(async () => total((await scrape(`${base}/metrics`)).samples, 'govpub_api_commands', { state: 'waiting', class: kind })).toBe(count);
  /** Until the API has answered `count` requests to POST /api/packages with a 5xx (GET /metrics). */
  const refusedCreates = (count: number) =>
    expect
      .poll(async () =>
        total((await scrape(`${base}/metrics`)).samples, 'govpub_http_request_duration_seconds_count', {
          method: 'POST',
          route: '/api/packages',
          status_class: '5xx',
        }),
      )
      .toBe(count);
  return { call, hold, base, waiting, refusedCreates };
}

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  tokens.editor = (await app.user('turns-editor', 'editor')).token;
  tokens.first = (await app.user('turns-first', 'reviewer', ['初审'])).token;
});

afterAll(async () => {
  for (const api of apis) await api.close();
  await app?.close();
});

describe('commands take turns', () => {
  it('refuses a command that waited too long with 503 api_busy and Retry-After, storing nothing; reads go on', async () => {
    const { call, hold } = await oneTurnApi(300);
    const count = async () =>
      Number(
        (
          await app.db
            .selectFrom('packages')
            .select(({ fn }) => fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const holder = await hold();
    const refused = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('5');
    expect(refused.body.error.code).toBe('api_busy');
    expect(refused.body.error.message).toMatch(/nothing was changed\)\. Send it again/);
    expect(refused.body.error.requestId).toBeTruthy();
    expect(await count()).toBe(before);
    // Reads are never held.
    expect((await call('GET', '/api/packages', tokens.editor)).status).toBe(200);
    holder.release();
    expect((await holder.done).status).toBe(200);
    // With the turn free, the same request goes through.
    expect((await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry))).status).toBe(201);
    expect(await count()).toBe(before + 1);
  });

  it('gives the freed turn to a review decision before a create that waited longer', async () => {
    const { call, hold, waiting } = await oneTurnApi(20_000);
    const pkg = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    expect(pkg.status).toBe(201);
    expect((await call('POST', `/api/packages/${pkg.body.id}/submit`, tokens.editor)).status).toBe(200);

    const holder = await hold();
    const answered: string[] = [];
    const create = call('POST', '/api/packages', tokens.editor, policyPackage(app.registry)).then((r) => (answered.push('create'), r));
    // The create is waiting first (a fixed 100 ms was not always enough for a request to arrive on
    // a loaded machine, and the freed turn then went to the only one waiting).
    await waiting('start', 1);
    const decision = call('POST', `/api/packages/${pkg.body.id}/decisions`, tokens.first, { revision: pkg.body.revision, decision: 'approve' }).then(
      (r) => (answered.push('decision'), r),
    );
    await waiting('finish', 1);
    expect(answered).toEqual([]);
    holder.release();
    expect((await decision).status).toBe(200);
    expect((await create).status).toBe(201);
    expect(answered).toEqual(['decision', 'create']);
  });

  it("the CLI's client sends a command the API refused as busy again after the pause, and it is carried out once", async () => {
    const { hold, base, refusedCreates } = await oneTurnApi(300);
    const holder = await hold();
    const client = new ApiClient(base, tokens.editor);
    const title = `排队重发 ${Date.now()}`;
    const body = policyPackage(app.registry, { title });
    const created = client.request<{ id: string }>('POST', '/api/packages', body);
    // Refused once (its 0.3 s of waiting is over), then the client pauses 5 s: free the turn meanwhile.
    await refusedCreates(1);
    holder.release();
    await holder.done;
    const { id } = await created;
    expect(id).toBeTruthy();
    const rows = await app.db.selectFrom('packages').select('id').where('title', '=', title).execute();
    expect(rows.map((r) => r.id)).toEqual([id]);
  });

  it('says in the OpenAPI document which routes take turns, and that they may answer 503', async () => {
    const { call } = await oneTurnApi(1000);
    const doc = (await call('GET', '/api/openapi.json', tokens.editor)).body as {
      paths: Record<string, Record<string, { 'x-govpub-turn'?: string; responses: Record<string, unknown> }>>;
    };
    const turn = (path: string, method: string) => doc.paths[path]?.[method]?.['x-govpub-turn'];
    expect(turn('/api/packages', 'post')).toBe('start');
    expect(turn('/api/packages/{id}/submit', 'post')).toBe('start');
    expect(turn('/api/packages/{id}/decisions', 'post')).toBe('finish');
    expect(turn('/api/deliveries/{id}/retry', 'post')).toBe('finish');
    expect(doc.paths['/api/packages/{id}/decisions']!.post!.responses['503']).toBeDefined();
    // Urgent actions and reads never wait.
    expect(turn('/api/packages/{id}/retract', 'post')).toBeUndefined();
    expect(turn('/api/channels/{id}/pause', 'post')).toBeUndefined();
    expect(turn('/api/packages', 'get')).toBeUndefined();
    expect(doc.paths['/api/packages']!.get!.responses['503']).toBeUndefined();
  });
});
