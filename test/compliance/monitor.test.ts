/**
 * The compliance monitor on real PostgreSQL, over a generated year of Beilin publishing
 * (test/support/compliance-year.ts) with planted violations: every planted item is found with its
 * severity, nothing else is; findings close and escalate as facts change, each change is one event
 * and one audit entry, and running again changes nothing.
 */
import type { Client } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import type { DB } from '../../db/schema.js';
import type { Finding } from '../../domain/compliance/model.js';
import type { GovpubError } from '../../domain/errors.js';
import type { Registry } from '../../domain/registry.js';
import type { AppContext } from '../../services/context.js';
import type { PlatformPostsSource } from '../../services/compliance/facts.js';
import { ComplianceMonitor } from '../../services/compliance/monitor.js';
import { china, seedComplianceYear } from '../support/compliance-year.js';
import { freshDatabase } from '../support/services.js';

const NOW = china('2026-10-12 10:00');
const DAY = 86_400_000;
const SILENT = 'wechat_oa:blwhly';
const QUIET = 'wechat_oa:blrs';

let db: Kysely<DB>;
let close: () => Promise<void>;
let registry: Registry;
let ctx: AppContext;
let staleColumn: string;

const monitorAt = (now: Date, platformPosts?: PlatformPostsSource) => new ComplianceMonitor(ctx, { now: () => now, platformPosts });

async function openFindings(): Promise<Finding[]> {
  const view = await monitorAt(NOW).view({ limit: 500 }, { role: 'admin', unit: null });
  return view.findings.sort((a, b) => a.key.localeCompare(b.key));
}

