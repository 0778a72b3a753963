/**
 * The audit trail in Chinese (web/src/components/common/audit-labels.ts): every action the code
 * records has a name, and the details of the entries a day brings read without English keys.
 * Before, the morning's compliance run filled the trail with `compliance.opened` and
 * 「runId：…；kind：account_silent；severity：reminder」, and every user added showed
 * 「角色：admin；email：无；stages：first、second、final」.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DELIVERY_ERROR_CLASSES } from '../../adapters/errors.js';
import { AUDIT_ACTIONS, isAuditAction } from '../../domain/audit-actions.js';
import { AUDIT_ACTION_LABELS, summarizeDetails } from '../../web/src/components/common/audit-labels.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SOURCE_FOLDERS = ['activities', 'api', 'cli', 'services', 'workflows'];

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(ROOT, folder, f));
}

/** Every action written as a literal: `action: 'x'` (appendAudit, recorded changes) and the workflows' `record(run, who, 'x'`. */
function recordedActions(): Set<string> {
  const actions = new Set<string>();
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\baction: '([a-z_.]+)'/g)) actions.add(m[1]!);
    for (const m of text.matchAll(/\brecord\(run, [^,]+, '([a-z_.]+)'/g)) actions.add(m[1]!);
  }
  // Written from a variable: a failed attempt by its class, a finding's change.
  for (const errorClass of DELIVERY_ERROR_CLASSES) actions.add(`delivery_${errorClass}`);
  for (const change of ['opened', 'escalated', 'eased', 'updated', 'closed', 'reopened']) actions.add(`compliance.${change}`);
  return actions;
}

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const ENGLISH_WORD = /\b[A-Za-z]{3,}\b/;

describe('the audit trail in Chinese', () => {
  it('names every action the code records', () => {
    const actions = recordedActions();
    expect(actions.size).toBeGreaterThan(40);
    expect([...actions].filter((action) => !isAuditAction(action)).sort()).toEqual([]);
    expect(AUDIT_ACTIONS.filter((action) => !AUDIT_ACTION_LABELS[action])).toEqual([]);
  });

  it('sums up the details of a user added, a finding and a wording re-check without English', () => {
    // The page gives the names of roles, kinds and severities (web/src/labels.ts); these stand in for them.
    const names = { role: { reviewer: '审核人' }, kind: { account_silent: '账号未按时更新' }, severity: { reminder: '提醒' } };
    const userAdded = { user: 'zhao', role: 'reviewer', stages: ['first', 'second'], unit: null, email: null, tokenExpiresAt: null };
    expect(summarizeDetails(userAdded, time, names)).toBe('用户：zhao；角色：审核人；审核环节：初审、复审；单位：无；邮箱：无；令牌到期：无');
    const finding = {
      kind: 'account_silent',
      severity: 'reminder',
      previousSeverity: null,
      subject: { type: 'account', id: 'wechat_oa:blwhly', name: '碑林文化旅游' },
      message: '账号已 11 天未更新',
    };
    expect(summarizeDetails(finding, time, names)).toBe('类型：账号未按时更新；级别：提醒；原级别：无；对象：碑林文化旅游；说明：账号已 11 天未更新');
    // A refusal a retry's reconcile found (activities/delivery-context.ts): the Chinese sentence, not the English beside it.
    const refusalFound = {
      externalId: '@9VwQ3',
      platformCode: 'video_status_2',
      message: 'Douyin (抖音) review found the video not suitable for the public (video_status 2); it is not shown.',
      messageZh: '抖音：审核认为这条视频不适宜公开，视频没有发布（平台代码：video_status_2）。',
      postsAnew: true,
    };
    expect(summarizeDetails(refusalFound, time)).toBe(
      '平台稿件编号：@9VwQ3；平台错误码：video_status_2；说明：抖音：审核认为这条视频不适宜公开，视频没有发布（平台代码：video_status_2）。；重新发布：是',
    );
    expect(summarizeDetails({ externalId: '@9VwQ3', via: 'reconcile', for: 'retraction' }, time)).toBe('平台稿件编号：@9VwQ3；途径：对账；用于：撤稿');
    // A refusal confirm saw (activities/delivery-activities.ts confirmDelivery).
    expect(summarizeDetails({ messageZh: '抖音：审核未通过。', after: 'submission', externalId: '@9VwQ3' }, time)).toBe(
      '说明：抖音：审核未通过。；时机：提交平台后；平台稿件编号：@9VwQ3',
    );
    // An approval's next step: a stage, or once the last approved, the package's status (before: 「下一步：releasing」).
    expect(summarizeDetails({ stage: 'first', next: 'second' }, time)).toBe('环节：初审；下一步：复审');
    expect(summarizeDetails({ stage: 'final', next: 'releasing' }, time)).toBe('环节：终审；下一步：发布中');
    // An automatic hold after refused credentials, with the API's Chinese for the platform's English
    // (GET /api/audit's detailsZh), the sentence whole (before: 「原因：needs_reconnect；说明：the news site … refused…」).
    const hold = { reason: 'needs_reconnect', message: "the news site refused govpub's client credentials", businessKey: 'pkg-1@1→news_site:blxw', attempt: 1 };
    const holdZh = { messageZh: '西安网碑林频道拒绝了该账号的凭据。请运维人员重新授权或更新凭据，然后恢复渠道；在此之前该账号不会发布。' };
    expect(summarizeDetails(hold, time, {}, holdZh)).toBe(
      '原因：平台拒绝了账号凭据；投递编号：pkg-1@1→news_site:blxw；尝试次数：1；说明：西安网碑林频道拒绝了该账号的凭据。请运维人员重新授权或更新凭据，然后恢复渠道；在此之前该账号不会发布。',
    );
    // A person's reason is their own words, whatever they wrote.
    expect(summarizeDetails({ reason: '平台维护' }, time)).toBe('原因：平台维护');
    expect(summarizeDetails({ warnings: ['Weibo: the summary was shortened'] }, time, {}, { warnings: ['微博：摘要已缩短'] })).toBe('提示：微博：摘要已缩短');
    const rescan = { entries: 20, packagesScanned: 0, withWording: 0, withPersonalData: 0 };
    expect(summarizeDetails(rescan, time)).not.toMatch(ENGLISH_WORD);
  });
});
