/**
 * The README's quick start as a new user follows it (issue 9, point 13): `govpub start`, an
 * admin whose token `users add` prints, `govpub examples load` uploading the examples' media and
 * creating their packages through the HTTP API, review by three reviewers, and release to the
 * local simulators of every channel the examples name.
 *
 * It runs on the embedded default (PGlite served by db/pglite-wire.ts), as `npm start` does, with
 * the test run's Temporal server instead of a dev server of its own (test/cli/start.test.ts
 * covers that one).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import { ROOT_DIR } from '../../config/settings.js';
import { runCli } from '../support/cli.js';
import { freePort, startGovpub, type RunningGovpub, simulatorPortBase } from '../support/running.js';
import { uniqueTaskQueue } from '../support/services.js';

let govpub: RunningGovpub;
let cliEnv: Record<string, string>;
let token = '';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-examples-'));
const examples = path.join(ROOT_DIR, 'examples');
const shaOf = (file: string) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(examples, 'media', file)))
    .digest('hex');
const ids: Record<string, string> = {};

async function api(route: string): Promise<any> {
  const res = await fetch(`${govpub.api}${route}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, route).toBe(200);
  return res.json();
}

beforeAll(async () => {
  govpub = await startGovpub({
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: uniqueTaskQueue('govpub-examples'),
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_SECRETS_FILE: '',
    GOVPUB_TOKEN: '',
    GOVPUB_API_URL: '',
  });
  cliEnv = { ...govpub.env };
}, 200_000);

afterAll(async () => {
  await govpub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the quick start with the example packages', () => {
  it('the examples are small files that need nothing but the repository', () => {
    const files = fs.readdirSync(path.join(examples, 'media')).filter((f) => !f.endsWith('.mjs'));
    expect(files.sort()).toEqual(['cover.jpg', 'interpretation.mp4', 'measures.png', 'news.jpg']);
    const total = files.reduce((n, f) => n + fs.statSync(path.join(examples, 'media', f)).size, 0);
    expect(total).toBeLessThan(1_000_000);
  });

  it('examples load needs a token and says where to get one', async () => {
    const refused = await runCli(['examples', 'load'], cliEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--token or GOVPUB_TOKEN.*govpub users add/s);
    const wrong = await runCli(['examples', 'load', '--token', 'not-a-token'], cliEnv);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the token/);
  });

  it('uploads the media through the API, fills in their ids and creates the packages', async () => {
    const admin = await runCli(['users', 'add', 'admin', '--role', 'admin', '--stages', '初审,复审,终审'], cliEnv);
    expect(admin.code, admin.stderr).toBe(0);
    token = admin.stdout.trim().split('\n').at(-1)!;

    // The token from the environment, the API at the address govpub start listens on (PORT).
    const loaded = await runCli(['examples', 'load', '--json'], { ...cliEnv, GOVPUB_TOKEN: token });
    expect(loaded.code, loaded.stderr + loaded.stdout).toBe(0);
    const result = JSON.parse(loaded.stdout) as {
      media: { file: string; id: string; kind: string; created: boolean }[];
      packages: { file: string; id: string; status: string; created: boolean; media: Record<string, string> }[];
    };
    expect(result.media.map((m) => [m.file, m.id, m.kind, m.created]).sort()).toEqual(
      [
        ['cover.jpg', shaOf('cover.jpg'), 'image', true],
        ['interpretation.mp4', shaOf('interpretation.mp4'), 'video', true],
        ['measures.png', shaOf('measures.png'), 'image', true],
        ['news.jpg', shaOf('news.jpg'), 'image', true],
      ].sort(),
    );
    expect(result.packages.map((p) => [p.file, p.status, p.created])).toEqual([
      ['news-volunteers.json', 'draft', true],
      ['policy-consumption.json', 'draft', true],
    ]);
    for (const p of result.packages) ids[p.file] = p.id;

    // The packages hold the uploaded media: cover, the picture in the text, the video interpretation.
    const policy = await api(`/api/packages/${ids['policy-consumption.json']}`);
    expect(policy.content.cover).toEqual({ mediaId: shaOf('cover.jpg'), alt: expect.any(String) });
    expect(policy.content.document.body).toContain(`<img src="/api/media/${shaOf('measures.png')}/content"`);
    expect(policy.content.interpretations.map((i: { form: string; mediaId?: string }) => [i.form, i.mediaId ?? null])).toEqual([
      ['text', null],
      ['video', shaOf('interpretation.mp4')],
    ]);
    expect(JSON.stringify(policy.content)).not.toContain('{{media:');
    const news = await api(`/api/packages/${ids['news-volunteers.json']}`);
    expect(news.content.cover.mediaId).toBe(shaOf('news.jpg'));
    expect((await api(`/api/media/${shaOf('interpretation.mp4')}`)).durationSec).toBeCloseTo(5, 0);

    // Loading again creates nothing twice.
    const again = await runCli(['examples', 'load', '--token', token], cliEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already uploaded');
    expect(again.stdout).toMatch(/policy-consumption\.json: already there as pkg-/);
    expect((await api('/api/packages')).packages).toHaveLength(2);
  });

  it('they pass submission, go through 初审, 复审 and 终审, and are released to every channel they name', { timeout: 420_000 }, async () => {
    const news = ids['news-volunteers.json']!;
    const policy = ids['policy-consumption.json']!;
    const submitted = await runCli(['packages', 'submit', news], { ...cliEnv, GOVPUB_TOKEN: token });
    expect(submitted.code, submitted.stderr).toBe(0);
    // Stages as reviewers know them, with the id the options take.
    expect(submitted.stdout).toContain(`${news}: in_review at 初审 (first), revision 1`);
    // The README's `examples load --submit` after a load without it: the draft that load left is
    // submitted now (it said "already there" and left it a draft, advising to load with --submit).
    const loaded = await runCli(['examples', 'load', '--submit'], { ...cliEnv, GOVPUB_TOKEN: token });
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain(`policy-consumption.json: already there as ${policy} (submitted now: in_review)`);
    expect(loaded.stdout).toContain(`news-volunteers.json: already there as ${news} (in_review)`);
    expect(loaded.stdout).not.toMatch(/Submit them for review/);
    const listed = await runCli(['packages', 'list', '--status', 'in_review'], { ...cliEnv, GOVPUB_TOKEN: token });
    for (const id of Object.values(ids)) expect(listed.stdout).toMatch(new RegExp(`${id} +in_review +初审 \\(first\\) +1 `));
    const reviewerTokens: Record<string, string> = {};
    for (const [name, stage] of [
      ['zhao', '初审'],
      ['qian', '复审'],
      ['sun', '终审'],
    ]) {
      // zhao with the full name people know him by; the others by login name alone.
      const fullName = name === 'zhao' ? ['--display-name', '赵审核'] : [];
      const added = await runCli(['users', 'add', name!, '--role', 'reviewer', '--stages', stage!, ...fullName], cliEnv);
      expect(added.code, added.stderr).toBe(0);
      reviewerTokens[name!] = added.stdout.trim().split('\n').at(-1)!;
    }
    const afterDecision = { zhao: 'in_review at 复审 (second)', qian: 'in_review at 终审 (final)', sun: 'releasing' };
    for (const id of Object.values(ids)) {
      for (const [who, next] of Object.entries(afterDecision)) {
        const decided = await runCli(['packages', 'decide', id, '--revision', '1', '--decision', 'approve', '--comment', '同意'], {
          ...cliEnv,
          GOVPUB_TOKEN: reviewerTokens[who]!,
        });
        expect(decided.code, decided.stderr).toBe(0);
        expect(decided.stdout).toContain(`${id}: ${next}, revision 1`);
      }
    }

    for (const [file, id] of Object.entries(ids)) {
      const targets = (JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8')) as { targets: string[] }).targets;
      let view: any;
      const deadline = Date.now() + 360_000;
      do {
        await new Promise((r) => setTimeout(r, 1000));
        view = await api(`/api/packages/${id}`);
      } while (view.status !== 'released' && Date.now() < deadline);
      const deliveries = (view.deliveries as { channelId: string; state: string; errorMessage?: string | null }[])
        .map((d) => `${d.channelId}=${d.state}${d.errorMessage ? ` (${d.errorMessage})` : ''}`)
        .sort();
      expect({ file, status: view.status, deliveries }).toEqual({ file, status: 'released', deliveries: targets.map((t) => `${t}=live`).sort() });
      const shown = await runCli(['packages', 'show', id], { ...cliEnv, GOVPUB_TOKEN: token });
      expect(shown.stdout).toContain('approved at 初审 (first) by 赵审核 (zhao), revision 1');
      expect(shown.stdout).toContain('approved at 终审 (final) by sun, revision 1');
    }

    // The portal serves the policy's pages; the media center holds its articles with the video.
    const page = await fetch(`${govpub.api}/portal/${portalPagePaths(ids['policy-consumption.json']!, 2).interpretations[1]}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<video[^>]*>.*\.mp4/s);
    const newsSite = (await (await fetch(`${govpub.simulatorUrls().news_site}/__sim/publications`)).json()) as {
      publications: { title: string; extra: { kind: string } }[];
    };
    expect(newsSite.publications.map((p) => p.extra.kind).sort()).toEqual(['graphic', 'graphic', 'graphic', 'video']);
  });
});
