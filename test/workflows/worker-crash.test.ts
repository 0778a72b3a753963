/**
 * Workers are killed with SIGKILL (no draining) in the middle of review and in the middle of the
 * proof's fan-out (every channel kind, real adapters, simulators injecting 30% transient faults
 * and 5% never-confirmed publishes); a new worker process finishes and every platform still
 * holds the package exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../domain/package-rules.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { killHard, startCliProcess } from '../support/cli.js';
import { approveAll, settleAndVerifyExactlyOnce } from '../delivery/helpers.js';
import { awayFromRotations, everyChannel, richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';

let app: TestApp;
let world: ReleaseWorld;
const workers: ChildProcess[] = [];
let editor: Actor;
let ops: Actor;
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
  world = await startReleaseWorld({ faults: true, seed: 11 });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  editor = (await app.user('crash-editor', 'editor')).actor;
  ops = (await app.user('crash-ops', 'ops')).actor;
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
    // Portal only: the fan-out test below counts what each platform received.
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

  it('in the middle of the fan-out to every channel kind: still exactly once', { timeout: 600_000 }, async () => {
    const worker = await startWorkerProcess();
    const portalColumns = [app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId, 'zwgk-zcwj-zcjd-wz'];
    const targets = everyChannel(app.registry, portalColumns);
    await world.registerMedia(app.db, editor.id);
    const created = await app.packages.create(editor, richPolicyPackage(world, targets, '关于支持文旅产业高质量发展的若干措施'));
    await approveAll(app, created.id, editor);
    // Kill the worker once some, but not all, channels are live.
    const liveCount = async () =>
      Number(
        (
          await app.db
            .selectFrom('deliveries')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('package_id', '=', created.id)
            .where('state', '=', 'live')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const deadline = Date.now() + 120_000;
    while ((await liveCount()) < 4) {
      if (Date.now() > deadline) throw new Error('release did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Not in the moment after a platform rotated a refresh token and before the worker stored the new
    // one: that account must be authorized again, by design (support.ts), and the test could not tell it from a loss.
    await awayFromRotations(world);
    await kill(worker);
    const liveAtKill = await liveCount();
    expect(liveAtKill).toBeLessThan(targets.length);
    await startWorkerProcess();
    await settleAndVerifyExactlyOnce(app, world, created.id, targets, ops, { expectFaults: true });
    console.log(`fan-out to ${targets.length} channels: ${liveAtKill} live when the worker was killed`);
  });
});
