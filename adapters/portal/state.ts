/**
 * The portal's site state and how changes apply to it. Pure: the generation builder (site.ts)
 * reads the manifest of the current generation, applies a batch of changes here and renders
 * what this says changed.
 *
 * The manifest lives inside each generation (`.govpub/manifest.json`) so it is swapped in with
 * the pages it describes: whoever reads `current` sees pages and state of the same release.
 */
import { PORTAL_COVER_SPEC, type PortalPayload } from './payload.js';

/** Inside each generation, beside the pages it describes; dot files are never served. */
export const STATE_DIR = '.govpub';
export const MANIFEST_PATH = `${STATE_DIR}/manifest.json`;

/** Where a package's source is kept in a generation, to render its pages again. */
export function packageSourcePath(packageId: string): string {
  return `${STATE_DIR}/packages/${packageId}.json`;
}

/** A rendition copied into the site (`media/<sha256>.<ext>`). */
export interface MediaFile {
  /** Path relative to the site root. */
  file: string;
  mime: string;
  bytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
}

/** Everything needed to render a package's pages again, kept in `.govpub/packages/<id>.json`. */
export interface PackageSource {
  version: 1;
  payload: PortalPayload;
  /** By `${mediaId} ${spec}`. */
  media: Record<string, MediaFile>;
}

export function mediaKey(mediaId: string, spec: string): string {
  return `${mediaId} ${spec}`;
}

/** What lists, feeds and the sitemap need of one package, without reading its source. */
export interface PackageEntry {
  revision: number;
  contentHash: string;
  title: string;
  summary: string;
  releasedAt: string;
  interpretations: { title: string; formLabel: string }[];
  cover: { file: string; width?: number; height?: number; alt: string } | null;
  /** Columns listing the package, in the order they were added; the first is its home column (breadcrumbs). */
  columns: string[];
  /** Files under media/ its pages use. */
  media: string[];
}

export interface ColumnEntry {
  path: string[];
  /** Packages listed, in the order they were added (pages sort by release date). */
  packages: string[];
}

export interface SiteManifest {
  version: 1;
  generation: number;
  /** When this generation became current (for cleanup grace periods; never rendered). */
  committedAt: string | null;
  /** Settings and renderer version the pages were rendered with: a change re-renders everything. */
  renderKey: string;
  columns: Record<string, ColumnEntry>;
  packages: Record<string, PackageEntry>;
}

export type SiteChange =
  { kind: 'publish'; columnId: string; columnPath: string[]; source: PackageSource } | { kind: 'unpublish'; columnId: string; packageId: string };

export function emptyManifest(): SiteManifest {
  return { version: 1, generation: 0, committedAt: null, renderKey: '', columns: {}, packages: {} };
}

export interface AppliedChanges {
  manifest: SiteManifest;
  /** False when every change was already in place (an idempotent republish, a repeated take-down). */
  changed: boolean;
  /** Packages whose pages must be (re)written, with the new source when it changed. */
  renderPackages: Set<string>;
  newSources: Map<string, PackageSource>;
  /** Packages no column lists any more: their pages go. */
  removedPackages: Set<string>;
  /** Columns whose index pages and feed must be rewritten. */
  renderColumns: Set<string>;
}

export function entryFromSource(source: PackageSource, columns: string[]): PackageEntry {
  const p = source.payload;
  const cover = p.cover ? source.media[mediaKey(p.cover.mediaId, PORTAL_COVER_SPEC)] : undefined;
  return {
    revision: p.revision,
    contentHash: p.contentHash,
    title: p.document.title,
    summary: p.summary,
    releasedAt: p.releasedAt,
    interpretations: p.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
    cover: cover && p.cover ? { file: cover.file, width: cover.width, height: cover.height, alt: p.cover.alt } : null,
    columns,
    media: [...new Set(Object.values(source.media).map((m) => m.file))].sort(),
  };
}

