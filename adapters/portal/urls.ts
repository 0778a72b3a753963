/**
 * Where a package's pages live on the portal. Pure, so the delivery activities can give every
 * new-media post its "read the full text" link before the portal pages exist.
 *
 * The `*Paths` helpers give the same places relative to the site root (the web root's
 * generation directory); the `*Urls` helpers put the public base URL in front of them.
 */

import { createHash } from 'node:crypto';

/**
 * Article directories are spread over 256 buckets (`art/<2 hex of sha256(id)>/<id>/`): a generation
 * then rewrites one bucket of a few dozen packages, never a directory of the whole year's. Stable for
 * an id forever, and computable before the portal has published anything.
 */
export function articleBucket(packageId: string): string {
  return createHash('sha256').update(packageId).digest('hex').slice(0, 2);
}

/** The document page and one page per interpretation, relative to the site root: `art/<bucket>/<packageId>/…`. */
export function portalPagePaths(packageId: string, interpretationCount: number): { directory: string; document: string; interpretations: string[] } {
  const directory = `art/${articleBucket(packageId)}/${encodeURIComponent(packageId)}`;
  return {
    directory,
    document: `${directory}/index.html`,
    interpretations: Array.from({ length: interpretationCount }, (_, i) => `${directory}/jd-${i + 1}.html`),
  };
}

/**
 * A list's archived page n (numbered from the oldest entry, so its address and content stay put as
 * newer entries arrive; pages/entry-list.ts `stablePaging`): `page_<n>.html` beside its index.html.
 */
export function archivedPagePath(directory: string, n: number): string {
  return `${directory}/page_${n}.html`;
}

/** A column's directory, index page (the newest entries), archived pages (`page_1.html` holds the oldest) and RSS feed. */
export function portalColumnPaths(columnId: string): { directory: string; index: string; rss: string; page(n: number): string } {
  const directory = `col/${encodeURIComponent(columnId)}`;
  return {
    directory,
    index: `${directory}/index.html`,
    rss: `${directory}/rss.xml`,
    page: (n) => archivedPagePath(directory, n),
  };
}

/** A rendition in the site: `media/<first 2 hex>/<sha256>.<ext>` (content-addressed, cached forever). */
export function portalMediaPath(sha256: string, ext: string): string {
  return `media/${sha256.slice(0, 2)}/${sha256}.${ext}`;
}

/** A disclosure catalogue item's pages: `xxgk/<itemId>/index.html` (the newest documents), archived `page_1.html` (the oldest), … */
export function catalogueItemPaths(itemId: string): { directory: string; index: string; page(n: number): string } {
  const directory = `xxgk/${encodeURIComponent(itemId)}`;
  return { directory, index: `${directory}/index.html`, page: (n) => archivedPagePath(directory, n) };
}

/**
 * A disclosure category's page (公开事项类别: 政策文件, 财政信息, …): `xxgk/lb-<8 hex of sha256(name)>.html`.
 * From the name, so it stays put when categories are reordered; beside xxgk/index.html, not a unit.
 */
export function catalogueCategoryPath(category: string): string {
  return `xxgk/lb-${createHash('sha256').update(category).digest('hex').slice(0, 8)}.html`;
}

/** Site-wide pages, relative to the site root. */
export const SITE_PATHS = {
  home: 'index.html',
  /** 政府信息公开: the catalogue's categories and items */
  catalogue: 'xxgk/index.html',
  /** 网站地图: the whole column tree */
  siteMap: 'map/index.html',
  /** 站内搜索 (the index itself is under pagefind/) */
  search: 'search/index.html',
  searchIndexDir: 'pagefind',
  /** RSS of the whole site */
  feed: 'rss.xml',
  /** Sitemap index; its parts are sitemaps/*.xml */
  sitemap: 'sitemap.xml',
  notFound: '404.html',
  robots: 'robots.txt',
  favicon: 'favicon.ico',
} as const;

/** From a page at `sitePath` back to the site root: '' at the root, '../../../' for an article page. */
export function rootFrom(sitePath: string): string {
  return '../'.repeat(sitePath.split('/').length - 1);
}

/** The document page and one page per interpretation, under `${baseUrl}/art/<bucket>/<packageId>/`. */
export function portalPageUrls(baseUrl: string, packageId: string, interpretationCount: number): { document: string; interpretations: string[] } {
  const root = baseUrl.replace(/\/+$/, '');
  const paths = portalPagePaths(packageId, interpretationCount);
  return {
    document: `${root}/${paths.document}`,
    interpretations: paths.interpretations.map((p) => `${root}/${p}`),
  };
}

/** A column's index page, RSS feed; the home page; the sitemap. */
export function portalColumnUrls(baseUrl: string, columnId: string): { index: string; rss: string } {
  const root = baseUrl.replace(/\/+$/, '');
  const paths = portalColumnPaths(columnId);
  return { index: `${root}/${paths.index}`, rss: `${root}/${paths.rss}` };
}

/** The home page and the sitemap. */
export function portalSiteUrls(baseUrl: string): { home: string; sitemap: string } {
  const root = baseUrl.replace(/\/+$/, '');
  return { home: `${root}/index.html`, sitemap: `${root}/sitemap.xml` };
}
