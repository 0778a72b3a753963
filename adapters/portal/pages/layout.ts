/**
 * The chrome every page shares: the HTML head (title, the 发展指引 meta tags, canonical link,
 * stylesheet, script, favicon), the header (site name, 站内搜索, the 适老化 toggle), the main
 * navigation (the registry's top-level columns), the breadcrumb and the footer (主办单位, 承办单位,
 * 联系我们, 网站标识码, ICP and 公安 filing numbers, the 党政机关 badge, 网站地图, 站内搜索, RSS).
 *
 * Links start from `root`: the relative way back to the site root ('' on the home page,
 * '../../../' on an article page; urls.ts rootFrom) or, on pages served at any depth (404), the
 * site's absolute path ('/portal/').
 */
import { SITE_PATHS, portalColumnPaths } from '../urls.js';
import { FAVICON_PATH, SITE_JS_PATH } from './assets.js';
import type { ColumnNode, SiteIdentity } from './model.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { columnNode } from './structure.js';
import { SITE_CSS_PATH } from './style.js';
import { chinaDateTime, esc } from './text.js';

export interface Crumb {
  label: string;
  href?: string;
}

/** ColumnName, ColumnDescription, ColumnKeywords, ColumnType of a page that belongs to a column (or a column-like page). */
export interface ColumnMeta {
  name: string;
  description: string;
  keywords: string[];
  type: string;
}

/** The article meta tags of a document or interpretation page. */
export interface ArticleMeta {
  title: string;
  /** ISO 8601; written as China time `YYYY-MM-DD HH:mm`. */
  publishedAt: string;
  contentSource: string;
  keywords: string[];
  author: string | null;
  description: string;
  /** Absolute URL of the page's main picture, when it has one. */
  image: string | null;
  /** Absolute URL of the page. */
  url: string;
}

/**
 * The longest search query, in characters: both search fields (the header's and the search page's)
 * take no more, and search.js cuts a longer `q` of a link to it. Without it the header's GET could
 * outgrow what a server takes in a request line (2,000 Chinese characters are 18 KB encoded) and
 * the reader got a bare 431 page.
 */
export const SEARCH_QUERY_MAX_CHARS = 100;

/** Main navigation items besides the top-level columns. */
export type NavKey = 'home' | 'catalogue' | 'site-map' | 'search';

export interface PageShell {
  site: SiteSettings;
  /** From this page to the site root: '' on the home page, '../../../' three levels down, or an absolute path. */
  root: string;
  title: string;
  /** Site-root-relative path of this page (canonical link); null for pages without one (404). */
  path: string | null;
  /** After 首页, which the shell adds. Every crumb with an href is a link; the last is the current page. */
  breadcrumb: Crumb[];
  main: string;
  /** The description meta tag. */
  description?: string;
  /** The page's column: its meta tags, and its top-level column is the current main-navigation item. */
  column?: ColumnNode | null;
  /** Column meta tags of a page that is not a registry column (政府信息公开目录, 网站地图). */
  columnMeta?: ColumnMeta;
  article?: ArticleMeta;
  /** The current main-navigation item when the page has no column. */
  nav?: NavKey;
  /**
   * Further meta tags by name. A `ColumnName` here, on a page without `column` or `columnMeta`,
   * stands for a column-like page of that name (its other column tags are derived); names the
   * shell already writes are not repeated.
   */
  meta?: Record<string, string>;
  extraHead?: string;
}

/** The 发展指引 column meta of a registry column. */
export function columnMetaOf(column: ColumnNode, identity: SiteIdentity): ColumnMeta {
  return {
    name: column.name,
    description: `${identity.siteName}「${column.path.join(' > ')}」栏目`,
    keywords: column.path,
    type: column.columnType,
  };
}

/** The meta tags of a page: site always, column on column and article pages, article on article pages. */
export function metaTags(p: Pick<PageShell, 'site' | 'column' | 'columnMeta' | 'article' | 'meta'>): [string, string][] {
  const id = p.site.identity;
  const tags: [string, string][] = [
    ['SiteName', id.siteName],
    ['SiteDomain', id.siteDomain],
    ['SiteIDCode', id.siteIdCode],
  ];
  const namedColumn = p.meta?.ColumnName;
  const column =
    p.columnMeta ??
    (p.column
      ? columnMetaOf(p.column, id)
      : namedColumn
        ? { name: namedColumn, description: `${id.siteName}${namedColumn}`, keywords: [namedColumn], type: '信息发布类' }
        : null);
  if (column) {
    tags.push(
      ['ColumnName', column.name],
      ['ColumnDescription', column.description],
      ['ColumnKeywords', column.keywords.join(',')],
      ['ColumnType', column.type],
    );
  }
  const a = p.article;
  if (a) {
    tags.push(
      ['ArticleTitle', a.title],
      ['PubDate', chinaDateTime(a.publishedAt)],
      ['ContentSource', a.contentSource],
      ['Keywords', a.keywords.join(',')],
      ['Author', a.author ?? a.contentSource],
      ['Description', a.description],
    );
    if (a.image) tags.push(['Image', a.image]);
    tags.push(['Url', a.url]);
  }
  const written = new Set(tags.map(([name]) => name));
  for (const [name, content] of Object.entries(p.meta ?? {})) if (!written.has(name)) tags.push([name, content]);
  return tags;
}

