/**
 * The states of a delivery (one package revision on one channel) and its business key: the one definition the
 * database layer, the activities, the workflows, the services and the API schemas all use.
 *
 *   pending          planned, not sent yet (also while its channel is paused)
 *   transmitting     an attempt is sending now (after a crash: outcome unknown → reconcile)
 *   unconfirmed      the platform may have it but has not confirmed: reconciled, never re-posted blindly
 *   live             public on the channel
 *   failed           retries exhausted or content rejected: waits for operations (retry / skip)
 *   needs_reconnect  credentials refused: the channel is held until operations resume it
 *   rate_limited     waiting as long as the platform asked
 *   awaiting_manual  manual hand-off: waits for an operator to post and confirm the URL
 *   retracting       being taken down (a manual take-down task waits for an operator)
 *   retracted        taken down
 *   canceled         skipped by operations or cancelled by a retraction before it went out
 */
export const DELIVERY_STATES = [
  'pending',
  'transmitting',
  'unconfirmed',
  'live',
  'failed',
  'needs_reconnect',
  'rate_limited',
  'awaiting_manual',
  'retracting',
  'retracted',
  'canceled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** States in which operations are expected to act. */
export const NEEDS_ACTION_STATES: readonly DeliveryState[] = ['failed', 'needs_reconnect', 'awaiting_manual', 'unconfirmed'];

/**
 * How urgent a delivery waiting for operations is, 0 first: a retracted package still public where
 * only a person can take it down; a channel whose credentials the platform refused (held: every
 * delivery to it waits); a failed delivery (the release stopped on that channel); an outcome not
 * confirmed (it may be public: check before anything is sent again); a hand-off a person posts
 * (planned work). Null: nothing waits for operations. The board's 只看需处理 orders by it.
 */
export function actionUrgency(d: { state: string; task: string | null }): number | null {
  const rank = ACTION_URGENCY_RANKS.findIndex((r) => (d.task !== null && r.tasks.includes(d.task)) || (r.states as readonly string[]).includes(d.state));
  return rank === -1 ? null : rank;
}

/** The ranks of actionUrgency as data, so a database query can order by them too (db/console-reads.ts). */
export const ACTION_URGENCY_RANKS: readonly { tasks: readonly string[]; states: readonly DeliveryState[] }[] = [
  { tasks: ['manual_takedown'], states: [] },
  { tasks: [], states: ['needs_reconnect'] },
  { tasks: [], states: ['failed'] },
  { tasks: [], states: ['unconfirmed'] },
  { tasks: ['manual_post'], states: ['awaiting_manual'] },
];

/** The urgency ranks above as operations read them, most urgent first (the board states the order). */
export const ACTION_URGENCY_NAMES_ZH = ['待人工删除的撤稿', '需重新授权', '投递失败', '待确认', '待人工发布'] as const;

/**
 * Most urgent first: by rank, then the one waiting longest, since its release planned it
 * (`createdAt`: unlike the last update, it does not move when a reminder or a retry touches the
 * row; the last update stands in where it is not known), then by id so the order is stable.
 * Deliveries nothing waits on go last.
 */
export function byActionUrgency<T extends { id: string; state: string; task: string | null; createdAt?: string; updatedAt?: string }>(a: T, b: T): number {
  const rank = (d: T) => actionUrgency(d) ?? Number.MAX_SAFE_INTEGER;
  const since = (d: T) => d.createdAt ?? d.updatedAt ?? '';
  return rank(a) - rank(b) || since(a).localeCompare(since(b)) || a.id.localeCompare(b.id);
}

/** States a delivery workflow waits in for its channel to be resumed (a resume wakes them). */
export const WAITING_ON_CHANNEL_STATES: readonly DeliveryState[] = ['pending', 'needs_reconnect', 'rate_limited', 'unconfirmed', 'retracting'];

/** States after which a transmit or format attempt has nothing more to do. */
export const SETTLED_STATES: readonly DeliveryState[] = ['live', 'canceled', 'retracted', 'retracting'];

export function isDeliveryState(value: string): value is DeliveryState {
  return (DELIVERY_STATES as readonly string[]).includes(value);
}

/** Names one delivery: a package revision on a channel. */
export interface DeliveryUnit {
  packageId: string;
  revision: number;
  channelId: string;
}

/** The delivery's business key, `<package>@<revision>→<channel>`: one row, one workflow, never two. */
export function deliveryKey(unit: DeliveryUnit): string {
  return `${unit.packageId}@${unit.revision}→${unit.channelId}`;
}

/** Each state's name in Chinese: the console's labels and the API's sentences that say which state a delivery is in. */
export const DELIVERY_STATE_NAMES_ZH: Readonly<Record<DeliveryState, string>> = {
  pending: '待发送',
  transmitting: '发送中',
  unconfirmed: '待确认',
  live: '已上线',
  failed: '失败',
  needs_reconnect: '需重新授权',
  rate_limited: '限流等待',
  awaiting_manual: '待人工发布',
  retracting: '撤稿中',
  retracted: '已撤稿',
  canceled: '已取消',
};

/** A delivery's task for a person (`task`), in Chinese: the console's board and drawer, the CLI's deliveries list and show. */
export const TASK_NAMES_ZH: Readonly<Record<string, string>> = {
  manual_post: '人工发布',
  manual_takedown: '人工删除',
};

/** What a delivery's workflow waits for (its status query's `waitingFor`), in Chinese for the CLI's `deliveries show`. */
export const WAITING_FOR_NAMES_ZH: Readonly<Record<string, string>> = {
  nothing: '无',
  platform: '平台处理',
  backoff: '重试间隔',
  rate_limit: '平台限流',
  channel: '渠道恢复',
  operator: '运维处理',
  manual_post: '人工发布',
  manual_takedown: '人工删除',
  confirmation: '确认',
  database: '数据库恢复',
};
