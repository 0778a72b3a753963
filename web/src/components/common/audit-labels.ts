/**
 * The audit trail in Chinese: a name for every action the code base records (domain/audit-actions.ts:
 * a name missing here, or one that list does not have, fails the type check), and a one-line summary of
 * an entry's details. Unknown actions (older rows) and keys are shown as they are, so a new one is
 * never hidden. Imports nothing of the console: the test reads it in Node.
 */
import type { AuditAction } from '../../../../domain/audit-actions.js';
import { STATUS_ZH } from '../../../../domain/messages-zh.js';

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  // Packages (workflows/package-requests.ts, package-release.ts, services/packages.ts)
  create: '创建发布包',
  edit: '修改发布包',
  submit: '提交审核',
  approve: '审核通过',
  reject: '审核退回',
  withdraw: '撤回审核',
  release_time_changed: '修改发布时间',
  release_cancelled: '取消定时发布',
  release_requested: '要求立即发布',
  release_time_reached: '到达发布时间',
  released: '已发布',
  retract_requested: '申请撤稿',
  retracting: '开始撤稿',
  retracted: '已撤稿',
  package_repaired: '修复发布包记录',
  validity_changed: '变更有效性',
  // Deliveries (workflows/delivery.ts, takedown.ts, activities/delivery-record.ts, services/deliveries.ts)
  delivery_submitted: '已提交至平台',
  delivery_live: '已上线',
  delivery_unconfirmed: '平台未确认',
  delivery_failed: '投递失败',
  delivery_rejected: '平台拒绝',
  delivery_retry_scheduled: '安排重试',
  delivery_retry_requested: '要求重试',
  delivery_restart_requested: '要求重启投递',
  delivery_skipped: '跳过投递',
  delivery_canceled: '投递已取消',
  delivery_awaiting_manual: '等待人工发布',
  delivery_manual_reminder: '提醒人工发布',
  delivery_confirmed_manually: '人工确认发布',
  delivery_found_by_reconcile: '对账发现已发布',
  delivery_refusal_found: '对账发现平台已拒绝',
  delivery_format_warnings: '格式调整提示',
  delivery_retracted: '已从平台撤下',
  delivery_manual_takedown_task: '生成人工删除任务',
  delivery_takedown_reminder: '提醒人工删除',
  delivery_takedown_failed: '撤下失败',
  delivery_takedown_confirmed: '确认已撤下',
  // A failed attempt by its class (activities/delivery-record.ts: delivery_<errorClass>)
  delivery_retryable: '投递出错，将自动重试',
  delivery_rate_limited: '平台限流，稍后重试',
  delivery_needs_reconnect: '账号凭据失效，需重新授权',
  // Channels
  channel_paused: '暂停渠道',
  channel_resumed: '恢复渠道',
  channel_resume_refused: '恢复渠道被拒（平台仍拒绝凭据）',
  // Users and sessions (services/users.ts, accounts)
  user_added: '添加用户',
  user_disabled: '停用用户',
  user_enabled: '启用用户',
  user_token_rotated: '更换用户令牌',
  user_password_set: '设置用户密码',
  user_unit_set: '设置用户所属单位',
  user_changed: '调整用户角色、审核环节或姓名',
  user_email_set: '设置用户邮箱',
  signed_in: '登录',
  // Compliance monitor (services/compliance/findings.ts: compliance.<change>) and the wording list
  'compliance.opened': '发现合规问题',
  'compliance.escalated': '合规问题升级',
  'compliance.eased': '合规问题降级',
  'compliance.updated': '合规问题更新',
  'compliance.closed': '合规问题已解决',
  'compliance.reopened': '合规问题再次出现',
  'compliance.external_release_recorded': '登记外部发布',
  'wording.rescan': '按新词库复查',
};

export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string | undefined>)[action] ?? action;
}

