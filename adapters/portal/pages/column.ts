// A column's index pages (col/<id>/index.html, index_2.html, …), 20 entries a page, newest first, with a pager.
import { columnPackagesNewestFirst, type SiteManifest } from '../state.js';
import { portalColumnPaths } from '../urls.js';
import { entryItem, entryList } from './entry-list.js';
import { renderColumnFeed } from './feed.js';
import { columnCrumbs, pageShell } from './layout.js';
import type { SiteSettings } from './settings.js';
import { esc } from './text.js';

/** Index pages (index.html, index_2.html, …) and rss.xml of a column. */
export function renderColumnFiles(columnId: string, manifest: SiteManifest, site: SiteSettings): Map<string, string> {
  const out = new Map<string, string>();
  const column = manifest.columns[columnId];
  if (!column) return out;
  const paths = portalColumnPaths(columnId);
  const ids = columnPackagesNewestFirst(manifest, columnId);
  const pageCount = Math.max(1, Math.ceil(ids.length / site.pageSize));
  const root = '../../';
  const name = column.path[column.path.length - 1] ?? columnId;
  const rssHref = 'rss.xml';
  const pageHref = (n: number) => paths.page(n).slice(paths.directory.length + 1);
  for (let page = 1; page <= pageCount; page++) {
    const slice = ids.slice((page - 1) * site.pageSize, page * site.pageSize);
    const list = entryList(
      slice.map((id) => entryItem(id, manifest.packages[id]!, root, null)),
      '<p class="empty">本栏目暂无信息。</p>',
    );
    const pager =
      pageCount > 1
        ? `<nav class="pager" aria-label="分页">${page > 1 ? `<a href="${pageHref(page - 1)}" rel="prev">上一页</a> ` : ''}<span>第 ${page}/${pageCount} 页</span>${
            page < pageCount ? ` <a href="${pageHref(page + 1)}" rel="next">下一页</a>` : ''
          }</nav>`
        : '';
    out.set(
      paths.page(page),
      pageShell({
        site,
        root,
        title: page > 1 ? `${name}（第${page}页）` : name,
        path: paths.page(page),
        breadcrumb: columnCrumbs(column.path, null),
        main: `<h1>${esc(name)}</h1>\n<p class="feed"><a href="${rssHref}">RSS 订阅</a></p>\n${list}\n${pager}`,
        meta: { ColumnName: name },
        extraHead: `<link rel="alternate" type="application/rss+xml" title="${esc(`${site.siteName} - ${name}`)}" href="${rssHref}">\n`,
      }),
    );
  }
  out.set(paths.rss, renderColumnFeed(columnId, manifest, site));
  return out;
}