/**
 * Applies changes in order. A publish of an older revision than the one on the site (a late retry)
 * lists the package without rolling its pages back; the same revision with the same content is a
 * no-op, so republishing is idempotent.
 */
export function applyChanges(previous: SiteManifest, changes: SiteChange[]): AppliedChanges {
  const manifest: SiteManifest = structuredClone(previous);
  const renderPackages = new Set<string>();
  const renderColumns = new Set<string>();
  const newSources = new Map<string, PackageSource>();
  let changed = false;

  for (const change of changes) {
    if (change.kind === 'publish') {
      const packageId = change.source.payload.packageId;
      const incoming = change.source.payload;
      const existingColumn = manifest.columns[change.columnId];
      if (!existingColumn) {
        manifest.columns[change.columnId] = { path: change.columnPath, packages: [] };
        changed = true;
      } else if (change.columnPath.length > 0 && existingColumn.path.join('>') !== change.columnPath.join('>')) {
        // Renamed in the registry: the column's pages and every page whose breadcrumb shows it change.
        existingColumn.path = change.columnPath;
        renderColumns.add(change.columnId);
        for (const id of existingColumn.packages) renderPackages.add(id);
        changed = true;
      }
      const column = manifest.columns[change.columnId]!;
      let entry = manifest.packages[packageId];
      const replacesContent =
        !entry || incoming.revision > entry.revision || (incoming.revision === entry.revision && incoming.contentHash !== entry.contentHash);
      if (replacesContent) {
        const columns = entry?.columns ?? [];
        entry = entryFromSource(change.source, columns);
        manifest.packages[packageId] = entry;
        newSources.set(packageId, change.source);
        renderPackages.add(packageId);
        // Titles and interpretation links in every list showing it change too.
        for (const c of columns) renderColumns.add(c);
        changed = true;
      }
      if (!entry!.columns.includes(change.columnId)) {
        entry!.columns.push(change.columnId);
        // The page lists its columns (所属栏目).
        renderPackages.add(packageId);
        changed = true;
      }
      if (!column.packages.includes(packageId)) {
        column.packages.push(packageId);
        renderColumns.add(change.columnId);
        changed = true;
      }
    } else {
      const entry = manifest.packages[change.packageId];
      const column = manifest.columns[change.columnId];
      if (!entry || !column || !column.packages.includes(change.packageId)) continue;
      column.packages = column.packages.filter((id) => id !== change.packageId);
      entry.columns = entry.columns.filter((id) => id !== change.columnId);
      renderColumns.add(change.columnId);
      changed = true;
      if (entry.columns.length === 0) {
        delete manifest.packages[change.packageId];
        newSources.delete(change.packageId);
      } else {
        renderPackages.add(change.packageId);
      }
    }
  }

  const removedPackages = new Set(Object.keys(previous.packages).filter((id) => !manifest.packages[id]));
  for (const id of [...renderPackages]) if (!manifest.packages[id]) renderPackages.delete(id);
  for (const id of [...newSources.keys()]) if (!manifest.packages[id]) newSources.delete(id);
  return { manifest, changed, renderPackages, newSources, removedPackages, renderColumns };
}

/** Packages of a column, newest first (release date, then id for a stable order). */
export function columnPackagesNewestFirst(manifest: SiteManifest, columnId: string): string[] {
  const column = manifest.columns[columnId];
  if (!column) return [];
  return sortNewestFirst(manifest, column.packages);
}

export function sortNewestFirst(manifest: SiteManifest, packageIds: string[]): string[] {
  return packageIds
    .filter((id) => manifest.packages[id])
    .sort((a, b) => {
      const ta = manifest.packages[a]!.releasedAt;
      const tb = manifest.packages[b]!.releasedAt;
      if (ta !== tb) return ta < tb ? 1 : -1;
      return a < b ? -1 : a > b ? 1 : 0;
    });
}
