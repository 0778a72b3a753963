// A column's RSS 2.0 feed (col/<id>/rss.xml): the newest items, absolute links, RFC 822 dates.
import { columnPackagesNewestFirst, type SiteManifest } from '../state.js';
import { portalColumnPaths, portalPagePaths } from '../urls.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { xml } from './text.js';

/** RSS 2.0 with the newest `feedSize` items; dates are release dates, so a feed only changes with its content. */
export function renderColumnFeed(columnId: string, manifest: SiteManifest, site: SiteSettings): string {
  const column = manifest.columns[columnId]!;
  const paths = portalColumnPaths(columnId);
  const ids = columnPackagesNewestFirst(manifest, columnId).slice(0, site.feedSize);
  const name = column.path.join(' > ');
  const items = ids.map((id) => {
    const entry = manifest.packages[id]!;
    const link = absoluteUrl(site, portalPagePaths(id, 0).document);
    return `<item>
<title>${xml(entry.title)}</title>
<link>${xml(link)}</link>
<guid isPermaLink="true">${xml(link)}</guid>
<pubDate>${new Date(entry.releasedAt).toUTCString()}</pubDate>
<description>${xml(entry.summary)}</description>
<category>${xml(name)}</category>
</item>`;
  });
  const latest = ids[0] ? manifest.packages[ids[0]]!.releasedAt : null;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(`${site.siteName} - ${column.path[column.path.length - 1] ?? columnId}`)}</title>
<link>${xml(absoluteUrl(site, paths.index))}</link>
<description>${xml(`${site.siteName}「${name}」栏目的最新信息`)}</description>
<language>zh-cn</language>
<atom:link href="${xml(absoluteUrl(site, paths.rss))}" rel="self" type="application/rss+xml"/>
${latest ? `<lastBuildDate>${new Date(latest).toUTCString()}</lastBuildDate>\n` : ''}${items.join('\n')}${items.length ? '\n' : ''}</channel>
</rss>
`;
}
