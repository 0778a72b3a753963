/**
 * Every action govpub records in the audit trail (appendAudit and the workflows' record(...)
 * steps). The console names each in Chinese (web/src/components/common/audit-labels.ts, keyed by
 * this list, so neither can miss one), and `govpub audit --action` names the nearest when it is
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
