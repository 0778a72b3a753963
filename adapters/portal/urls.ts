/**
 * Where a package's pages live on the portal. Pure, so the delivery activities can give every
 * new-media post its "read the full text" link before the portal pages exist.
 *
 * The `*Paths` helpers give the same places relative to the site root (the web root's
 * generation directory); the `*Urls` helpers put the public base URL in front of them.
 */

/** The document page and one page per interpretation, relative to the site root: `art/<packageId>/…`. */
export function portalPagePaths(packageId: string, interpretationCount: number): { directory: string; document: string; interpretations: string[] } {
  const directory = `art/${encodeURIComponent(packageId)}`;
  return {
    directory,
    document: `${directory}/index.html`,
    interpretations: Array.from({ length: interpretationCount }, (_, i) => `${directory}/jd-${i + 1}.html`),
  };
}

/** A column's directory, index pages (page 1 is index.html, then index_2.html, …) and RSS feed. */
export function portalColumnPaths(columnId: string): { directory: string; index: string; rss: string; page(n: number): string } {
  const directory = `col/${encodeURIComponent(columnId)}`;
  return {
    directory,
    index: `${directory}/index.html`,
    rss: `${directory}/rss.xml`,
    page: (n) => (n <= 1 ? `${directory}/index.html` : `${directory}/index_${n}.html`),
  };
}

/** The document page and one page per interpretation, under `${baseUrl}/art/<packageId>/`. */
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
