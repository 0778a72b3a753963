/** What waits for the person (GET /api/inbox), shared by the notices page and the inbox watcher. */
import { ref } from 'vue';

import type { InboxItem, InboxKind } from '../../../../services/inbox';

export type { InboxItem, InboxKind };

export interface InboxAnswer {
  items: InboxItem[];
  counts: Partial<Record<InboxKind, number>>;
}

/** How many things wait for the person now: the header's badge (set by InboxWatcher.vue). */
export const waitingCount = ref(0);
/**
 * The same count by kind (null before the first reading), so a page counts what the header counts:
 * the package list's 已退回 tab shows `rejected` (the person's own drafts sent back).
 */
export const waitingByKind = ref<Record<InboxKind, number> | null>(null);

export const INBOX_KINDS: InboxKind[] = ['review_waiting', 'rejected', 'delivery_needs_action', 'manual_task'];

export const INBOX_KIND_LABELS: Record<InboxKind, string> = {
  review_waiting: '待审核',
  rejected: '被退回',
  delivery_needs_action: '待处理的发布',
  manual_task: '人工发布任务',
};

/** The sentence of a notice when items of a kind are added while the person works. */
export function growthSentence(kind: InboxKind, added: number): string {
  switch (kind) {
    case 'review_waiting':
      return `有 ${added} 个发布包等待您审核`;
    case 'rejected':
      return `有 ${added} 个发布包被退回，请修改后重新提交`;
    case 'delivery_needs_action':
      return `有 ${added} 个发布需要您处理`;
    case 'manual_task':
      return `有 ${added} 个人工发布任务等待完成`;
  }
}

/** Where an item is dealt with: the review page, the package, the delivery board or the hand-off tasks. */
export function linkOf(item: InboxItem): string {
  const id = encodeURIComponent(item.packageId);
  switch (item.kind) {
    case 'review_waiting':
      return `/reviews/${id}`;
    case 'rejected':
      return `/packages/${id}`;
    case 'delivery_needs_action':
      return `/board?package=${id}${item.deliveryId ? `&delivery=${encodeURIComponent(item.deliveryId)}` : ''}`;
    case 'manual_task':
      return `/handoffs${item.deliveryId ? `?delivery=${encodeURIComponent(item.deliveryId)}` : ''}`;
  }
}

/** Counts per kind, whether or not the API sent `counts`. */
export function countsOf(answer: InboxAnswer): Record<InboxKind, number> {
  return Object.fromEntries(INBOX_KINDS.map((kind) => [kind, answer.counts?.[kind] ?? answer.items.filter((i) => i.kind === kind).length])) as Record<
    InboxKind,
    number
  >;
}