export function pageShell(p: PageShell): string {
  const id = p.site.identity;
  const home = `${p.root}${SITE_PATHS.home}`;
  const crumbs: Crumb[] = [{ label: '首页', href: home }, ...p.breadcrumb];
  const breadcrumb = crumbs
    .map((c, i) => {
      const current = i === crumbs.length - 1 ? ' aria-current="page"' : '';
      return c.href ? `<a href="${esc(c.href)}"${current}>${esc(c.label)}</a>` : `<span${current}>${esc(c.label)}</span>`;
    })
    .join('<span class="sep" aria-hidden="true"> &gt; </span>');
  const description = p.description ?? p.article?.description;
  const meta = metaTags(p)
    .map(([name, content]) => `<meta name="${esc(name)}" content="${esc(content)}">`)
    .join('\n');
  const title = p.title === id.siteName ? p.title : `${p.title} - ${id.siteName}`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
${description ? `<meta name="description" content="${esc(description)}">\n` : ''}${meta}
${p.path !== null ? `<link rel="canonical" href="${esc(absoluteUrl(p.site, p.path))}">\n` : ''}<link rel="icon" href="${esc(p.root + FAVICON_PATH)}" sizes="32x32">
<link rel="stylesheet" href="${esc(p.root + SITE_CSS_PATH)}">
<link rel="alternate" type="application/rss+xml" title="${esc(`${id.siteName} - 最新信息`)}" href="${esc(p.root + SITE_PATHS.feed)}">
${p.extraHead ?? ''}<script src="${esc(p.root + SITE_JS_PATH)}"></script>
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
${siteHeader(p.root, id)}
${mainNav(p)}
<nav class="breadcrumb" aria-label="当前位置">当前位置：${breadcrumb}</nav>
<main id="main">
${p.main}
</main>
${siteFooter(p.root, id)}
</body>
</html>
`;
}

function siteHeader(root: string, id: SiteIdentity): string {
  return `<header class="site-header"><div class="header-inner">
<a class="site-name" href="${esc(root + SITE_PATHS.home)}">${esc(id.siteName)}</a>
<div class="header-tools">
<form class="search" role="search" action="${esc(root + SITE_PATHS.search)}" method="get"><label class="visually-hidden" for="site-search-q">站内搜索</label><input id="site-search-q" name="q" type="search" maxlength="${SEARCH_QUERY_MAX_CHARS}" placeholder="请输入关键词" autocomplete="off"><button type="submit">搜索</button></form>
<button type="button" class="elder-toggle" id="elder-toggle" aria-pressed="false" hidden>适老化模式</button>
</div>
</div></header>`;
}

/** 首页, the registry's top-level columns, 政府信息公开目录. */
function mainNav(p: PageShell): string {
  const structure = p.site.structure;
  const currentRoot = p.column ? p.column.idPath[0] : undefined;
  const item = (href: string, label: string, current: boolean) => `<li><a href="${esc(href)}"${current ? ' aria-current="page"' : ''}>${esc(label)}</a></li>`;
  const items = [
    item(p.root + SITE_PATHS.home, '首页', p.nav === 'home'),
    ...structure.roots.map((rootId) => {
      const column = columnNode(structure, rootId);
      return column ? item(p.root + portalColumnPaths(rootId).index, column.name, rootId === currentRoot) : '';
    }),
    item(p.root + SITE_PATHS.catalogue, '政府信息公开目录', p.nav === 'catalogue'),
  ];
  return `<nav class="main-nav" aria-label="主导航"><div class="nav-inner"><ul>
${items.filter(Boolean).join('\n')}
</ul></div></nav>`;
}

/** The MPS filing page of a 公安备案号 (its digits); null when it has none (not configured). */
export function publicSecurityHref(publicSecurityNumber: string): string | null {
  const code = /\d{6,}/.exec(publicSecurityNumber)?.[0];
  return code ? `https://beian.mps.gov.cn/#/query/webSearch?code=${code}` : null;
}

