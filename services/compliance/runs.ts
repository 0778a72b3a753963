/**
 * Compliance runs on demand (CLI, API): the same workflow the daily schedule starts, under an id of
 * its own; and a started run's outcome by that id. Only ops and admins start runs: a run touches
 * every unit's findings and sends notices.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { isComplianceWorkflowId, manualComplianceWorkflowId, type ComplianceRunInput, type ComplianceRunResult } from '../../contracts/compliance.js';
import { GovpubError } from '../../domain/errors.js';
import type { Actor } from '../../domain/package-rules.js';
import type { AppContext } from '../context.js';

export interface StartedRun {
  workflowId: string;
  runId: string;
}

export interface RunOutcome {
  workflowId: string;
  status: 'running' | 'completed' | 'failed';
  result: ComplianceRunResult | null;
  error: string | null;
}

export function requireRunStarter(actor: Actor): void {
  if (actor.role !== 'ops' && actor.role !== 'admin') {
    throw new GovpubError('forbidden', `Only operations (ops) and admins start a compliance run; ${actor.name} is ${actor.role}.`, { status: 403 });
  }
}

export async function startComplianceRun(ctx: AppContext, actor: string, now = new Date()): Promise<StartedRun> {
  const workflowId = manualComplianceWorkflowId(now, randomBytes(3).toString('hex'));
  const input: ComplianceRunInput = { trigger: 'manual', actor };
  const handle = await ctx.temporal.workflow.start('complianceRunWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  return { workflowId, runId: handle.firstExecutionRunId };
}

export async function complianceRunOutcome(ctx: AppContext, workflowId: string): Promise<RunOutcome> {
  const unknown = () =>
    new GovpubError(
      'not_found',
      `No compliance run ${workflowId}. Start one with POST /api/compliance/runs (or \`govpub compliance run\`).`,
      { status: 404 },
      { zh: `找不到合规检查运行 ${workflowId}。可用 POST /api/compliance/runs（或 \`govpub compliance run\`）发起一次。` },
    );
  if (!isComplianceWorkflowId(workflowId)) throw unknown();
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw unknown();
    throw error;
  }
  if (status === 'RUNNING') return { workflowId, status: 'running', result: null, error: null };
  if (status === 'COMPLETED') return { workflowId, status: 'completed', result: (await handle.result()) as ComplianceRunResult, error: null };
  const error = await handle.result().then(
    () => null,
    (e: Error) => (e.cause as Error | undefined)?.message ?? e.message,
  );
  return { workflowId, status: 'failed', result: null, error: error ?? status.toLowerCase() };
}

/** Starts a run and waits for it (the CLI). */
export async function runComplianceAndWait(ctx: AppContext, actor: string): Promise<{ workflowId: string; result: ComplianceRunResult }> {
  const { workflowId } = await startComplianceRun(ctx, actor);
  const result = (await ctx.temporal.workflow.getHandle(workflowId).result()) as ComplianceRunResult;
  return { workflowId, result };
}
