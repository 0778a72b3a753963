/** Queries of the compliance surface: what a run opened or escalated per unit, who hears of it, which notices went out, and the site probes. */
import type { Kysely } from 'kysely';
import type { NoticeTransport } from '../services/notify/types.js';
import type { DB } from './schema.js';

/** Changes that call for a notice: a finding new to the unit, back again, or worse than before. */
export const NOTIFIED_CHANGES = ['opened', 'escalated', 'reopened'] as const;

export interface NoticeEventRow {
  key: string;
  kind: string;
  change: string;
  severity: string;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  owner_unit: string;
  message: string;
}

/** The run's notifiable changes, by owner unit (findings nobody owns are shown in the console only). */
export async function notifiableChanges(db: Kysely<DB>, runId: string): Promise<Map<string, NoticeEventRow[]>> {
  const rows = await db
    .selectFrom('compliance_finding_events')
    .select(['key', 'kind', 'change', 'severity', 'subject_type', 'subject_id', 'subject_name', 'owner_unit', 'message'])
    .where('run_id', '=', runId)
    .where('change', 'in', [...NOTIFIED_CHANGES])
    .where('owner_unit', 'is not', null)
    .orderBy('id')
    .execute();
  const byUnit = new Map<string, NoticeEventRow[]>();
  for (const row of rows) {
    const unit = row.owner_unit!;
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), { ...row, owner_unit: unit }]);
  }
  return byUnit;
}

/** E-mail addresses of the unit's enabled editors. */
export async function unitEditorEmails(db: Kysely<DB>, unitId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('unit', '=', unitId)
    .where('role', '=', 'editor')
    .where('disabled_at', 'is', null)
    .where('email', 'is not', null)
    .orderBy('name')
    .execute();
  return [...new Set(rows.map((r) => r.email!))];
}

export async function noticeSent(db: Kysely<DB>, runId: string, unitId: string, transport: NoticeTransport): Promise<boolean> {
  const row = await db
    .selectFrom('compliance_notices')
    .select('sent_at')
    .where('run_id', '=', runId)
    .where('unit_id', '=', unitId)
    .where('transport', '=', transport)
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordNotice(
  db: Kysely<DB>,
  notice: { runId: string; unitId: string; transport: NoticeTransport; recipients: string[]; findingKeys: string[]; sentAt: Date },
): Promise<void> {
  await db
    .insertInto('compliance_notices')
    .values({
      run_id: notice.runId,
      unit_id: notice.unitId,
      transport: notice.transport,
      recipients: JSON.stringify(notice.recipients),
      finding_keys: JSON.stringify(notice.findingKeys),
      sent_at: notice.sentAt,
    })
    .onConflict((oc) => oc.columns(['run_id', 'unit_id', 'transport']).doNothing())
    .execute();
}

export async function noticesOfRun(db: Kysely<DB>, runId: string) {
  return db.selectFrom('compliance_notices').selectAll().where('run_id', '=', runId).orderBy('unit_id').orderBy('transport').execute();
}

export interface ProbeRecord {
  at: Date;
  url: string;
  ok: boolean;
  durationMs: number;
  status: number | null;
  error: string | null;
}

/** Records probes; one already recorded (same URL and moment) is left as it is, so a retry is harmless. */
export async function insertProbes(db: Kysely<DB>, probes: ProbeRecord[]): Promise<void> {
  if (probes.length === 0) return;
  await db
    .insertInto('site_probes')
    .values(probes.map((p) => ({ at: p.at, url: p.url, ok: p.ok, duration_ms: p.durationMs, status: p.status, error: p.error })))
    .onConflict((oc) => oc.columns(['url', 'at']).doNothing())
    .execute();
}
