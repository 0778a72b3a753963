/**
 * The portal's pages as strings, and which of them a commit writes. Pure: the same state renders
 * the same bytes; the generation builder (site.ts) decides what changed and writes the files.
 *
 * Links between pages are relative (`../../art/<id>/index.html`), so one site works under any
 * prefix (`/portal/` behind the API, a domain root in production) and even from disk. Feeds, the
 * sitemap and canonical links need absolute URLs and use the configured public base URL.
 *
 * One module per kind of page: `article.ts`, `column.ts`, `feed.ts`, `home.ts`, `sitemap.ts`,
 * `standalone.ts` (404); what they share in `layout.ts` (page chrome), `entry-list.ts`,
 * `media.ts` (pictures, video, audio), `text.ts` (escaping, dates), `style.ts` (CSS).
 */
import type { PackageSource, SiteManifest } from '../state.js';
import { renderArticlePages } from './article.js';
import { renderColumnFiles } from './column.js';
import { renderHome } from './home.js';
import { siteHomeHref, type SiteSettings } from './settings.js';
import { renderRobots, renderSitemaps } from './sitemap.js';
import { renderNotFoundPage } from './standalone.js';
import { SITE_CSS, SITE_CSS_PATH } from './style.js';

/** Bump when the markup changes: every page is rendered again on the next commit. */
export const RENDER_VERSION = 'portal-pages-1';

/** What a commit re-renders besides the site-wide files. */
export interface RenderScope {
  /** Packages whose document and interpretation pages are written. */
  packages: Iterable<string>;
  /** Columns whose index pages and feed are written. */
  columns: Iterable<string>;
  /** A package's payload and renditions, to render its pages from. */
  source(packageId: string): Promise<PackageSource>;
}

/**
 * The pages of the packages and columns in `scope`, and the files every commit rewrites (home
 * page, sitemap, robots.txt, 404 page, stylesheet), by site-root-relative path.
 */
export async function renderGenerationPages(manifest: SiteManifest, site: SiteSettings, scope: RenderScope): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const add = (rendered: Map<string, string>) => {
    for (const [file, content] of rendered) files.set(file, content);
  };
  for (const id of scope.packages) add(renderArticlePages(id, await scope.source(id), manifest.packages[id]!, manifest, site));
  for (const id of scope.columns) add(renderColumnFiles(id, manifest, site));
  add(renderSitemaps(manifest, site));
  files.set('index.html', renderHome(manifest, site));
  files.set('robots.txt', renderRobots(site));
  files.set('404.html', renderNotFoundPage(site.siteName, siteHomeHref(site.publicBaseUrl)));
  files.set(SITE_CSS_PATH, SITE_CSS);
  return files;
}
