// Pages that belong to no generation: the 404 page, and the home page before anything is published.
import { STANDALONE_CSS } from './style.js';
import { esc } from './text.js';

/** A page that is not part of any generation: 404, or the home page before anything is published. */
export function renderStandalonePage(options: { siteName: string; homeHref: string; title: string; heading: string; message: string }): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(options.title)} - ${esc(options.siteName)}</title>
<style>${STANDALONE_CSS}</style>
</head>
<body>
<header class="site-header"><a class="site-name" href="${esc(options.homeHref)}">${esc(options.siteName)}</a></header>
<main id="main">
<h1>${esc(options.heading)}</h1>
<p>${esc(options.message)}</p>
<p><a href="${esc(options.homeHref)}">返回首页</a></p>
</main>
</body>
</html>
`;
}

export function renderNotFoundPage(siteName: string, homeHref: string): string {
  return renderStandalonePage({ siteName, homeHref, title: '页面不存在', heading: '您访问的页面不存在', message: '该页面可能已被删除、更名或暂时不可用。' });
}

export function renderNothingPublishedPage(siteName: string, homeHref: string): string {
  return renderStandalonePage({ siteName, homeHref, title: '首页', heading: siteName, message: '本站尚未发布任何信息，请稍后访问。' });
}
