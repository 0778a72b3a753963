// The home page (index.html): 最新发布 across every column, newest first, and 栏目导航.
import { sortNewestFirst, type SiteManifest } from '../state.js';
import { portalColumnPaths } from '../urls.js';
import { entryItem, entryList } from './entry-list.js';
import { pageShell } from './layout.js';
import type { SiteSettings } from './settings.js';
import { esc } from './text.js';

/** The home page: the latest releases of every column and the column directory. */
export function renderHome(manifest: SiteManifest, site: SiteSettings): string {
  const latest = sortNewestFirst(manifest, Object.keys(manifest.packages)).slice(0, site.homeSize);
  const columnIds = Object.keys(manifest.columns).sort((a, b) => {
    const pa = manifest.columns[a]!.path.join('>');
    const pb = manifest.columns[b]!.path.join('>');
    return pa < pb ? -1 : pa > pb ? 1 : a < b ? -1 : 1;
  });
  const latestHtml = entryList(
    latest.map((id) => {
      const entry = manifest.packages[id]!;
      const column = entry.columns[0] ? manifest.columns[entry.columns[0]] : undefined;
      return entryItem(id, entry, '', column ? (column.path[column.path.length - 1] ?? null) : null);
    }),
    '<p class="empty">本站尚未发布信息。</p>',
  );
  const columnsHtml =
    columnIds.length > 0
      ? `<ul class="column-list">\n${columnIds
          .map((id) => {
            const column = manifest.columns[id]!;
            return `<li><a href="${portalColumnPaths(id).index}">${esc(column.path.join(' > '))}</a> <span class="count">（${column.packages.length}）</span></li>`;
          })
          .join('\n')}\n</ul>`
      : '';
  return pageShell({
    site,
    root: '',
    title: site.siteName,
    path: 'index.html',
    breadcrumb: [],
    main: `<h1 class="visually-hidden">${esc(site.siteName)}</h1>
<section class="latest" aria-labelledby="latest-heading"><h2 id="latest-heading">最新发布</h2>
${latestHtml}
</section>
${columnsHtml ? `<section class="columns-nav" aria-labelledby="columns-heading"><h2 id="columns-heading">栏目导航</h2>\n${columnsHtml}\n</section>` : ''}`,
  });
}