const DETAIL_LABELS: Record<string, string> = {
  stage: '环节',
  next: '下一步',
  comment: '意见',
  reason: '原因',
  releaseAt: '发布时间',
  message: '说明',
  messageZh: '说明',
  platformCode: '平台错误码',
  attempt: '尝试次数',
  url: '链接',
  note: '备注',
  channels: '渠道',
  user: '用户',
  role: '角色',
  unit: '单位',
  wasPausedFor: '原暂停原因',
  differences: '差异',
  warnings: '提示',
  errorClass: '错误类别',
  publicUrl: '发布地址',
  tokenExpiresAt: '令牌到期',
  newToken: '新令牌',
  fromZh: '原有效性',
  toZh: '新有效性',
  from: '变更前',
  to: '变更后',
  indexNumber: '索引号',
  title: '标题',
  catalogueItem: '目录事项',
  targets: '渠道数',
  email: '邮箱',
  stages: '审核环节',
  before: '原值',
  generated: '自动生成',
  sessionsEnded: '结束会话数',
  externalId: '平台稿件编号',
  postsAnew: '重新发布',
  via: '途径',
  for: '用于',
  after: '时机',
  problems: '问题',
  live: '已上线',
  skipped: '已跳过',
  unconfirmed: '待确认',
  reviewRestarted: '重新审核',
  approvalsKept: '保留审核结果',
  kind: '类型',
  severity: '级别',
  previousSeverity: '原级别',
  subject: '对象',
  ownerUnit: '责任单位',
  facts: '依据',
  key: '问题标识',
  runId: '检查编号',
  entries: '词条数',
  listDigest: '词库摘要',
  packagesScanned: '复查发布包数',
  withWording: '含用语问题',
  withPersonalData: '含个人信息',
  businessKey: '投递编号',
  spec: '媒体规格',
  gateWarnings: '内容检查提示',
  platformCheck: '平台核实',
};

const STAGE_NAMES: Record<string, string> = { first: '初审', second: '复审', final: '终审' };
/** Values the delivery entries write (activities/delivery-record.ts, delivery-context.ts), in Chinese. */
const DELIVERY_VALUE_NAMES: DetailValueNames = {
  via: { transmit: '发布', reconcile: '对账', confirm: '状态查询' },
  for: { retraction: '撤稿' },
  after: { submission: '提交平台后' },
  // An automatic hold of a channel (activities/delivery-record.ts); a person's reason is their own words.
  reason: { needs_reconnect: '平台拒绝了账号凭据' },
};
const TIME_KEYS = new Set(['releaseAt', 'tokenExpiresAt', 'at', 'liveAt']);
const MAX_VALUE_CHARS = 80;

/** Chinese names of the values of some keys (role → ROLE_LABELS, severity → SEVERITY_LABELS…), given by the page. */
export type DetailValueNames = Record<string, Readonly<Record<string, string>>>;

function valueText(key: string, value: unknown, formatTime: (iso: string) => string, valueNames: DetailValueNames): string {
  if (value === null || value === undefined || value === '') return '无';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if ((key === 'stage' || key === 'next') && typeof value === 'string' && STAGE_NAMES[value]) return STAGE_NAMES[value];
  // An approval's next step is the next stage, or once the last approved, the package's status.
  if (key === 'next' && typeof value === 'string') return (STATUS_ZH as Record<string, string | undefined>)[value] ?? value;
  if (key === 'stages' && Array.isArray(value)) return value.map((stage) => STAGE_NAMES[String(stage)] ?? String(stage)).join('、') || '无';
  if (typeof value === 'string' && valueNames[key]?.[value]) return valueNames[key][value];
  if (typeof value === 'string' && DELIVERY_VALUE_NAMES[key]?.[value]) return DELIVERY_VALUE_NAMES[key][value];
  // A finding's subject: its name, not the object behind it.
  if (key === 'subject' && typeof value === 'object' && value !== null && 'name' in value) return String((value as { name: unknown }).name);
  if (TIME_KEYS.has(key) && typeof value === 'string') return formatTime(value);
  if (Array.isArray(value)) return value.length <= 3 && value.every((v) => typeof v !== 'object') ? value.join('、') : `${value.length} 项`;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // The Chinese sentence ends with what to do next: cut short, it would say what went wrong only.
  if (key === 'messageZh') return text;
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/**
 * An entry's details as one line: 「环节：初审；意见：…」. A sentence written in Chinese too (`messageZh`) is shown in Chinese only.
 * `detailsZh`: the API's Chinese for values recorded in English only (GET /api/audit), shown in their place.
 */
export function summarizeDetails(
  recorded: Record<string, unknown>,
  formatTime: (iso: string) => string,
  valueNames: DetailValueNames = {},
  detailsZh: Record<string, unknown> = {},
): string {
  const details = { ...recorded, ...detailsZh };
  const chineseToo = typeof details.messageZh === 'string';
  return Object.entries(details)
    .filter(([key]) => !(chineseToo && key === 'message'))
    .map(([key, value]) => `${DETAIL_LABELS[key] ?? key}：${valueText(key, value, formatTime, valueNames)}`)
    .join('；');
}
