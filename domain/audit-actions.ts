/**
 * Every action govpub records in the audit trail (appendAudit and the workflows' record(...)
 * steps). Each has its Chinese name below (AUDIT_ACTION_NAMES_ZH, keyed by this list, so neither
 * can miss one: the console's audit trail and `govpub audit` under GOVPUB_LANG=zh), and `govpub audit --action` names the nearest when it is
 * given one that is neither here nor in the trail. test/console/audit-labels.test.ts fails when
 * the code records an action missing here. Rows written by older versions may carry other names:
 * the trail stays filterable by them.
 */
export const AUDIT_ACTIONS = [
  // Packages (workflows/package-requests.ts, package-release.ts, services/packages.ts)
  'create',
  'edit',
  'submit',
  'approve',
  'reject',
  'withdraw',
  'release_time_changed',
  'release_cancelled',
  'release_requested',
  'release_time_reached',
  'released',
  'retract_requested',
  'retracting',
  'retracted',
  'package_repaired',
  'validity_changed',
  // Deliveries (workflows/delivery.ts, takedown.ts, activities/delivery-record.ts, services/deliveries.ts)
  'delivery_submitted',
  'delivery_live',
  'delivery_unconfirmed',
  'delivery_failed',
  'delivery_rejected',
  'delivery_retry_scheduled',
  'delivery_retry_requested',
  'delivery_restart_requested',
  'delivery_skipped',
  'delivery_canceled',
  'delivery_awaiting_manual',
  'delivery_manual_reminder',
  'delivery_confirmed_manually',
  'delivery_found_by_reconcile',
  'delivery_refusal_found',
  'delivery_format_warnings',
  'delivery_retracted',
  'delivery_manual_takedown_task',
  'delivery_takedown_reminder',
  'delivery_takedown_failed',
  'delivery_takedown_confirmed',
  // A failed attempt by its class (activities/delivery-record.ts: delivery_<errorClass>)
  'delivery_retryable',
  'delivery_rate_limited',
  'delivery_needs_reconnect',
  // Channels
  'channel_paused',
  'channel_resumed',
  'channel_resume_refused',
  // Users and sessions (services/users.ts, accounts)
  'user_added',
  'user_disabled',
  'user_enabled',
  'user_token_rotated',
  'user_password_set',
  'user_unit_set',
  'user_changed',
  'user_email_set',
  'signed_in',
  'password_changed',
  // Compliance monitor (services/compliance/findings.ts: compliance.<change>) and the wording list
  'compliance.opened',
  'compliance.escalated',
  'compliance.eased',
  'compliance.updated',
  'compliance.closed',
  'compliance.reopened',
  'compliance.external_release_recorded',
  'wording.rescan',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(name: string): name is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(name);
}

/**
 * Every action in Chinese: the console's audit trail and the CLI's `govpub audit` under
 * GOVPUB_LANG=zh (keyed by AUDIT_ACTIONS, so neither can miss one).
 */
export const AUDIT_ACTION_NAMES_ZH: Readonly<Record<AuditAction, string>> = {
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
  password_changed: '修改本人密码',
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

/** An action's Chinese name; one this version does not know (an older row) as it is. */
export function auditActionZh(action: string): string {
  return (AUDIT_ACTION_NAMES_ZH as Readonly<Record<string, string | undefined>>)[action] ?? action;
}
