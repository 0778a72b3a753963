/**
 * The worker's Prometheus endpoint and the API's, served by one real `govpub start` (API and
 * worker in one process, as on a laptop) on PostgreSQL, the test run's Temporal server and the
 * local platform simulators: after a real release to the portal and Weibo, the worker endpoint
 * carries the Temporal SDK's own `temporal_` metrics and govpub's activity, transmit, plan → live,
 * portal commit and database histograms; the API endpoint its own, behind its token. A bad
 * GOVPUB_WORKER_METRICS_ADDRESS, or one already taken, stops `govpub worker` at start, naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { loadSettings } from '../../config/settings.js';
import { SDK_HISTOGRAM_BUCKETS } from '../../worker/metrics.js';
import { policyPackage } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { labelValues, scrape, total, type Sample } from '../support/prometheus.js';
import { freePort, startGovpub, type RunningGovpub, simulatorPortBase } from '../support/running.js';
import { freshDatabase, uniqueTaskQueue } from '../support/services.js';

const METRICS_TOKEN = 'worker-metrics-test-token-0123456789';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-metrics-'));
let govpub: RunningGovpub;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let workerMetricsAddress = '';
const tokens: Record<string, string> = {};

async function call(method: string, route: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${govpub.api}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  database = await freshDatabase();
  workerMetricsAddress = `127.0.0.1:${await freePort()}`;
  govpub = await startGovpub({
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: uniqueTaskQueue('govpub-metrics'),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    GOVPUB_COMPLIANCE_SCHEDULES: 'off',
    GOVPUB_WORKER_METRICS_ADDRESS: workerMetricsAddress,
    GOVPUB_METRICS_TOKEN: METRICS_TOKEN,
    GOVPUB_PUBLIC_URL: '',
    GOVPUB_PORTAL_URL: '',
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_SECRETS_FILE: '',
  });
  for (const [name, role, stages] of [
    ['editor', 'editor', ''],
    ['first', 'reviewer', '初审'],
    ['second', 'reviewer', '复审'],
    ['final', 'reviewer', '终审'],
  ] as const) {
    const added = await runCli(['users', 'add', `metrics-${name}`, '--role', role, ...(stages ? ['--stages', stages] : [])], govpub.env);
    expect(added.code, added.stderr).toBe(0);
    tokens[name] = added.stdout.trim().split('\n').at(-1)!;
  }
});

afterAll(async () => {
  await govpub?.stop();
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('metrics of a running govpub start', () => {
  let worker: Sample[] = [];

  it('after a release to the portal and Weibo, the worker endpoint has the SDK metrics and govpub’s', async () => {
    expect(govpub.output()).toContain(`worker: metrics at http://${workerMetricsAddress}/metrics`);
    const registry = await loadRegistry();
    const created = await call('POST', '/api/packages', tokens.editor!, policyPackage(registry));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.id as string;
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor!)).status).toBe(200);
    for (const who of ['first', 'second', 'final']) {
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens[who]!, { revision: 1, decision: 'approve' })).status).toBe(200);
    }
    let view = await call('GET', `/api/packages/${id}`, tokens.editor!);
    for (let i = 0; i < 150 && !(view.json.status === 'released' && view.json.deliveries.every((d: { state: string }) => d.state === 'live')); i++) {
      await new Promise((r) => setTimeout(r, 200));
      view = await call('GET', `/api/packages/${id}`, tokens.editor!);
    }
    expect(view.json.deliveries.map((d: { state: string }) => d.state)).toEqual(['live', 'live']);

    const scraped = await scrape(`http://${workerMetricsAddress}/metrics`);
    expect(scraped.status).toBe(200);
    worker = scraped.samples;
    // The SDK's own, in seconds: activities ran, workflow tasks completed, slots are reported.
    expect(total(worker, 'temporal_activity_execution_latency_count')).toBeGreaterThan(0);
    expect(total(worker, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0);
    expect(worker.some((s) => s.name.startsWith('temporal_worker_task_slots'))).toBe(true);
    const sdkSeconds = total(worker, 'temporal_activity_execution_latency_sum') / total(worker, 'temporal_activity_execution_latency_count');
    expect(sdkSeconds).toBeLessThan(30);
    // Its queue waits and task executions with govpub's finer buckets (the SDK's first queue-wait
    // bound is 100 ms, below which nearly every wait falls).
    for (const [name, buckets] of Object.entries(SDK_HISTOGRAM_BUCKETS)) {
      const bounds = labelValues(worker, `temporal_${name}_bucket`, 'le').map((le) => (le === '+Inf' ? Infinity : Number(le)));
      expect(
        bounds.sort((a, b) => a - b),
        name,
      ).toEqual([...buckets, Infinity]);
    }

    // govpub's: bookkeeping inside workflow tasks (local activities), transmits on the platform queues.
    const activity = (labels: Record<string, string>) => total(worker, 'govpub_activity_duration_seconds_count', labels);
    expect(activity({ activity: 'transmitDelivery', task_queue_kind: 'platform' })).toBeGreaterThanOrEqual(2);
    expect(activity({ activity: 'recordPackageEvent', task_queue_kind: 'local' })).toBeGreaterThanOrEqual(4);
    expect(activity({ activity: 'formatDelivery', task_queue_kind: 'local' })).toBeGreaterThanOrEqual(2);
    expect(total(worker, 'govpub_activity_schedule_to_start_seconds_count', { activity: 'transmitDelivery', task_queue_kind: 'platform' })).toBe(
      activity({ activity: 'transmitDelivery', task_queue_kind: 'platform' }),
    );
    expect(total(worker, 'govpub_transmit_duration_seconds_count', { platform: 'portal' })).toBeGreaterThanOrEqual(1);
    expect(total(worker, 'govpub_transmit_duration_seconds_count', { platform: 'weibo' })).toBeGreaterThanOrEqual(1);
    expect(labelValues(worker, 'govpub_transmit_duration_seconds_count', 'outcome').every((o) => /^[a-z_]+$/.test(o))).toBe(true);
    expect(total(worker, 'govpub_delivery_plan_to_live_seconds_count', { platform: 'portal' })).toBe(1);
    expect(total(worker, 'govpub_delivery_plan_to_live_seconds_count', { platform: 'weibo' })).toBe(1);
    expect(total(worker, 'govpub_portal_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(total(worker, 'govpub_portal_commit_deliveries_count')).toBeGreaterThanOrEqual(1);
    expect(total(worker, 'govpub_portal_commit_deliveries_sum')).toBeGreaterThanOrEqual(1);
    // Each phase of those commits, counted once per commit: the phases name where a slow commit's time went.
    const commits = total(worker, 'govpub_portal_commit_duration_seconds_count');
    const phases = ['companions', 'load', 'lock', 'render', 'root', 'swap', 'write'];
    for (const phase of phases) expect(total(worker, 'govpub_portal_commit_phase_seconds_count', { phase })).toBe(commits);
    // The cleanup is counted once it is over, after the deliveries learned their outcome: the last
    // commit's may still be running at the first scrape.
    let latest = worker;
    const cleanups = () => total(latest, 'govpub_portal_commit_phase_seconds_count', { phase: 'cleanup' });
    for (const until = Date.now() + 10_000; cleanups() < commits && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      latest = (await scrape(`http://${workerMetricsAddress}/metrics`)).samples;
    }
    expect(cleanups()).toBe(commits);
    // …and its steps, each once per cleanup: which of them a slow cleanup spent its time on.
    const cleanupSteps = ['cleanup_generations', 'cleanup_store', 'cleanup_spare', 'cleanup_sweep'];
    for (const phase of cleanupSteps) expect(total(latest, 'govpub_portal_commit_phase_seconds_count', { phase }), phase).toBe(commits);
    expect(labelValues(latest, 'govpub_portal_commit_phase_seconds_count', 'phase').sort()).toEqual([...phases, 'cleanup', ...cleanupSteps].sort());
    expect(total(worker, 'govpub_db_query_duration_seconds_count', { process: 'worker' })).toBeGreaterThan(0);
    // One process, two databases' timings kept apart: the API's queries are on the API's endpoint.
    expect(total(worker, 'govpub_db_query_duration_seconds_count', { process: 'api' })).toBe(0);
    // No ids in labels.
    expect(scraped.text).not.toContain(id);
  });

  it('serves the API endpoint in the same process, behind GOVPUB_METRICS_TOKEN', async () => {
    expect((await fetch(`${govpub.api}/metrics`)).status).toBe(401);
    const api = await scrape(`${govpub.api}/metrics`, METRICS_TOKEN);
    expect(api.status).toBe(200);
    expect(total(api.samples, 'govpub_workflow_update_duration_seconds_count', { update: 'decide', outcome: 'accepted' })).toBe(3);
    expect(total(api.samples, 'govpub_workflow_start_duration_seconds_count', { workflow: 'packageWorkflow' })).toBe(1);
    expect(total(api.samples, 'govpub_db_query_duration_seconds_count', { process: 'api' })).toBeGreaterThan(0);
    expect(total(api.samples, 'govpub_db_query_duration_seconds_count', { process: 'worker' })).toBe(0);
    // The worker's histograms are not on the API's endpoint, nor the SDK's.
    expect(api.samples.some((s) => s.name.startsWith('govpub_activity_') || s.name.startsWith('temporal_'))).toBe(false);
    expect(total(api.samples, 'govpub_deliveries', { state: 'live' })).toBe(2);
    // The API process's own figures (event-loop delay: what a slow API may be short of).
    expect(api.samples.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(govpub.output()).toContain(`metrics        ${govpub.api}/metrics, worker http://${workerMetricsAddress}/metrics`);
  });
});

describe('GOVPUB_WORKER_METRICS_ADDRESS at start', () => {
  it('refuses a value that is not ip:port, naming the variable', async () => {
    for (const value of ['localhost:9464', '127.0.0.1', '127.0.0.1:0', '[::1]9464']) {
      expect(() => loadSettings({ GOVPUB_WORKER_METRICS_ADDRESS: value })).toThrow(/GOVPUB_WORKER_METRICS_ADDRESS=.*IP address.*port 1-65535/);
    }
    expect(loadSettings({ GOVPUB_WORKER_METRICS_ADDRESS: '[::1]:9464' }).workerMetricsAddress).toBe('[::1]:9464');
    const refused = await runCli(['worker'], { ...govpub.env, GOVPUB_WORKER_METRICS_ADDRESS: 'metrics.internal:9464' }, undefined, { timeoutMs: 60_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('GOVPUB_WORKER_METRICS_ADDRESS=metrics.internal:9464 is not an address to listen on');
  });

  it('stops a worker whose address is taken, saying so', async () => {
    const refused = await runCli(['worker', '--no-require-secrets'], { ...govpub.env, GOVPUB_WORKER_METRICS_ADDRESS: workerMetricsAddress }, undefined, {
      timeoutMs: 90_000,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`GOVPUB_WORKER_METRICS_ADDRESS=${workerMetricsAddress}: cannot serve worker metrics there \\(.*in use`, 'i'));
  });
});
