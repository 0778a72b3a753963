/**
 * Pages served at any depth: the 404 page and the home page before anything is published. With
 * the site settings they wear the full chrome (navigation, search, footer), their links starting
 * from the site's absolute path (`/portal/`), since a 404 can answer /portal/a/b/c. With only a
 * site name (serve.ts before a generation exists) they are a plain page linking the site's
 * stylesheet (unstyled but readable while no generation holds it). No inline style or script:
 * the CSP allows 'self' only.
 */
import { SITE_PATHS } from '../urls.js';
import { pageShell } from './layout.js';
import type { SiteSettings } from './settings.js';
import { SITE_CSS_PATH } from './style.js';
import { esc } from './text.js';

interface StandaloneText {
  title: string;
  heading: string;
  message: string;
}

const NOT_FOUND: StandaloneText = { title: '页面不存在', heading: '您访问的页面不存在', message: '该页面可能已被删除、更名或暂时不可用。' };
const NOTHING_PUBLISHED: StandaloneText = { title: '首页', heading: '', message: '本站尚未发布任何信息，请稍后访问。' };

/** A page outside any generation's relative links; `site` gives it the full chrome, a site name the plain one. */
export function renderStandalonePage(site: SiteSettings | string, homeHref: string, text: StandaloneText): string {
  const siteName = typeof site === 'string' ? site : site.identity.siteName;
  const heading = text.heading || siteName;
  const main = `<h1>${esc(heading)}</h1>
<p>${esc(text.message)}</p>
<p><a href="${esc(homeHref + SITE_PATHS.home)}">返回首页</a>　<a href="${esc(homeHref + SITE_PATHS.siteMap)}">网站地图</a>　<a href="${esc(homeHref + SITE_PATHS.search)}">站内搜索</a></p>`;
  if (typeof site !== 'string') {
    return pageShell({ site, root: homeHref, title: text.title, path: null, breadcrumb: [{ label: text.title }], main });
  }
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(text.title)} - ${esc(siteName)}</title>
<link rel="stylesheet" href="${esc(homeHref + SITE_CSS_PATH)}">
</head>
<body>
<header class="site-header"><div class="header-inner"><a class="site-name" href="${esc(homeHref)}">${esc(siteName)}</a></div></header>
<main id="main">
${main}
</main>
<footer class="site-footer"><div class="footer-inner"><p>主办单位：${esc(siteName)}</p></div></footer>
</body>
</html>
`;
}

/** 404.html (in every generation, with the chrome) and serve.ts's 404 answer. */
export function renderNotFoundPage(site: SiteSettings | string, homeHref: string): string {
  return renderStandalonePage(site, homeHref, NOT_FOUND);
}

export function renderNothingPublishedPage(site: SiteSettings | string, homeHref: string): string {
  return renderStandalonePage(site, homeHref, NOTHING_PUBLISHED);
}
