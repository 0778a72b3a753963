/**
 * The release unit an adapter formats: one stored revision of a package with its catalogue item,
 * the probe of every upload it refers to, and the portal links (when it goes to the portal).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { MediaInfo, ReleaseUnit } from '../adapters/types.js';
import { releaseUnitFrom, type ReleaseContent } from '../adapters/release-unit.js';
import { findPackage, findRevision } from '../db/packages.js';
import { effectiveValidity } from '../domain/package-rules.js';
import { packageMediaIds } from '../domain/package-media.js';
import type { DeliveryRef } from '../contracts/delivery.js';
import type { DeliveryDeps } from './delivery-activities.js';

export async function loadReleaseUnit(deps: DeliveryDeps, ref: DeliveryRef, releasedAt: string): Promise<ReleaseUnit> {
  const revision = await findRevision(deps.db, ref.packageId, ref.revision);
  if (!revision)
    throw ApplicationFailure.nonRetryable(`Revision ${ref.revision} of package ${ref.packageId} is missing from the database.`, 'revision_missing');
  const content = revision.content as ReleaseContent;
  const row = await findPackage(deps.db, ref.packageId);
  const media: Record<string, MediaInfo> = {};
  for (const id of packageMediaIds(content)) {
    const info = await deps.mediaInfo(id);
    if (info) media[id] = info;
  }
  return releaseUnitFrom(
    content,
    {
      packageId: ref.packageId,
      revision: ref.revision,
      contentHash: revision.content_hash,
      releasedAt,
      indexNumber: row?.index_number ?? null,
      validity: row?.validity ? effectiveValidity(true, row.validity, content) : null,
    },
    deps.registry,
    media,
    deps.portalBaseUrl,
  );
}
