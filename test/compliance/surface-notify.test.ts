/**
 * Notices reach owner units through real receivers: an SMTP server (with AUTH, the password read by
 * its secret's name) and an HTTP webhook (HMAC-SHA256 signed). Once per (run, unit, transport): a
 * notice activity repeated after one transport failed sends only through the one that failed.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComplianceActivities } from '../../activities/compliance-activities.js';
import { loadComplianceSettings } from '../../config/compliance-settings.js';
import { loadRegistry } from '../../config/registry.js';
import { noticesOfRun } from '../../db/compliance-notices.js';
import type { DB } from '../../db/schema.js';
import type { Registry } from '../../domain/registry.js';
import { noticeTransports } from '../../services/notify/index.js';
import { setEmail } from '../../services/user-email.js';
import { addUser } from '../../services/users.js';
import { freshDatabase } from '../support/services.js';
import { mailHeader, startHookReceiver, startSmtpReceiver } from './surface-support.js';

const SMTP_PASSWORD = 'smtp-pass-7f3a-never-logged';
const HOOK_KEY = 'hook-signing-key-91c2';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let db: Kysely<DB>;
let registry: Registry;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hook: Awaited<ReturnType<typeof startHookReceiver>>;
let hookFails = 0;

beforeAll(async () => {
  database = await freshDatabase();
  db = database.db;
  registry = await loadRegistry();
  smtp = await startSmtpReceiver({ user: 'govpub', pass: SMTP_PASSWORD });
  hook = await startHookReceiver(() => (hookFails-- > 0 ? 503 : 204));
  // Editors of 区教育局 (jyj): two with addresses, one disabled, one without; a reviewer with an address is not an editor.
  await addUser(db, registry, { name: 'wang', role: 'editor', unit: 'jyj', email: 'wang.wei@jyj.beilin.gov.cn', password: 'a-long-password-1' });
  await addUser(db, registry, { name: 'li', role: 'editor', unit: 'jyj', password: 'a-long-password-2' });
  await setEmail(db, 'li', 'li.na@jyj.beilin.gov.cn', 'os:test');
  await addUser(db, registry, { name: 'zhao', role: 'editor', unit: 'jyj', email: 'zhao@jyj.beilin.gov.cn', password: 'a-long-password-3' });
  await db.updateTable('users').set({ disabled_at: new Date() }).where('name', '=', 'zhao').execute();
  await addUser(db, registry, { name: 'sun', role: 'editor', unit: 'jyj', password: 'a-long-password-4' });
  await addUser(db, registry, {
    name: 'qian',
    role: 'reviewer',
    stages: ['初审'],
    unit: 'jyj',
    email: 'qian@jyj.beilin.gov.cn',
    password: 'a-long-password-5',
  });
  await addUser(db, registry, { name: 'zhou', role: 'editor', unit: 'mzj', password: 'a-long-password-6' });
});

afterAll(async () => {
  await smtp?.close();
  await hook?.close();
  await database?.close();
});

/** What a compliance run records when it opens or escalates findings (the monitor's event rows). */
async function plantRun(runId: string, rows: { key: string; change: string; severity: string; unit: string | null; name: string; message: string }[]) {
  await db
    .insertInto('compliance_finding_events')
    .values(
      rows.map((r) => ({
        event_key: `compliance:${runId}:${r.key}`,
        key: r.key,
        kind: r.key.split(':')[0]!,
        change: r.change,
        severity: r.severity,
        previous_severity: r.change === 'escalated' ? 'reminder' : null,
        subject_type: 'account',
        subject_id: r.key.split(':').slice(1).join(':'),
        subject_name: r.name,
        owner_unit: r.unit,
        message: r.message,
        run_id: runId,
        at: new Date(),
      })),
    )
    .execute();
}

function activities() {
  const settings = loadComplianceSettings({
    GOVPUB_SMTP_HOST: '127.0.0.1',
    GOVPUB_SMTP_PORT: String(smtp.port),
    GOVPUB_SMTP_FROM: 'govpub@beilin.gov.cn',
    GOVPUB_SMTP_USER: 'govpub',
    GOVPUB_SMTP_PASSWORD_SECRET: 'TEST_SMTP_PASSWORD',
    GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS: `jyj=${hook.url}`,
    GOVPUB_NOTIFY_WEBHOOK_SECRET: 'TEST_HOOK_KEY',
    GOVPUB_NOTIFY_WEBHOOK_TIMEOUT_MS: '3000',
  });
  const transports = noticeTransports(settings, { env: { TEST_SMTP_PASSWORD: SMTP_PASSWORD, TEST_HOOK_KEY: HOOK_KEY } });
  return createComplianceActivities({
    db,
    registry,
    compliance: {
      runChecks: () => Promise.reject(new Error('not part of this test: the notices of a recorded run')),
      transports,
      probe: { portalUrl: 'http://127.0.0.1:1/portal', timeoutMs: 1000 },
      consoleUrl: 'https://govpub.beilin.gov.cn/console/',
    },
  });
}

