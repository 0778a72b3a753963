/**
 * The annual figures on real PostgreSQL, over the HTTP API and the real `govpub stats` command:
 * rows seeded at chosen Beijing-time instants (year edges, a later revision on the same channel, a
 * channel added in a later year, a retraction, a voided approval, a scheduled release) give known
 * counts; a bulk year of 11,000 packages in another year proves the counting is set-based (a timed
 * line, not a timed assertion) and that years never mix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { AnnualStatsService, type AnnualStats } from '../../services/annual-stats.js';
import { annualStatsCsv, csvField } from '../../services/annual-stats-report.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { listChannels } from '../../domain/registry.js';
import { channelUnit } from '../../domain/units.js';
import { addUser } from '../../services/users.js';
import { seedBulkYear, seedPackage } from './seed-year.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
const ch = { col1: '', col2: '', acct1: '', acct2: '', media: '' };
let unitA = '';
let unitB = '';
let unitAName = '';
let policyItem = '';
let newsItem = '';
let categoryOf: Map<string, string>;

async function get(token: string, url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  // As a spreadsheet reads it: the byte-order mark kept (response.text() would drop it).
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as AnnualStats & { error: { code: string; message: string; issues?: { path: string }[] } },
  };
}

beforeAll(async () => {
  app = await startTestApp();
  const channels = await app.db.selectFrom('channels').select(['id', 'kind', 'owner_unit']).orderBy('id').execute();
  const portal = channels.filter((c) => c.kind === 'portal_column');
  const accounts = channels.filter((c) => c.kind === 'new_media_account' && c.owner_unit);
  const media = channels.filter((c) => c.kind === 'media_center_column');
  ch.col1 = portal[0]!.id;
  ch.col2 = portal[1]!.id;
  ch.acct1 = accounts[0]!.id;
  ch.acct2 = accounts.find((a) => a.owner_unit !== accounts[0]!.owner_unit)!.id;
  ch.media = media[0]!.id;
  // Channels name their owner unit; packages and users carry its id.
  const unitId = (name: string) => app.registry.units.find((u) => u.name === name)!.id;
  unitAName = accounts[0]!.owner_unit!;
  unitA = unitId(unitAName);
  unitB = unitId(accounts.find((a) => a.owner_unit !== unitAName)!.owner_unit!);
  policyItem = app.registry.catalogue.find((c) => c.requiresInterpretation)!.id;
  newsItem = app.registry.catalogue.find((c) => c.contentClass === 'news')!.id;
  categoryOf = new Map(app.registry.catalogue.map((c) => [c.id, c.category]));

  const { actor: author } = await app.user('stats-author', 'editor');
  const by = author.id;
  // P1: on the first Beijing half hour of 2026 (still 2025 in UTC), approved the evening before.
  await seedPackage(app.db, {
    id: 'p1',
    catalogueItem: policyItem,
    unit: unitA,
    createdBy: by,
    revisions: [['text', 'graphic']],
    approvals: [{ revision: 1, at: '2025-12-31 23:30' }],
    deliveries: [
      { channel: ch.col1, revision: 1, liveAt: '2026-01-01 00:30' },
      { channel: ch.acct1, revision: 1, liveAt: '2026-01-01 01:00' },
    ],
  });
  // P2: first live a minute before 2026 (a 2025 item and package); its revision 2 on the same
  // column is the same item; the account added with revision 2 is a 2026 item.
  await seedPackage(app.db, {
    id: 'p2',
    catalogueItem: newsItem,
    unit: unitB,
    createdBy: by,
    revisions: [[], []],
    approvals: [{ revision: 2, at: '2026-03-10 00:00' }],
    deliveries: [
      { channel: ch.col1, revision: 1, liveAt: '2025-12-31 23:59' },
      { channel: ch.col1, revision: 2, liveAt: '2026-02-01 09:00' },
      { channel: ch.acct2, revision: 2, liveAt: '2026-03-10 12:00' },
    ],
  });
  // P3: released in May, retracted in June: two retracted items, one retraction.
  await seedPackage(app.db, {
    id: 'p3',
    catalogueItem: policyItem,
    unit: unitA,
    createdBy: by,
    revisions: [['video', 'leader_interview', 'text']],
    approvals: [{ revision: 1, at: '2026-05-01 09:00' }],
    retractedAt: '2026-06-01 10:00',
    deliveries: [
      { channel: ch.col2, revision: 1, liveAt: '2026-05-01 10:00', state: 'retracted', takenDown: '2026-06-01 10:05' },
      { channel: ch.acct1, revision: 1, liveAt: '2026-05-01 10:00', state: 'retracted', takenDown: '2026-06-01 10:05' },
    ],
  });
  // P4: scheduled for 23:30 on New Year's Eve, live a minute before 2027 (a 2026 item).
  await seedPackage(app.db, {
    id: 'p4',
    catalogueItem: newsItem,
    unit: unitA,
    createdBy: by,
    revisions: [[]],
    approvals: [{ revision: 1, at: '2026-12-31 23:00' }],
    releaseAt: '2026-12-31 23:30',
    deliveries: [{ channel: ch.media, revision: 1, liveAt: '2026-12-31 23:59' }],
  });
  // P5: revision 2 adds a cartoon on the same account (one item, the forms of revision 2); a voided approval is not the approval.
  await seedPackage(app.db, {
    id: 'p5',
    catalogueItem: policyItem,
    unit: unitB,
    createdBy: by,
    revisions: [['text'], ['text', 'cartoon']],
    approvals: [
      { revision: 1, at: '2026-03-01 08:00' },
      { revision: 1, at: '2026-03-01 09:59', voided: true },
      { revision: 2, at: '2026-04-01 08:00' },
    ],
    deliveries: [
      { channel: ch.acct1, revision: 1, liveAt: '2026-03-01 10:00' },
      { channel: ch.acct1, revision: 2, liveAt: '2026-04-01 10:00' },
    ],
  });
  // P6: never went live: nothing.
  await seedPackage(app.db, {
    id: 'p6',
    catalogueItem: newsItem,
    unit: unitB,
    createdBy: by,
    revisions: [['text']],
    deliveries: [{ channel: ch.col1, revision: 1, liveAt: null, state: 'failed' }],
  });

  api = await buildApi(app.ctx);
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.reviewer = (await app.user('stats-reviewer', 'reviewer', ['终审'])).token;
  tokens.ops = (await app.user('stats-ops', 'ops')).token;
  tokens.editorA = (await addUser(app.db, app.registry, { name: 'stats-editor-a', role: 'editor', unit: unitA })).token;
  tokens.editorNoUnit = (await app.user('stats-editor-none', 'editor')).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
});

describe('the figures of a year', () => {
  let s: AnnualStats;
  beforeAll(async () => {
    // Asked in January 2027: the whole of 2026 is the period.
    s = await new AnnualStatsService(app.ctx).forYear(2026, null, new Date('2027-01-05T00:00:00Z'));
  });

  it('counts an item once per package and channel, in Beijing time, with retracted items apart', () => {
    expect(s.totals).toEqual({ items: 5, retractedItems: 2, packages: 4, retractions: 1, interpretations: 4 });
    const on = (id: string) => s.byChannel.find((c) => c.channelId === id)!;
    expect(on(ch.col1)).toMatchObject({ items: 1, retractedItems: 0, kind: 'portal_column' });
    expect(on(ch.col2)).toMatchObject({ items: 0, retractedItems: 1 });
    expect(on(ch.acct1)).toMatchObject({ items: 2, retractedItems: 1, kind: 'new_media_account' });
    expect(on(ch.acct2)).toMatchObject({ items: 1, retractedItems: 0 });
    expect(on(ch.media)).toMatchObject({ items: 1, kind: 'media_center_column' });
    // Every registered channel is listed, empty ones with zeros.
    expect(s.byChannel.length).toBeGreaterThan(300);
    expect(s.byChannel.filter((c) => c.items + c.retractedItems > 0)).toHaveLength(5);
    expect(s.byMonth.map((m) => m.items)).toEqual([2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(s.byMonth[4]).toMatchObject({ items: 0, retractedItems: 2 });
    expect(s.byMonth[0]!.byKind).toEqual({ portal_column: 1, new_media_account: 1 });
    expect(s.byKind.map((k) => [k.kind, k.items, k.retractedItems])).toEqual([
      ['portal_column', 1, 1],
      ['new_media_account', 3, 1],
      ['media_center_column', 1, 0],
    ]);
    expect(s.byPlatform.reduce((n, p) => n + p.items, 0)).toBe(5);
  });

  it('groups by catalogue category', () => {
    const policy = categoryOf.get(policyItem)!;
    const news = categoryOf.get(newsItem)!;
    const cat = (name: string) => s.byCategory.find((c) => c.category === name);
    if (policy === news) expect(cat(policy)).toEqual({ category: policy, packages: 4, items: 5, retractedItems: 2 });
    else {
      expect(cat(policy)).toEqual({ category: policy, packages: 3, items: 3, retractedItems: 2 });
      // P2 is a 2025 稿件 (its first item went live then): its 2026 account item counts, the package does not.
      expect(cat(news)).toEqual({ category: news, packages: 1, items: 2, retractedItems: 0 });
    }
    // The categories add up to the totals: 稿件数 to 首次发布的稿件数, items to 发布条数.
    expect(s.byCategory.reduce((n, c) => n + c.packages, 0)).toBe(s.totals.packages);
    expect(s.byCategory.reduce((n, c) => n + c.items, 0)).toBe(s.totals.items);
  });

  it('counts interpretations by form as last released', () => {
    const form = (f: string) => s.interpretations.find((x) => x.form === f)!;
    // 涉及文件数 counts the documents still published, as 数量 does: P1 and P5, not the retracted P3.
    expect(form('text')).toMatchObject({ count: 2, retracted: 1, packages: 2 });
    expect(form('graphic')).toMatchObject({ count: 1, retracted: 0 });
    expect(form('cartoon')).toMatchObject({ count: 1, packages: 1 });
    expect(form('video')).toMatchObject({ count: 0, retracted: 1, packages: 0 });
    expect(form('leader_interview')).toMatchObject({ count: 0, retracted: 1, label: '主要负责人解读' });
    expect(form('h5')).toMatchObject({ count: 0, retracted: 0 });
    expect(s.interpretations.map((f) => f.form)).toEqual(['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview']);
  });

  it('measures approval → live from the last valid approval or the later release time', () => {
    // 3600 3600 3600 5400 7200 43200 and 1740 (scheduled): median one hour.
    expect(s.approvalToLive).toMatchObject({ items: 7, medianSec: 3600 });
    const media = s.approvalToLive.byPlatform.find((p) => p.platform === ch.media.split(':')[0]);
    expect(media).toMatchObject({ items: 1, medianSec: 1740 });
  });

  it('gives each account its posts per month and week and its longest silence in calendar days', () => {
    const a1 = s.accounts.find((a) => a.channelId === ch.acct1)!;
    expect(a1.posts).toBe(3);
    expect(a1.byMonth).toEqual([1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(a1.perMonth).toBe(0.25);
    expect(a1.perWeek).toBe(0.06);
    // 1 May → 1 January 2027 (the end of the year).
    expect(a1.longestGap!.days).toBe(245);
    expect(new Date(a1.longestGap!.from).toISOString()).toBe('2026-05-01T02:00:00.000Z');
    const a2 = s.accounts.find((a) => a.channelId === ch.acct2)!;
    expect(a2).toMatchObject({ posts: 1, longestGap: { days: 297 } });
    const silent = s.accounts.find((a) => a.posts === 0)!;
    expect(silent.longestGap!.days).toBe(365);
    expect(s.accounts.length).toBe(app.registry.accounts.length);
  });

  it('answers a year without data with zeros', async () => {
    const empty = await new AnnualStatsService(app.ctx).forYear(2019, null, new Date('2027-01-05T00:00:00Z'));
    expect(empty.totals).toEqual({ items: 0, retractedItems: 0, packages: 0, retractions: 0, interpretations: 0 });
    expect(empty.byMonth).toHaveLength(12);
    expect(empty.interpretations.every((f) => f.count === 0)).toBe(true);
    expect(empty.approvalToLive).toMatchObject({ items: 0, medianSec: null });
    expect(empty.accounts.every((a) => a.posts === 0 && a.longestGap!.days === 365)).toBe(true);
  });

  it('says a year that has not begun has not: no cut-off before its first day, no silence ending before it starts', async () => {
    // Asked in June 2026 for 2027: zeros, as for any year without data, but nothing dated.
    const ahead = await new AnnualStatsService(app.ctx).forYear(2027, null, new Date('2026-06-01T00:00:00Z'));
    expect(ahead.totals).toEqual({ items: 0, retractedItems: 0, packages: 0, retractions: 0, interpretations: 0 });
    expect(ahead.period).toMatchObject({ begun: false, days: 0 });
    expect(ahead.accounts.length).toBeGreaterThan(0);
    expect(ahead.accounts.every((a) => a.longestGap === null && a.perMonth === null && a.perWeek === null)).toBe(true);
    const csv = annualStatsCsv(ahead);
    expect(csv.startsWith('\uFEFF2027年度政务发布统计,全区,2027年尚未开始（北京时间），没有可统计的数据\r\n')).toBe(true);
    expect(csv).not.toContain('统计截至');
    expect(csv).not.toContain('2026-12-31');
    const account = ahead.accounts[0]!;
    expect(csv).toContain(`\r\n${account.name},${account.platformName},${csvField(account.ownerUnit)},0,,,,,\r\n`);
    // The whole year, asked once it is over, is dated as before.
    expect(s.period).toMatchObject({ begun: true, days: 365 });
    expect(annualStatsCsv(s)).toContain('统计截至 2026-12-31（北京时间）');
  });

  it('writes CSV a spreadsheet opens as UTF-8, one section per table, formulas neutralised', () => {
    const csv = annualStatsCsv(s);
    expect(csv.startsWith('\uFEFF2026年度政务发布统计,全区,')).toBe(true);
    expect(csv).toContain('\r\n\r\n[总量]\r\n指标,数值\r\n发布条数（不含已撤稿）,5\r\n本年发布后已撤稿条数,2\r\n');
    expect(csv).toContain('[政策解读形式]\r\n形式,数量,已撤稿,涉及文件数\r\n文字解读,2,1,2\r\n');
    for (const title of [
      '按月发布条数',
      '按平台发布条数',
      '门户网站栏目发布条数',
      '政务新媒体账号更新情况',
      '融媒体中心栏目发布条数',
      '公开目录类别',
      '审批通过到上线用时',
    ])
      expect(csv).toContain(`[${title}]`);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+2')).toBe(`'-1+2`);
    expect(csvField('a\u0007b,c')).toBe('"ab,c"');
    expect(csvField(-3)).toBe('-3');
  });
});

describe('rates and dates as an inspector reads them', () => {
  beforeAll(async () => {
    const { actor } = await app.user('stats-rates', 'editor');
    // 2028 is a leap year: ten posts a month on the first account from January to June, on the 1st to the 10th at 10:00.
    for (let month = 1; month <= 6; month += 1)
      for (let day = 1; day <= 10; day += 1) {
        const local = `2028-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} 10:00`;
        await seedPackage(app.db, {
          id: `rate-${month}-${day}`,
          catalogueItem: newsItem,
          unit: unitA,
          createdBy: actor.id,
          revisions: [[]],
          approvals: [{ revision: 1, at: local }],
          deliveries: [{ channel: ch.acct1, revision: 1, liveAt: local }],
        });
      }
  });

  it('per month divides by calendar months: 60 posts in a whole leap year are 5 a month, and 10 a month when counted on 1 July', async () => {
    const service = new AnnualStatsService(app.ctx);
    const whole = await service.forYear(2028, null, new Date('2029-01-05T00:00:00Z'));
    expect(whole.accounts.find((a) => a.channelId === ch.acct1)).toMatchObject({ posts: 60, perMonth: 5 });
    const half = await service.forYear(2028, null, new Date('2028-07-01T00:00:00+08:00'));
    expect(half.accounts.find((a) => a.channelId === ch.acct1)).toMatchObject({ posts: 60, perMonth: 10 });
  });

  it("a whole year's CSV runs to 31 December, and a silence to the year's end ends then, not on the next 1 January", async () => {
    const s = await new AnnualStatsService(app.ctx).forYear(2028, null, new Date('2029-01-05T00:00:00Z'));
    const csv = annualStatsCsv(s);
    expect(csv.startsWith('\uFEFF2028年度政务发布统计,全区,统计截至 2028-12-31（北京时间）\r\n')).toBe(true);
    const silent = s.accounts.find((a) => a.posts === 0)!;
    expect(csv).toContain(`,${silent.longestGap!.days},2028-01-01,2028-12-31\r\n`);
    expect(csv).not.toContain('2029-01-01');
  });
});

describe('a channel removed from the registry', () => {
  it('has its own column in the month table, so the columns add up to 合计', async () => {
    const { actor } = await app.user('stats-removed', 'editor');
    // 2030: one package on a registered column and on an account the registry no longer lists.
    await seedPackage(app.db, {
      id: 'gone-1',
      catalogueItem: newsItem,
      unit: unitA,
      createdBy: actor.id,
      revisions: [[]],
      approvals: [{ revision: 1, at: '2030-02-03 09:00' }],
      deliveries: [
        { channel: ch.col1, revision: 1, liveAt: '2030-02-03 10:00' },
        { channel: 'wechat_oa:removed-account', revision: 1, liveAt: '2030-02-03 10:00' },
      ],
    });
    const s = await new AnnualStatsService(app.ctx).forYear(2030, null, new Date('2031-01-05T00:00:00Z'));
    expect(s.byMonth[1]).toMatchObject({ items: 2, byKind: { portal_column: 1, unregistered: 1 } });
    const csv = annualStatsCsv(s);
    expect(csv).toContain('[按月发布条数]\r\n月份,门户网站,政务新媒体,融媒体中心,已移出目录的渠道,合计,已撤稿\r\n');
    expect(csv).toContain('\r\n2月,1,0,0,1,2,0\r\n');
    expect(csv).toContain('发往已移出目录的渠道的条数单列为“已移出目录的渠道”，计入合计');
    // Every month's kind columns add up to its 合计.
    const months = csv.split('[按月发布条数]\r\n')[1]!.split('\r\n\r\n')[0]!.split('\r\n').slice(1);
    expect(months).toHaveLength(12);
    for (const row of months) {
      const [, portal, accounts, media, removed, total] = row.split(',').map(Number);
      expect(portal! + accounts! + media! + removed!, row).toBe(total);
    }
  });
});

describe('GET /api/stats', () => {
  it('answers reviewers and operations with the district figures, JSON by default', async () => {
    const r = await get(tokens.reviewer!, '/api/stats?year=2026');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ year: 2026, unit: null, totals: { items: 5, retractedItems: 2 } });
    expect((await get(tokens.ops!, `/api/stats?year=2026&unit=${unitB}`)).json()).toMatchObject({ unit: unitB, totals: { items: 2, packages: 1 } });
  });

  it('gives CSV for format=csv and for Accept: text/csv', async () => {
    const byQuery = await get(tokens.ops!, '/api/stats?year=2026&format=csv');
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(byQuery.headers.get('content-disposition')).toBe('attachment; filename="govpub-annual-2026.csv"');
    expect(byQuery.text.startsWith('\uFEFF')).toBe(true);
    expect(byQuery.text).toContain('[门户网站栏目发布条数]');
    const byAccept = await get(tokens.ops!, '/api/stats?year=2026', { accept: 'text/csv' });
    expect(byAccept.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // The same figures (only the generated-at stamp can differ: the CSV has none).
    expect(byAccept.text).toBe(byQuery.text);
  });

  it("limits an editor to their unit's figures", async () => {
    const own = await get(tokens.editorA!, '/api/stats?year=2026');
    expect(own.status).toBe(200);
    // P1 on two channels and P4; P3's two items are retracted.
    expect(own.json()).toMatchObject({ unit: unitA, totals: { items: 3, retractedItems: 2, packages: 3, retractions: 1 } });
    expect(own.json().accounts.every((a) => a.ownerUnit === unitAName)).toBe(true);
    // An inspector reads the unit by its name, in the JSON and on the CSV's first line.
    expect(own.json()).toMatchObject({ unit: unitA, unitName: unitAName });
    const ownCsv = await get(tokens.editorA!, '/api/stats?year=2026&format=csv');
    expect(ownCsv.text.split('\r\n')[0]).toMatch(
      new RegExp(`^\uFEFF2026年度政务发布统计,单位：${unitAName}（${unitA}）,统计截至 2026-\\d\\d-\\d\\d（北京时间）$`),
    );
    const other = await get(tokens.editorA!, `/api/stats?year=2026&unit=${unitB}`);
    expect(other.status).toBe(403);
    expect(other.json().error.code).toBe('forbidden');
    expect((await get(tokens.editorNoUnit!, '/api/stats?year=2026')).status).toBe(403);
  });

  it('lists the portal columns a unit maintains in its figures, empty ones too, under its name as the compliance findings say it', async () => {
    // The unit that maintains the most columns (units.yaml), whatever its accounts.
    const maintained = new Map<string, string[]>();
    for (const c of listChannels(app.registry).filter((c) => c.kind === 'portal_column')) {
      const unit = channelUnit(app.registry, c);
      if (unit) maintained.set(unit.id, [...(maintained.get(unit.id) ?? []), c.id]);
    }
    const [unit, columns] = [...maintained.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const name = app.registry.units.find((u) => u.id === unit)!.name;
    const figures = (await get(tokens.ops!, `/api/stats?year=2026&unit=${unit}`)).json() as AnnualStats;
    const listed = figures.byChannel.filter((c) => c.kind === 'portal_column');
    expect(listed.map((c) => c.channelId).sort()).toEqual(expect.arrayContaining([...columns].sort()));
    expect(listed.filter((c) => columns.includes(c.channelId)).every((c) => c.ownerUnit === name)).toBe(true);
    // The district's figures name each column's unit too.
    const district = (await get(tokens.ops!, '/api/stats?year=2026')).json() as AnnualStats;
    expect(district.byChannel.find((c) => c.channelId === columns[0])?.ownerUnit).toBe(name);
  });

  it('refuses a bad year or unit with 400 naming the parameter, and answers an empty year with zeros', async () => {
    for (const bad of ['abc', '1999', '20261', '2026.5']) {
      const r = await get(tokens.ops!, `/api/stats?year=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.text, bad).toContain('year');
    }
    // A year written another way than four digits is refused too, not read as 2026 (nor is a limit read so elsewhere).
    for (const bad of ['02026', '%2B2026', '%202026', '2026%20', '2026.0', '-2026', '0x7EA']) {
      const r = await get(tokens.ops!, `/api/stats?year=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json().error.code, bad).toBe('invalid_query');
      expect(r.json().error.issues, bad).toEqual([expect.objectContaining({ path: 'year' })]);
    }
    const missing = await get(tokens.ops!, '/api/stats');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('year');
    const unknownUnit = await get(tokens.ops!, '/api/stats?year=2026&unit=nosuchunit');
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.text).toContain('unit');
    const empty = await get(tokens.ops!, '/api/stats?year=2031');
    expect(empty.status).toBe(200);
    expect(empty.json().totals.items).toBe(0);
  });

  it('answers a year that has not begun with zeros and says so, in JSON and CSV alike', async () => {
    const json = (await get(tokens.ops!, '/api/stats?year=2099')).json();
    expect(json.totals.items).toBe(0);
    expect(json.period).toMatchObject({ begun: false, days: 0 });
    expect(json.period.to).toBe(json.period.from);
    expect(json.accounts.every((a) => a.longestGap === null)).toBe(true);
    const csv = (await get(tokens.ops!, '/api/stats?year=2099&format=csv')).text;
    expect(csv.split('\r\n')[0]).toBe('\uFEFF2099年度政务发布统计,全区,2099年尚未开始（北京时间），没有可统计的数据');
    expect(csv).not.toMatch(/,0,2099-01-01,20\d\d-12-31\r\n/);
  });

  it('is described in the OpenAPI document with both media types', async () => {
    const doc = JSON.parse((await get(tokens.ops!, '/api/openapi.json')).text) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }>;
    };
    const content = doc.paths['/api/stats']!.get.responses['200']!.content;
    expect(Object.keys(content).sort()).toEqual(['application/json', 'text/csv']);
  });
});

describe('govpub stats', () => {
  it('prints tables, and writes CSV to a file', async () => {
    const env = { GOVPUB_API_URL: base, GOVPUB_TOKEN: tokens.ops!, GOVPUB_LANG: 'zh' };
    const table = await runCli(['stats', '--year', '2026'], env, undefined, { timeoutMs: 60_000 });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('2026 年度统计（全区');
    expect(table.stdout).toMatch(/发布条数（不含已撤稿）\s+5/);
    const ofUnit = await runCli(['stats', '--year', '2026', '--unit', unitA], env, undefined, { timeoutMs: 60_000 });
    expect(ofUnit.code, ofUnit.stderr).toBe(0);
    expect(ofUnit.stdout).toMatch(new RegExp(`^2026 年度统计（${unitAName}，北京时间，截至 2026-\\d\\d-\\d\\d）\n`));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-stats-'));
    const out = path.join(dir, 'annual.csv');
    const csv = await runCli(['stats', '--year', '2026', '--format', 'csv', '--out', out], env, undefined, { timeoutMs: 60_000 });
    expect(csv.code, csv.stderr).toBe(0);
    const written = fs.readFileSync(out, 'utf8');
    expect(written.startsWith('\uFEFF2026年度政务发布统计')).toBe(true);
    expect(written).toBe((await get(tokens.ops!, '/api/stats?year=2026&format=csv')).text);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const year of ['26', ' 2026', '2026 ', '02026', '+2026', '2026.0']) {
      const bad = await runCli(['stats', '--year', year], env, undefined, { timeoutMs: 60_000 });
      expect(bad.code, year).toBe(1);
      expect(bad.stderr, year).toContain(`参数 --year 应为 2000 至 2100 之间的年份，写作四位数字（例如 2026），实际为 ${JSON.stringify(year)}。`);
    }
  });

  it('says why --out cannot be written, not an unexpected error', async () => {
    const env = { GOVPUB_API_URL: base, GOVPUB_TOKEN: tokens.ops! };
    const out = path.join(os.tmpdir(), 'govpub-stats-no-such-folder', 'annual.csv');
    const result = await runCli(['stats', '--year', '2026', '--format', 'csv', '--out', out], env, undefined, { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot write ${out} (ENOENT): check that its folder exists`);
    expect(result.stderr).not.toMatch(/unexpected error/);
    // Two formats asked for at once are refused, not one of them picked (it printed JSON).
    const both = await runCli(['stats', '--year', '2026', '--json', '--format', 'csv'], env, undefined, { timeoutMs: 60_000 });
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout).error).toMatchObject({
      code: 'invalid_arguments',
      message: '--json and --format csv ask for two formats: give one of them.',
    });
  });
});

describe('a whole district year', () => {
  it('counts 11,000 packages in one pass per table, without touching the other years', async () => {
    const { actor } = await app.user('stats-bulk', 'editor');
    const channels = await app.db.selectFrom('channels').select(['id', 'kind']).execute();
    const ids = (kind: string) => channels.filter((c) => c.kind === kind).map((c) => c.id);
    await seedBulkYear(app.db, {
      year: 2024,
      packages: 11_000,
      createdBy: actor.id,
      catalogueItem: newsItem,
      portal: ids('portal_column'),
      accounts: ids('new_media_account'),
      media: ids('media_center_column'),
    });
    const service = new AnnualStatsService(app.ctx);
    const started = performance.now();
    const bulk = await service.forYear(2024, null, new Date('2027-01-05T00:00:00Z'));
    const ms = performance.now() - started;
    console.log(`annual figures of 11,000 packages (33,000 items): ${ms.toFixed(0)} ms`);
    expect(bulk.totals).toMatchObject({ items: 33_000, packages: 11_000, interpretations: 1_100 });
    expect(bulk.byMonth.reduce((n, m) => n + m.items, 0)).toBe(33_000);
    expect(bulk.approvalToLive).toMatchObject({ items: 33_000, medianSec: 3600 });
    // 2026 is as it was.
    expect((await service.forYear(2026, null, new Date('2027-01-05T00:00:00Z'))).totals.items).toBe(5);
  });
});
