/**
 * Which pages a commit writes, and the page inputs it gives the renderers. Pure: the same state
 * renders the same bytes; the generation builder (site.ts) decides what changed and writes the files.
 *
 * A commit renders by unit (site.ts): a package's pages (art/<b>/<id>/), a column's pages and feed
 * (col/<id>/), a catalogue item's pages (xxgk/<id>/), and the root files every commit rewrites (home
 * page, site feed, sitemap index and its site part, site map and catalogue index). Files that
 * change only with the settings, templates or registry (robots.txt, 404, stylesheet, script,
 * favicon) are written when the render key changes.
 *
 * Links between pages are relative, so one site works under any prefix (`/portal/` behind the API,
 * a domain root in production) and even from disk. Feeds, the sitemap and canonical links need
 * absolute URLs and use the configured public base URL.
 */
import { listNewestFirst, type ListItem, type ListState, type PackageRecord, type RootState, type SitemapMonth } from '../state.js';
import { SITE_PATHS } from '../urls.js';
import { renderArticle } from './article.js';
import { FAVICON_PATH, SITE_JS, SITE_JS_PATH, faviconIco } from './assets.js';
import { renderCatalogueCategoryPages, renderCatalogueIndex, renderCatalogueItemPages } from './catalogue.js';
import { renderColumnPages } from './column.js';
import type { PageReuse } from './entry-list.js';
import { renderSiteFeed } from './feed.js';
import { renderHomePage } from './home.js';
import type { CatalogueItemView, ColumnNode } from './model.js';
import { siteHomeHref, type SiteSettings } from './settings.js';
import { renderSiteMapPage } from './site-map.js';
import { renderMonthParts, renderRobots, renderSitemapIndex, renderSitePart, SITE_PART } from './sitemap.js';
import { renderSearchPage, SEARCH_ASSETS } from './search.js';
import { renderNotFoundPage } from './standalone.js';
import { catalogueItemView, columnNode, columnOrOrphan } from './structure.js';
import { SITE_CSS, SITE_CSS_PATH } from './style.js';

/** Bump when the markup changes: every page is rendered again on the next commit. */
export const RENDER_VERSION = 'portal-pages-19';

export type FileContent = string | Uint8Array;
export type { PageReuse };

/** What every renderer may look at besides the unit it renders: the settings (with the registry's structure) and the root state. */
export interface SiteView {
  /** The settings, with the columns and catalogue items the site holds but the registry does not (a site run without one, a column removed since) added. */
  site: SiteSettings;
  root: RootState;
}

/**
 * The settings as pages see them: the registry's structure plus, as top-level orphans, the columns
 * and catalogue items the site holds that it lacks, so their pages have a breadcrumb and appear in
 * the site map and the catalogue.
 */
export function siteView(settings: SiteSettings, root: RootState): SiteView {
  const structure = settings.structure;
  const orphanColumns: ColumnNode[] = Object.keys(root.columns)
    .filter((id) => !columnNode(structure, id))
    .sort()
    .map((id) => columnOrOrphan(structure, id, root.columns[id]!.path));
  const orphanItems: CatalogueItemView[] = Object.keys(root.catalogue)
    .filter((id) => !catalogueItemView(structure, id))
    .sort()
    .map((id) => orphanCatalogueItem(id));
  if (orphanColumns.length === 0 && orphanItems.length === 0) return { site: settings, root };
  return {
    site: {
      ...settings,
      structure: {
        ...structure,
        columns: [...structure.columns, ...orphanColumns],
        roots: [...structure.roots, ...orphanColumns.map((c) => c.id)],
        catalogue: [...structure.catalogue, ...orphanItems],
      },
    },
    root,
  };
}

/** A catalogue item a document names that the registry does not hold: its pages list the documents, its elements say 未配置. */
function orphanCatalogueItem(id: string): CatalogueItemView {
  const unset = '未配置';
  return {
    id,
    category: '其他',
    name: id,
    content: unset,
    basis: unset,
    subject: unset,
    responsibleDepartment: unset,
    responsibleSection: unset,
    timeLimit: unset,
    audience: unset,
    channels: [],
    method: unset,
    attribute: 'proactive',
    portalColumnId: '',
  };
}

