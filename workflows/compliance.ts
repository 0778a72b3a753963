/**
 * The compliance monitor on Temporal. A run: one pass of the checks (an activity: facts from the
 * database, the portal and the platforms' own lists, findings reconciled), then a notice to every
 * owner unit with findings opened or made worse in that run, each unit's notice its own activity so
 * one unit's dead mail server never holds up another's. The site probe: one GET of each public
 * target every few minutes, recorded for the monitor's reachability window.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ComplianceRunInput, ComplianceRunResult, SiteProbeResult } from '../contracts/compliance.js';

const checks = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
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

export async function complianceRunWorkflow(input: ComplianceRunInput): Promise<ComplianceRunResult> {
  const summary = await checks.runComplianceChecks(input);
  const units = await checks.unitsToNotify({ runId: summary.runId });
  const outcomes = await Promise.all(units.map((unitId) => notices.sendComplianceNotice({ runId: summary.runId, unitId })));
  return { summary, notices: outcomes };
}

export async function siteProbeWorkflow(): Promise<SiteProbeResult> {
  return probes.probeSiteReachability();
}
