/**
 * The chrome every page of a generation shares: the HTML head (title, government-site meta tags,
 * canonical link, stylesheet), the site header, the breadcrumb and the footer.
 */
import { absoluteUrl, type SiteSettings } from './settings.js';
import { SITE_CSS_PATH } from './style.js';
import { esc } from './text.js';

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageShell {
  site: SiteSettings;
  /** From this page to the site root: '' on the home page, '../../' two levels down. */
  root: string;
  title: string;
  /** Site-root-relative path of this page (canonical link); null for pages without one. */
  path: string | null;
  breadcrumb: Crumb[];
  main: string;
  description?: string;
  /** Government-site meta tags (政府网站 meta 规范): ColumnName, ArticleTitle, PubDate, … */
  meta?: Record<string, string>;
  extraHead?: string;
}

export function pageShell(p: PageShell): string {
  const home = `${p.root}index.html`;
  const crumbs = [{ label: '首页', href: home }, ...p.breadcrumb];
  const breadcrumb = crumbs
    .map((c, i) => {
      if (i === crumbs.length - 1) return `<span aria-current="page">${esc(c.label)}</span>`;
      return c.href ? `<a href="${esc(c.href)}">${esc(c.label)}</a>` : `<span>${esc(c.label)}</span>`;
    })
    .join('<span class="sep" aria-hidden="true"> &gt; </span>');
  const meta: Record<string, string> = { SiteName: p.site.siteName, ...(p.meta ?? {}) };
  const metaTags = Object.entries(meta)
    .map(([name, content]) => `<meta name="${esc(name)}" content="${esc(content)}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title === p.site.siteName ? p.title : `${p.title} - ${p.site.siteName}`)}</title>
${p.description ? `<meta name="description" content="${esc(p.description)}">\n` : ''}${metaTags}
${p.path !== null ? `<link rel="canonical" href="${esc(absoluteUrl(p.site, p.path))}">\n` : ''}<link rel="stylesheet" href="${p.root}${SITE_CSS_PATH}">
${p.extraHead ?? ''}</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header class="site-header"><a class="site-name" href="${home}">${esc(p.site.siteName)}</a></header>
<nav class="breadcrumb" aria-label="当前位置">当前位置：${breadcrumb}</nav>
<main id="main">
${p.main}
</main>
<footer class="site-footer"><p>主办单位：${esc(p.site.siteName)}</p></footer>
</body>
</html>
`;
}

/** A column's name path as breadcrumbs; its last part links to the column index when given. */
export function columnCrumbs(path: string[], columnIndexHref: string | null): Crumb[] {
  return path.map((label, i) => (i === path.length - 1 && columnIndexHref ? { label, href: columnIndexHref } : { label }));
}
