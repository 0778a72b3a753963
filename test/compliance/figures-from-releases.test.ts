/**
 * The inspectors' figures as an outside checker reads them: packages released through the real
 * workflow (API, three review stages, worker, recording channels), then read back through the API,
 * `govpub stats` and the compliance monitor's findings.
 *
 * Only the moment a delivery went live is moved after the release (the release itself is real): a
 * checker cannot wait for New Year's Eve, so the rows' `live_at` is set to the boundary instant the
 * rule is about — 31 December 23:30 Beijing time (15:30 UTC) for the year, 23:30 Beijing on the day
 * of a post for a silence counted in Beijing days.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { ComplianceMonitor } from '../../services/compliance/monitor.js';
import { addUser } from '../../services/users.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { china } from '../support/compliance-year.js';
import { apiCaller, until } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
const released: { yearEnd: string; newYear: string; recent: string } = { yearEnd: '', newYear: '', recent: '' };

const call = apiCaller(() => base);

async function release(body: unknown): Promise<string> {
  const created = await call('POST', '/api/packages', tokens.editor, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
  for (const who of ['first', 'second', 'final']) {
    const decided = await call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: '同意' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }
  await until('the release', async () => ((await call('GET', `/api/packages/${id}`, tokens.editor)).body.status === 'released' ? true : undefined));
  return id;
}

/** Moves every live delivery of a package to one instant (the release was real; only its moment moves). */
async function wentLiveAt(packageId: string, at: Date): Promise<void> {
  const moved = await app.db.updateTable('deliveries').set({ live_at: at }).where('package_id', '=', packageId).where('live_at', 'is not', null).execute();
  expect(Number(moved[0]!.numUpdatedRows)).toBeGreaterThan(0);
}

const news = (title: string, targets: string[]) => ({
  title,
  catalogueItem: 'blyw',
  document: { title, issuingUnit: '碑林区融媒体中心', body: '<p>活动共服务居民600余人次，发放政策宣传资料1500余份。</p>' },
  interpretations: [],
  targets,
});

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('fig-editor', 'editor')).token;
  tokens.first = (await app.user('fig-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('fig-second', 'reviewer', ['复审'])).token;
  tokens.final = (await app.user('fig-final', 'reviewer', ['终审'])).token;
  tokens.ops = (await app.user('fig-ops', 'ops')).token;
  tokens.editorJyj = (await addUser(app.db, app.registry, { name: 'fig-editor-jyj', role: 'editor', unit: 'jyj' })).token;

  // One news item to two portal columns and an account, live at 23:30 on New Year's Eve (Beijing).
  released.yearEnd = await release(news('碑林区开展迎新年志愿服务活动', ['portal:xwdt-blyw', 'portal:xwdt-bmdt', 'weibo:blfb-wb']));
  await wentLiveAt(released.yearEnd, china('2025-12-31 23:30'));
  // A policy document with its text interpretation, live ten minutes into the new year (still 2025 in UTC).
  released.newYear = await release(policyPackage(app.registry, { title: '关于进一步优化营商环境的若干措施（新年）' }));
  await wentLiveAt(released.newYear, china('2026-01-01 00:10'));
  // A news item on another account, posted late in the evening (Beijing) of 20 November 2026.
  released.recent = await release(news('碑林区开展冬季消防安全宣传活动', ['portal:xwdt-jddt', 'weibo:jkbl-wb']));
  await wentLiveAt(released.recent, china('2026-11-20 23:30'));
}, 240_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
});