export const ICP_HREF = 'https://beian.miit.gov.cn/';

/**
 * 我为政府网站找错 (the 发展指引 asks every footer for it): site.yaml's `errorReportUrl`, else the
 * national 找错 platform's page for the site's 网站标识码; null without a code (not configured).
 */
export function errorReportHref(id: SiteIdentity): string | null {
  if (id.errorReportUrl) return id.errorReportUrl;
  if (!/^[0-9A-Za-z]{10}$/.test(id.siteIdCode)) return null;
  return `https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=${id.siteIdCode}&url=${encodeURIComponent(`https://${id.siteDomain}/`)}`;
}

function siteFooter(root: string, id: SiteIdentity): string {
  const c = id.contact;
  const contact = [
    c.address ? `地址：${esc(c.address)}` : '',
    c.postcode ? `邮编：${esc(c.postcode)}` : '',
    c.phone ? `电话：${esc(c.phone)}` : '',
    c.email ? `电子邮箱：<a href="mailto:${esc(c.email)}">${esc(c.email)}</a>` : '',
  ].filter(Boolean);
  const units = [`主办单位：${esc(id.hostUnit)}`, id.operatorUnit ? `承办单位：${esc(id.operatorUnit)}` : ''].filter(Boolean).join('　');
  const badge = id.partyGovernmentBadgeUrl ? `<a class="dzjg" href="${esc(id.partyGovernmentBadgeUrl)}" rel="noopener">${PARTY_GOVERNMENT_BADGE_SVG}</a>` : '';
  const errorReport = errorReportHref(id);
  const publicSecurityLink = publicSecurityHref(id.publicSecurityNumber);
  const publicSecurity = publicSecurityLink
    ? `<a href="${esc(publicSecurityLink)}" rel="noopener">${esc(id.publicSecurityNumber)}</a>`
    : esc(id.publicSecurityNumber);
  return `<footer class="site-footer"><div class="footer-inner">
<div class="footer-text">
<nav class="footer-links" aria-label="网站服务"><a href="${esc(root + SITE_PATHS.siteMap)}">网站地图</a><a href="${esc(root + SITE_PATHS.search)}">站内搜索</a><a href="${esc(root + SITE_PATHS.feed)}">RSS 订阅</a><a href="${esc(root + SITE_PATHS.catalogue)}">政府信息公开目录</a>${errorReport ? `<a href="${esc(errorReport)}" rel="noopener">我为政府网站找错</a>` : ''}</nav>
<p>${units}</p>
<address class="contact">联系我们：${contact.length > 0 ? contact.join('　') : esc(id.hostUnit)}</address>
<p>网站标识码：${esc(id.siteIdCode)}　<a href="${ICP_HREF}" rel="noopener">${esc(id.icpNumber)}</a>　${publicSecurity}</p>
</div>
${badge}
</div></footer>`;
}

/**
 * The 党政机关 site badge, drawn here (a red seal-like shield with the words 党政机关), linked to
 * the site's verification page; its accessible name says what it is.
 */
export const PARTY_GOVERNMENT_BADGE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 78" role="img" aria-label="党政机关网站标识（点击查看认证信息）">' +
  '<path d="M32 2 L60 12 V40 C60 58 47 70 32 76 C17 70 4 58 4 40 V12 Z" fill="#c8161d"/>' +
  '<path d="M32 7 L55 15 V40 C55 55 44 65 32 70 C20 65 9 55 9 40 V15 Z" fill="none" stroke="#ffffff" stroke-width="1.5"/>' +
  '<polygon points="32,14 34.6,21.2 42.3,21.4 36.2,26.1 38.4,33.4 32,29.1 25.6,33.4 27.8,26.1 21.7,21.4 29.4,21.2" fill="#ffde00"/>' +
  '<text x="32" y="48" text-anchor="middle" font-size="11" font-weight="bold" fill="#ffffff" font-family="sans-serif">党政</text>' +
  '<text x="32" y="61" text-anchor="middle" font-size="11" font-weight="bold" fill="#ffffff" font-family="sans-serif">机关</text>' +
  '</svg>';

/**
 * Breadcrumbs of a column: every level of its path, each linked to its column page. On the
 * column's own page the last one is the current page.
 */
export function columnCrumbs(column: ColumnNode, root: string): Crumb[] {
  return column.path.map((label, i) => ({ label, href: `${root}${portalColumnPaths(column.idPath[i]!).index}` }));
}
