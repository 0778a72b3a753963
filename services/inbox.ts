/**
 * What waits for the caller: packages at a review stage they decide (not their own, not one they
 * already approved in this round), their own packages sent back by a reviewer, and, for
 * operations, deliveries that need action and open manual tasks, most urgent first. Each item
 * carries a sentence in Chinese the console shows as it is.
 */
import { PLATFORM_DECLARATIONS } from '../adapters/declarations.js';
import { deliveriesNeedingAction, rejectedDrafts, reviewWaiting } from '../db/console-reads.js';
import type { Actor } from '../domain/package-rules.js';
import { ACTION_URGENCY_RANKS, actionUrgency } from '../domain/delivery-state.js';
import { findChannel } from '../domain/registry.js';
import type { AppContext } from './context.js';

export const INBOX_KINDS = ['review_waiting', 'rejected', 'delivery_needs_action', 'manual_task'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

export interface InboxItem {
  kind: InboxKind;
  packageId: string;
  packageTitle: string;
  deliveryId?: string;
  channelId?: string;
  stage?: string;
  message: string;
  at: string;
  /** Deliveries and manual tasks: domain/delivery-state.ts actionUrgency (0 most urgent). */
  urgency?: number;
}

/** At most this many items of each kind (the console links to the full lists). */
const PER_KIND = 200;

const REVIEWERS = new Set(['reviewer', 'admin']);
const AUTHORS = new Set(['editor', 'admin']);
const OPERATIONS = new Set(['ops', 'admin']);

const STATE_SENTENCES: Record<string, string> = {
  failed: '投递失败，请查看原因后重试或跳过',
  needs_reconnect: '平台拒绝了账号凭据，渠道已暂停：更新凭据后恢复渠道',
  unconfirmed: '平台未确认是否已发布：核实后确认或重试',
  awaiting_manual: '等待人工发布：下载素材包，发布后填写链接确认',
};

const TASK_SENTENCES: Record<string, string> = {
  manual_post: '等待人工发布：下载素材包，发布后填写链接确认',
  manual_takedown: '已撤稿，该平台不支持接口删除：请在平台后台删除后确认',
};

function platformName(platform: string | null): string {
  return PLATFORM_DECLARATIONS.find((d) => d.id === platform)?.localName ?? platform ?? '';
}

export class InboxService {
  constructor(private readonly ctx: AppContext) {}

  private stageName(stageId: string | null): string {
    return this.ctx.registry.review.stages.find((s) => s.id === stageId)?.name ?? stageId ?? '';
  }

  async forActor(actor: Actor): Promise<{ items: InboxItem[]; counts: Record<InboxKind, number> }> {
    const items: InboxItem[] = [];
    const { db } = this.ctx;
    if (REVIEWERS.has(actor.role) && actor.stages.length > 0) {
      for (const p of await reviewWaiting(db, actor.id, actor.stages, PER_KIND)) {
        items.push({
          kind: 'review_waiting',
          packageId: p.id,
          packageTitle: p.title,
          stage: p.current_stage ?? undefined,
          message: `「${p.title}」第 ${p.current_revision} 版等待您${this.stageName(p.current_stage)}`,
          at: p.updated_at.toISOString(),
        });
      }
    }
    if (AUTHORS.has(actor.role)) {
      for (const r of await rejectedDrafts(db, actor.id, PER_KIND)) {
        const said = r.comment.trim();
        // A comment that ends its own sentence (as reviewers write them) gets no second 。.
        const comment = said ? `：${said}${/[。！？!?.]$/.test(said) ? '' : '。'}` : '。';
        items.push({
          kind: 'rejected',
          packageId: r.id,
          packageTitle: r.title,
          stage: r.stage,
          message: `「${r.title}」在${this.stageName(r.stage)}被退回${comment}修改后重新提交审核。`,
          at: r.decided_at.toISOString(),
        });
      }
    }
    if (OPERATIONS.has(actor.role)) {
      for (const d of await deliveriesNeedingAction(db, PER_KIND * 2)) {
        const manual = d.task !== null || d.state === 'awaiting_manual';
        const channelName = findChannel(this.ctx.registry, d.channel_id)?.name ?? d.channel_id;
        const where = `${platformName(d.platform)}「${channelName}」`;
        const sentence = (d.task ? TASK_SENTENCES[d.task] : undefined) ?? STATE_SENTENCES[d.state] ?? '需要处理';
        items.push({
          kind: manual ? 'manual_task' : 'delivery_needs_action',
          packageId: d.package_id,
          packageTitle: d.title,
          deliveryId: d.id,
          channelId: d.channel_id,
          message: `「${d.title}」在${where}${sentence}`,
          at: d.updated_at.toISOString(),
          urgency: actionUrgency(d) ?? ACTION_URGENCY_RANKS.length,
        });
      }
    }
    const counts = Object.fromEntries(INBOX_KINDS.map((k) => [k, items.filter((i) => i.kind === k).length])) as Record<InboxKind, number>;
    return { items, counts };
  }
}
