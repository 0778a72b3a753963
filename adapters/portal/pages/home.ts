/**
 * The home page (index.html): 最新发布 across the site, the 17 key areas (重点领域信息公开) each with
 * its latest items, and 栏目导航 (every top-level column with its children). The navigation comes
 * from the registry's structure, so every column is reachable from the first start.
 */
import { chinaDate } from '../format.js';
import { SITE_PATHS, portalColumnPaths } from '../urls.js';
import { EMPTY_COLUMN_TEXT, listEntryHtml, entryList } from './entry-list.js';
import { pageShell } from './layout.js';
import type { ColumnNode, ListEntry } from './model.js';
import type { SiteSettings } from './settings.js';
import { columnNode } from './structure.js';
import { esc } from './text.js';

/** Items a key area's box shows. */
export const HOME_KEY_AREA_SIZE = 5;

export interface HomeInput {
  /** The newest entries of the whole site, newest first (the first `homeSize` are shown). */
  latest: readonly ListEntry[];
  /**
   * Newest entries by column id, newest first, for the key areas' boxes: a key area's entries
   * include its sub-columns' (the caller gathers them). A column without an entry may be absent.
   */
  columnLatest: Readonly<Record<string, readonly ListEntry[]>>;
}

export function renderHomePage(input: HomeInput, site: SiteSettings): string {
  const structure = site.structure;
  const latestHtml = entryList(
    input.latest.slice(0, site.homeSize).map((entry) => listEntryHtml(entry, '', structure)),
    '<p class="empty">本站尚未发布信息。</p>',
  );
  const keyAreas = structure.keyAreas
    .map((id) => columnNode(structure, id))
    .filter((c): c is ColumnNode => c !== undefined)
    .map((column, i) => keyAreaBox(column, input.columnLatest[column.id] ?? [], i));
  const directory = structure.roots
    .map((id) => columnNode(structure, id))
    .filter((c): c is ColumnNode => c !== undefined)
    .map((rootColumn) => {
      const children = rootColumn.children
        .map((id) => columnNode(structure, id))
        .filter((c): c is ColumnNode => c !== undefined)
        .map((child) => `<li><a href="${esc(portalColumnPaths(child.id).index)}">${esc(child.name)}</a></li>`)
        .join('');
      return `<li><a href="${esc(portalColumnPaths(rootColumn.id).index)}">${esc(rootColumn.name)}</a>${children ? `<ul class="column-links">${children}</ul>` : ''}</li>`;
    });
  return pageShell({
    site,
    root: '',
    title: site.identity.siteName,
    path: SITE_PATHS.home,
    breadcrumb: [],
    nav: 'home',
    description: `${site.identity.siteName}门户网站：政府信息公开、政务服务、互动交流`,
    main: `<h1 class="visually-hidden">${esc(site.identity.siteName)}</h1>
<section class="latest" aria-labelledby="latest-heading"><h2 id="latest-heading">最新发布</h2>
${latestHtml}
</section>
${
  keyAreas.length > 0
    ? `<section aria-labelledby="key-areas-heading"><h2 id="key-areas-heading">重点领域信息公开</h2>
<div class="key-areas">
${keyAreas.join('\n')}
</div>
</section>
`
    : ''
}<section class="columns-nav" aria-labelledby="columns-heading"><h2 id="columns-heading">栏目导航</h2>
<ul class="column-directory">
${directory.join('\n')}
</ul>
<p><a href="${SITE_PATHS.catalogue}">政府信息公开目录</a>　<a href="${SITE_PATHS.siteMap}">网站地图</a></p>
</section>`,
  });
}

function keyAreaBox(column: ColumnNode, entries: readonly ListEntry[], index: number): string {
  const items = entries
    .slice(0, HOME_KEY_AREA_SIZE)
    .map((e) => `<li><a href="${esc(e.path)}">${esc(e.title)}</a> <span class="entry-date">${chinaDate(e.releasedAt)}</span></li>`);
  const headingId = `key-area-${index + 1}`;
  return `<section class="key-area" aria-labelledby="${headingId}"><h3 id="${headingId}"><a href="${esc(portalColumnPaths(column.id).index)}">${esc(column.name)}</a></h3>
${items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : `<p class="empty">${EMPTY_COLUMN_TEXT}。</p>`}
</section>`;
}
