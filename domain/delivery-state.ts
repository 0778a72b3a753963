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