function columnOf(view: SiteView, columnId: string): ColumnNode {
  return columnOrOrphan(view.site.structure, columnId, view.root.columns[columnId]?.path ?? []);
}

/** A package's document page and interpretation pages, by site-root-relative path. */
export function renderPackagePages(record: PackageRecord, view: SiteView): Map<string, FileContent> {
  return renderArticle(
    {
      packageId: record.entry.item.packageId,
      payload: record.source.payload,
      media: record.source.media,
      columns: record.entry.columns.map((id) => columnOf(view, id)),
    },
    view.site,
  );
}

/**
 * A column's index pages and RSS feed (col/<id>/…); every column has a page, an empty one says so.
 * A parent column's index page and feed also show the newest items of its subtree.
 */
export function renderColumnUnit(columnId: string, list: ListState, view: SiteView, reuse?: PageReuse): Map<string, FileContent> {
  return renderColumnPages(columnOf(view, columnId), listNewestFirst(list), view.site, reuse, list.subtree ?? []);
}

/** A disclosure catalogue item's pages (xxgk/<id>/…): its 13 elements and its documents, newest first. */
export function renderCatalogueUnit(itemId: string, list: ListState, view: SiteView, reuse?: PageReuse): Map<string, FileContent> {
  const item = catalogueItemView(view.site.structure, itemId) ?? orphanCatalogueItem(itemId);
  return renderCatalogueItemPages(item, listNewestFirst(list), view.site, reuse);
}

/** Catalogue items that have a page: every registry item, and any other one a document names. */
export function catalogueItemIds(view: SiteView): string[] {
  return view.site.structure.catalogue.map((c) => c.id);
}

/**
 * Files at the site root a commit writes: the home page, the site feed, the sitemap index and its
 * site part, the site map and the catalogue index always (small; counts and orphans change);
 * with `full` (the render key changed, or the first generation) also the files that change only
 * with the settings and templates.
 */
export function renderRootFiles(view: SiteView, full: boolean, changedLists: ReadonlySet<string> = new Set()): Map<string, FileContent> {
  const files = new Map<string, FileContent>();
  const { site, root } = view;
  // A category page shows its items' counts: written again when one of its items' lists changed.
  const categories = new Set<string>();
  for (const list of changedLists) {
    const item = list.startsWith('xxgk/') ? site.structure.catalogue.find((i) => i.id === decodeURIComponent(list.slice(5))) : undefined;
    if (item) categories.add(item.category);
  }
  for (const [file, content] of renderCatalogueCategoryPages(root.catalogue, site, full ? undefined : categories)) files.set(file, content);
  const columnLatest: Record<string, readonly ListItem[]> = root.keyAreaLatest ?? {};
  files.set(SITE_PATHS.home, renderHomePage({ latest: root.latest, columnLatest }, site));
  files.set(SITE_PATHS.feed, renderSiteFeed(root.latest.slice(0, site.feedSize), site));
  files.set(SITE_PATHS.sitemap, renderSitemapIndex(root, site));
  files.set(SITE_PART, renderSitePart(root, site, catalogueItemIds(view)));
  files.set(SITE_PATHS.siteMap, renderSiteMapPage(site));
  files.set(SITE_PATHS.catalogue, renderCatalogueIndex(root.catalogue, site));
  if (full) {
    files.set(SITE_PATHS.robots, renderRobots(site));
    files.set(SITE_PATHS.notFound, renderNotFoundPage(site, siteHomeHref(site.publicBaseUrl)));
    files.set(SITE_CSS_PATH, SITE_CSS);
    files.set(SITE_JS_PATH, SITE_JS);
    files.set(FAVICON_PATH, faviconIco());
    files.set(SITE_PATHS.search, renderSearchPage(site));
    for (const [file, content] of Object.entries(SEARCH_ASSETS)) files.set(file, content);
  }
  return files;
}

/** A month's sitemap part(s). */
export function renderSitemapMonth(month: string, state: SitemapMonth, view: SiteView): Map<string, FileContent> {
  return renderMonthParts(month, state, view.site);
}
