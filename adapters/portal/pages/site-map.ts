// 网站地图 (map/index.html): the whole column tree from the registry, every column linked, and the site-wide pages.
import { SITE_PATHS, portalColumnPaths, rootFrom } from '../urls.js';
import { pageShell } from './layout.js';
import type { ColumnNode } from './model.js';
import type { SiteSettings } from './settings.js';
import { columnNode } from './structure.js';
import { esc } from './text.js';

export function renderSiteMapPage(site: SiteSettings): string {
  const root = rootFrom(SITE_PATHS.siteMap);
  const structure = site.structure;
  const branch = (ids: readonly string[]): string => {
    const items = ids
      .map((id) => columnNode(structure, id))
      .filter((c): c is ColumnNode => c !== undefined)
      .map(
        (c) => `<li><a href="${esc(root + portalColumnPaths(c.id).index)}">${esc(c.name)}</a>${c.children.length > 0 ? `\n${branch(c.children)}\n` : ''}</li>`,
      );
    return items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>` : '';
  };
  return pageShell({
    site,
    root,
    title: '网站地图',
    path: SITE_PATHS.siteMap,
    breadcrumb: [{ label: '网站地图', href: 'index.html' }],
    nav: 'site-map',
    columnMeta: { name: '网站地图', description: `${site.identity.siteName}网站地图：全部栏目`, keywords: ['网站地图'], type: '信息发布类' },
    main: `<h1>网站地图</h1>
<p class="note">本站共 ${structure.columns.length} 个栏目。</p>
<div class="site-map">
${branch(structure.roots)}
</div>
<h2>其他页面</h2>
<ul>
<li><a href="${root}${SITE_PATHS.home}">首页</a></li>
<li><a href="${root}${SITE_PATHS.catalogue}">政府信息公开目录</a></li>
<li><a href="${root}${SITE_PATHS.search}">站内搜索</a></li>
<li><a href="${root}${SITE_PATHS.feed}">RSS 订阅</a></li>
</ul>`,
  });
}
