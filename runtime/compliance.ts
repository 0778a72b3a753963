/**
 * The compliance monitor in a worker process: its activities' dependencies (the monitor over the
 * database, the portal's web root and the platforms' own post lists; the notice transports; the
 * probe targets) and its two Temporal Schedules, created or brought up to the settings whenever a
 * worker starts. Several workers starting at once converge on one schedule of each id.
 */
import type { Client } from '@temporalio/client';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { ComplianceActivityDeps } from '../activities/compliance-activities.js';
import type { DeliveryDeps } from '../activities/delivery-activities.js';
import type { Settings } from '../config/settings.js';
import { complianceScheduleIds, type ComplianceRunInput } from '../contracts/compliance.js';
import { ComplianceMonitor } from '../services/compliance/monitor.js';
import { PlatformPostLists } from '../services/compliance/platform-posts.js';
import type { AppContext } from '../services/context.js';
import { noticeTransports } from '../services/notify/index.js';
import { GovpubError } from '../domain/errors.js';

type Log = (line: string) => void;

export function complianceActivityDeps(
  ctx: AppContext,
  channels: DeliveryDeps,
  settings: Pick<Settings, 'compliance' | 'portalRoot' | 'portalUrl' | 'publicBaseUrl'>,
  secrets: { env: NodeJS.ProcessEnv; secretsFile?: string },
  log: Log = () => {},
): ComplianceActivityDeps {
  const units = new Set(ctx.registry.units.map((u) => u.id));
  const unknown = Object.keys(settings.compliance.webhook.unitUrls).filter((id) => !units.has(id));
  if (unknown.length > 0) {
    throw new GovpubError(
      'setting_invalid',
      `GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS names unit${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, not in config/registry/units.yaml (units: ${[...units].join(', ')}). Correct the id or remove the entry.`,
    );
  }
  const monitor = new ComplianceMonitor(ctx, {
    platformPosts: new PlatformPostLists(channels, { log }),
    portal: { webRoot: settings.portalRoot },
  });
  return {
    runChecks: (trigger, actor, runId) => monitor.run(trigger, actor, { runId }),
    transports: noticeTransports(settings.compliance, secrets),
    probe: { portalUrl: settings.portalUrl, timeoutMs: settings.compliance.probeTimeoutMs, extraUrls: settings.compliance.probeUrls },
    consoleUrl: `${settings.publicBaseUrl}/console/`,
  };
}

export interface ScheduleDefinition {
  scheduleId: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<any>;
  description: string;
}

/** The two schedules as the settings define them. */
export function complianceSchedules(settings: Pick<Settings, 'compliance'>, taskQueue: string): ScheduleDefinition[] {
  const { dailyAt, timezone, probeEveryMinutes } = settings.compliance;
  const run: ComplianceRunInput = { trigger: 'schedule', actor: 'schedule' };
  const ids = complianceScheduleIds(taskQueue);
  const hhmm = `${String(dailyAt.hour).padStart(2, '0')}:${String(dailyAt.minute).padStart(2, '0')}`;
  return [
    {
      scheduleId: ids.daily,
      spec: { calendars: [{ hour: dailyAt.hour, minute: dailyAt.minute, comment: 'daily compliance check' }], timezone },
      action: { type: 'startWorkflow', workflowType: 'complianceRunWorkflow', args: [run], taskQueue, workflowId: ids.daily },
      description: `daily at ${hhmm} ${timezone}`,
    },
    {
      scheduleId: ids.probes,
      spec: { intervals: [{ every: `${probeEveryMinutes}m` }] },
      action: { type: 'startWorkflow', workflowType: 'siteProbeWorkflow', args: [], taskQueue, workflowId: ids.probes },
      description: `every ${probeEveryMinutes} min`,
    },
  ];
}

/**
 * Creates each schedule, or updates its spec, action and overlap policy to the settings. A schedule an
 * operator paused stays paused (its state is kept); a run still going when the next is due is skipped.
 */
export async function ensureComplianceSchedules(client: Client, settings: Pick<Settings, 'compliance'>, taskQueue: string, log: Log): Promise<void> {
  for (const def of complianceSchedules(settings, taskQueue)) {
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' };
    const update = () =>
      client.schedule
        .getHandle(def.scheduleId)
        .update((previous) => ({ ...previous, spec: def.spec, action: def.action, policies: { ...previous.policies, ...policies } }));
    try {
      await update();
      log(`schedule: ${def.scheduleId} updated (${def.description})`);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      try {
        await client.schedule.create({ scheduleId: def.scheduleId, spec: def.spec, action: def.action, policies });
        log(`schedule: ${def.scheduleId} created (${def.description})`);
      } catch (createError) {
        // Another worker created it a moment ago: bring it to our settings like any existing one.
        if (!(createError instanceof ScheduleAlreadyRunning)) throw createError;
        await update();
        log(`schedule: ${def.scheduleId} updated (${def.description})`);
      }
    }
  }
}