describe('compliance notices', () => {
  it('reach the unit’s enabled editors by e-mail and the unit’s webhook, signed, once per run', async () => {
    await plantRun('run-a', [
      {
        key: 'account_silent:weibo:blwb',
        change: 'opened',
        severity: 'reminder',
        unit: 'jyj',
        name: '碑林教育',
        message: '账号已 11 天未更新（提醒线 10 天，否决线 14 天）。请尽快发布。',
      },
      {
        key: 'account_silent:wechat_oa:bljy',
        change: 'escalated',
        severity: 'veto',
        unit: 'jyj',
        name: '碑林教育公众号',
        message: '账号已 15 天未更新，超过 14 天：单项否决。',
      },
      { key: 'column_stale:portal:bm-jyj', change: 'updated', severity: 'warning', unit: 'jyj', name: '部门 > 区教育局', message: '不通知：仅事实变化。' },
      { key: 'account_silent:douyin:blmz', change: 'opened', severity: 'reminder', unit: 'mzj', name: '碑林民政', message: '账号已 10 天未更新。' },
    ]);
    const acts = activities();
    const units = await acts.unitsToNotify({ runId: 'run-a' });
    // mzj has the e-mail transport (SMTP is configured) though no editor there has an address.
    expect(units).toEqual(['jyj', 'mzj']);

    const jyj = await acts.sendComplianceNotice({ runId: 'run-a', unitId: 'jyj' });
    expect(jyj).toEqual({ unitId: 'jyj', sent: ['email', 'webhook'], skipped: [], skippedZh: [] });
    const mzj = await acts.sendComplianceNotice({ runId: 'run-a', unitId: 'mzj' });
    expect(mzj.sent).toEqual([]);
    expect(mzj.skipped.join()).toContain('no enabled editor of mzj has an e-mail address');
    expect(mzj.skippedZh).toEqual([
      `邮件：${registry.units.find((u) => u.id === 'mzj')!.name}（mzj）没有填写了邮箱地址的在用编辑，可用 govpub users set-email 用户名 邮箱地址 设置`,
    ]);

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.user).toBe('govpub');
    expect(mail.from).toBe('govpub@beilin.gov.cn');
    expect(mail.to.sort()).toEqual(['li.na@jyj.beilin.gov.cn', 'wang.wei@jyj.beilin.gov.cn']);
    expect(mailHeader(mail.raw, 'Message-ID')).toBe('<compliance.run-a.jyj@beilin.gov.cn>');
    expect(mailHeader(mail.raw, 'X-Govpub-Notice-Id')).toBe('compliance:run-a:jyj');
    expect(mail.raw).not.toContain(SMTP_PASSWORD);

    expect(hook.hooks).toHaveLength(1);
    const received = hook.hooks[0]!;
    const timestamp = String(received.headers['x-govpub-timestamp']);
    const expected = `sha256=${createHmac('sha256', HOOK_KEY).update(`${timestamp}.${received.body}`).digest('hex')}`;
    expect(received.headers['x-govpub-signature']).toBe(expected);
    expect(received.headers['x-govpub-notice-id']).toBe('compliance:run-a:jyj');
    const body = JSON.parse(received.body) as {
      unit: { id: string; name: string };
      recipients: string[];
      findings: { key: string; severity: string }[];
      subject: string;
      text: string;
    };
    expect(body.unit).toEqual({ id: 'jyj', name: '区教育局' });
    // Only what opened or got worse; the veto first in the text.
    expect(body.findings.map((f) => f.key).sort()).toEqual(['account_silent:wechat_oa:bljy', 'account_silent:weibo:blwb']);
    expect(body.subject).toBe('【政务公开合规提醒】区教育局：2 项需要处理（其中单项否决 1 项）');
    expect(body.text.indexOf('单项否决·升级')).toBeLessThan(body.text.indexOf('提醒·新发现'));
    expect(body.text).toContain('https://govpub.beilin.gov.cn/console/');

    // The activity again (a retry after a lost completion): nothing is sent twice.
    expect(await acts.sendComplianceNotice({ runId: 'run-a', unitId: 'jyj' })).toEqual({
      unitId: 'jyj',
      sent: ['email', 'webhook'],
      skipped: [],
      skippedZh: [],
    });
    expect(smtp.mails).toHaveLength(1);
    expect(hook.hooks).toHaveLength(1);
    expect((await noticesOfRun(db, 'run-a')).map((n) => `${n.unit_id}/${n.transport}`)).toEqual(['jyj/email', 'jyj/webhook']);
  });

  it('a webhook that fails fails the attempt; the retry sends only what did not go out', async () => {
    await plantRun('run-b', [
      { key: 'account_silent:weibo:blwb', change: 'escalated', severity: 'veto', unit: 'jyj', name: '碑林教育', message: '账号已 14 天未更新：单项否决。' },
    ]);
    const acts = activities();
    const mailsBefore = smtp.mails.length;
    const hooksBefore = hook.hooks.length;
    hookFails = 1;
    await expect(acts.sendComplianceNotice({ runId: 'run-b', unitId: 'jyj' })).rejects.toThrow(/answered HTTP 503/);
    expect(smtp.mails.length).toBe(mailsBefore + 1);
    expect((await noticesOfRun(db, 'run-b')).map((n) => n.transport)).toEqual(['email']);

    expect(await acts.sendComplianceNotice({ runId: 'run-b', unitId: 'jyj' })).toEqual({
      unitId: 'jyj',
      sent: ['email', 'webhook'],
      skipped: [],
      skippedZh: [],
    });
    expect(smtp.mails.length).toBe(mailsBefore + 1);
    expect(hook.hooks.slice(hooksBefore).map((h) => h.status)).toEqual([503, 204]);
  });

  it('a wrong SMTP password fails with the server’s words, never the password', async () => {
    await plantRun('run-c', [{ key: 'account_silent:weibo:blwb', change: 'opened', severity: 'reminder', unit: 'jyj', name: '碑林教育', message: '提醒' }]);
    const settings = loadComplianceSettings({
      GOVPUB_SMTP_HOST: '127.0.0.1',
      GOVPUB_SMTP_PORT: String(smtp.port),
      GOVPUB_SMTP_FROM: 'govpub@beilin.gov.cn',
      GOVPUB_SMTP_USER: 'govpub',
      GOVPUB_SMTP_PASSWORD_SECRET: 'TEST_SMTP_PASSWORD',
    });
    const acts = createComplianceActivities({
      db,
      registry,
      compliance: {
        runChecks: () => Promise.reject(new Error('unused')),
        transports: noticeTransports(settings, { env: { TEST_SMTP_PASSWORD: 'wrong-password-5e1d' } }),
        probe: { portalUrl: 'http://127.0.0.1:1/portal', timeoutMs: 1000 },
        consoleUrl: null,
      },
    });
    const error = (await acts.sendComplianceNotice({ runId: 'run-c', unitId: 'jyj' }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/by e-mail through 127\.0\.0\.1:\d+ failed \(EAUTH 535/);
    expect(error.message).not.toContain('wrong-password-5e1d');
    expect(await noticesOfRun(db, 'run-c')).toEqual([]);
  });

  it('settings refuse a webhook without a signing secret, a secret given as a value, and an address that is not one', async () => {
    expect(() => loadComplianceSettings({ GOVPUB_NOTIFY_WEBHOOK_URL: 'https://hooks.example/x' })).toThrow(/GOVPUB_NOTIFY_WEBHOOK_SECRET is not/);
    expect(() => loadComplianceSettings({ GOVPUB_NOTIFY_WEBHOOK_URL: 'https://hooks.example/x', GOVPUB_NOTIFY_WEBHOOK_SECRET: 's3cr3t value' })).toThrow(
      /must name a secret/,
    );
    expect(() => loadComplianceSettings({ GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS: 'jyj https://x' })).toThrow(/is not <unit id>=<URL>/);
    expect(() => loadComplianceSettings({ GOVPUB_COMPLIANCE_DAILY_AT: '25:00' })).toThrow(/is not a time of day/);
    expect(() => loadComplianceSettings({ GOVPUB_SMTP_HOST: 'smtp.example', GOVPUB_SMTP_FROM: 'govpub' })).toThrow(/GOVPUB_SMTP_FROM/);
    await expect(setEmail(db, 'wang', 'wang wei@x.cn', 'os:test')).rejects.toThrow(/contains a space/);
    await expect(setEmail(db, 'wang', 'wang@localhost', 'os:test')).rejects.toThrow(/no valid domain/);
    await expect(setEmail(db, 'wang', 'a@b.cn\r\nBcc: x@y.cn', 'os:test')).rejects.toThrow(/control character/);
  });
});
