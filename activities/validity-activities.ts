/**
 * The portal side of a validity change: the current 有效性 from the database, handed to the portal
 * adapter's `updateDocumentValidity`, which rewrites that package's pages (no new revision, no
 * delivery: the content did not change). Runs on the portal's task queue, beside its deliveries.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { DocumentValidity } from '../adapters/portal/pages/model.js';
import type { ValidityUpdateInput, ValidityUpdateResult } from '../contracts/validity.js';
import { findPackage, findRevision } from '../db/packages.js';
import { catalogueItem, listChannels } from '../domain/registry.js';
import { effectiveValidity } from '../domain/package-rules.js';
import type { DeliveryDeps } from './delivery-activities.js';

/** The method the portal adapter offers for it (adapters/portal/index.ts). */
interface ValidityCapable {
  updateDocumentValidity(packageId: string, validity: DocumentValidity): Promise<unknown>;
}

export function createValidityActivities(deps: DeliveryDeps) {
  return {
    async updatePortalValidity(input: ValidityUpdateInput): Promise<ValidityUpdateResult> {
      const row = await findPackage(deps.db, input.packageId);
      if (!row) throw ApplicationFailure.nonRetryable(`No package with id ${input.packageId}.`, 'not_found');
      const revision = await findRevision(deps.db, row.id, row.approved_revision ?? row.current_revision);
      const validity = effectiveValidity(catalogueItem(deps.registry, row.catalogue_item_id)?.normative ?? false, row.validity, revision?.content);
      if (!validity) return { packageId: row.id, validity: null };
      // Every portal column is served by the same adapter (one web root): any portal channel finds it.
      const channel = listChannels(deps.registry).find((c) => c.platform === 'portal');
      const adapter = channel ? (deps.adapterFor(channel) as unknown as Partial<ValidityCapable>) : undefined;
      if (typeof adapter?.updateDocumentValidity !== 'function') {
        throw ApplicationFailure.nonRetryable(
          "The portal adapter cannot update a document's validity (no updateDocumentValidity): update govpub's portal publisher.",
          'portal_validity_unsupported',
        );
      }
      await adapter.updateDocumentValidity(row.id, validity);
      return { packageId: row.id, validity };
    },
  };
}
