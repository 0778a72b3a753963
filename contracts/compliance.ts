/** What the compliance workflows exchange with their activities and with whoever starts them (schedules, CLI, API). */
import type { ComplianceRunSummary, RunTrigger } from '../domain/compliance/model.js';

export interface ComplianceRunInput {
  trigger: RunTrigger;
  /** `schedule`, `os:<user>` (CLI) or `user:<name>` (API): recorded with the run and its audit entries. */
  actor: string;
}

export interface NoticeOutcome {
  unitId: string;
  /** Transports that took the notice in this attempt or an earlier one. */
  sent: ('email' | 'webhook')[];
  /** Why a transport was passed over (e.g. no editor of the unit has an e-mail address). */
  skipped: string[];
  /** The same reasons in Chinese, in the same order (absent from outcomes recorded before it was added). */
  skippedZh?: string[];
}

export interface ComplianceRunResult {
  summary: ComplianceRunSummary;
  notices: NoticeOutcome[];
}

/** One GET of one target as the probe workflow carries it between its two steps (`at` as ISO 8601). */
export interface SiteProbeMeasurement {
  at: string;
  url: string;
  ok: boolean;
  durationMs: number;
  status: number | null;
  error: string | null;
}

export interface SiteProbeResult {
  probed: number;
  failed: number;
  /** `url: reason` of each failed probe. */
  failures: string[];
}

/**
 * Schedule ids, derived from the task queue so deployments sharing a Temporal namespace (districts of
 * one city) keep theirs apart: `govpub-compliance-daily` and `govpub-site-probes` for the default
 * queue. Stable: a worker start updates the schedule of that id, never adds a second.
 */
export function complianceScheduleIds(taskQueue: string): { daily: string; probes: string } {
  return { daily: `${taskQueue}-compliance-daily`, probes: `${taskQueue}-site-probes` };
}

/** A run started by hand: its own id, so two people starting one see two runs in Temporal. */
export function manualComplianceWorkflowId(at: Date, nonce: string): string {
  return `compliance-run-${at.toISOString().replace(/[:.]/g, '-')}-${nonce}`;
}

/** Workflow ids of compliance runs (manual, or started by the daily schedule, which appends its own time). */
export function isComplianceWorkflowId(id: string): boolean {
  return id.startsWith('compliance-run-') || /-compliance-daily(-|$)/.test(id);
}
