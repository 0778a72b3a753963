/**
 * GET /metrics on the API: real requests through a real socket, real Temporal Updates against a
 * running worker, the counts compared with the database; and the optional bearer token.
 */
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiMetrics } from '../../api/metrics.js';
import { buildApi } from '../../api/server.js';
import { loadSettings } from '../../config/settings.js';
import { connectPostgres } from '../../db/connect.js';
import type { DB } from '../../db/schema.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { labelValues, scrape, total, type Sample } from '../support/prometheus.js';
import { apiCaller } from '../support/http.js';

let app: TestApp;
let db: Kysely<DB>;
let api: FastifyInstance;
let base: string;
let locked: FastifyInstance;
let lockedBase: string;
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const tokens = { editor: '', first: '', second: '', final: '' };

async function listen(instance: FastifyInstance): Promise<string> {
  await instance.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(instance.server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  // Wired as runApiProcess wires it: the database and the Temporal client report to the API's metrics.
  const metrics = new ApiMetrics();
  db = connectPostgres(app.databaseUrl, 5, metrics.observeDbQuery);
  const temporal = new Client({ connection: app.client.connection, interceptors: { workflow: [metrics.temporalInterceptor()] } });
  api = await buildApi({ ...app.ctx, db, temporal }, { logger: false, metrics: { registry: metrics } });
  base = await listen(api);
  locked = await buildApi(app.ctx, { logger: false, metrics: { token: METRICS_TOKEN } });
  lockedBase = await listen(locked);
  tokens.editor = (await app.user('metrics-editor', 'editor')).token;
  tokens.first = (await app.user('metrics-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('metrics-second', 'reviewer', ['复审'])).token;
  tokens.final = (await app.user('metrics-final', 'reviewer', ['终审'])).token;
});

afterAll(async () => {
  await api?.close();
  await locked?.close();
  await db?.destroy();
  await app?.close();
});

const call = apiCaller(() => base);

const requests = (samples: Sample[], labels: Record<string, string>) => total(samples, 'govpub_http_request_duration_seconds_count', labels);
const updates = (samples: Sample[], labels: Record<string, string>) => total(samples, 'govpub_workflow_update_duration_seconds_count', labels);

describe('the API metrics endpoint', () => {
  let packageId = '';

  it('counts requests by route pattern, Updates by outcome, workflow starts and database time', async () => {
    const before = await scrape(`${base}/metrics`);
    expect(before.status).toBe(200);
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'govpub_http_request_duration_seconds',
      'govpub_workflow_update_duration_seconds',
      'govpub_workflow_start_duration_seconds',
      'govpub_db_query_duration_seconds',
      'govpub_deliveries',
      'govpub_delivery_backlog',
      'govpub_packages',
      'govpub_api_command_wait_seconds',
      'govpub_api_commands',
    ]) {
      expect(before.text).toContain(`# TYPE ${name} `);
    }
    const queriesBefore = total(before.samples, 'govpub_db_query_duration_seconds_count', { process: 'api' });

    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    expect(created.status).toBe(201);
    packageId = created.body.id;
    expect((await call('POST', `/api/packages/${packageId}/submit`, tokens.editor)).status).toBe(200);
    // A decision on a revision the package does not have: the workflow's validator refuses it.
    const stale = await call('POST', `/api/packages/${packageId}/decisions`, tokens.first, { revision: 9, decision: 'approve' });
    expect(stale.status).toBe(409);
    expect((await call('GET', `/api/packages/${packageId}`, tokens.editor)).status).toBe(200);
    expect((await fetch(`${base}/api/no-such-route/${packageId}`)).status).toBe(404);

    const after = await scrape(`${base}/metrics`);
    const delta = (labels: Record<string, string>) => requests(after.samples, labels) - requests(before.samples, labels);
    expect(delta({ method: 'POST', route: '/api/packages', status_class: '2xx' })).toBe(1);
    expect(delta({ method: 'POST', route: '/api/packages/:id/submit', status_class: '2xx' })).toBe(1);
    expect(delta({ method: 'POST', route: '/api/packages/:id/decisions', status_class: '4xx' })).toBe(1);
    expect(delta({ method: 'GET', route: '/api/packages/:id', status_class: '2xx' })).toBe(1);
    expect(delta({ route: 'unmatched', status_class: '4xx' })).toBe(1);
    // Route patterns only: no id, no raw URL, and the endpoint does not time itself.
    expect(after.text).not.toContain(packageId);
    expect(labelValues(after.samples, 'govpub_http_request_duration_seconds_count', 'route')).not.toContain('/metrics');

    expect(updates(after.samples, { update: 'submit', outcome: 'accepted' }) - updates(before.samples, { update: 'submit', outcome: 'accepted' })).toBe(1);
    expect(updates(after.samples, { update: 'decide', outcome: 'refused' }) - updates(before.samples, { update: 'decide', outcome: 'refused' })).toBe(1);
    expect(total(after.samples, 'govpub_workflow_start_duration_seconds_count', { workflow: 'packageWorkflow' })).toBe(1);
    // The histogram's sum is in seconds: a submit Update takes well under a minute.
    const submitSeconds = total(after.samples, 'govpub_workflow_update_duration_seconds_sum', { update: 'submit' });
    expect(submitSeconds).toBeGreaterThan(0);
    expect(submitSeconds).toBeLessThan(60);
    expect(total(after.samples, 'govpub_db_query_duration_seconds_count', { process: 'api' })).toBeGreaterThan(queriesBefore);
    // Commands took their turns (api/admission.ts): the create and the submit bring work in, the
    // decision moves it along; the read did not take one. None is running or waiting now.
    const turns = (kind: string) =>
      total(after.samples, 'govpub_api_command_wait_seconds_count', { class: kind }) -
      total(before.samples, 'govpub_api_command_wait_seconds_count', { class: kind });
    expect(turns('start')).toBe(2);
    expect(turns('finish')).toBe(1);
    expect(total(after.samples, 'govpub_api_commands', { state: 'running' })).toBe(0);
    expect(total(after.samples, 'govpub_api_commands', { state: 'waiting' })).toBe(0);
  });

  it('reports deliveries, backlog and packages as the database has them', async () => {
    for (const who of ['first', 'second', 'final'] as const) {
      expect((await call('POST', `/api/packages/${packageId}/decisions`, tokens[who], { revision: 1, decision: 'approve' })).status).toBe(200);
    }
    // Released: every delivery settled, so the rows read below stay as they are while the metrics catch up.
    await expect
      .poll(async () => (await call('GET', `/api/packages/${packageId}`, tokens.editor)).body.status, { timeout: 90_000, interval: 200 })
      .toBe('released');
    const deliveryRows = await app.db.selectFrom('deliveries').select(['platform', 'state']).execute();
    expect(deliveryRows.length).toBeGreaterThan(0);
    const expected = new Map<string, number>();
    for (const row of deliveryRows) expected.set(`${row.platform}|${row.state}`, (expected.get(`${row.platform}|${row.state}`) ?? 0) + 1);
    const packageRows = await app.db.selectFrom('packages').select('status').execute();

    // The counts are cached for at most 5 s: within a few seconds they are the database's.
    let samples: Sample[] = [];
    const matches = () =>
      [...expected].every(([key, n]) => {
        const [platform, state] = key.split('|');
        return total(samples, 'govpub_deliveries', { platform: platform!, state: state! }) === n;
      }) && total(samples, 'govpub_deliveries') === deliveryRows.length;
    await expect
      .poll(
        async () => {
          samples = (await scrape(`${base}/metrics`)).samples;
          return matches();
        },
        { interval: 250 },
      )
      .toBe(true);
    // Zeros for the states nobody is in, for every platform of the registry.
    expect(samples.some((s) => s.name === 'govpub_deliveries' && s.labels.platform === 'douyin' && s.labels.state === 'pending' && s.value === 0)).toBe(true);
    const unsettled = deliveryRows.filter((r) => !['live', 'canceled', 'retracted', 'awaiting_manual', 'failed'].includes(r.state));
    expect(total(samples, 'govpub_delivery_backlog')).toBe(unsettled.length);
    expect(total(samples, 'govpub_packages', { status: 'released' })).toBe(packageRows.filter((p) => p.status === 'released').length);
    expect(total(samples, 'govpub_packages')).toBe(packageRows.length);
  });
});

