/**
 * The compliance monitor in a worker process: its activities' dependencies (the monitor over the
 * database, the portal's web root and the platforms' own post lists; the notice transports; the
 * probe targets) and its two Temporal Schedules, created or brought up to the settings whenever a
 * worker starts. Several workers starting at once converge on one schedule of each id.
 */
import type { Client } from '@temporalio/client';
import {
  isGrpcServiceError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ServiceError,
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

/** gRPC codes that say the request is wrong, not that the server is busy: asking again cannot help. */
const LASTING_CODES = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 12 /* UNIMPLEMENTED */, 16 /* UNAUTHENTICATED */]);

/**
 * Whether a schedule call's failure is the server not answering yet. A dev server restarted on its
 * history answers describe (a query to the schedule's own workflow) only once it has loaded it again;
 * under load that came back as "Failed to describe schedule" and ended the worker's start.
 */
export function isPassingScheduleError(error: unknown): boolean {
  if (!(error instanceof ServiceError)) return false;
  const cause = error.cause;
  return !isGrpcServiceError(cause) || !LASTING_CODES.has(cause.code);
}

/** How long a starting worker keeps asking a server that does not answer about a schedule. */
export const SCHEDULE_PATIENCE_MS = 60_000;

/** Runs `call`, asking again while the server does not answer yet (isPassingScheduleError), up to `patienceMs`. */
export async function askScheduleWithPatience<T>(
  scheduleId: string,
  call: () => Promise<T>,
  log: Log,
  options: { patienceMs?: number; waitsMs?: number[] } = {},
): Promise<T> {
  const patienceMs = options.patienceMs ?? SCHEDULE_PATIENCE_MS;
  const waits = options.waitsMs ?? [500, 1_000, 2_000, 4_000, 5_000];
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isPassingScheduleError(error)) throw error;
      const cause = (error as ServiceError).cause;
      const why = `${(error as Error).message}${cause instanceof Error ? `: ${cause.message}` : ''}`;
      const wait = waits[Math.min(attempt, waits.length - 1)]!;
      if (Date.now() - started + wait > patienceMs)
        throw new GovpubError(
          'temporal_not_answering',
          `The Temporal server did not answer about the schedule ${scheduleId} for ${Math.round(patienceMs / 1000)} s (${why}). ` +
            'It may still be loading its history after a restart: start the worker again. If it keeps failing, check the server ' +
            '(temporal operator cluster health) or set GOVPUB_COMPLIANCE_SCHEDULES=off to start without touching the compliance schedules.',
          { scheduleId },
          {
            zh: `Temporal 服务器 ${Math.round(patienceMs / 1000)} 秒内未答复定时任务 ${scheduleId} 的查询（${why}）。服务器可能刚重启、仍在载入历史：请再次启动 worker；如反复出现，请检查服务器状态（temporal operator cluster health），或设置 GOVPUB_COMPLIANCE_SCHEDULES=off 暂不处理合规检查定时任务。`,
          },
        );
      if (attempt === 0) log(`schedule: ${scheduleId}: the Temporal server does not answer yet (${why}); asking again`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Creates each schedule, or updates its spec, action and overlap policy to the settings. A schedule an
 * operator paused stays paused (its state is kept); a run still going when the next is due is skipped.
 * A server that does not answer yet (restarted, loading its history) is asked again for a minute.
 */
export async function ensureComplianceSchedules(client: Client, settings: Pick<Settings, 'compliance'>, taskQueue: string, log: Log): Promise<void> {
  for (const def of complianceSchedules(settings, taskQueue)) {
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' };
    const update = () =>
      askScheduleWithPatience(
        def.scheduleId,
        () =>
          client.schedule
            .getHandle(def.scheduleId)
            .update((previous) => ({ ...previous, spec: def.spec, action: def.action, policies: { ...previous.policies, ...policies } })),
        log,
      );
    try {
      await update();
      log(`schedule: ${def.scheduleId} updated (${def.description})`);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      try {
        await askScheduleWithPatience(
          def.scheduleId,
          () => client.schedule.create({ scheduleId: def.scheduleId, spec: def.spec, action: def.action, policies }),
          log,
        );
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
