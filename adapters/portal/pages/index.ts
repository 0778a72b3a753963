/**
 * The portal's pages as strings, and which of them a commit writes. Pure: the same state renders
 * the same bytes; the generation builder (site.ts) decides what changed and writes the files.
 *
 * A commit renders by unit (site.ts): a package's pages (art/<b>/<id>/), a column's pages and feed
 * (col/<id>/), a catalogue item's pages (xxgk/<id>/), and the root files every commit rewrites
 * (home page, site feed, sitemap index and its site part). Site-wide pages that change only with the
 * settings or the registry (site map, catalogue index, robots.txt, 404, stylesheet, favicon) are
 * rendered when the render key changes.
 *
 * Links between pages are relative, so one site works under any prefix (`/portal/` behind the API,
 * a domain root in production) and even from disk. Feeds, the sitemap and canonical links need
 * absolute URLs and use the configured public base URL.
 */
import { favicon } from '../favicon.js';
import {
  listNewestFirst,
  type ListItem,
  type ListState,
  type PackageEntry,
  type PackageRecord,
  type RootState,
  type SiteManifest,
  type SitemapMonth,
} from '../state.js';
import { catalogueItemPaths, portalColumnPaths, portalPagePaths, SITE_PATHS } from '../urls.js';
import { renderArticlePages } from './article.js';
import { renderColumnFiles } from './column.js';
import { entryItem, entryList } from './entry-list.js';
import { renderHome } from './home.js';
import { pageShell } from './layout.js';
import type { SiteStructure } from './model.js';
import { absoluteUrl, siteHomeHref, type SiteSettings } from './settings.js';
import { renderMonthParts, renderRobots, renderSitemapIndex, renderSitePart, SITE_PART } from './sitemap.js';
import { renderNotFoundPage } from './standalone.js';
import { SITE_CSS, SITE_CSS_PATH } from './style.js';
import { esc, xml } from './text.js';

/** Bump when the markup changes: every page is rendered again on the next commit. */
export const RENDER_VERSION = 'portal-pages-2';

export type FileContent = string | Uint8Array;

/** What every renderer may look at besides the unit it renders: the root state and the registry's structure. */
export interface SiteView {
  site: SiteSettings;
  root: RootState;
  /** The registry's column tree and catalogue; null when the site runs without a registry (tests, tools). */
  structure: SiteStructure | null;
}

/** A column's name path: the registry's when known, else the one its deliveries carried. */
export function columnPath(view: SiteView, columnId: string): string[] {
  const node = view.structure?.columns.find((c) => c.id === columnId);
  return node?.path ?? view.root.columns[columnId]?.path ?? [columnId];
}

function legacyEntry(item: ListItem, columns: string[]): PackageEntry {
  return {
    revision: item.revision,
    contentHash: '',
    title: item.title,
    summary: item.summary,
    releasedAt: item.releasedAt,
    interpretations: item.interpretations,
    cover: item.cover,
    columns,
    media: [],
  };
}

/** Today's renderers take a whole-site manifest; this is one holding only what the page shows. */
function legacyManifest(view: SiteView, items: ListItem[], columnIds: Iterable<string>, columnPackages?: Map<string, string[]>): SiteManifest {
  const manifest: SiteManifest = { version: 1, generation: view.root.generation, committedAt: null, renderKey: '', columns: {}, packages: {} };
  for (const id of columnIds) {
    const count = view.root.columns[id]?.count ?? 0;
    manifest.columns[id] = { path: columnPath(view, id), packages: columnPackages?.get(id) ?? Array.from({ length: count }, (_, i) => `#${i}`) };
  }
  for (const item of items) manifest.packages[item.packageId] = legacyEntry(item, item.homeColumnId ? [item.homeColumnId] : []);
  return manifest;
}

