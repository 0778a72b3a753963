// sitemap.xml (a sitemap index over sitemap-N.xml parts past 50,000 URLs) and robots.txt pointing at it.
import { columnPackagesNewestFirst, sortNewestFirst, type SiteManifest } from '../state.js';
import { portalColumnPaths, portalPagePaths } from '../urls.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { xml } from './text.js';

/** Sitemaps hold at most 50,000 URLs (sitemaps.org); above that sitemap.xml becomes an index. */
export const SITEMAP_MAX_URLS = 50_000;

/** sitemap.xml or one of its parts: a commit removes them all and writes the ones it needs. */
export function isSitemapFile(name: string): boolean {
  return /^sitemap(-\d+)?\.xml$/.test(name);
}

/** sitemap.xml (and sitemap-N.xml parts past 50,000 URLs). */
export function renderSitemaps(manifest: SiteManifest, site: SiteSettings): Map<string, string> {
  const urls: { loc: string; lastmod: string | null }[] = [];
  const newest = sortNewestFirst(manifest, Object.keys(manifest.packages));
  urls.push({ loc: absoluteUrl(site, 'index.html'), lastmod: newest[0] ? manifest.packages[newest[0]]!.releasedAt : null });
  for (const columnId of Object.keys(manifest.columns).sort()) {
    const ids = columnPackagesNewestFirst(manifest, columnId);
    const pages = Math.max(1, Math.ceil(ids.length / site.pageSize));
    const lastmod = ids[0] ? manifest.packages[ids[0]]!.releasedAt : null;
    for (let n = 1; n <= pages; n++) urls.push({ loc: absoluteUrl(site, portalColumnPaths(columnId).page(n)), lastmod });
  }
  for (const id of newest) {
    const entry = manifest.packages[id]!;
    const paths = portalPagePaths(id, entry.interpretations.length);
    for (const p of [paths.document, ...paths.interpretations]) urls.push({ loc: absoluteUrl(site, p), lastmod: entry.releasedAt });
  }
  const urlset = (list: typeof urls) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${list.map((u) => `<url><loc>${xml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`).join('\n')}
</urlset>
`;
  const out = new Map<string, string>();
  if (urls.length <= SITEMAP_MAX_URLS) {
    out.set('sitemap.xml', urlset(urls));
    return out;
  }
  const parts: string[] = [];
  for (let i = 0; i < urls.length; i += SITEMAP_MAX_URLS) {
    const name = `sitemap-${parts.length + 1}.xml`;
    parts.push(name);
    out.set(name, urlset(urls.slice(i, i + SITEMAP_MAX_URLS)));
  }
  out.set(
    'sitemap.xml',
    `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${parts.map((name) => `<sitemap><loc>${xml(absoluteUrl(site, name))}</loc></sitemap>`).join('\n')}
</sitemapindex>
`,
  );
  return out;
}

export function renderRobots(site: SiteSettings): string {
  return `User-agent: *\nAllow: /\nSitemap: ${absoluteUrl(site, 'sitemap.xml')}\n`;
}