describe('GOVPUB_METRICS_TOKEN', () => {
  it('wants the bearer token when one is set, answering 401 with a code and a Chinese sentence otherwise', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: `Basic ${METRICS_TOKEN}` },
    ]) {
      const refused = await fetch(`${lockedBase}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await refused.json()) as { error: { code: string; message: string; messageZh: string } };
      expect(body.error.code).toBe('metrics_unauthorized');
      expect(body.error.message).toContain('GOVPUB_METRICS_TOKEN');
      expect(body.error.messageZh).toContain('令牌');
      expect(JSON.stringify(body)).not.toContain(METRICS_TOKEN);
    }
    const allowed = await scrape(`${lockedBase}/metrics`, METRICS_TOKEN);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('# TYPE govpub_http_request_duration_seconds histogram');
  });

  it('is refused at start when it could not be sent as a bearer token, naming the variable', () => {
    expect(() => loadSettings({ GOVPUB_METRICS_TOKEN: 'short' })).toThrow(/GOVPUB_METRICS_TOKEN.*16 to 512 characters/);
    expect(() => loadSettings({ GOVPUB_METRICS_TOKEN: 'has a space in it, sixteen+' })).toThrow(/GOVPUB_METRICS_TOKEN/);
    expect(loadSettings({ GOVPUB_METRICS_TOKEN: METRICS_TOKEN }).metricsToken).toBe(METRICS_TOKEN);
    expect(loadSettings({}).metricsToken).toBeUndefined();
  });
});