/** A package's document page and interpretation pages, by site-root-relative path. */
export function renderPackagePages(record: PackageRecord, view: SiteView): Map<string, FileContent> {
  const { entry, source } = record;
  const manifest = legacyManifest(view, [], entry.columns);
  const legacy = legacyEntry(entry.item, entry.columns);
  manifest.packages[entry.item.packageId] = legacy;
  const out = new Map<string, FileContent>();
  // Today's article template links from two levels down; article pages now sit three levels down (art/<b>/<id>/).
  for (const [file, html] of renderArticlePages(entry.item.packageId, source, legacy, manifest, view.site)) {
    out.set(
      file,
      html.replace(/(href|src|poster)="\.\.\/\.\.\//g, '$1="../../../').replace(/(srcset="[^"]*)/g, (s) => s.replace(/(^|[\s,"])\.\.\/\.\.\//g, '$1../../../')),
    );
  }
  return out;
}

/** A column's index pages and RSS feed (col/<id>/…); every column has a page, an empty one says so. */
export function renderColumnUnit(columnId: string, list: ListState, view: SiteView): Map<string, FileContent> {
  const items = listNewestFirst(list);
  const manifest = legacyManifest(view, items, [columnId], new Map([[columnId, items.map((i) => i.packageId)]]));
  return renderColumnFiles(columnId, manifest, view.site);
}

/** A disclosure catalogue item's pages (xxgk/<id>/…): its documents, newest first. */
export function renderCatalogueUnit(itemId: string, list: ListState, view: SiteView): Map<string, FileContent> {
  const item = view.structure?.catalogue.find((c) => c.id === itemId);
  const name = item?.name ?? itemId;
  const items = listNewestFirst(list);
  const paths = catalogueItemPaths(itemId);
  const root = '../../';
  const out = new Map<string, FileContent>();
  const pageCount = Math.max(1, Math.ceil(items.length / view.site.pageSize));
  for (let page = 1; page <= pageCount; page++) {
    const slice = items.slice((page - 1) * view.site.pageSize, page * view.site.pageSize);
    const list = entryList(
      slice.map((i) => entryItem(i.packageId, legacyEntry(i, []), root, null)),
      '<p class="empty">本目录暂无信息。</p>',
    );
    const pageHref = (n: number) => paths.page(n).slice(paths.directory.length + 1);
    const pager =
      pageCount > 1
        ? `<nav class="pager" aria-label="分页">${page > 1 ? `<a href="${pageHref(page - 1)}" rel="prev">上一页</a> ` : ''}<span>第 ${page}/${pageCount} 页</span>${
            page < pageCount ? ` <a href="${pageHref(page + 1)}" rel="next">下一页</a>` : ''
          }</nav>`
        : '';
    out.set(
      paths.page(page),
      pageShell({
        site: view.site,
        root,
        title: name,
        path: paths.page(page),
        breadcrumb: [{ label: '政府信息公开', href: `${root}${SITE_PATHS.catalogue}` }, { label: name }],
        main: `<h1>${esc(name)}</h1>\n${list}\n${pager}`,
        meta: { ColumnName: name },
      }),
    );
  }
  return out;
}

/** The whole site's RSS (rss.xml): the newest items of every column. */
function renderSiteFeed(view: SiteView): string {
  const { site, root } = view;
  const items = root.latest.slice(0, site.feedSize).map((item) => {
    const link = absoluteUrl(site, portalPagePaths(item.packageId, 0).document);
    const column = item.homeColumnId ? columnPath(view, item.homeColumnId).join(' > ') : '';
    return `<item>
<title>${xml(item.title)}</title>
<link>${xml(link)}</link>
<guid isPermaLink="true">${xml(link)}</guid>
<pubDate>${new Date(item.releasedAt).toUTCString()}</pubDate>
<description>${xml(item.summary)}</description>
${column ? `<category>${xml(column)}</category>\n` : ''}</item>`;
  });
  const latest = root.latest[0]?.releasedAt;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(site.siteName)}</title>
<link>${xml(absoluteUrl(site, SITE_PATHS.home))}</link>
<description>${xml(`${site.siteName}的最新信息`)}</description>
<language>zh-cn</language>
<atom:link href="${xml(absoluteUrl(site, SITE_PATHS.feed))}" rel="self" type="application/rss+xml"/>
${latest ? `<lastBuildDate>${new Date(latest).toUTCString()}</lastBuildDate>\n` : ''}${items.join('\n')}${items.length ? '\n' : ''}</channel>
</rss>
`;
}

/** Column ids in registry order, else by name path. */
function columnOrder(view: SiteView): string[] {
  if (view.structure) return view.structure.columns.map((c) => c.id);
  return Object.keys(view.root.columns).sort((a, b) => {
    const pa = columnPath(view, a).join('>');
    const pb = columnPath(view, b).join('>');
    return pa < pb ? -1 : pa > pb ? 1 : a < b ? -1 : 1;
  });
}

/** 网站地图 (map/index.html): every column of the tree. */
function renderSiteMapPage(view: SiteView): string {
  const root = '../';
  const items = columnOrder(view).map((id) => {
    const depth = columnPath(view, id).length;
    const name = columnPath(view, id).at(-1) ?? id;
    return `<li class="depth-${depth}"><a href="${root}${portalColumnPaths(id).index}">${esc(name)}</a></li>`;
  });
  return pageShell({
    site: view.site,
    root,
    title: '网站地图',
    path: SITE_PATHS.siteMap,
    breadcrumb: [{ label: '网站地图' }],
    main: `<h1>网站地图</h1>\n<ul class="site-map">\n${items.join('\n')}\n</ul>`,
  });
}

/** 政府信息公开 (xxgk/index.html): the catalogue's items by category. */
function renderCatalogueIndex(view: SiteView, itemIds: string[]): string {
  const root = '../';
  const names = new Map(view.structure?.catalogue.map((c) => [c.id, c.name]) ?? []);
  const items = itemIds.map((id) => `<li><a href="${root}${catalogueItemPaths(id).index}">${esc(names.get(id) ?? id)}</a></li>`);
  return pageShell({
    site: view.site,
    root,
    title: '政府信息公开',
    path: SITE_PATHS.catalogue,
    breadcrumb: [{ label: '政府信息公开' }],
    main: `<h1>政府信息公开</h1>\n${items.length ? `<ul class="catalogue">\n${items.join('\n')}\n</ul>` : '<p class="empty">暂无公开目录。</p>'}`,
  });
}

/** Catalogue items that have a page: every registry item, and any other one a document names. */
export function catalogueItemIds(view: SiteView): string[] {
  const ids = new Set(view.structure?.catalogue.map((c) => c.id) ?? []);
  for (const id of Object.keys(view.root.catalogue)) ids.add(id);
  return [...ids];
}

/**
 * Files at the site root a commit writes: the home page, the site feed and the sitemap index with
 * its site part always; with `full` (the render key changed, or the first generation) also the
 * pages that change only with the settings or the registry.
 */
export function renderRootFiles(view: SiteView, full: boolean): Map<string, FileContent> {
  const files = new Map<string, FileContent>();
  const { site, root } = view;
  const latest = root.latest.slice(0, site.homeSize);
  files.set(SITE_PATHS.home, renderHome(legacyManifest(view, latest, columnOrder(view)), site));
  files.set(SITE_PATHS.feed, renderSiteFeed(view));
  files.set(SITE_PATHS.sitemap, renderSitemapIndex(root, site));
  files.set(SITE_PART, renderSitePart(root, site, catalogueItemIds(view)));
  if (full) {
    files.set(SITE_PATHS.robots, renderRobots(site));
    files.set(SITE_PATHS.notFound, renderNotFoundPage(site.siteName, siteHomeHref(site.publicBaseUrl)));
    files.set(SITE_CSS_PATH, SITE_CSS);
    files.set(SITE_PATHS.favicon, favicon());
  }
  // Small, and they change when a column or catalogue item first appears without a registry.
  files.set(SITE_PATHS.siteMap, renderSiteMapPage(view));
  files.set(SITE_PATHS.catalogue, renderCatalogueIndex(view, catalogueItemIds(view)));
  return files;
}

/** A month's sitemap part(s). */
export function renderSitemapMonth(month: string, state: SitemapMonth, view: SiteView): Map<string, FileContent> {
  return renderMonthParts(month, state, view.site);
}
