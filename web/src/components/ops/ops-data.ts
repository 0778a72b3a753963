/**
 * What the operations pages read from the API (shapes of api/schemas/operations.ts and the issue 11
 * contract), and the rules the pages share: which actions a delivery's state allows, how a state
 * looks on the board, how a cursor list is read to its end.
 */
import { api, query } from '../../api';
import { DELIVERY_STATE_COLOURS, DELIVERY_STATE_LABELS } from '../../labels';
import { actionUrgency, type DeliveryState } from '../../../../domain/delivery-state';

export type { DeliveryState };
export { channelPaused, pausedByText, pauseOriginText, pauseReasonText, type ChannelPauseShown } from './channel-pause';

export interface DeliveryProblem {
  code?: string;
  field?: string;
  /** The field named in Chinese (文件标题, 解读 1 正文), as the server names it. */
  fieldZh?: string;
  message: string;
  messageEn?: string;
}

export interface BundleFile {
  name: string;
  mediaId: string;
  spec: string;
  purpose: string;
  url: string;
}

/** A delivery as GET /api/deliveries lists it (the SSE `delivery` event carries a subset). */
export interface DeliveryItem {
  id: string;
  packageId: string;
  revision?: number;
  channelId: string;
  channelName?: string | null;
  platform: string | null;
  state: DeliveryState;
  task: string | null;
  attempts?: number;
  nextAttemptAt?: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  /** The failure in Chinese (i18n helper); absent on older servers. */
  errorMessageZh?: string | null;
  problems?: (DeliveryProblem | string)[];
  warnings?: string[];
  warningsZh?: string[];
  publicUrl: string | null;
  liveAt?: string | null;
  skippedReason?: string | null;
  /** When the release planned it (the list carries it; the SSE event does not). */
  createdAt?: string;
  updatedAt: string;
  /** When its channel's pause holds it: it waits for the resume (the list and one delivery; the SSE event does not carry it). */
  channelHold?: ChannelHold;
}

/** One delivery as GET /api/deliveries/:id answers: everything, plus what it waits for and its payload. */
export interface DeliveryDetail extends DeliveryItem {
  businessKey: string;
  revision: number;
  attempts: number;
  platformCode: string | null;
  externalId: string | null;
  submittedAt: string | null;
  takenDownAt: string | null;
  createdAt: string;
  waitingFor?: string;
  payload?: unknown;
  bundleFiles?: BundleFile[];
}

/** A pause a delivery waits for (mirrors services/deliveries.ts ChannelHold): it goes out once the channel is resumed. */
export interface ChannelHold {
  channelId: string;
  pausedAt: string;
  reason: string | null;
  by: string | null;
  credentialsRefused: boolean;
  message: string;
  messageZh: string;
}

export interface DeliveryPage {
  items: DeliveryItem[];
  counts: Record<string, number>;
  nextCursor?: string | null;
}

export type CredentialState = 'ok' | 'missing' | 'expired' | 'invalid' | 'unknown';

export interface ChannelHealth {
  endpoint: string | null;
  credential: CredentialState;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  paused: boolean;
  pausedReason: string | null;
}

export interface ChannelItem {
  id: string;
  platform: string;
  kind: string;
  name: string;
  ownerUnit?: string | null;
  publishing: string;
  ref: string;
  paused: boolean;
  pausedReason: string | null;
  /** When it was paused, and by whom (a user's name; `system`: govpub itself); null when not paused. */
  pausedAt?: string | null;
  pausedBy?: string | null;
  health?: ChannelHealth;
}

export interface UnitItem {
  id: string;
  name: string;
  channelCount: number;
}

export interface PackageListItem {
  id: string;
  title: string;
  status: string;
  currentStage: string | null;
  revision: number;
  updatedAt: string;
  releaseAt?: string | null;
  unit?: string | null;
}

export const CREDENTIAL_LABELS: Record<CredentialState, string> = {
  ok: '有效',
  missing: '未配置',
  expired: '已过期',
  invalid: '无效',
  unknown: '未知',
};

export const CREDENTIAL_TAG_TYPES: Record<CredentialState, 'success' | 'danger' | 'warning' | 'info'> = {
  ok: 'success',
  missing: 'danger',
  expired: 'warning',
  invalid: 'danger',
  unknown: 'info',
};

export { TASK_NAMES_ZH as TASK_LABELS } from '../../../../domain/delivery-state';

/**
 * One character per state, shown in the board's cells beside the colour (colour is never the only
 * signal): distinct for every state, and spelled out in the legend and each cell's accessible name.
 */
export const DELIVERY_STATE_MARKS: Record<DeliveryState, string> = {
  pending: '待',
  transmitting: '送',
  unconfirmed: '确',
  live: '上',
  failed: '败',
  needs_reconnect: '授',
  rate_limited: '限',
  awaiting_manual: '人',
  retracting: '撤',
  retracted: '下',
  canceled: '消',
};

