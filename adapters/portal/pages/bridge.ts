/**
 * TEMPORARY: today's generation builder (pages/index.ts, state.ts) hands the renderers the site
 * manifest; the renderers now take page inputs (ListEntry, ArticleInput, HomeInput). These
 * conversions keep the old entry points (renderArticlePages, renderColumnFiles, renderHome)
 * working until the builder produces the inputs itself; then this file goes.
 *
 * What the manifest does not know (索引号, 发文字号, 有效性 of list entries) stays empty here.
 * A column the registry structure lacks (tests publish to ad-hoc columns) is added as a top-level
 * column named by the manifest's path, so its pages still have a breadcrumb.
 */
import type { PackageEntry, SiteManifest } from '../state.js';
import { portalPagePaths } from '../urls.js';
import type { ColumnNode, ListEntry, SiteStructure } from './model.js';
import type { SiteSettings } from './settings.js';
import { columnNode, columnOrOrphan } from './structure.js';

export function listEntryFromManifest(packageId: string, entry: PackageEntry): ListEntry {
  const paths = portalPagePaths(packageId, entry.interpretations.length);
  return {
    packageId,
    title: entry.title,
    summary: entry.summary,
    releasedAt: entry.releasedAt,
    path: paths.document,
    cover: entry.cover,
    indexNumber: null,
    documentNumber: null,
    validity: null,
    interpretations: entry.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
    homeColumnId: entry.columns[0] ?? null,
  };
}

/** The settings with every manifest column present in the structure (see above). */
export function settingsCoveringManifest(site: SiteSettings, manifest: SiteManifest): SiteSettings {
  const missing = Object.keys(manifest.columns).filter((id) => !columnNode(site.structure, id));
  if (missing.length === 0) return site;
  const extra: ColumnNode[] = missing.map((id) => columnOrOrphan(site.structure, id, manifest.columns[id]!.path));
  const structure: SiteStructure = { ...site.structure, columns: [...site.structure.columns, ...extra] };
  return { ...site, structure };
}
