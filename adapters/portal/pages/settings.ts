// What every portal page is rendered with (site name, public base URL, list sizes) and the absolute URLs made from it.

export interface SiteSettings {
  siteName: string;
  /** Absolute base of the public site, without a trailing slash. */
  publicBaseUrl: string;
  /** Entries per column index page. */
  pageSize: number;
  /** Items per RSS feed. */
  feedSize: number;
  /** Entries in the home page's latest list. */
  homeSize: number;
}

/** Feeds, the sitemap and canonical links need absolute URLs; pages link relatively. */
export function absoluteUrl(site: SiteSettings, sitePath: string): string {
  return `${site.publicBaseUrl}/${sitePath}`;
}

/** The path part of the public base URL, for pages served at any depth (404). */
export function siteHomeHref(publicBaseUrl: string): string {
  try {
    return `${new URL(publicBaseUrl).pathname.replace(/\/+$/, '')}/`;
  } catch {
    return '/';
  }
}
