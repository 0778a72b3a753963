/**
 * account_silent: days since an account's newest post (whoever posted it), against the reminder and the
 * failure day (BRIEF section 4: no update within 2 weeks fails the account). Days are China calendar days
 * from the post's date to today: a post on the 1st, today the 15th, is 14 days silent (veto at failDays 14).
 */
import { chinaDate, daysBetween } from '../working-days.js';
import { chinaTime, SOURCE_EN, SOURCE_ZH, type CheckContext } from './check-context.js';
import type { AccountFacts } from './facts.js';
import type { FindingDraft, ThresholdStatus } from './model.js';

/** Said in the finding, so a silence that is only govpub's view (the platform could not be asked) is not taken for the platform's. */
const unavailable = (account: AccountFacts) => (account.platformListUnavailable ? { platformList: account.platformListUnavailable } : {});

export function checkAccounts(accounts: readonly AccountFacts[], ctx: CheckContext): { drafts: FindingDraft[]; thresholds: ThresholdStatus[] } {
  const { reminderDays, failDays } = ctx.thresholds.accounts;
  const drafts: FindingDraft[] = [];
  for (const account of accounts) {
    const subject = { type: 'account' as const, id: account.channelId, name: account.name };
    if (account.lastPostAt === null) {
      // A platform whose list govpub cannot read (posted by hand: Toutiao, WeChat Channels) is not said to list nothing.
      const unlisted = account.platformListable === false;
      drafts.push({
        kind: 'account_silent',
        severity: 'veto',
        subject,
        ownerUnit: account.ownerUnit,
        message: unlisted
          ? `「${account.name}」没有任何已知的发布记录（govpub 未向其发布；该平台的发布列表 govpub 无法读取，在平台上直接发布的内容不计入），按两周内无更新判定为不合格。请尽快经 govpub 发布内容（人工发布的，发布后在 govpub 中确认发布地址）。`
          : `「${account.name}」没有任何已知的发布记录（govpub 未向其发布，平台发布列表也未列出），按两周内无更新判定为不合格。请尽快发布内容；如该账号已在平台上更新，请确认平台发布列表可读。`,
        messageEn: unlisted
          ? `"${account.name}" has no known post (govpub never published to it, and it cannot read this platform's post list, so posts made on the platform directly are not seen): it fails as not updated within ${failDays} days. Post through govpub now (for a hand-posted platform, confirm the post's address in govpub).`
          : `"${account.name}" has no known post (govpub never published to it and the platform lists none): it fails as not updated within ${failDays} days. Post something now; if it does post on the platform, make its post list readable to govpub.`,
        facts: { lastPostAt: null, source: null, limitDays: failDays, reminderDays, ...unavailable(account), ...(unlisted ? { platformListable: false } : {}) },
      });
      continue;
    }
    const daysSilent = daysBetween(chinaDate(account.lastPostAt), ctx.today);
    if (daysSilent < reminderDays) continue;
    const veto = daysSilent >= failDays;
    const source = account.source ?? 'govpub';
    const last = chinaTime(account.lastPostAt);
    drafts.push({
      kind: 'account_silent',
      severity: veto ? 'veto' : 'reminder',
      subject,
      ownerUnit: account.ownerUnit,
      message: veto
        ? `「${account.name}」已连续 ${daysSilent} 天未更新（最近一次发布：${last}，来源：${SOURCE_ZH[source]}），达到 ${failDays} 天即判定为不合格（两周内无更新）。请立即发布内容。`
        : `「${account.name}」已 ${daysSilent} 天未更新（最近一次发布：${last}，来源：${SOURCE_ZH[source]}），第 ${failDays} 天起判定为不合格。请在 ${failDays - daysSilent} 天内发布内容。`,
      messageEn: veto
        ? `"${account.name}" has not posted for ${daysSilent} days (last post ${last} China time, per ${SOURCE_EN[source]}); ${failDays} days without a post fails the account. Post something now.`
        : `"${account.name}" has not posted for ${daysSilent} days (last post ${last} China time, per ${SOURCE_EN[source]}); it fails from day ${failDays}. Post something within ${failDays - daysSilent} days.`,
      facts: { lastPostAt: account.lastPostAt, source, daysSilent, limitDays: failDays, reminderDays, ...unavailable(account) },
    });
  }
  const failed = drafts.filter((d) => d.severity === 'veto').length;
  return {
    drafts,
    thresholds: [{ id: 'silent_accounts', label: '两周未更新的政务新媒体账号数', value: failed, limit: 1, failed: failed >= 1 }],
  };
}
