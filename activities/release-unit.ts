/**
 * The release unit an adapter formats: one stored revision of a package with its catalogue item,
 * the probe of every upload it refers to, and the portal links (when it goes to the portal).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { MediaInfo, ReleaseUnit } from '../adapters/types.js';
import { releaseUnitFrom, type ReleaseContent } from '../adapters/release-unit.js';
import { findPackage, findRevision } from '../db/packages.js';
import { deepFreeze } from '../domain/deep-freeze.js';
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

/** How long a loaded unit serves the other deliveries of its release (their formats run within a second or two). */
const RELEASE_UNIT_REUSE_MS = 30_000;
/** Units kept at once (a few releases' worth; each holds one revision's content). */
const RELEASE_UNITS_KEPT = 32;

/**
 * Loads each release's unit once for all its deliveries (a policy package goes to nine channels,
 * and each format read the same revision, package row and probes). Keyed by the release (package,
 * revision, release time): a later release or a retry after the reuse window reads the database
 * again. The unit is frozen: the format steps are pure, and one that wrote into a shared unit
 * would change what the other channels publish, so it fails loudly instead.
 */
export function releaseUnitLoader(deps: DeliveryDeps): (ref: DeliveryRef, releasedAt: string) => Promise<ReleaseUnit> {
  const kept = new Map<string, { at: number; unit: Promise<ReleaseUnit> }>();
  return (ref, releasedAt) => {
    const key = `${ref.packageId}\n${ref.revision}\n${releasedAt}`;
    const now = Date.now();
    const hit = kept.get(key);
    if (hit && now - hit.at < RELEASE_UNIT_REUSE_MS) return hit.unit;
    for (const [k, entry] of kept) if (now - entry.at >= RELEASE_UNIT_REUSE_MS || kept.size >= RELEASE_UNITS_KEPT) kept.delete(k);
    const unit = loadReleaseUnit(deps, ref, releasedAt).then(deepFreeze);
    kept.set(key, { at: now, unit });
    // A failed load (the database away) is not kept: the next delivery reads again.
    unit.catch(() => kept.get(key)?.unit === unit && kept.delete(key));
    return unit;
  };
}
