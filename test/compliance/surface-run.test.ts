/**
 * The compliance monitor as operations run it: a worker process (runWorkerProcess, as `govpub
 * worker` starts it) creates the two Temporal Schedules with the configured spec and brings them up
 * to new settings without adding a second; `govpub compliance run` (the real CLI, through Temporal)
 * produces findings and prints them with the counts against each threshold; the owner units hear of
 * what opened, once; and the API answers with filters, scope and roles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { loadRegistry } from '../../config/registry.js';
import { loadSettings } from '../../config/settings.js';
import { complianceScheduleIds } from '../../contracts/compliance.js';
import type { Registry } from '../../domain/registry.js';
import { ensureComplianceSchedules } from '../../runtime/compliance.js';
import { runWorkerProcess } from '../../runtime/processes.js';
import type { AppContext } from '../../services/context.js';
import { addUser } from '../../services/users.js';
import type { Finding } from '../../domain/compliance/model.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, uniqueTaskQueue } from '../support/services.js';
import { startHookReceiver, startSmtpReceiver } from './surface-support.js';

const taskQueue = uniqueTaskQueue('govpub-compliance');
const ids = complianceScheduleIds(taskQueue);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-compliance-run-'));
let database: Awaited<ReturnType<typeof freshDatabase>>;
let registry: Registry;
let worker: Awaited<ReturnType<typeof runWorkerProcess>>;
let connection: Connection;
let client: Client;
let api: FastifyInstance;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hook: Awaited<ReturnType<typeof startHookReceiver>>;
const tokens: Record<string, string> = {};
let env: Record<string, string>;

beforeAll(async () => {
  database = await freshDatabase();
  registry = await loadRegistry();
  smtp = await startSmtpReceiver({ user: 'govpub', pass: 'run-test-smtp-pass' });
  hook = await startHookReceiver();
  env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: taskQueue,
    GOVPUB_DATA_DIR: dataDir,
    GOVPUB_SIMULATORS: 'off',
    GOVPUB_COMPLIANCE_DAILY_AT: '06:45',
    GOVPUB_PROBE_EVERY_MINUTES: '5',
    GOVPUB_PORTAL_URL: 'http://127.0.0.1:9/portal',
    GOVPUB_SMTP_HOST: '127.0.0.1',
    GOVPUB_SMTP_PORT: String(smtp.port),
    GOVPUB_SMTP_FROM: 'govpub@beilin.gov.cn',
    GOVPUB_SMTP_USER: 'govpub',
    GOVPUB_SMTP_PASSWORD_SECRET: 'COMPLIANCE_TEST_SMTP_PASSWORD',
    GOVPUB_NOTIFY_WEBHOOK_URL: hook.url,
    GOVPUB_NOTIFY_WEBHOOK_SECRET: 'COMPLIANCE_TEST_HOOK_KEY',
  };
  // The worker reads its secrets from its process environment, as in production.
  process.env.COMPLIANCE_TEST_SMTP_PASSWORD = 'run-test-smtp-pass';
  process.env.COMPLIANCE_TEST_HOOK_KEY = 'run-test-hook-key';
  worker = await runWorkerProcess(loadSettings({ ...process.env, ...env }), () => {});
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  const ctx: AppContext = { db: database.db, registry, temporal: client, taskQueue };
  api = await buildApi(ctx);
  for (const [name, role, unit] of [
    ['jyj-editor', 'editor', 'jyj'],
    ['ops-li', 'ops', undefined],
    ['admin-wang', 'admin', 'zfb'],
  ] as const) {
    const { token } = await addUser(database.db, registry, {
      name,
      role,
      ...(unit ? { unit } : {}),
      ...(role === 'editor' ? { email: `${name}@beilin.gov.cn` } : {}),
      password: 'a-long-password-9',
    });
    tokens[name] = token;
  }
}, 180_000);

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await connection?.close();
  await smtp?.close();
  await hook?.close();
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, url: string, token?: string, payload?: unknown) {
  const res = await api.inject({ method: method as 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}

describe('schedules', () => {
  it('exist after the worker started, with the configured spec, and follow new settings without a second', async () => {
    const daily = await client.schedule.getHandle(ids.daily).describe();
    expect(daily.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });
    expect(daily.spec.timezone).toBe('Asia/Shanghai');
    expect(daily.policies.overlap).toBe('SKIP');
    expect(daily.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'complianceRunWorkflow',
      taskQueue,
      args: [{ trigger: 'schedule', actor: 'schedule' }],
    });
    const probes = await client.schedule.getHandle(ids.probes).describe();
    expect(probes.spec.intervals).toMatchObject([{ every: 300_000 }]);
    expect(probes.action).toMatchObject({ workflowType: 'siteProbeWorkflow', taskQueue });

    // An operator paused the daily run; the next worker start moves it to 07:10 and keeps it paused.
    await client.schedule.getHandle(ids.daily).pause('inspection week: runs by hand');
    const moved = loadSettings({ ...process.env, ...env, GOVPUB_COMPLIANCE_DAILY_AT: '07:10', GOVPUB_PROBE_EVERY_MINUTES: '15' });
    const log: string[] = [];
    await ensureComplianceSchedules(client, moved, taskQueue, (l) => log.push(l));
    expect(log).toEqual([`schedule: ${ids.daily} updated (daily at 07:10 Asia/Shanghai)`, `schedule: ${ids.probes} updated (every 15 min)`]);
    const after = await client.schedule.getHandle(ids.daily).describe();
    expect(after.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 10, end: 10, step: 1 }] });
    expect(after.state.paused).toBe(true);
    expect((await client.schedule.getHandle(ids.probes).describe()).spec.intervals).toMatchObject([{ every: 900_000 }]);
    const mine: string[] = [];
    for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(taskQueue)) mine.push(s.scheduleId);
    // Listing is eventually consistent: never more than the two.
    expect(mine.length).toBeLessThanOrEqual(2);
  });
});

describe('a run on demand', () => {
  it('`govpub compliance run` produces findings, prints them with the thresholds, and tells each unit once', async () => {
    const cli = await runCli(['compliance', 'run', '--limit', '500'], env, undefined, { timeoutMs: 150_000 });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^compliance run \S+ \(compliance-run-/);
    expect(cli.stdout).toMatch(/findings: [1-9]\d* opened, 0 closed/);
    expect(cli.stdout).toContain('silent_accounts');
    // Each figure against its limit as the console says it; the home page shows nothing yet: said so, not "0 days" failed.
    expect(cli.stdout).toMatch(/home_stale_days\s+首页未更新天数\s+首页无内容\s+FAILED/);
    expect(cli.stdout).toMatch(/empty_columns\s+空白栏目数\s+\d+ \/ 5\s+FAILED/);
    // Nothing was ever published: every API account is silent; the table lists them.
    expect(cli.stdout).toMatch(/account_silent:wechat_oa:bljy/);
    // The first run told jyj's editor by e-mail, and every owner unit with findings by the global webhook, each once.
    expect(smtp.mails.filter((m) => m.to.includes('jyj-editor@beilin.gov.cn'))).toHaveLength(1);
    const units = hook.hooks.map((h) => (JSON.parse(h.body) as { unit: { id: string } }).unit.id);
    expect(units).toContain('jyj');
    expect(new Set(units).size).toBe(units.length);
  });

  it('the API: editors see their unit; filters; bad values named; runs started by ops only, answered 202', async () => {
    const editor = await call('GET', '/api/compliance', tokens['jyj-editor']);
    expect(editor.status).toBe(200);
    expect(editor.body.findings.length).toBeGreaterThan(0);
    expect(editor.body.findings.every((f: { ownerUnit: string }) => f.ownerUnit === 'jyj')).toBe(true);
    expect(editor.body.thresholds.map((t: { id: string }) => t.id)).toContain('silent_accounts');

    const all = await call('GET', '/api/compliance?limit=500', tokens['ops-li']);
    expect(new Set(all.body.findings.map((f: { ownerUnit: string }) => f.ownerUnit)).size).toBeGreaterThan(1);
    const mine = await call('GET', '/api/compliance?scope=mine&limit=500', tokens['admin-wang']);
    expect(mine.body.findings.every((f: { ownerUnit: string }) => f.ownerUnit === 'zfb')).toBe(true);
    const silent = await call('GET', '/api/compliance?kind=account_silent&subjectType=account', tokens['ops-li']);
    expect(silent.body.findings.length).toBeGreaterThan(0);
    expect(silent.body.findings.every((f: { kind: string }) => f.kind === 'account_silent')).toBe(true);

    const bad = await call('GET', '/api/compliance?severity=critical', tokens['ops-li']);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('severity');
    expect(bad.body.error.messageZh).toBeTruthy();
    expect((await call('GET', '/api/compliance?colour=red', tokens['ops-li'])).status).toBe(400);

    const history = await call('GET', '/api/compliance/history?limit=5', tokens['ops-li']);
    expect(history.status).toBe(200);
    expect(history.body.events).toHaveLength(5);
    expect(history.body.events[0]).toMatchObject({ change: 'opened' });

    const refused = await call('POST', '/api/compliance/runs', tokens['jyj-editor'], {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.messageZh).toBeTruthy();
    const started = await call('POST', '/api/compliance/runs', tokens['ops-li'], {});
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/api/compliance/runs/${started.body.workflowId}`);
    let outcome = await call('GET', started.body.location, tokens['ops-li']);
    for (let i = 0; i < 120 && outcome.body.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      outcome = await call('GET', started.body.location, tokens['ops-li']);
    }
    // The same facts again: nothing opens, so nobody is told twice.
    expect(outcome.body).toMatchObject({ status: 'completed', result: { summary: { trigger: 'manual', opened: 0 }, notices: [] } });
    expect(smtp.mails).toHaveLength(1);
    expect(new Set(hook.hooks.map((h) => (JSON.parse(h.body) as { runId: string }).runId)).size).toBe(1);
    expect((await call('GET', '/api/compliance/runs/compliance-run-nothing', tokens['ops-li'])).status).toBe(404);
    const doc = (await call('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/compliance', '/api/compliance/history', '/api/compliance/runs', '/api/compliance/runs/{workflowId}']),
    );
  });

  it('registers a document published without govpub; the next run judges its interpretation by working days', async () => {
    const put = (token: string, body: unknown, id = 'blzf-2026-41') => call('PUT', `/api/compliance/external-releases/${id}`, token, body);
    const body = {
      title: '碑林区关于促进夜间经济发展的若干措施',
      documentLiveAt: '2026-11-02T09:00:00+08:00', // Monday
      interpretationLiveAt: '2026-11-09T09:00:00+08:00', // 5 working days later
      ownerUnit: 'jyj',
    };
    expect((await put(tokens['jyj-editor']!, body)).status).toBe(403);
    const badTitle = await put(tokens['ops-li']!, { ...body, title: '措施\u0000' });
    expect(badTitle.status).toBe(400);
    expect(JSON.stringify(badTitle.body)).toContain('title');
    // The note and the address are held to the text rule every note follows: a direction override, a C1 control, a broken address.
    const unsafe = await put(tokens['ops-li']!, { ...body, title: '措施\u0085', note: '经办\u202e人反转', url: 'https://www.beilin.gov.cn/a b\u0007' });
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.error.issues).toEqual([
      expect.objectContaining({ path: 'title', message: 'contains the control character \\u0085 at position 3; remove it' }),
      expect.objectContaining({ path: 'note', message: expect.stringContaining('direction override \\u202e at position 3') }),
      expect.objectContaining({ path: 'url', message: expect.stringContaining('control character \\u0007') }),
    ]);
    expect(unsafe.body.error.issues.every((i: { messageZh?: string }) => /[\u4e00-\u9fff]/.test(i.messageZh ?? ''))).toBe(true);
    const backwards = await put(tokens['ops-li']!, { ...body, interpretationLiveAt: '2026-11-01T09:00:00+08:00' });
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('interpretationLiveAt');
    expect((await put(tokens['ops-li']!, body, encodeURIComponent('名单 1'))).status).toBe(400);
    const recorded = await put(tokens['ops-li']!, body);
    expect(recorded).toMatchObject({ status: 200, body: { id: 'blzf-2026-41', recorded: true, warnings: [] } });

    // The same document again under another id: refused, naming the first, through the API and the command line.
    const twice = await put(tokens['ops-li']!, body, 'blzf-2026-41-again');
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'external_release_duplicate', issues: [{ path: 'id', existingId: 'blzf-2026-41' }] });
    expect(twice.body.error.message).toContain('PUT /api/compliance/external-releases/blzf-2026-41');
    const cliArgs = (id: string, title: string, documentLiveAt: string) => [
      'compliance',
      'external-release',
      id,
      '--title',
      title,
      '--document-live-at',
      documentLiveAt,
      '--unit',
      'jyj',
    ];
    const again = await runCli(cliArgs('blzf-2026-41-again', body.title, body.documentLiveAt), env, undefined, { timeoutMs: 60_000 });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already registered as "blzf-2026-41"');
    expect(again.stderr).toContain('govpub compliance external-release blzf-2026-41');
    // Older than the look-back: recorded, and the user is told no run will judge it.
    const old = await runCli(cliArgs('blzf-2024-07', '碑林区2024年政务公开工作要点', '2024-03-01T09:00:00+08:00'), env, undefined, { timeoutMs: 60_000 });
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain('warning: documentLiveAt: recorded, but no compliance run will judge it');
    // The same registration sent again, for a script: --json (the README: commands that print data take it).
    const oldJson = await runCli([...cliArgs('blzf-2024-07', '碑林区2024年政务公开工作要点', '2024-03-01T09:00:00+08:00'), '--json'], env, undefined, {
      timeoutMs: 60_000,
    });
    expect(oldJson.code, oldJson.stderr).toBe(0);
    expect(JSON.parse(oldJson.stdout)).toMatchObject({ id: 'blzf-2024-07', documentNumber: null, warnings: [{ path: 'documentLiveAt' }] });
    const oldByApi = await put(
      tokens['ops-li']!,
      { title: '碑林区2024年政务公开工作要点', documentLiveAt: '2024-03-01T09:00:00+08:00', ownerUnit: 'jyj' },
      'blzf-2024-07',
    );
    expect(oldByApi).toMatchObject({ status: 200, body: { warnings: [{ path: 'documentLiveAt' }] } });
    // The unit as people type it: its full name is taken (stored as its id), a near miss is named.
    const byName = { title: '碑林区教育局关于课后服务的通知', documentLiveAt: '2026-11-03T09:00:00+08:00', ownerUnit: '区教育局' };
    expect((await put(tokens['ops-li']!, byName, 'jyj-2026-9')).status).toBe(200);
    const shortName = await runCli(
      [...cliArgs('zfb-2026-3', '碑林区关于冬季供暖的通知', '2026-11-04T09:00:00+08:00').slice(0, -1), '区政府办'],
      env,
      undefined,
      { timeoutMs: 60_000 },
    );
    expect(shortName.code).toBe(1);
    expect(shortName.stderr).toContain('unknown unit "区政府办" (config/registry/units.yaml); did you mean zfb（区政府办公室）?');

    const started = await call('POST', '/api/compliance/runs', tokens['ops-li'], {});
    let outcome = await call('GET', started.body.location, tokens['ops-li']);
    for (let i = 0; i < 120 && outcome.body.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      outcome = await call('GET', started.body.location, tokens['ops-li']);
    }
    expect(outcome.body.status).toBe('completed');
    const late = await call('GET', '/api/compliance?kind=interpretation_late&limit=500', tokens['ops-li']);
    const finding = late.body.findings.find((f: { subject: { id: string } }) => f.subject.id === 'external:blzf-2026-41');
    expect(finding).toMatchObject({ severity: 'warning', ownerUnit: 'jyj', facts: { workingDays: 5, limitWorkingDays: 3, external: true } });
    const byNameFinding = late.body.findings.find((f: { subject: { id: string } }) => f.subject.id === 'external:jyj-2026-9');
    expect(byNameFinding).toMatchObject({ ownerUnit: 'jyj' });
  });

  it('the same document registered again with another day is refused, naming the first, through the API and the command line; another document is confirmed', async () => {
    const put = (body: unknown, id: string) => call('PUT', `/api/compliance/external-releases/${id}`, tokens['ops-li'], body);
    const title = '碑林区关于加强校园周边交通安全管理的通知';
    const first = await put({ title, documentLiveAt: '2026-09-14T09:00:00+08:00', ownerUnit: 'jyj', documentNumber: '碑教发[2026]12号' }, 'jyj-2026-12');
    expect(first).toMatchObject({ status: 200, body: { id: 'jyj-2026-12', recorded: true, documentNumber: '碑教发〔2026〕12号', warnings: [] } });

    // Registered again at its release six days later, without its number: probably the same document.
    const release = { title, documentLiveAt: '2026-09-20T09:00:00+08:00', ownerUnit: 'jyj' };
    const again = await put(release, 'jyj-2026-12-release');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'external_release_duplicate',
      issues: [{ path: 'id', existingId: 'jyj-2026-12', match: 'title_nearby', confirmable: true, existingIds: ['jyj-2026-12'] }],
    });
    expect(again.body.error.message).toContain('live 2026-09-14, 6 days apart');
    expect(again.body.error.messageZh).toContain('相差 6 天');
    // Its number tells it apart; told it is another document, the API records it.
    expect(await put({ ...release, documentNumber: '碑教发〔2026〕13号' }, 'jyj-2026-13')).toMatchObject({ status: 200 });
    expect(await put({ ...release, documentLiveAt: '2026-09-21T09:00:00+08:00', confirmDistinct: true }, 'jyj-2026-sup')).toMatchObject({ status: 200 });
    expect((await put({ ...release, confirmDistinct: 'yes' }, 'jyj-x')).status).toBe(400);
    expect((await put({ ...release, documentNumber: '第十二号' }, 'jyj-x')).body.error).toMatchObject({
      code: 'invalid_body',
      issues: [{ path: 'documentNumber' }],
    });

    // The command line: the same number a month later is the same document, --distinct or not.
    const cli = (id: string, extra: string[], documentLiveAt = '2026-10-16T09:00:00+08:00') =>
      runCli(['compliance', 'external-release', id, '--title', title, '--document-live-at', documentLiveAt, '--unit', 'jyj', ...extra], env, undefined, {
        timeoutMs: 60_000,
      });
    for (const extra of [[], ['--distinct']]) {
      const sameNumber = await cli('jyj-2026-12-oct', ['--document-number', '碑教发（2026）第12号', ...extra]);
      expect(sameNumber.code).toBe(1);
      expect(sameNumber.stderr).toContain('carries 发文字号 碑教发〔2026〕12号, which is already registered as "jyj-2026-12"');
    }
    // Three days after the confirmed one: refused until --distinct says it is another document.
    const nearby = await cli('jyj-2026-sup-2', [], '2026-09-24T09:00:00+08:00');
    expect(nearby.code).toBe(1);
    expect(nearby.stderr).toContain('is already registered as "jyj-2026-sup", it seems');
    expect(nearby.stderr).toContain('--distinct on the command line');
    const distinct = await cli('jyj-2026-sup-2', ['--distinct', '--document-number', '碑教发〔2026〕14号'], '2026-09-24T09:00:00+08:00');
    expect(distinct.code, distinct.stderr).toBe(0);
    expect(distinct.stdout).toContain('recorded external release jyj-2026-sup-2 (碑教发〔2026〕14号)');
    const stored = await database.db
      .selectFrom('external_releases')
      .select(['id', 'document_number'])
      .where('id', 'in', ['jyj-2026-12', 'jyj-2026-12-release', 'jyj-2026-13', 'jyj-2026-sup', 'jyj-x', 'jyj-2026-12-oct', 'jyj-2026-sup-2'])
      .orderBy('id')
      .execute();
    // The refused ones left nothing behind.
    expect(stored).toEqual([
      { id: 'jyj-2026-12', document_number: '碑教发〔2026〕12号' },
      { id: 'jyj-2026-13', document_number: '碑教发〔2026〕13号' },
      { id: 'jyj-2026-sup', document_number: null },
      { id: 'jyj-2026-sup-2', document_number: '碑教发〔2026〕14号' },
    ]);

    const help = await runCli(['compliance', 'external-release', '--help'], env, undefined, { timeoutMs: 60_000 });
    expect(help.stdout).toContain('--document-number <文号>');
    expect(help.stdout).toContain('--distinct');
    expect(help.stdout).toContain('the same unit and title within 14 days');
    const doc = (await call('GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/compliance/external-releases/{id}'].put.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ExternalRelease',
    });
    expect(Object.keys(doc.components.schemas.ExternalRelease.properties)).toEqual(expect.arrayContaining(['documentNumber', 'confirmDistinct']));
  });
});

describe('in Chinese', () => {
  it('`GOVPUB_LANG=zh govpub compliance run` prints its counts, thresholds and findings in Chinese, each finding in its own zh message', async () => {
    // A finding of a unit none of whose editors has an e-mail address closed meanwhile: the run
    // reopens it and cannot mail the unit, and says why in Chinese (it said it in English).
    const elsewhere = await database.db
      .selectFrom('compliance_findings')
      .select(['key', 'owner_unit'])
      .where('status', '=', 'open')
      .where('owner_unit', 'is not', null)
      .where('owner_unit', '!=', 'jyj')
      .orderBy('key')
      .executeTakeFirstOrThrow();
    await database.db.updateTable('compliance_findings').set({ status: 'closed', closed_at: new Date() }).where('key', '=', elsewhere.key).execute();
    const cli = await runCli(['compliance', 'run', '--limit', '500'], { ...env, GOVPUB_LANG: 'zh' }, undefined, { timeoutMs: 150_000 });
    const unitName = registry.units.find((u) => u.id === elsewhere.owner_unit)!.name;
    expect(cli.stdout).toContain(
      `  ${elsewhere.owner_unit}：未发送（邮件：${unitName}（${elsewhere.owner_unit}）没有填写了邮箱地址的在用编辑，可用 govpub users set-email 用户名 邮箱地址 设置）`,
    );
    expect(cli.stdout).not.toContain('no enabled editor');
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^合规检查 \S+（compliance-run-/);
    expect(cli.stdout).toMatch(/现未关闭：单项否决 [1-9]\d* 项/);
    expect(cli.stdout).toMatch(/home_stale_days\s+首页未更新天数\s+首页无内容\s+不合格/);
    // The never-published account: the sentence the console and the e-mail give, not the English one.
    expect(cli.stdout).toMatch(/单项否决\s+account_silent:wechat_oa:bljy\s+\S+\s+「[^」]+」没有任何已知的发布记录/);
    expect(cli.stdout).not.toContain('has no known post');
    expect(cli.stdout).not.toContain('FAILED');
  });
});

describe('the findings a run prints', () => {
  it('are the most severe first up to --limit, every veto before any warning, and it says how many it left out', async () => {
    const json = await runCli(['compliance', 'run', '--limit', '30', '--json'], env, undefined, { timeoutMs: 150_000 });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { summary: { open: Record<'veto' | 'warning' | 'reminder', number> }; findings: Finding[] };
    const { veto, warning, reminder } = result.summary.open;
    // Every API account never published to is a veto (about twenty), the empty columns warnings (hundreds).
    expect(veto).toBeGreaterThan(5);
    expect(veto).toBeLessThan(30);
    expect(result.findings).toHaveLength(30);
    expect(result.findings.filter((f) => f.severity === 'veto')).toHaveLength(veto);
    expect(result.findings.map((f) => f.key)).toContain('account_silent:wechat_oa:bljy');
    const text = await runCli(['compliance', 'run', '--limit', '30'], env, undefined, { timeoutMs: 150_000 });
    const open = /open now: (\d+) veto, (\d+) warning, (\d+) reminder/.exec(text.stdout)!.slice(1).map(Number);
    expect(open).toEqual([veto, warning, reminder]);
    expect(text.stdout).toContain(`showing 30 of ${veto + warning + reminder} open findings, the most severe first`);
  });
});
