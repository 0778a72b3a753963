/**
 * Replays the workflow histories saved under test/histories/ against today's workflow code, through
 * `govpub replay` (what an operator runs before deploying): a change that would break packages
 * already running in production fails here. Refresh the files with
 * `GOVPUB_SAVE_HISTORIES=1 npx vitest run test/workflows/package-workflow.test.ts` only for an
 * intended change that is guarded with patched().
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = path.join(import.meta.dirname, '..', 'histories');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.join(dir, f));

describe('saved workflow histories replay deterministically', () => {
  it('replays every saved history', { timeout: 180_000 }, async () => {
    // Today's paths: package (review, release through deliveries, retraction), deliveries
    // (reconnect, retry, unconfirmed → skipped), a take-down that reconciles first, a media job.
    expect(files.map((f) => path.basename(f, '.json'))).toEqual(
      expect.arrayContaining([
        'released-then-retracted',
        'package-released-retracted-through-deliveries',
        'delivery-rejected-retried-skipped',
        'delivery-unconfirmed-skipped',
        'takedown-reconciled-first',
        'media-job-video-and-poster',
        // Bookkeeping as local activities, renditions made during review, release work first (issue 14).
        'package-review-media-local-steps-release-first',
        'delivery-local-format-cached-video',
        // Each delivery's first attempt in the package's workflow; a delivery workflow only after it (issue 14).
        'package-first-attempts-here-one-handed-over',
        'delivery-after-first-attempt-submitted-video',
        // A held delivery looks at the hold again before it waits for "resume channel".
        'delivery-held-hold-lifted-before-start',
      ]),
    );
    const result = await runCli(['replay', ...files]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ok /gm)).toHaveLength(files.length);
  });

  it('replays against a built bundle with --bundle, and names a bundle that is not there', { timeout: 180_000 }, async () => {
    // The test run's bundle (test/support/global-setup.ts), built from these sources as `govpub bundle --out` builds it.
    const bundle = inject('workflowBundlePath');
    expect(fs.existsSync(bundle), bundle).toBe(true);
    const history = files.find((f) => f.endsWith('package-first-attempts-here-one-handed-over.json'))!;
    const replayed = await runCli(['replay', '--bundle', bundle, history]);
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/^ok +\S+package-first-attempts-here-one-handed-over\.json$/m);

    const missing = path.join(os.tmpdir(), 'govpub-no-such-bundle.js');
    const refused = await runCli(['replay', '--bundle', missing, history]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${missing} does not exist`);
    expect(refused.stderr).toContain(`govpub bundle --out ${missing}`);
  });

  it('reports a history that diverges from the code', { timeout: 180_000 }, async () => {
    // The same history with one workflow task's activity renamed: what a careless edit of the workflow looks like.
    const tampered = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-replay-')), 'tampered.json');
    const packageHistory = files.find((f) => f.endsWith('released-then-retracted.json'))!;
    fs.writeFileSync(tampered, fs.readFileSync(packageHistory, 'utf8').replace('"recordPackageEvent"', '"recordSomethingElse"'));
    const result = await runCli(['replay', tampered]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/DIVERGES .*nondeterminism/i);
    expect(result.stderr).toMatch(/would break running workflows/);
  });
});
