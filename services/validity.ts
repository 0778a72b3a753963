/**
 * The validity command (有效性): a reviewer or an administrator declares a published normative
 * document (行政规范性文件) expired (失效) or repealed (废止), or valid again. It changes no content
 * and makes no revision: the package row keeps the validity now (packages.validity), the audit
 * trail says who changed it from what to what and why, and a Temporal workflow has the portal
 * adapter update that package's pages (workflows/document-validity.ts).
 */
import { randomBytes } from 'node:crypto';
import { requireAllowed } from '../domain/commands.js';
import { packageNotFound, refusalError } from '../domain/errors.js';
import {
  canChangeValidity,
  effectiveValidity,
  normalizedValidity,
  validityProblems,
  VALIDITY_STATE_ZH,
  type Actor,
  type PackageStatus,
  type Validity,
  type ValidityState,
} from '../domain/package-rules.js';
import { catalogueItem, type Registry } from '../domain/registry.js';
import { appendAudit } from '../db/audit.js';
import { deliveriesOfPackage } from '../db/deliveries.js';
import { findPackage, findRevision, updatePackage } from '../db/packages.js';
import type { PackageRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { validityWorkflowId } from '../contracts/validity.js';
import { documentValidityWorkflow } from '../workflows/document-validity.js';
import { commandInput } from './command-input.js';
import type { AppContext } from './context.js';
import { ValidationError } from './package-input.js';

/** The validity now (domain effectiveValidity): null for a document that is not normative. */
export function currentValidity(registry: Registry, row: Pick<PackageRow, 'validity' | 'catalogue_item_id'>, content: unknown): Validity | null {
  return effectiveValidity(catalogueItem(registry, row.catalogue_item_id)?.normative ?? false, row.validity, content);
}

export class ValidityService {
  constructor(private readonly ctx: AppContext) {}

  async change(actor: Actor, packageId: string, body: unknown) {
    requireAllowed(actor, 'changeValidity');
    const input = commandInput('changeValidity', body);
    const row = await findPackage(this.ctx.db, packageId);
    if (!row) throw packageNotFound(packageId);
    const item = catalogueItem(this.ctx.registry, row.catalogue_item_id);
    const refusal = canChangeValidity({ status: row.status as PackageStatus, normative: item?.normative ?? false, everReleased: row.released_at !== null });
    if (refusal) throw refusalError(refusal);

    const revision = await findRevision(this.ctx.db, row.id, row.approved_revision ?? row.current_revision);
    const from = currentValidity(this.ctx.registry, row, revision?.content);
    // Left out: the effective date stays; an end date only belongs to an ended document.
    const proposed = {
      state: input.state as ValidityState,
      effectiveFrom: input.effectiveFrom !== undefined ? input.effectiveFrom : (from?.effectiveFrom ?? null),
      endedAt: input.endedAt !== undefined ? input.endedAt : input.state === 'valid' ? null : (from?.endedAt ?? null),
    };
    const problems = validityProblems(proposed);
    if (problems.length > 0) throw new ValidationError(problems.map((p) => ({ path: p.field || '(body)', message: p.message, messageZh: p.messageZh })));
    const to = normalizedValidity(proposed);
    const deliveries = await deliveriesOfPackage(this.ctx.db, row.id);
    const portalColumns = [...new Set(deliveries.map((d) => d.channel_id).filter((id) => id.startsWith('portal:')))];
    const changeKey = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    if (from && from.state === to.state && from.effectiveFrom === to.effectiveFrom && from.endedAt === to.endedAt) {
      // Nothing to record; the pages are brought in line again, so repeating a command whose
      // portal update could not be started (Temporal unreachable) repairs it.
      const workflowId = await this.updatePortal(row.id, changeKey, portalColumns);
      return { id: row.id, indexNumber: row.index_number, from, validity: to, unchanged: true, portal: { columns: portalColumns, workflowId } };
    }
    await inTransaction(this.ctx.db, async (trx) => {
      await updatePackage(trx, row.id, { validity: JSON.stringify(to), updated_at: new Date() });
      await appendAudit(trx, {
        actor: actor.id,
        action: 'validity_changed',
        packageId: row.id,
        revision: row.approved_revision ?? row.current_revision,
        details: {
          from,
          to,
          fromZh: from ? VALIDITY_STATE_ZH[from.state] : null,
          toZh: VALIDITY_STATE_ZH[to.state],
          reason: input.reason,
          indexNumber: row.index_number,
        },
        eventKey: `validity:${row.id}:${changeKey}`,
      });
    });

    // The pages follow through Temporal (retried there); the change itself is already recorded.
    const workflowId = await this.updatePortal(row.id, changeKey, portalColumns);
    return { id: row.id, indexNumber: row.index_number, from, validity: to, portal: { columns: portalColumns, workflowId } };
  }

  /** Starts the workflow that has the portal adapter rewrite the package's pages (none when it is on no portal column). */
  private async updatePortal(packageId: string, changeKey: string, portalColumns: string[]): Promise<string | null> {
    if (portalColumns.length === 0) return null;
    const workflowId = validityWorkflowId(packageId, changeKey);
    await this.ctx.temporal.workflow.start(documentValidityWorkflow, { workflowId, taskQueue: this.ctx.taskQueue, args: [{ packageId, changeKey }] });
    return workflowId;
  }
}
