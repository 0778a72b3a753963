// What every portal page is rendered with (who runs the site, its column tree, public base URL, list sizes) and the absolute URLs made from it.
import type { SiteIdentity, SiteStructure } from './model.js';

export interface SiteSettings {
  /** @deprecated The same as identity.siteName, which the pages use; callers still set it, nothing reads it. */
  siteName: string;
  /** 网站标识码, ICP, 主办单位, …: the meta tags and the footer (config/registry/site.yaml). */
  identity: SiteIdentity;
  /** The registry's column tree and disclosure catalogue: navigation, breadcrumbs, site map. */
  structure: SiteStructure;
  /** Absolute base of the public site, without a trailing slash. */
  publicBaseUrl: string;
  /** Entries per column index page (and per catalogue item page). */
  pageSize: number;
  /** Items per RSS feed. */
  feedSize: number;
  /** Entries in the home page's latest list. */
  homeSize: number;
}

/** Feeds, the sitemap, canonical links and the Url/Image meta tags need absolute URLs; pages link relatively. */
export function absoluteUrl(site: Pick<SiteSettings, 'publicBaseUrl'>, sitePath: string): string {
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

/** A site without a registry structure: no navigation beyond the home page and the catalogue. */
export const EMPTY_STRUCTURE: SiteStructure = Object.freeze({ columns: [], roots: [], keyAreas: [], catalogue: [] });

/**
 * The identity of a site whose site.yaml was not given (tests, tools): the footer says 未配置 where
 * the filing numbers would be, rather than showing invented ones.
 */
export function unconfiguredIdentity(siteName: string, siteDomain: string): SiteIdentity {
  return {
    siteName,
    siteDomain,
    siteIdCode: '未配置',
    hostUnit: siteName,
    operatorUnit: null,
    icpNumber: 'ICP备案号未配置',
    publicSecurityNumber: '公安备案号未配置',
    contact: { address: null, phone: null, email: null, postcode: null },
    partyGovernmentBadgeUrl: null,
    errorReportUrl: null,
  };
}
