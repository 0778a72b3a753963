// RSS 2.0 feeds: a column's (col/<id>/rss.xml) and the whole site's (rss.xml): the newest items, absolute links, RFC 822 dates.
import { SITE_PATHS, portalColumnPaths, portalPagePaths } from '../urls.js';
import { interpretationsShownIn } from './entry-list.js';
import type { ColumnNode, ListEntry } from './model.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { COLUMN_TYPES, columnNode } from './structure.js';
import { esc, xml } from './text.js';

/**
 * RSS 2.0 with the newest `feedSize` of `entries` (newest first); dates are release dates, so a feed
 * only changes with its content. A parent column's entries from its sub-columns (`listedIn`) have
 * their sub-column as category.
 */
export function renderColumnFeed(column: ColumnNode, entries: readonly ListEntry[], site: SiteSettings): string {
  const paths = portalColumnPaths(column.id);
  return rss(site, {
    title: `${site.identity.siteName} - ${column.name}`,
    link: absoluteUrl(site, paths.index),
    self: absoluteUrl(site, paths.rss),
    description: `${site.identity.siteName}「${column.path.join(' > ')}」栏目的最新信息`,
    entries: (column.columnType === COLUMN_TYPES.interpretation ? entries.flatMap((e) => asInterpretationItems(e, site, column)) : entries).slice(
      0,
      site.feedSize,
    ),
    category: (entry) => (entry.listedIn ? columnNode(site.structure, entry.listedIn) : undefined)?.path.join(' > ') ?? column.path.join(' > '),
  });
}

/** In a 解读回应类 column's feed, a package is the interpretations the column shows (as on its page), each linking to its own page. */
function asInterpretationItems(entry: ListEntry, site: SiteSettings, column: ColumnNode): ListEntry[] {
  const listedIn = entry.listedIn ? columnNode(site.structure, entry.listedIn) : undefined;
  const shown = interpretationsShownIn(entry, (listedIn ?? column).name);
  if (shown.length === 0) return [entry];
  const pages = portalPagePaths(entry.packageId, entry.interpretations?.length ?? 0).interpretations;
  return shown.map((i) => ({ ...entry, title: i.title, path: pages[i.index]!, summary: `${i.formLabel}。政策原文：${entry.title}` }));
}

/** The whole site's feed (rss.xml): the newest `feedSize` entries of every column, each with its home column as category. */
export function renderSiteFeed(entries: readonly ListEntry[], site: SiteSettings): string {
  return rss(site, {
    title: `${site.identity.siteName} - 最新信息`,
    link: absoluteUrl(site, SITE_PATHS.home),
    self: absoluteUrl(site, SITE_PATHS.feed),
    description: `${site.identity.siteName}发布的最新信息`,
    entries: entries.slice(0, site.feedSize),
    category: (entry) => {
      const column = entry.homeColumnId ? columnNode(site.structure, entry.homeColumnId) : undefined;
      return column ? column.path.join(' > ') : null;
    },
  });
}

/**
 * Item <title> and <category> are plain text: XML-escaped once. Item <description> is entity-encoded
 * HTML (RSS 2.0): the summary is HTML-escaped, then XML-escaped, so a reader shows the text `<b>`
 * and never renders it as markup.
 */
function rss(
  site: SiteSettings,
  feed: { title: string; link: string; self: string; description: string; entries: readonly ListEntry[]; category(entry: ListEntry): string | null },
): string {
  const items = feed.entries.map((entry) => {
    const link = absoluteUrl(site, entry.path);
    const category = feed.category(entry);
    return `<item>
<title>${xml(entry.title)}</title>
<link>${xml(link)}</link>
<guid isPermaLink="true">${xml(link)}</guid>
<pubDate>${new Date(entry.releasedAt).toUTCString()}</pubDate>
<description>${xml(esc(entry.summary))}</description>
${category ? `<category>${xml(category)}</category>\n` : ''}</item>`;
  });
  const latest = feed.entries[0]?.releasedAt ?? null;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(feed.title)}</title>
<link>${xml(feed.link)}</link>
<description>${xml(feed.description)}</description>
<language>zh-cn</language>
<atom:link href="${xml(feed.self)}" rel="self" type="application/rss+xml"/>
${latest ? `<lastBuildDate>${new Date(latest).toUTCString()}</lastBuildDate>\n` : ''}${items.join('\n')}${items.length ? '\n' : ''}</channel>
</rss>
`;
}
