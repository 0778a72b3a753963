/** The audit trail as people read it (oldest first, or newest first); entries are written through db/audit.ts only. */
import type { Kysely } from 'kysely';
import { deliveryErrorZh, localizedProblem, localizedWarning } from '../adapters/error-codes.js';
import { DELIVERY_ERROR_CLASSES } from '../adapters/errors.js';
import { selectAudit, type AuditQuery } from '../db/audit.js';
import type { DB } from '../db/schema.js';

export type { AuditQuery } from '../db/audit.js';

export async function listAudit(db: Kysely<DB>, query: AuditQuery = {}) {
  const rows = await selectAudit(db, query);
  return rows.map((r) => {
    const details = (r.details ?? {}) as Record<string, unknown>;
    return {
      id: r.id,
      at: r.at.toISOString(),
      /** The user's name; `system` for steps the workflow takes itself. */
      actor: r.actor_name ?? r.actor,
      actorId: r.actor,
      action: r.action,
      packageId: r.package_id,
      revision: r.revision,
      contentHash: r.content_hash,
      channelId: r.channel_id,
      details,
      detailsZh: detailsInChinese(r.action, r.channel_id, details),
    };
  });
}

/** The failure class an entry's English `message` is about: its action's (delivery_<class>), or refused credentials for a channel's hold. */
function failureClassOf(action: string): string | null {
  if (action === 'channel_paused' || action === 'channel_resume_refused') return 'needs_reconnect';
  const errorClass = action.startsWith('delivery_') ? action.slice('delivery_'.length) : '';
  return (DELIVERY_ERROR_CLASSES as readonly string[]).includes(errorClass) ? errorClass : null;
}

/**
 * The Chinese of the details the delivery steps record in English only (a platform's failure, the
 * format step's warnings and problems, a hand-off's reminder): the values to show in their place.
 * Worked out when read, so entries written before read in Chinese as well; the details stay as recorded.
 */
function detailsInChinese(action: string, channelId: string | null, details: Record<string, unknown>): Record<string, unknown> {
  const platform = channelId ? channelId.split(':')[0]! : null;
  const zh: Record<string, unknown> = {};
  const errorClass = failureClassOf(action);
  if (typeof details.message === 'string' && typeof details.messageZh !== 'string') {
    if (action === 'delivery_manual_reminder') zh.messageZh = '人工发布包仍在等待发布。';
    else if (errorClass) {
      const sentence = deliveryErrorZh({
        platform,
        errorClass,
        errorMessage: details.message,
        platformCode: details.platformCode === undefined || details.platformCode === null ? null : String(details.platformCode),
        problemsZh: Array.isArray(details.problems) ? details.problems.map((p) => localizedProblem(p, platform).message) : undefined,
      });
      if (sentence) zh.messageZh = sentence;
    }
  }
  // A take-down confirmed by hand: whether the platform was asked (workflows/takedown.ts), said in Chinese.
  if (typeof details.platformCheck === 'string') {
    zh.platformCheck =
      details.platformCheck === 'gone' ? '平台答复内容已不存在' : '未能向平台核实（平台不支持查询、没有平台稿件编号或暂时无法访问），以运维人员的确认为准';
  }
  if (Array.isArray(details.warnings)) zh.warnings = details.warnings.map((w) => localizedWarning(w, platform).zh);
  if (Array.isArray(details.problems)) zh.problems = details.problems.map((p) => localizedProblem(p, platform).message);
  return zh;
}
