/**
 * The sitemap: sitemap.xml is a sitemap index over parts in sitemaps/, one for the site's own pages
 * (home, columns, catalogue, site map) and one per month of publication for the article pages,
 * split again before 50,000 URLs. A commit rewrites the index and the parts whose month it touched,
 * never the whole year's. robots.txt points at the index.
 */
import type { RootState, SitemapMonth } from '../state.js';
import { archivedPageCount } from './entry-list.js';
import { catalogueCategoryPath, catalogueItemPaths, portalColumnPaths, portalPagePaths, SITE_PATHS } from '../urls.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { catalogueCategories } from './structure.js';
import { xml } from './text.js';

/** Sitemaps hold at most 50,000 URLs (sitemaps.org). */
export const SITEMAP_MAX_URLS = 50_000;
export const SITEMAP_DIR = 'sitemaps';
export const SITE_PART = `${SITEMAP_DIR}/site.xml`;

/** The part files of a month holding `urls` URLs: sitemaps/2026-03.xml, or -1, -2… past the limit. */
export function monthPartPaths(month: string, urls: number, maxUrls = SITEMAP_MAX_URLS): string[] {
  if (urls <= 0) return [];
  const parts = Math.ceil(urls / maxUrls);
  if (parts === 1) return [`${SITEMAP_DIR}/${month}.xml`];
  return Array.from({ length: parts }, (_, i) => `${SITEMAP_DIR}/${month}-${i + 1}.xml`);
}

/** Whether a file name in sitemaps/ belongs to a month (what a commit removes before writing the month again). */
export function isMonthPart(name: string, month: string): boolean {
  return name === `${month}.xml` || new RegExp(`^${month}-\\d+\\.xml$`).test(name);
}

interface SitemapUrl {
  loc: string;
  lastmod: string | null;
}

function urlset(list: SitemapUrl[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${list.map((u) => `<url><loc>${xml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`).join('\n')}
</urlset>
`;
}

/** The article pages released in one month, newest first, split before `maxUrls`. */
export function renderMonthParts(month: string, state: SitemapMonth, site: SiteSettings, maxUrls = SITEMAP_MAX_URLS): Map<string, string> {
  const urls: SitemapUrl[] = [];
  const ids = Object.keys(state.packages).sort((a, b) => {
    const ta = state.packages[a]!.lastmod;
    const tb = state.packages[b]!.lastmod;
    return ta !== tb ? (ta < tb ? 1 : -1) : a < b ? -1 : 1;
  });
  for (const id of ids) {
    const p = state.packages[id]!;
    const paths = portalPagePaths(id, p.interpretations);
    for (const page of [paths.document, ...paths.interpretations]) urls.push({ loc: absoluteUrl(site, page), lastmod: p.lastmod });
  }
  const out = new Map<string, string>();
  monthPartPaths(month, urls.length, maxUrls).forEach((file, i) => out.set(file, urlset(urls.slice(i * maxUrls, (i + 1) * maxUrls))));
  return out;
}

/**
 * The site's own pages: home, site map, catalogue index and its category pages (linked from the
 * index), every column's index pages, every catalogue item.
 */
export function renderSitePart(root: RootState, site: SiteSettings, catalogueItemIds: string[]): string {
  const newest = root.latest[0]?.releasedAt ?? null;
  const urls: SitemapUrl[] = [
    { loc: absoluteUrl(site, SITE_PATHS.home), lastmod: newest },
    { loc: absoluteUrl(site, SITE_PATHS.siteMap), lastmod: null },
    { loc: absoluteUrl(site, SITE_PATHS.catalogue), lastmod: null },
  ];
  for (const columnId of Object.keys(root.columns).sort()) {
    const summary = root.columns[columnId]!;
    const paths = portalColumnPaths(columnId);
    urls.push({ loc: absoluteUrl(site, paths.index), lastmod: summary.lastUpdatedAt });
    // Archived pages (oldest first) change only when an entry older than theirs comes or goes: no lastmod.
    for (let n = 1; n <= archivedPageCount(summary.count, site.pageSize); n++) urls.push({ loc: absoluteUrl(site, paths.page(n)), lastmod: null });
  }
  for (const { category } of catalogueCategories(site.structure)) urls.push({ loc: absoluteUrl(site, catalogueCategoryPath(category)), lastmod: null });
  for (const itemId of [...catalogueItemIds].sort()) urls.push({ loc: absoluteUrl(site, catalogueItemPaths(itemId).index), lastmod: null });
  return urlset(urls);
}

/** sitemap.xml: the index of every part. */
export function renderSitemapIndex(root: RootState, site: SiteSettings): string {
  const parts = [SITE_PART];
  for (const month of Object.keys(root.sitemapMonths).sort().reverse()) parts.push(...monthPartPaths(month, root.sitemapMonths[month]!));
  return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${parts.map((name) => `<sitemap><loc>${xml(absoluteUrl(site, name))}</loc></sitemap>`).join('\n')}
</sitemapindex>
`;
}

export function renderRobots(site: SiteSettings): string {
  return `User-agent: *\nAllow: /\nSitemap: ${absoluteUrl(site, SITE_PATHS.sitemap)}\n`;
}
