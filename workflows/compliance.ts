/**
 * The compliance monitor on Temporal. A run: one pass of the checks (an activity: facts from the
 * database, the portal and the platforms' own lists, findings reconciled), then a notice to every
 * owner unit with findings opened or made worse in that run, each unit's notice its own activity so
 * one unit's dead mail server never holds up another's. The site probe: one GET of each public
 * target every few minutes, then recorded for the monitor's reachability window, as two steps so a
 * database outage delays the record instead of failing the probe.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ComplianceRunInput, ComplianceRunResult, SiteProbeResult } from '../contracts/compliance.js';
import { summarizeProbes } from '../domain/compliance/probe-summary.js';

const checks = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  // Five attempts span about 2.5 minutes: a database restart or failover is waited out.
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

const notices = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A receiver down for a while gets the notice when it is back, within the day.
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 12 },
});

const probes = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A probe is a measurement at a moment: repeating it later would measure another moment.
  retry: { maximumAttempts: 2 },
});

const probeRecords = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // A measurement keeps its moment, so it is recorded late rather than lost: a database restarting
  // or failing over for a while is waited out (the schedule skips the probes due meanwhile).
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function complianceRunWorkflow(input: ComplianceRunInput): Promise<ComplianceRunResult> {
  const summary = await checks.runComplianceChecks(input);
  const units = await checks.unitsToNotify({ runId: summary.runId });
  const outcomes = await Promise.all(units.map((unitId) => notices.sendComplianceNotice({ runId: summary.runId, unitId })));
  return { summary, notices: outcomes };
}

/** Measuring and recording as two steps (before it, one step that failed with the database). */
const SITE_PROBE_RECORDED_APART_PATCH = 'site-probe-recorded-apart';

export async function siteProbeWorkflow(): Promise<SiteProbeResult> {
  // Runs started before measuring and recording were two steps replay their one step.
  if (!patched(SITE_PROBE_RECORDED_APART_PATCH)) return probes.probeSiteReachability();
  const measured = await probes.measureSiteReachability();
  await probeRecords.recordSiteProbes({ probes: measured });
  return summarizeProbes(measured);
}
