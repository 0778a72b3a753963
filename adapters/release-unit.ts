// The release unit an adapter formats, built from one package revision's content: the same for a delivery (activities/release-unit.ts) and for the preflight (adapters/preflight/), so what preflight checks is what a delivery sends.
import type { Registry } from '../domain/registry.js';
import { catalogueItem } from '../domain/registry.js';
import { effectiveValidity } from '../domain/package-rules.js';
import { portalPageUrls } from './portal/urls.js';
import type { MediaInfo, ReleaseUnit } from './types.js';

/** A revision's stored content as the release unit reads it (stored revisions and parsed input both fit). */
export interface ReleaseContent {
  title: string;
  catalogueItem: string;
  document: ReleaseUnit['document'];
  interpretations?: ReleaseUnit['interpretations'];
  cover?: ReleaseUnit['cover'] | null;
  targets: string[];
}

/**
 * Pure: the media infos are looked up by the caller (packageMediaIds names the ones it needs); the
 * package's 索引号 and its validity now (which the validity command changes without a revision)
 * come from its row, when the caller has one.
 */
export function releaseUnitFrom(
  content: ReleaseContent,
  at: {
    packageId: string;
    revision: number;
    contentHash: string;
    releasedAt: string;
    indexNumber?: string | null;
    validity?: NonNullable<ReleaseUnit['document']['validity']> | null;
  },
  registry: Registry,
  media: Record<string, MediaInfo>,
  portalBaseUrl: string,
): ReleaseUnit {
  const interpretations = content.interpretations ?? [];
  const item = catalogueItem(registry, content.catalogueItem);
  const portalColumns = [...new Set(content.targets.filter((t) => t.startsWith('portal:')).map((t) => t.slice('portal:'.length)))].sort();
  const onPortal = portalColumns.length > 0;
  return {
    packageId: at.packageId,
    revision: at.revision,
    contentHash: at.contentHash,
    title: content.title,
    catalogue: { id: content.catalogueItem, name: item?.name ?? content.catalogueItem, contentClass: item?.contentClass ?? 'other' },
    document: { ...content.document, validity: effectiveValidity(item?.normative ?? false, at.validity, content) },
    interpretations,
    indexNumber: at.indexNumber ?? null,
    ...(content.cover ? { cover: content.cover } : {}),
    media,
    portalLinks: onPortal ? portalPageUrls(portalBaseUrl, at.packageId, interpretations.length) : null,
    ...(onPortal ? { portalColumns } : {}),
    releasedAt: at.releasedAt,
  };
}

/**
 * What a post calls the unit's document page on the portal: 政策原文 for a policy (or its
 * interpretation's catalogue item), 原文 for a news item or a notice, which are no policy.
 */
export function documentLinkLabel(unit: Pick<ReleaseUnit, 'catalogue'>): string {
  const contentClass = unit.catalogue?.contentClass;
  return contentClass === 'policy' || contentClass === 'interpretation' ? '政策原文' : '原文';
}
