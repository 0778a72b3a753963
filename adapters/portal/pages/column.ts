/**
 * A column's pages (col/<id>/index.html, page_1.html, …): its name, its child columns (下级栏目)
 * when it has any, its entries newest first with a pager, the link to its RSS feed; and the
 * feed itself (col/<id>/rss.xml). Every registry column has these pages, empty or not: an empty
 * column says 本栏目暂无信息.
 */
import { chinaDate } from '../format.js';
import { portalColumnPaths, rootFrom } from '../urls.js';
import { compareNewestFirst } from '../state.js';
import { EMPTY_COLUMN_TEXT, interpretationEntriesHtml, listEntryHtml, entryList, renderStablePages, type PageReuse } from './entry-list.js';
import { renderColumnFeed } from './feed.js';
import { columnCrumbs, pageShell } from './layout.js';
import type { ColumnNode, ListEntry } from './model.js';
import type { SiteSettings } from './settings.js';
import { COLUMN_TYPES, columnNode, distinctColumnTitle } from './structure.js';
import { esc } from './text.js';

/**
 * Index pages and rss.xml of a column, by site-root-relative path. `entries`: every package the
 * column lists itself, newest first. Stably paged (entry-list.ts): index.html shows the newest
 * entries, page_1.html the oldest; with `reuse`, archived pages that did not change are left out.
 * `subtree`: for a parent column, the newest items of its sub-columns (each with `listedIn`): its
 * index page shows the newest page-size of them among its own entries, each naming its sub-column,
 * and its feed includes them; archived pages hold the column's own entries only.
 */
export function renderColumnPages(
  column: ColumnNode,
  entries: readonly ListEntry[],
  site: SiteSettings,
  reuse?: PageReuse,
  subtree: readonly ListEntry[] = [],
): Map<string, string> {
  const paths = portalColumnPaths(column.id);
  const root = rootFrom(paths.index);
  const children = childColumnsHtml(column, site, root);
  // The h1 says the column's name; the <title> (search results, tabs) tells namesakes apart.
  const title = distinctColumnTitle(site.structure, column);
  const empty = `<p class="empty">${EMPTY_COLUMN_TEXT}${column.children.length > 0 ? '，请浏览下级栏目' : ''}。</p>`;
  const withSubtree = (own: readonly ListEntry[], subtreeShown: number) => newestOf(own, subtree.slice(0, subtreeShown));
  // 政策解读 and its sub-columns list the interpretations themselves (each leading to its page), not their documents.
  const interpretive = column.columnType === COLUMN_TYPES.interpretation;
  const nameListedIn = (entry: ListEntry) => (entry.listedIn ? (columnNode(site.structure, entry.listedIn)?.name ?? column.name) : column.name);
  const newest = withSubtree(entries, 1)[0];
  // When the column last changed (inspections check columns are kept up to date): on the index page, which changes with it.
  const updated = newest ? `<span class="note">最近更新：${chinaDate(newest.releasedAt)}</span>　` : '';
  const out = renderStablePages({
    entries,
    size: site.pageSize,
    paths,
    // The main navigation lists the top-level columns, orphans included (siteView).
    context: { id: column.id, name: column.name, path: column.path, idPath: column.idPath, children: column.children, nav: site.structure.roots },
    reuse,
    render: (page) =>
      pageShell({
        site,
        root,
        title: page.number !== null ? `${title}（第${page.number}页）` : title,
        path: page.path,
        breadcrumb: columnCrumbs(column, root),
        column,
        main: `<h1>${esc(column.name)}</h1>
${children}<section class="column-entries" aria-labelledby="entries-heading"><h2 id="entries-heading" class="visually-hidden">${esc(column.name)}信息列表</h2>
<p class="feed-link">${page.number === null ? updated : ''}<a href="rss.xml">RSS 订阅本栏目</a></p>
${entryList(
  (page.number === null ? withSubtree(page.entries, site.pageSize) : page.entries).map((entry) =>
    interpretive
      ? interpretationEntriesHtml(entry, root, nameListedIn(entry), entry.listedIn ? site.structure : null)
      : listEntryHtml(entry, root, entry.listedIn ? site.structure : null),
  ),
  empty,
)}
${page.pager}
</section>`,
        extraHead: `<link rel="alternate" type="application/rss+xml" title="${esc(`${site.identity.siteName} - ${column.name}`)}" href="rss.xml">\n`,
      }),
  });
  out.set(paths.rss, renderColumnFeed(column, withSubtree(entries, site.feedSize), site));
  return out;
}

/** A column's own entries and its subtree's, newest first; a package in both shows as its own. */
function newestOf(own: readonly ListEntry[], subtree: readonly ListEntry[]): ListEntry[] {
  if (subtree.length === 0) return [...own];
  const listed = new Set(own.map((e) => e.packageId));
  return [...own, ...subtree.filter((e) => !listed.has(e.packageId))].sort(compareNewestFirst);
}

/** 下级栏目: links to the column's children, for parent columns. */
function childColumnsHtml(column: ColumnNode, site: SiteSettings, root: string): string {
  const links = column.children
    .map((id) => columnNode(site.structure, id))
    .filter((child): child is ColumnNode => child !== undefined)
    .map((child) => `<li><a href="${esc(root + portalColumnPaths(child.id).index)}">${esc(child.name)}</a></li>`);
  if (links.length === 0) return '';
  return `<nav class="child-columns" aria-labelledby="children-heading"><h2 id="children-heading">下级栏目</h2>
<ul>
${links.join('\n')}
</ul></nav>
`;
}
