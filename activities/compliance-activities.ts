/**
 * The compliance monitor's side effects: one pass of the checks, the notices to owner units, and
 * the reachability probes. A notice is recorded per (run, unit, transport) right after the transport
 * took it, so a retried activity sends through the transports that have not (a crash between the
 * two can resend once; the notice's stable id lets a mail client or webhook receiver drop it).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ComplianceRunInput, NoticeOutcome, SiteProbeMeasurement, SiteProbeResult } from '../contracts/compliance.js';
import { summarizeProbes } from '../domain/compliance/probe-summary.js';
import { insertProbes, notifiableChanges, noticeSent, recordNotice, unitEditorEmails } from '../db/compliance-notices.js';
import type { ComplianceRunSummary, FindingChange, FindingKind, Severity, SubjectType } from '../domain/compliance/model.js';
import { measureSite, probeSite, type ProbeOptions } from '../services/compliance/probes.js';
import { composeNotice, type Notice, type NoticeTransports } from '../services/notify/index.js';
import type { DeliveryDeps } from './delivery-activities.js';
import { withHeartbeat } from './delivery-context.js';

/** What the worker wires for the monitor (runtime/compliance.ts). */
export interface ComplianceActivityDeps {
  /** One pass of the monitor (services/compliance/monitor.ts). */
  runChecks(trigger: ComplianceRunInput['trigger'], actor: string, runId?: string): Promise<ComplianceRunSummary>;
  transports: NoticeTransports;
  probe: Omit<ProbeOptions, 'registry'>;
  /** The console's compliance page, linked from notices. */
  consoleUrl: string | null;
}

export function createComplianceActivities(deps: Pick<DeliveryDeps, 'db' | 'registry'> & { compliance?: ComplianceActivityDeps }) {
  const { db, registry } = deps;
  const compliance = (): ComplianceActivityDeps => {
    if (deps.compliance) return deps.compliance;
    throw ApplicationFailure.nonRetryable(
      'This worker was started without the compliance monitor (no compliance dependencies): start it with `govpub worker` or `govpub start`.',
      'compliance_not_configured',
    );
  };

  return {
    async runComplianceChecks(input: ComplianceRunInput): Promise<ComplianceRunSummary> {
      // The compliance run is named after the workflow run: a retry after a lost result gets the
      // recorded summary back instead of a second, empty run whose notices would find nothing.
      const runId = Context.current().info.workflowExecution?.runId;
      return withHeartbeat(() => compliance().runChecks(input.trigger, input.actor, runId));
    },

    /** Units with findings opened, reopened or escalated in the run, and a transport to reach them. */
    async unitsToNotify(input: { runId: string }): Promise<string[]> {
      const { transports } = compliance();
      const changes = await notifiableChanges(db, input.runId);
      return [...changes.keys()].filter((unitId) => transports.forUnit(unitId).length > 0).sort();
    },

    async sendComplianceNotice(input: { runId: string; unitId: string }): Promise<NoticeOutcome> {
      const { transports, consoleUrl } = compliance();
      const outcome: NoticeOutcome = { unitId: input.unitId, sent: [], skipped: [], skippedZh: [] };
      const changes = (await notifiableChanges(db, input.runId)).get(input.unitId) ?? [];
      if (changes.length === 0) return outcome;
      const unitName = registry.units.find((u) => u.id === input.unitId)?.name ?? input.unitId;
      const recipients = await unitEditorEmails(db, input.unitId);
      const findings = changes.map((c) => ({
        key: c.key,
        kind: c.kind as FindingKind,
        change: c.change as FindingChange,
        severity: c.severity as Severity,
        subject: { type: c.subject_type as SubjectType, id: c.subject_id, name: c.subject_name },
        message: c.message,
      }));
      const notice: Notice = {
        id: `compliance:${input.runId}:${input.unitId}`,
        runId: input.runId,
        unitId: input.unitId,
        unitName,
        recipients,
        ...composeNotice(unitName, findings, consoleUrl),
        findings,
      };
      const failures: Error[] = [];
      for (const { transport, notifier } of transports.forUnit(input.unitId)) {
        if (await noticeSent(db, input.runId, input.unitId, transport)) {
          outcome.sent.push(transport);
          continue;
        }
        if (transport === 'email' && recipients.length === 0) {
          outcome.skipped.push(`email: no enabled editor of ${input.unitId} has an e-mail address (govpub users set-email NAME ADDRESS)`);
          outcome.skippedZh!.push(`邮件：${unitName}（${input.unitId}）没有填写了邮箱地址的在用编辑，可用 govpub users set-email 用户名 邮箱地址 设置`);
          continue;
        }
        try {
          await notifier.send(notice);
        } catch (error) {
          failures.push(error as Error);
          continue;
        }
        await recordNotice(db, {
          runId: input.runId,
          unitId: input.unitId,
          transport,
          recipients,
          findingKeys: findings.map((f) => f.key),
          sentAt: new Date(),
        });
        outcome.sent.push(transport);
      }
      // The transports that took it are recorded; the attempt fails so Temporal retries the others.
      if (failures.length > 0) throw ApplicationFailure.retryable(failures.map((f) => f.message).join(' | '), 'notice_failed');
      return outcome;
    },

    /** One GET of each public target; touches no database, so a database outage cannot fail it. */
    async measureSiteReachability(): Promise<SiteProbeMeasurement[]> {
      const results = await measureSite({ ...compliance().probe, registry });
      return results.map((r) => ({ ...r, at: r.at.toISOString() }));
    },

    /** Records a measurement; idempotent (one row per URL and moment), so it can retry until the database is back. */
    async recordSiteProbes(input: { probes: SiteProbeMeasurement[] }): Promise<void> {
      await insertProbes(
        db,
        input.probes.map((p) => ({ ...p, at: new Date(p.at) })),
      );
    },

    /** Measure and record in one step: the probe workflow's first version, kept for its runs still in flight. */
    async probeSiteReachability(): Promise<SiteProbeResult> {
      return summarizeProbes(await probeSite(db, { ...compliance().probe, registry }));
    },
  };
}