async function auditCount(action?: string): Promise<number> {
  let q = db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', 'like', 'compliance.%');
  if (action) q = q.where('action', '=', action);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function eventCount(): Promise<number> {
  return Number(
    (
      await db
        .selectFrom('compliance_finding_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

beforeAll(async () => {
  const database = await freshDatabase();
  db = database.db;
  close = database.close;
  registry = await loadRegistry();
  ctx = { db, registry, temporal: undefined as unknown as Client, taskQueue: 'compliance-test' };
  const parents = new Set(registry.portal.columns.map((c) => c.parentId));
  staleColumn = registry.portal.columns.find(
    (c) => c.updateClass === 'notice_policy' && !parents.has(c.id) && c.id.startsWith('zwgk-') && c.id !== 'zwgk-zcwj-qzfwj',
  )!.id;
  const seeded = await seedComplianceYear(db, registry, {
    now: NOW,
    stopped: [
      // 15 days silent across the National Day holiday (Oct 1–7).
      { channelId: SILENT, lastAt: china('2026-09-27 09:00') },
      // 12 days: a reminder, a veto two days later.
      { channelId: QUIET, lastAt: china('2026-09-30 09:00') },
      // 6 months and a day.
      { channelId: `portal:${staleColumn}`, lastAt: china('2026-04-11 09:00') },
    ],
    lateInterpretations: [
      // Document on Friday 18 September; Sunday 20 September is a make-up workday (调休), so Wednesday
      // 23 September is the 4th working day: late. Tuesday 22 September is the 3rd: in time.
      {
        packageId: 'late-interp',
        title: '碑林区老旧小区改造实施方案',
        documentLiveAt: china('2026-09-18 10:00'),
        interpretationLiveAt: china('2026-09-23 10:00'),
      },
      { packageId: 'ontime-interp', title: '碑林区停车管理办法', documentLiveAt: china('2026-09-18 10:00'), interpretationLiveAt: china('2026-09-22 10:00') },
    ],
    disclosures: [
      // Formed Tuesday 1 September: with the make-up Sunday 20th and the Mid-Autumn Festival on Friday
      // 25th off, the 20th working day is Tuesday 29 September; Wednesday 30th is working day 21.
      { packageId: 'late-disclosure', title: '碑林区2026年度重点工作任务分解', formedAt: '2026-09-01', liveAt: china('2026-09-30 10:00') },
      { packageId: 'ontime-disclosure', title: '碑林区2026年度民生实事', formedAt: '2026-09-01', liveAt: china('2026-09-29 10:00') },
    ],
  });
  expect(seeded.packages).toBeGreaterThan(2000);
});

afterAll(async () => {
  await close?.();
});

describe('a year with planted violations', () => {
  it('finds every planted item with its severity, and nothing else', async () => {
    const summary = await monitorAt(NOW).run('manual', 'test');
    const found = (await openFindings()).map((f) => [f.key, f.severity]);
    expect(found).toEqual(
      [
        [`account_silent:${QUIET}`, 'reminder'],
        [`account_silent:${SILENT}`, 'veto'],
        [`column_stale:portal:${staleColumn}`, 'warning'],
        ['disclosure_late:late-disclosure', 'warning'],
        ['interpretation_late:late-interp', 'warning'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect(summary.opened).toBe(5);
    expect(summary.open).toEqual({ reminder: 1, warning: 3, veto: 1 });
    expect(summary.thresholds.find((t) => t.id === 'stale_columns')).toMatchObject({ value: 1, limit: 5, failed: false });
    expect(summary.thresholds.find((t) => t.id === 'silent_accounts')).toMatchObject({ value: 1, failed: true });
    expect(summary.thresholds.find((t) => t.id === 'unreachable_share')).toMatchObject({ value: 0, failed: false });
    expect(summary.checks).toEqual(['accounts', 'columns', 'site', 'timing']);
  });

  it('says the figures and the owner unit', async () => {
    const byKey = new Map((await openFindings()).map((f) => [f.key, f]));
    const silent = byKey.get(`account_silent:${SILENT}`)!;
    expect(silent.facts).toMatchObject({ daysSilent: 15, limitDays: 14, source: 'govpub' });
    expect(silent.message).toContain('15 天');
    expect(silent.ownerUnit).toBe(registry.units.find((u) => u.name === '区文化和旅游体育局')!.id);
    expect(byKey.get('interpretation_late:late-interp')!.facts).toMatchObject({ workingDays: 4, limitWorkingDays: 3 });
    expect(byKey.get('disclosure_late:late-disclosure')!.facts).toMatchObject({ workingDays: 21, deadline: '2026-09-29' });
    const column = byKey.get(`column_stale:portal:${staleColumn}`)!;
    expect(column.facts).toMatchObject({ lastUpdatedAt: china('2026-04-11 09:00').toISOString(), daysSinceUpdate: 184 });
    expect(column.ownerUnit).not.toBeNull();
  });

  it('writes one event and one audit entry per change, and a second run at the same time changes nothing', async () => {
    expect(await eventCount()).toBe(5);
    expect(await auditCount('compliance.opened')).toBe(5);
    const again = await monitorAt(NOW).run('manual', 'test');
    expect([again.opened, again.closed, again.changed]).toEqual([0, 0, 0]);
    expect(await eventCount()).toBe(5);
    expect(await auditCount()).toBe(5);
  });

  it('answers a run id it has finished with the recorded summary (a retried activity), and runs a new id', async () => {
    const runs = async () =>
      Number(
        (
          await db
            .selectFrom('compliance_runs')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await runs();
    const first = await monitorAt(NOW).run('schedule', 'test', { runId: 'temporal-run-1' });
    expect(first.runId).toBe('temporal-run-1');
    const retried = await monitorAt(new Date(NOW.getTime() + DAY)).run('schedule', 'test', { runId: 'temporal-run-1' });
    expect(retried).toEqual(first);
    expect(await runs()).toBe(before + 1);
    expect(await eventCount()).toBe(5);
  });

  it('closes, escalates and refreshes as the facts change', async () => {
    const later = new Date(NOW.getTime() + 2 * DAY);
    // The platform lists a post of the silent account made outside govpub.
    const platform: PlatformPostsSource = {
      latestPosts: async (channels) => {
        expect(channels.every((c) => c.kind === 'new_media_account')).toBe(true);
        return new Map([[SILENT, { at: new Date(later.getTime() - DAY).toISOString(), source: 'platform' as const }]]);
      },
    };
    const summary = await monitorAt(later, platform).run('schedule', 'schedule');
    expect([summary.opened, summary.closed, summary.changed]).toEqual([0, 1, 1]);
    const history = await monitorAt(later).history({ limit: 10 });
    expect(history.events.slice(0, 2).map((e) => [e.key, e.change, e.previousSeverity, e.severity])).toEqual(
      expect.arrayContaining([
        [`account_silent:${SILENT}`, 'closed', 'veto', 'veto'],
        [`account_silent:${QUIET}`, 'escalated', 'reminder', 'veto'],
      ]),
    );
    expect(await auditCount('compliance.closed')).toBe(1);
    expect(await auditCount('compliance.escalated')).toBe(1);
    // The stale column's days moved 184 → 186: refreshed, not an event.
    const column = (await openFindings()).find((f) => f.key === `column_stale:portal:${staleColumn}`)!;
    expect(column.facts.daysSinceUpdate).toBe(186);
    expect(column.updatedAt).toBe(NOW.toISOString());
    expect(await eventCount()).toBe(7);

    // The platform's post no longer listed (say it was deleted): the finding reopens.
    const reopened = await monitorAt(later).run('manual', 'test');
    expect(reopened.opened).toBe(1);
    expect((await monitorAt(later).history({ key: `account_silent:${SILENT}`, limit: 5 })).events.map((e) => e.change)).toEqual([
      'reopened',
      'closed',
      'opened',
    ]);
  });

  it('limits an editor to their unit by default', async () => {
    const unit = registry.units.find((u) => u.name === '区文化和旅游体育局')!.id;
    const view = await monitorAt(NOW).view({}, { role: 'editor', unit });
    expect(view.findings.map((f) => f.key)).toEqual([`account_silent:${SILENT}`]);
    expect(view.counts).toEqual({ reminder: 0, warning: 0, veto: 1 });
    expect(view.notCovered.map((n) => n.item)).toContain('public_messages');
    expect(view.lastRun?.trigger).toBe('manual');
    const all = await monitorAt(NOW).view({ scope: 'all' }, { role: 'editor', unit });
    expect(all.findings.length).toBeGreaterThan(1);
  });

  it("answers an editor who asks for another unit with that unit's findings, not zeros as if it had none", async () => {
    const own = registry.units.find((u) => u.name === '区文化和旅游体育局')!.id;
    const district = await monitorAt(NOW).view({ limit: 500 }, { role: 'ops', unit: null });
    const other = district.findings.find((f) => f.ownerUnit !== null && f.ownerUnit !== own)!.ownerUnit!;
    const asOps = await monitorAt(NOW).view({ unit: other, limit: 500 }, { role: 'ops', unit: null });
    const asEditor = await monitorAt(NOW).view({ unit: other, limit: 500 }, { role: 'editor', unit: own });
    expect(asEditor.counts).toEqual(asOps.counts);
    expect(asEditor.findings.map((f) => f.key)).toEqual(asOps.findings.map((f) => f.key));
    expect(asEditor.findings.length).toBeGreaterThan(0);
    // scope=mine and another unit contradict each other: said so, naming unit.
    await expect(monitorAt(NOW).view({ unit: other, scope: 'mine' }, { role: 'editor', unit: own })).rejects.toMatchObject({
      code: 'invalid_query',
      details: { status: 400, issues: [expect.objectContaining({ path: 'unit', message: expect.stringContaining('scope=mine') })] },
    });
  });

  it('tells an editor without a unit to get one, instead of answering that their unit has no findings', async () => {
    const unitless = { role: 'editor' as const, unit: null };
    for (const read of [() => monitorAt(NOW).view({}, unitless), () => monitorAt(NOW).history({ limit: 5 }, unitless)]) {
      const refused = await read().then(
        () => null,
        (e: GovpubError) => e,
      );
      expect(refused).toMatchObject({ code: 'forbidden', details: { status: 403 }, message: expect.stringContaining('govpub users set-unit') });
      expect(refused!.messageZh).toContain('未设置所属单位');
    }
    // The district's findings stay open to them, as to every editor.
    expect((await monitorAt(NOW).view({ scope: 'all' }, unitless)).findings.length).toBeGreaterThan(0);
  });

  it('counts what it lists when asked for one unit, kind or subject type, not the whole district', async () => {
    const bySeverity = (findings: Finding[]) => ({
      reminder: findings.filter((f) => f.severity === 'reminder').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      veto: findings.filter((f) => f.severity === 'veto').length,
    });
    const ops = { role: 'ops' as const, unit: null };
    const district = await monitorAt(NOW).view({ limit: 500 }, ops);
    const unit = registry.units.find((u) => u.name === '区文化和旅游体育局')!.id;
    const oneUnit = await monitorAt(NOW).view({ unit, limit: 500 }, ops);
    expect(oneUnit.findings.map((f) => f.key)).toEqual([`account_silent:${SILENT}`]);
    expect(oneUnit.counts).toEqual({ reminder: 0, warning: 0, veto: 1 });
    expect(district.counts).not.toEqual(oneUnit.counts);
    for (const query of [{ kind: 'account_silent' as const }, { subjectType: 'column' as const }, { kind: 'column_stale' as const, unit }]) {
      const view = await monitorAt(NOW).view({ ...query, limit: 500 }, ops);
      expect(view.counts, JSON.stringify(query)).toEqual(bySeverity(view.findings));
    }
    // The severity filter and the page narrow the list, not the counts: they still say what each severity would list.
    expect(district.counts).toEqual(bySeverity(district.findings));
    expect((await monitorAt(NOW).view({ severity: 'warning', limit: 1 }, ops)).counts).toEqual(district.counts);
  });
});

describe('registering a document published without govpub', () => {
  const register = (fields: { documentLiveAt: string; interpretationLiveAt?: string | null; confirmDistinct?: boolean }, id = 'ext-check') =>
    monitorAt(NOW).recordExternalRelease({ id, title: '碑林区关于促进夜间经济发展的若干措施', ...fields }, 'test');
  const refusal = async (fields: Parameters<typeof register>[0]) => {
    const error = (await register(fields).then(
      () => null,
      (e: unknown) => e,
    )) as { details?: { status?: number; issues?: { path: string; messageZh: string }[] } } | null;
    return error && { status: error.details?.status, issues: error.details?.issues?.map((i) => [i.path, i.messageZh]) };
  };

  it('registered again as it stands (a retry after a lost answer): one audit entry; a real change is audited again', async () => {
    const id = 'ext-retried';
    const entries = () =>
      db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'compliance.external_release_recorded')
        .where(sql`details->>'id'`, '=', id)
        .execute();
    // A title of its own: the other registrations here must not find it a likely duplicate.
    const fields = {
      id,
      title: '碑林区关于老旧小区加装电梯的实施意见',
      documentLiveAt: '2026-10-09T09:00:00+08:00',
      interpretationLiveAt: '2026-10-09T11:00:00+08:00',
      url: 'https://www.beilin.gov.cn/a/1',
    };
    const first = await monitorAt(NOW).recordExternalRelease(fields, 'test');
    const again = await monitorAt(NOW).recordExternalRelease(fields, 'test');
    expect(again).toEqual(first);
    expect(await entries()).toHaveLength(1);
    await monitorAt(NOW).recordExternalRelease({ ...fields, interpretationLiveAt: '2026-10-10T09:00:00+08:00' }, 'test');
    expect(await entries()).toHaveLength(2);
  });

  it('refuses a time to come: only what has happened is judged (now is 2026-10-12 10:00 China time)', async () => {
    expect(await refusal({ documentLiveAt: '2026-10-13T09:00:00+08:00' })).toEqual({
      status: 400,
      issues: [['documentLiveAt', '晚于当前时间：只能登记已经发布的文件和解读，请核对日期']],
    });
    // The English names the time as it was typed, in Beijing time.
    const english = (await register({ documentLiveAt: '2026-10-13T09:00:00+08:00' }).catch((e: unknown) => e)) as {
      details: { issues: { message: string }[] };
    };
    expect(english.details.issues[0]!.message).toBe('is in the future (2026-10-13 09:00:00, Beijing time); register a release once it has happened');
    expect(await refusal({ documentLiveAt: '2026-10-09T09:00:00+08:00', interpretationLiveAt: '2027-10-09T09:00:00+08:00' })).toMatchObject({
      issues: [['interpretationLiveAt', expect.stringContaining('晚于当前时间')]],
    });
    // A clock a little behind the editor's is no reason to refuse.
    expect(await refusal({ documentLiveAt: '2026-10-12T10:00:30+08:00' })).toBeNull();
  });

  it('judges order by the Beijing day: the same day either way is accepted, an earlier day refused', async () => {
    // An hour before its document on the same day: 0 working days late, as the rules count it.
    expect(await refusal({ documentLiveAt: '2026-10-09T10:00:00+08:00', interpretationLiveAt: '2026-10-09T09:00:00+08:00' })).toBeNull();
    // 00:00 on 9 October in Beijing is still 8 October in UTC: the same Beijing day, so accepted.
    expect(await refusal({ documentLiveAt: '2026-10-09T00:30:00+08:00', interpretationLiveAt: '2026-10-08T16:00:00Z' })).toBeNull();
    expect(await refusal({ documentLiveAt: '2026-10-09T09:00:00+08:00', interpretationLiveAt: '2026-10-08T23:30:00+08:00' })).toEqual({
      status: 400,
      issues: [['interpretationLiveAt', '早于文件发布日期（解读 2026-10-08，文件 2026-10-09，北京时间）；同一天发布的，先后均可']],
    });
  });

  it('takes an instant only with its offset, as the API does, so its China date never depends on the server', async () => {
    for (const documentLiveAt of ['2026-10-09 23:30', '2026-10-09T23:30:00', '12', 'October 9, 2026'])
      expect(await refusal({ documentLiveAt })).toMatchObject({ status: 400, issues: [['documentLiveAt', expect.stringContaining('带时区')]] });
    expect(await refusal({ documentLiveAt: '2026-10-09T23:30:00+08:00' })).toBeNull();
  });

  it('refuses the same document under a second id, naming the first, and stores nothing of it', async () => {
    const title = '碑林区关于印发老旧小区改造实施方案的通知';
    const record = (id: string, fields: { title?: string; documentLiveAt: string; ownerUnit?: string | null }) =>
      monitorAt(NOW).recordExternalRelease({ id, title, ownerUnit: 'jyj', ...fields }, 'test');
    await record('dup-1', { documentLiveAt: '2026-10-10T09:00:00+08:00' });
    const audits = await auditCount('compliance.external_release_recorded');
    // The same unit, title (spacing aside) and Beijing day: the same document.
    const error = (await record('dup-2', { title: ` 碑林区关于印发 老旧小区改造实施方案的通知`, documentLiveAt: '2026-10-10T15:00:00+08:00' }).catch(
      (e: unknown) => e,
    )) as { code: string; message: string; messageZh: string; details: { status: number; existingId: string; issues: { path: string }[] } };
    expect(error).toMatchObject({ code: 'external_release_duplicate', details: { status: 409, existingId: 'dup-1', issues: [{ path: 'id' }] } });
    expect(error.message).toContain('already registered as "dup-1"');
    expect(error.message).toContain('PUT /api/compliance/external-releases/dup-1');
    expect(error.messageZh).toContain('与已登记的「dup-1」单位、标题相同（同一天发布）');
    expect(error.messageZh).toContain('请修改该条登记');
    expect(await db.selectFrom('external_releases').select('id').where('id', '=', 'dup-2').execute()).toEqual([]);
    expect(await auditCount('compliance.external_release_recorded')).toBe(audits);
    // Correcting the first under its own id is what to do; another unit is another document.
    await record('dup-1', { documentLiveAt: '2026-10-10T10:00:00+08:00' });
    await record('dup-4', { documentLiveAt: '2026-10-10T09:00:00+08:00', ownerUnit: null });
    expect(await db.selectFrom('external_releases').select('id').where('id', 'like', 'dup-%').orderBy('id').execute()).toEqual([
      { id: 'dup-1' },
      { id: 'dup-4' },
    ]);
  });

  it('takes the same unit and title within 14 days for the same document typed with another day; another document is confirmed, and audited', async () => {
    const title = '碑林区关于加强城市道路停车管理的通知';
    type Fields = {
      documentLiveAt: string;
      interpretationLiveAt?: string;
      documentNumber?: string | null;
      confirmDistinct?: boolean;
      title?: string;
      ownerUnit?: string | null;
    };
    const record = (id: string, fields: Fields) => monitorAt(NOW).recordExternalRelease({ id, title, ownerUnit: 'jyj', ...fields }, 'test');
    type Refusal = { code: string; message: string; messageZh: string; details: Record<string, unknown> };
    const refused = async (id: string, fields: Fields) =>
      (await record(id, fields).then(
        () => null,
        (e: unknown) => e,
      )) as Refusal | null;
    // Registered at its 成文日期 …
    await record('park-1', { documentLiveAt: '2026-09-18T09:00:00+08:00' });
    // … and again at its release 12 days later, the title typed with a stray space.
    const again = await refused('park-2', { documentLiveAt: '2026-09-30T09:00:00+08:00', title: '碑林区关于加强 城市道路停车管理的通知' });
    expect(again).toMatchObject({
      code: 'external_release_duplicate',
      details: {
        status: 409,
        existingId: 'park-1',
        match: 'title_nearby',
        confirmable: true,
        existingIds: ['park-1'],
        issues: [{ path: 'id', existingId: 'park-1' }],
      },
    });
    expect(again!.message).toContain('is already registered as "park-1", it seems: the same unit and title, live 2026-09-18, 12 days apart');
    expect(again!.message).toContain('PUT /api/compliance/external-releases/park-1');
    expect(again!.message).toContain('confirmDistinct: true (--distinct on the command line)');
    expect(again!.messageZh).toContain('与已登记的「park-1」单位、标题相同（2026-09-18 发布，相差 12 天），很可能是同一文件');
    expect(again!.messageZh).toContain('如确为另一份文件，请加上 confirmDistinct: true（命令行加 --distinct）再登记');
    // A slipped day digit the other way (09-21 for 09-12) too; nothing of the refused ones is stored.
    expect(await refused('park-3', { documentLiveAt: '2026-09-12T09:00:00+08:00' })).toMatchObject({ details: { existingId: 'park-1' } });
    expect(await db.selectFrom('external_releases').select('id').where('id', 'like', 'park-%').execute()).toEqual([{ id: 'park-1' }]);

    // Really another document (a second notice of the same name that week): confirmed, and the audit says from which.
    const audits = await auditCount('compliance.external_release_recorded');
    await record('park-2', { documentLiveAt: '2026-09-22T09:00:00+08:00', confirmDistinct: true });
    expect(await auditCount('compliance.external_release_recorded')).toBe(audits + 1);
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'compliance.external_release_recorded')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ id: 'park-2', confirmedDistinctFrom: ['park-1'] });
    // Correcting what does not identify it (its interpretation's time) is not asked again; moving its day is.
    await record('park-2', { documentLiveAt: '2026-09-22T09:00:00+08:00', interpretationLiveAt: '2026-09-23T09:00:00+08:00' });
    expect(await refused('park-2', { documentLiveAt: '2026-09-21T09:00:00+08:00' })).toMatchObject({ details: { existingId: 'park-1' } });
    // The nearest of several is named first.
    expect(await refused('park-5', { documentLiveAt: '2026-09-23T09:00:00+08:00' })).toMatchObject({
      details: { existingId: 'park-2', existingIds: ['park-2', 'park-1'] },
    });

    // A title a unit reuses each month or year is never that close: the monthly report and the yearly notice are registered.
    const monthly = '碑林区教育局政务公开工作月报';
    await record('report-08', { title: monthly, documentLiveAt: '2026-08-31T09:00:00+08:00' });
    await record('report-09', { title: monthly, documentLiveAt: '2026-09-30T09:00:00+08:00' });
    await record('report-02', { title: monthly, documentLiveAt: '2026-02-27T09:00:00+08:00' });
    await record('report-03', { title: monthly, documentLiveAt: '2026-03-27T09:00:00+08:00' }); // February: 28 days apart
    const yearly = '关于做好春节期间安全生产工作的通知';
    await record('spring-2025', { title: yearly, documentLiveAt: '2025-01-20T09:00:00+08:00' });
    await record('spring-2026', { title: yearly, documentLiveAt: '2026-02-06T09:00:00+08:00' });
    // 15 days apart is past the window.
    await record('park-6', { documentLiveAt: '2026-10-07T09:00:00+08:00' });
  });

  it('takes the same 发文字号 for the same document whatever its day or title, and two numbers for two documents', async () => {
    const record = (
      id: string,
      fields: { title: string; documentLiveAt: string; documentNumber?: string | null; confirmDistinct?: boolean; ownerUnit?: string | null },
    ) => monitorAt(NOW).recordExternalRelease({ id, ownerUnit: 'jyj', ...fields }, 'test');
    const refused = async (...args: Parameters<typeof record>) =>
      (await record(...args).then(
        () => null,
        (e: unknown) => e,
      )) as { code: string; message: string; messageZh: string; details: Record<string, unknown> } | null;
    // Typed as people type it, stored in the standard form.
    expect(
      await record('num-1', { title: '碑林区教育局关于规范校外培训的通知', documentLiveAt: '2026-06-01T09:00:00+08:00', documentNumber: ' 碑教发[2026]07号' }),
    ).toEqual({
      documentNumber: '碑教发〔2026〕7号',
      warnings: [],
    });
    expect((await db.selectFrom('external_releases').select('document_number').where('id', '=', 'num-1').executeTakeFirstOrThrow()).document_number).toBe(
      '碑教发〔2026〕7号',
    );
    // The same number two months later with a slip in the title, even for another unit and confirmed distinct: the same document.
    const same = await refused('num-2', {
      title: '碑林区教育局关于规范校外培训机构的通知',
      documentLiveAt: '2026-08-03T09:00:00+08:00',
      documentNumber: '碑教发（2026）第7号',
      ownerUnit: null,
      confirmDistinct: true,
    });
    expect(same).toMatchObject({
      code: 'external_release_duplicate',
      details: { status: 409, existingId: 'num-1', match: 'document_number', confirmable: false, issues: [{ path: 'documentNumber', existingId: 'num-1' }] },
    });
    expect(same!.message).toContain('carries 发文字号 碑教发〔2026〕7号, which is already registered as "num-1"');
    expect(same!.messageZh).toContain('发文字号 碑教发〔2026〕7号 已登记为「num-1」');
    // The same title the same day with another number is another document; without a number it may be either.
    await record('num-3', { title: '碑林区教育局关于规范校外培训的通知', documentLiveAt: '2026-06-01T15:00:00+08:00', documentNumber: '碑教发〔2026〕8号' });
    expect(await refused('num-4', { title: '碑林区教育局关于规范校外培训的通知', documentLiveAt: '2026-06-02T09:00:00+08:00' })).toMatchObject({
      details: { match: 'title_nearby', existingIds: ['num-1', 'num-3'] },
    });
    // Not a document number: refused as bad input, saying what one looks like.
    for (const documentNumber of ['碑教发2026年7号', '7号'])
      expect(await refused('num-5', { title: '另一份通知', documentLiveAt: '2026-06-01T09:00:00+08:00', documentNumber })).toMatchObject({
        code: 'invalid_body',
        details: { status: 400, issues: [{ path: 'documentNumber', messageZh: expect.stringContaining('不是发文字号，应如 碑政发〔2026〕3号') }] },
      });
    // A control or a direction override is refused as in every text (domain/text.ts).
    for (const documentNumber of ['碑教发〔2026〕7\u0000号', '碑教发〔2026〕7\u202e号'])
      expect(await refused('num-5', { title: '另一份通知', documentLiveAt: '2026-06-01T09:00:00+08:00', documentNumber })).toMatchObject({
        code: 'invalid_body',
        details: { status: 400, issues: [{ path: 'documentNumber', message: expect.stringMatching(/^contains/) }] },
      });
  });

  it('refuses a title that shows nothing and an address no reader could follow safely', async () => {
    const refused = async (fields: Record<string, unknown>) =>
      (await monitorAt(NOW)
        .recordExternalRelease(
          { id: 'shape-1', title: '碑林区关于某事项的通知', documentLiveAt: '2026-10-09T09:00:00+08:00', ownerUnit: 'jyj', ...fields },
          'test',
        )
        .then(
          () => null,
          (e: unknown) => e,
        )) as { code: string; details: { issues: { path: string; message: string }[] } } | null;
    // A line break let a title print a line of its own ("FAKE: all ok") into `compliance run`.
    expect(await refused({ title: '碑林区通知\nFAKE: all ok' })).toMatchObject({
      details: { issues: [{ path: 'title', message: expect.stringMatching(/^is one line/) }] },
    });
    for (const title of ['\u200b\u200b', '\u3164', '\u2800 '])
      expect(await refused({ title }), JSON.stringify(title)).toMatchObject({
        code: 'invalid_body',
        details: { issues: [{ path: 'title', message: expect.stringMatching(/that shows/) }] },
      });
    for (const [url, why] of [
      ['javascript:alert(1)', /must be an http\(s\) URL/],
      ['https://user:secret@www.beilin.gov.cn/a.html', /user name or password/],
      ['http:///x', /no host/],
    ] as const)
      expect(await refused({ url }), url).toMatchObject({ details: { issues: [{ path: 'url', message: expect.stringMatching(why) }] } });
    expect(await db.selectFrom('external_releases').select('id').where('id', '=', 'shape-1').execute()).toEqual([]);
  });

  it('records a document older than the look-back with a warning that no run will judge it', async () => {
    // Now is 2026-10-12 10:00: 366 days back is 2025-10-11 10:00.
    const old = await register({ documentLiveAt: '2025-10-10T09:00:00+08:00' }, 'ext-old');
    expect(old.warnings).toEqual([
      {
        path: 'documentLiveAt',
        message: expect.stringContaining('no compliance run will judge it: it went live before 2025-10-11, beyond the 366-day look-back'),
        messageZh: expect.stringContaining('合规检查不会评判该文件：其发布时间早于 2025-10-11，超出 366 天的回溯期'),
      },
    ]);
    expect(await db.selectFrom('external_releases').select('id').where('id', '=', 'ext-old').execute()).toEqual([{ id: 'ext-old' }]);
    // (The same title two days later would be taken for the same document: it is said to be another one.)
    expect((await register({ documentLiveAt: '2025-10-12T09:00:00+08:00', confirmDistinct: true }, 'ext-recent')).warnings).toEqual([]);
  });
});
