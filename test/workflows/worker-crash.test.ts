/**
 * Workers are killed with SIGKILL (no draining) in the middle of review and in the middle of a
 * release to every channel; a new worker process finishes the package and nothing is recorded twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import type { Actor } from '../../domain/package-rules.js';
import { listChannels } from '../../domain/registry.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let dbUrl: string;
const workers: ChildProcess[] = [];
let editor: Actor;
const reviewers: Actor[] = [];

// Deliveries go to the recording channel here, so the worker needs no platform secrets.
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'worker', '--no-require-secrets'], {
    env: { ...process.env, DATABASE_URL: dbUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), GOVPUB_TASK_QUEUE: app.taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 90_000;
  while (!output.includes('worker: polling')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  app = await startTestApp();
  dbUrl = app.databaseUrl;
  editor = (await app.user('crash-editor', 'editor')).actor;
  for (const stage of ['初审', '复审', '终审']) reviewers.push((await app.user(`crash-${stage}`, 'reviewer', [stage])).actor);
});

afterAll(async () => {
  for (const w of workers) await kill(w);
  await app?.close();
});

describe('a worker killed with SIGKILL', () => {
  it('during review: a new worker process carries the package on', { timeout: 240_000 }, async () => {
    const first = await startWorkerProcess();
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    await app.packages.decide(reviewers[0]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    await kill(first);
    await startWorkerProcess();
    await app.packages.decide(reviewers[1]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    await app.packages.decide(reviewers[2]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    const deadline = Date.now() + 60_000;
    while ((await app.packages.get(created.id)).status !== 'released') {
      if (Date.now() > deadline) throw new Error('not released');
      await new Promise((r) => setTimeout(r, 300));
    }
    const approvals = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).where('action', '=', 'approve').execute();
    expect(approvals).toHaveLength(3);
  });

  it('during a release to every channel: finishes, each channel live exactly once', { timeout: 300_000 }, async () => {
    const worker = await startWorkerProcess();
    const targets = listChannels(app.registry).map((c) => c.id);
    const created = await app.packages.create(editor, policyPackage(app.registry, { targets }));
    await app.packages.submit(editor, created.id);
    for (const reviewer of reviewers) await app.packages.decide(reviewer, created.id, { revision: 1, decision: 'approve', comment: '' });
    // Kill the worker once some, but not all, channels are live.
    const liveCount = async () =>
      Number((await app.db.selectFrom('deliveries').select((eb) => eb.fn.countAll().as('n')).where('package_id', '=', created.id).where('state', '=', 'live').executeTakeFirstOrThrow()).n);
    const deadline = Date.now() + 60_000;
    while ((await liveCount()) < 20) {
      if (Date.now() > deadline) throw new Error('release did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    await kill(worker);
    const liveAtKill = await liveCount();
    expect(liveAtKill).toBeLessThan(targets.length);
    await startWorkerProcess();
    const until = Date.now() + 180_000;
    while ((await app.packages.get(created.id)).status !== 'released') {
      if (Date.now() > until) throw new Error(`not released; live: ${await liveCount()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const deliveries = await app.db.selectFrom('deliveries').select(['channel_id', 'state']).where('package_id', '=', created.id).execute();
    expect(deliveries).toHaveLength(targets.length);
    expect(new Set(deliveries.map((d) => d.channel_id)).size).toBe(targets.length);
    expect(deliveries.every((d) => d.state === 'live')).toBe(true);
    const liveEvents = await app.db.selectFrom('audit_log').select('channel_id').where('package_id', '=', created.id).where('action', '=', 'delivery_live').execute();
    expect(liveEvents).toHaveLength(targets.length);
    const released = await app.db.selectFrom('audit_log').select('id').where('package_id', '=', created.id).where('action', '=', 'released').execute();
    expect(released).toHaveLength(1);
    console.log(`release to ${targets.length} channels: ${liveAtKill} live when the worker was killed`);
  });
});
