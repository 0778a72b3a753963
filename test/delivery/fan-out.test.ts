/**
 * Proof: one package (document + text and video interpretations) to two portal columns, all 23
 * accounts and two media-center columns reaches every channel exactly once, with 30% transient
 * faults and 5% "accepted but never confirmed" injected at the platform simulators. On PostgreSQL
 * and on the embedded PGlite served over the wire (the default of `npm start`), where every
 * concurrent delivery shares PGlite's one session.
 *
 * The two backends run side by side, each with its own simulators, database and worker: most of a
 * proof's time is spent waiting out the platforms' faults and retries, so one waits while the other works.
 */
import { describe, expect, test } from 'vitest';
import { startTestApp, type Backend, type TestApp } from '../support/app.js';
import { everyChannel, richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';
import { approveAll, settleAndVerifyExactlyOnce } from './helpers.js';

describe.concurrent('fan-out to every channel', () => {
  test.for<Backend>(['postgres', 'pglite'])(
    'on %s: exactly once everywhere, through 30% transient faults and 5% never-confirmed publishes',
    { timeout: 600_000 },
    async (backend) => {
      let world: ReleaseWorld | undefined;
      let app: TestApp | undefined;
      try {
        world = await startReleaseWorld({ faults: process.env.GOVPUB_PROOF_FAULTS !== 'off' });
        app = await startTestApp({ backend, deps: world.deps, platformCaps: world.platforms });
        await app.startWorker();

        const portalColumns = [app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId, 'zwgk-zcwj-zcjd-wz'].filter(
          (c, i, all) => all.indexOf(c) === i,
        );
        const targets = everyChannel(app.registry, portalColumns);
        expect(targets.length).toBe(portalColumns.length + 23 + 2);
        const editor = await app.user('editor', 'editor');
        const ops = await app.user('ops', 'ops');
        await world.registerMedia(app.db, editor.actor.id);
        const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, targets));
        await approveAll(app, pkg.id, editor.actor);

        await settleAndVerifyExactlyOnce(app, world, pkg.id, targets, ops.actor, { expectFaults: process.env.GOVPUB_PROOF_FAULTS !== 'off' });
      } finally {
        await app?.close();
        await world?.close();
      }
    },
  );
});