export const BOARD_STATES = Object.keys(DELIVERY_STATE_LABELS) as DeliveryState[];

/** Operations are expected to act: a NEEDS_ACTION state or an open task (domain/delivery-state.ts actionUrgency). */
export function needsAction(d: Pick<DeliveryItem, 'state' | 'task'>): boolean {
  return actionUrgency(d) !== null;
}

export function stateLabel(state: string): string {
  return (DELIVERY_STATE_LABELS as Record<string, string>)[state] ?? state;
}

export function stateColour(state: string): string {
  return (DELIVERY_STATE_COLOURS as Record<string, string>)[state] ?? '#606266';
}

/** The state's colour mixed with white, so dark text on it keeps a 7:1 contrast while the colour still shows. */
export function stateTint(state: string, share = 0.22): string {
  const hex = stateColour(state).replace('#', '');
  const channel = (i: number) => {
    const value = parseInt(hex.slice(i, i + 2), 16);
    return Math.round(255 - (255 - value) * share)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(2)}${channel(4)}`;
}

/** The failure as a person reads it: the Chinese sentence when the server gives one. */
export function failureSentence(d: Pick<DeliveryItem, 'errorMessage' | 'errorMessageZh'>): string | null {
  return d.errorMessageZh || d.errorMessage || null;
}

export function problemText(p: DeliveryProblem | string): string {
  if (typeof p === 'string') return p;
  const field = p.fieldZh || p.field;
  // A message that already names its field in Chinese needs no second mention.
  return field && !p.message.includes(field) ? `${p.message}（字段：${field}）` : p.message;
}

export type DeliveryAction = 'retry' | 'skip' | 'confirm';

/**
 * The actions a delivery's state allows, as the delivery and take-down workflows' validators decide
 * (workflows/delivery.ts, workflows/takedown.ts): nothing while an attempt is on its way or once it
 * is settled; a manual hand-off is confirmed, not retried; a take-down is retried or confirmed, not skipped.
 */
export function actionsFor(d: Pick<DeliveryDetail, 'state' | 'task'> & { waitingFor?: string }): DeliveryAction[] {
  if (['live', 'retracted', 'canceled', 'transmitting'].includes(d.state)) return [];
  if (d.waitingFor === 'platform' || d.waitingFor === 'nothing') return [];
  if (d.state === 'retracting') return d.task === 'manual_takedown' ? ['retry', 'confirm'] : ['retry'];
  const actions: DeliveryAction[] = [];
  if (d.state !== 'awaiting_manual' && d.task !== 'manual_post') actions.push('retry');
  actions.push('skip');
  if (d.state === 'awaiting_manual' || d.state === 'unconfirmed') actions.push('confirm');
  return actions;
}

/** Reads a cursor list to its end (or `maxPages`), for lists an operator needs whole. */
export async function readAllDeliveries(params: Record<string, string | number | boolean | undefined>, maxPages = 10): Promise<DeliveryPage> {
  const items: DeliveryItem[] = [];
  let counts: Record<string, number> = {};
  let cursor: string | null | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await api.get<DeliveryPage>(`/api/deliveries${query({ ...params, limit: 200, cursor: cursor ?? undefined })}`);
    items.push(...answer.items);
    if (page === 0) counts = answer.counts;
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return { items, counts, nextCursor: cursor ?? null };
}

export async function loadChannels(): Promise<ChannelItem[]> {
  return (await api.get<{ channels: ChannelItem[] }>('/api/channels')).channels;
}

export async function loadUnits(): Promise<UnitItem[]> {
  return (await api.get<{ units: UnitItem[] }>('/api/units')).units;
}

/** The delivery error classes as an operator reads them (shared with the CLI). */
export { errorClassZh as errorClassLabel } from '../../../../domain/messages-zh';

/** What POST /api/channels/:id/resume answers (services/deliveries.ts ResumeResult). */
export interface ResumeAnswer {
  woken: number;
  credentialCheck?: 'not_needed' | 'accepted' | 'unchecked';
  noteZh?: string | null;
}

/**
 * The sentence an operator reads after 恢复渠道: how many deliveries were woken and, after a hold
 * for refused credentials, what the platform said of them (a warning when it could not be asked).
 */
export function resumeOutcome(channelName: string, answer: ResumeAnswer): { type: 'success' | 'warning'; message: string } {
  const woken = `唤醒了 ${answer.woken} 个等待中的投递。`;
  if (answer.credentialCheck === 'unchecked') return { type: 'warning', message: `已恢复渠道“${channelName}”，${woken}${answer.noteZh ?? ''}` };
  return { type: 'success', message: `已恢复渠道“${channelName}”，${woken}${answer.noteZh ?? ''}` };
}
