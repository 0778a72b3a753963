/**
 * The release unit an adapter formats: one stored revision of a package with its catalogue item,
 * the probe of every upload it refers to, and the portal links (when it goes to the portal).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { MediaInfo, ReleaseUnit } from '../adapters/types.js';
import { portalPageUrls } from '../adapters/portal/urls.js';
import { findRevision } from '../db/packages.js';
import { packageMediaIds } from '../domain/package-media.js';
import { catalogueItem } from '../domain/registry.js';
import type { DeliveryRef } from '../contracts/delivery.js';
import type { DeliveryDeps } from './delivery-activities.js';

export async function loadReleaseUnit(deps: DeliveryDeps, ref: DeliveryRef, releasedAt: string): Promise<ReleaseUnit> {
  const revision = await findRevision(deps.db, ref.packageId, ref.revision);
  if (!revision)
    throw ApplicationFailure.nonRetryable(`Revision ${ref.revision} of package ${ref.packageId} is missing from the database.`, 'revision_missing');
  const content = revision.content as {
    title: string;
    catalogueItem: string;
    document: ReleaseUnit['document'];
    interpretations?: ReleaseUnit['interpretations'];
    cover?: ReleaseUnit['cover'];
    targets: string[];
  };
  const interpretations = content.interpretations ?? [];
  const item = catalogueItem(deps.registry, content.catalogueItem);
  const media: Record<string, MediaInfo> = {};
  for (const id of packageMediaIds(content)) {
    const info = await deps.mediaInfo(id);
    if (info) media[id] = info;
  }
  const onPortal = content.targets.some((t) => t.startsWith('portal:'));
  return {
    packageId: ref.packageId,
    revision: ref.revision,
    contentHash: revision.content_hash,
    title: content.title,
    catalogue: { id: content.catalogueItem, name: item?.name ?? content.catalogueItem, contentClass: item?.contentClass ?? 'other' },
    document: content.document,
    interpretations,
    ...(content.cover ? { cover: content.cover } : {}),
    media,
    portalLinks: onPortal ? portalPageUrls(deps.portalBaseUrl, ref.packageId, interpretations.length) : null,
    releasedAt,
  };
}