describe('annual figures of real releases', () => {
  it('dates an item by Beijing time: 31 December 23:30 (15:30 UTC) is in that year, 1 January 00:10 in the next', async () => {
    const y2025 = (await call('GET', '/api/stats?year=2025', tokens.ops)).body;
    // One package on two portal columns and one account: three items (one per channel), one package.
    expect(y2025.totals).toMatchObject({ items: 3, retractedItems: 0, packages: 1, interpretations: 0 });
    expect(y2025.byMonth[11]).toMatchObject({ month: 12, items: 3, byKind: { portal_column: 2, new_media_account: 1 } });
    expect(y2025.byMonth.slice(0, 11).every((m: { items: number }) => m.items === 0)).toBe(true);

    const y2026 = (await call('GET', '/api/stats?year=2026', tokens.ops)).body;
    expect(y2026.byMonth[0]).toMatchObject({ month: 1, items: 2 });
    expect(y2026.interpretations.find((f: { form: string }) => f.form === 'text')).toMatchObject({ count: 1, packages: 1 });
    // The account's year starts on its first post of the year, counted in Beijing days from 1 January.
    const account = y2026.accounts.find((a: { channelId: string }) => a.channelId === 'weibo:blfb-wb');
    expect(account).toMatchObject({ posts: 1, byMonth: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('gives the CLI the same figures as the API', async () => {
    const env = { GOVPUB_API_URL: base, GOVPUB_TOKEN: tokens.ops };
    for (const year of ['2025', '2026']) {
      const cli = await runCli(['stats', '--year', year, '--format', 'json'], env, undefined, { timeoutMs: 60_000 });
      expect(cli.code, cli.stderr).toBe(0);
      const fromApi = (await call('GET', `/api/stats?year=${year}`, tokens.ops)).body;
      // The current year runs to now, so its period, rates and running gaps move between two requests.
      const settled = (s: Record<string, unknown> & { accounts: { channelId: string; posts: number; byMonth: number[] }[] }) => {
        const { generatedAt: _generated, period: _period, accounts, ...rest } = s;
        return year === '2025' ? { ...s, generatedAt: null } : { ...rest, accounts: accounts.map((a) => [a.channelId, a.posts, a.byMonth]) };
      };
      expect(settled(JSON.parse(cli.stdout))).toEqual(settled(fromApi));
    }
  });

  it('moves a retracted package out of the items and the interpretations, into the retractions of the year it was retracted', async () => {
    expect((await call('POST', `/api/packages/${released.newYear}/retract`, tokens.ops, { reason: '文件内容需更正' })).status).toBe(200);
    await until('the retraction', async () =>
      (await call('GET', `/api/packages/${released.newYear}`, tokens.ops)).body.status === 'retracted' ? true : undefined,
    );
    const y2026 = (await call('GET', '/api/stats?year=2026', tokens.ops)).body;
    expect(y2026.byMonth[0]).toMatchObject({ month: 1, items: 0, retractedItems: 2 });
    expect(y2026.totals.retractions).toBe(1);
    expect(y2026.interpretations.find((f: { form: string }) => f.form === 'text')).toMatchObject({ count: 0, retracted: 1, packages: 0 });
    // Last year's figures are as they were.
    expect((await call('GET', '/api/stats?year=2025', tokens.ops)).body.totals).toMatchObject({ items: 3, retractedItems: 0, retractions: 0 });
  });

  it('refuses a unit that does not exist with 400 naming unit, in English and in Chinese without English in it', async () => {
    const unknown = await call('GET', '/api/stats?year=2026&unit=nosuchunit', tokens.ops);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([expect.objectContaining({ path: 'unit' })]);
    expect(unknown.body.error.message).toContain('GET /api/units');
    // The error's own Chinese sentence (it names the value), not the field list built from its issue.
    expect(unknown.body.error.messageZh).toBe('参数 unit：「nosuchunit」不是已登记的单位（单位清单见 GET /api/units）。');
    expect(unknown.body.error.issues[0].messageZh).toBe('不是单位编号（见 GET /api/units）');
  });
});

describe('compliance figures of real releases', () => {
  async function findingOf(key: string) {
    const view = await call('GET', `/api/compliance?status=all&limit=500`, tokens.ops);
    expect(view.status).toBe(200);
    return (view.body.findings as { key: string; status: string; severity: string; facts: Record<string, unknown> }[]).find((f) => f.key === key);
  }

  it('counts an account’s silence in Beijing days: a post at 23:30 on 20 November is 10 days old at 00:30 on 30 November', async () => {
    // 9 days and 1 hour have passed, and in UTC the post (15:30 on the 20th) is 9 calendar days before now (16:30 on the 29th).
    await new ComplianceMonitor(app.ctx, { now: () => china('2026-11-30 00:30') }).run('manual', 'test');
    expect(await findingOf('account_silent:weibo:jkbl-wb')).toMatchObject({ status: 'open', severity: 'reminder', facts: { daysSilent: 10 } });
    // At 23:59 on 29 November it is 9 days: nothing to say yet.
    await new ComplianceMonitor(app.ctx, { now: () => china('2026-11-29 23:59') }).run('manual', 'test');
    expect(await findingOf('account_silent:weibo:jkbl-wb')).toMatchObject({ status: 'closed' });
  });

  it('keeps a news column fresh two weeks after its item and stale after that, counting Beijing days', async () => {
    await new ComplianceMonitor(app.ctx, { now: () => china('2026-12-04 23:59') }).run('manual', 'test');
    expect(await findingOf('column_stale:portal:xwdt-jddt')).toBeUndefined();
    await new ComplianceMonitor(app.ctx, { now: () => china('2026-12-06 00:01') }).run('manual', 'test');
    expect(await findingOf('column_stale:portal:xwdt-jddt')).toMatchObject({ status: 'open', facts: { daysSinceUpdate: 16 } });
  });

  it('says the dates, not "20 working days beyond 20", for an unreleased document on the rest day after its deadline', async () => {
    // Formed Friday 6 November 2026: the 20th working day is Friday 4 December; Saturday 5 December it is late.
    const body = policyPackage(app.registry, { title: '关于做好2027年元旦春节期间安全生产工作的通知' });
    expect(app.registry.catalogue.find((i) => i.id === body.catalogueItem)!.attribute).toBe('proactive');
    const created = await call('POST', '/api/packages', tokens.editor, { ...body, document: { ...body.document, formedAt: '2026-11-06' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await new ComplianceMonitor(app.ctx, { now: () => china('2026-12-05 10:00') }).run('manual', 'test');
    const late = (await findingOf(`disclosure_late:${created.body.id}`)) as { severity: string; facts: Record<string, unknown>; message?: string } | undefined;
    expect(late).toMatchObject({ severity: 'warning', facts: { deadline: '2026-12-04', workingDaysElapsed: 20, released: false } });
    const view = await call('GET', `/api/compliance?kind=disclosure_late&limit=500`, tokens.ops);
    const message = (view.body.findings as { key: string; message: string }[]).find((f) => f.key === `disclosure_late:${created.body.id}`)!.message;
    expect(message).toContain('公开期限至 2026-12-04');
    expect(message).not.toMatch(/已过 20 个工作日仍未公开，超过第二十六条规定的 20 个工作日/);
  });

  it('refuses a unit filter that names no unit (400 naming unit) instead of answering an empty list', async () => {
    for (const unit of ['nosuchunit', encodeURIComponent('区教育局')]) {
      const r = await call('GET', `/api/compliance?unit=${unit}`, tokens.ops);
      expect(r.status, unit).toBe(400);
      expect(r.body.error.code).toBe('invalid_query');
      expect(r.body.error.issues).toEqual([expect.objectContaining({ path: 'unit' })]);
      expect(r.body.error.message).toContain('GET /api/units');
    }
    // A near miss names the unit meant.
    expect((await call('GET', `/api/compliance?unit=${encodeURIComponent('区教育局')}`, tokens.ops)).body.error.message).toContain('jyj');
    // The findings have no year to filter by: a year, however written, is an unknown parameter, not ignored.
    for (const year of ['2026', '02026', '%2B2026']) {
      const r = await call('GET', `/api/compliance?year=${year}`, tokens.ops);
      expect(r.status, year).toBe(400);
      expect(r.body.error.code).toBe('invalid_query');
      expect(r.body.error.issues).toEqual([expect.objectContaining({ path: 'year', message: 'unknown query parameter' })]);
    }
    // A unit that exists but has no finding is an empty page, not an error.
    const known = await call('GET', '/api/compliance?unit=jyj&kind=interpretation_late', tokens.ops);
    expect(known.status).toBe(200);
    expect(known.body.findings).toEqual([]);
  });
});
