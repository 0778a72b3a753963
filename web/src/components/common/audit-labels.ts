/**
 * The audit trail in Chinese: a name for every action the code base records (domain/audit-actions.ts
 * holds the names, keyed by its list of actions, shared with the CLI's `govpub audit`), and a
 * one-line summary of an entry's details. Unknown actions (older rows) and keys are shown as they
 * are, so a new one is never hidden. Imports nothing of the console: the test reads it in Node.
 */
import { STATUS_ZH } from '../../../../domain/messages-zh.js';

export { AUDIT_ACTION_NAMES_ZH as AUDIT_ACTION_LABELS, auditActionZh as auditActionLabel } from '../../../../domain/audit-actions.js';

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
