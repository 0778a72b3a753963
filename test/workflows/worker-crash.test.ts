/**
 * A worker killed with SIGKILL (no draining) in the middle of review: a new worker process carries
 * the package on. Kills in the middle of a release (every channel kind, real adapters, simulators
 * injecting 30% transient faults and 5% never-confirmed publishes, every platform then holding the
 * package exactly once) are the fault suite's worker-kills scenario, four kills on each backend in
 * CI (test/delivery/fault-suite.test.ts) and twenty in `npx tsx bench/fault-suite.ts`.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../domain/package-rules.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { killHard, startCliProcess } from '../support/cli.js';
import { startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';

let app: TestApp;
let world: ReleaseWorld;
const workers: ChildProcess[] = [];
let editor: Actor;
const reviewers: Actor[] = [];

async function startWorkerProcess(): Promise<ChildProcess> {
  const { child } = await startCliProcess(
    ['worker'],
    world.workerEnv({ DATABASE_URL: app.databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), GOVPUB_TASK_QUEUE: app.taskQueue }),
    'worker: polling',
  );
  workers.push(child);
  return child;
}

const kill = killHard;

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  editor = (await app.user('crash-editor', 'editor')).actor;
  for (const stage of ['初审', '复审', '终审']) reviewers.push((await app.user(`crash-${stage}`, 'reviewer', [stage])).actor);
});

afterAll(async () => {
  for (const w of workers) await kill(w);
  await app?.close();
  await world?.close();
});

describe('a worker killed with SIGKILL', () => {
  it('during review: a new worker process carries the package on', { timeout: 240_000 }, async () => {
    const first = await startWorkerProcess();
    // Portal only: what is at stake here is the review the killed worker was carrying.
    const portal = `portal:${app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId}`;
    const created = await app.packages.create(editor, policyPackage(app.registry, { targets: [portal] }));
    await app.packages.submit(editor, created.id);
    await app.packages.decide(reviewers[0]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    await kill(first);
    const second = await startWorkerProcess();
    await app.packages.decide(reviewers[1]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    await app.packages.decide(reviewers[2]!, created.id, { revision: 1, decision: 'approve', comment: '' });
    const approvals = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).where('action', '=', 'approve').execute();
    expect(approvals).toHaveLength(3);
    await expect.poll(async () => (await app.packages.get(created.id)).status, { timeout: 120_000, interval: 500 }).not.toMatch(/in_review|approved/);
    await kill(second);
  });
});
