/**
 * Chinese names for the identifiers the API uses. Platform names come from the platform
 * declarations themselves (the same data the adapters use), so a new platform is named here too.
 */
import { PLATFORM_DECLARATIONS } from '../../adapters/declarations';
import { DELIVERY_STATE_NAMES_ZH, type DeliveryState } from '../../domain/delivery-state';
import type { PackageStatus, Role } from '../../domain/package-rules';
import { STATUS_ZH } from '../../domain/messages-zh';
import type { FindingChange, FindingKind, FindingStatus, RunTrigger, Severity, SubjectType } from '../../domain/compliance/model';

/** The names the API's refusals use too (「稿件状态为「已撤稿」…」), so a sentence and the tag beside it agree. */
export const PACKAGE_STATUS_LABELS: Record<PackageStatus, string> = STATUS_ZH;

/** Element Plus tag types per package status. */
export const PACKAGE_STATUS_TYPES: Record<PackageStatus, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  draft: 'info',
  in_review: 'warning',
  approved: 'primary',
  scheduled: 'primary',
  releasing: 'warning',
  released: 'success',
  retracting: 'warning',
  retracted: 'info',
};

export const DELIVERY_STATE_LABELS: Readonly<Record<DeliveryState, string>> = DELIVERY_STATE_NAMES_ZH;

/** One colour per delivery state on the board (colour is never the only signal: the label is shown too). */
export const DELIVERY_STATE_COLOURS: Record<DeliveryState, string> = {
  pending: '#909399',
  transmitting: '#409eff',
  unconfirmed: '#b88230',
  live: '#2f8a3b',
  failed: '#c45656',
  needs_reconnect: '#a33d8f',
  rate_limited: '#8a6d00',
  awaiting_manual: '#b35c00',
  retracting: '#6b6bd6',
  retracted: '#606266',
  canceled: '#606266',
};

export const ROLE_LABELS: Record<Role, string> = {
  editor: '编辑',
  reviewer: '审核人',
  ops: '运维',
  admin: '管理员',
};

export const PLATFORM_LABELS: Record<string, string> = Object.fromEntries(PLATFORM_DECLARATIONS.map((d) => [d.id, d.localName]));

export const INTERPRETATION_FORM_LABELS: Record<string, string> = {
  text: '文字解读',
  graphic: '图解',
  cartoon: '漫画解读',
  video: '视频解读',
  audio: '音频解读',
  h5: 'H5 解读',
  leader_interview: '领导访谈',
};

export function platformLabel(platform: string): string {
  return PLATFORM_LABELS[platform] ?? platform;
}

export { formatTime } from './time';

// ── Compliance monitor and annual figures ────────────────────────────────────

export const SEVERITY_LABELS: Record<Severity, string> = {
  reminder: '提醒',
  warning: '警告',
  veto: '单项否决',
};

/** Element Plus tag types per severity (the label is always shown: colour is never the only signal). */
export const SEVERITY_TYPES: Record<Severity, 'info' | 'warning' | 'danger'> = {
  reminder: 'info',
  warning: 'warning',
  veto: 'danger',
};

export const FINDING_KIND_LABELS: Record<FindingKind, string> = {
  account_silent: '账号未按时更新',
  column_stale: '栏目未按时更新',
  column_long_stale: '栏目长期未更新',
  column_empty: '空白栏目',
  site_stale_columns: '未按时更新栏目数超限',
  site_long_stale_columns: '长期未更新栏目数超限',
  site_empty_columns: '空白栏目数超限',
  home_stale: '首页未按时更新',
  site_unreachable: '网站无法访问',
  interpretation_late: '政策解读发布滞后',
  disclosure_late: '信息公开超过时限',
  calendar_out_of_range: '节假日日历未覆盖',
  published_wording: '已发布内容用语问题',
  published_personal_data: '已发布内容含个人信息',
};

export const FINDING_STATUS_LABELS: Record<FindingStatus, string> = { open: '未解决', closed: '已解决' };

export const FINDING_CHANGE_LABELS: Record<FindingChange, string> = {
  opened: '发现',
  escalated: '升级',
  eased: '降级',
  updated: '更新',
  closed: '解决',
  reopened: '再次出现',
};

export const SUBJECT_TYPE_LABELS: Record<SubjectType, string> = {
  account: '政务新媒体账号',
  column: '网站栏目',
  site: '门户网站',
  package: '稿件',
  catalogue_item: '公开目录事项',
  calendar: '节假日日历',
};

export const RUN_TRIGGER_LABELS: Record<RunTrigger, string> = { schedule: '定时检查', manual: '手动检查', wording_change: '词库变更复查' };

/** Channel kinds as the annual figures group them. */
export const CHANNEL_KIND_LABELS: Record<string, string> = {
  portal_column: '门户网站',
  new_media_account: '政务新媒体',
  media_center_column: '融媒体中心',
  unregistered: '已移出目录的渠道',
};
