/**
 * The portal's pages, feeds and sitemap as strings. Pure: the same state renders the same bytes.
 *
 * Links between pages are relative (`../../art/<id>/index.html`), so one site works under any
 * prefix (`/portal/` behind the API, a domain root in production) and even from disk. Feeds, the
 * sitemap and canonical links need absolute URLs and use the configured public base URL.
 */
import { escapeHtml } from '../text.js';
import { chinaDate } from './format.js';
import {
  FIGURE_MARKER,
  PORTAL_AUDIO_SPEC,
  PORTAL_IMAGE_WIDTHS,
  PORTAL_POSTER_SPEC,
  PORTAL_VIDEO_SPEC,
  type PortalFigure,
  type PortalInterpretation,
  type PortalLead,
} from './payload.js';
import { columnPackagesNewestFirst, mediaKey, sortNewestFirst, type MediaFile, type PackageEntry, type PackageSource, type SiteManifest } from './state.js';
import { portalColumnPaths, portalPagePaths } from './urls.js';

/** Bump when the markup changes: every page is rendered again on the next commit. */
export const RENDER_VERSION = 'portal-pages-1';

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

/** Sitemaps hold at most 50,000 URLs (sitemaps.org); above that sitemap.xml becomes an index. */
export const SITEMAP_MAX_URLS = 50_000;

export const SITE_CSS_PATH = 'assets/site.css';

const esc = escapeHtml;

/** Text for XML: characters XML 1.0 forbids removed, the rest escaped. */
function xml(text: string): string {
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

function chinaDateTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** 2025-06-01 → 2025年06月01日 */
function chineseDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年${m}月${d}日`;
}

function absolute(site: SiteSettings, sitePath: string): string {
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

interface Crumb {
  label: string;
  href?: string;
}

interface PageShell {
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

function shell(p: PageShell): string {
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
${p.path !== null ? `<link rel="canonical" href="${esc(absolute(p.site, p.path))}">\n` : ''}<link rel="stylesheet" href="${p.root}${SITE_CSS_PATH}">
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

function columnCrumbs(path: string[], columnIndexHref: string | null): Crumb[] {
  return path.map((label, i) => (i === path.length - 1 && columnIndexHref ? { label, href: columnIndexHref } : { label }));
}

// ── Media ───────────────────────────────────────────────────────────────────────────────────

const PICTURE_SIZES = '(max-width: 960px) 100vw, 960px';

/** `<picture>`: WebP sources and a JPEG fallback over the widths the renditions really have. */
export function pictureHtml(figure: PortalFigure, media: Record<string, MediaFile>, root: string): string {
  const variants = (ext: 'webp' | 'jpg') => {
    const byFile = new Map<string, MediaFile>();
    for (const w of PORTAL_IMAGE_WIDTHS) {
      const file = media[mediaKey(figure.mediaId, `portal.w${w}.${ext}`)];
      if (file && !byFile.has(file.file)) byFile.set(file.file, file);
    }
    return [...byFile.values()].sort((a, b) => (a.width ?? 0) - (b.width ?? 0));
  };
  const srcset = (files: MediaFile[]) => files.map((f) => `${root}${f.file} ${f.width ?? 0}w`).join(', ');
  const webp = variants('webp');
  const jpeg = variants('jpg');
  if (jpeg.length === 0) return '';
  const fallback = jpeg.find((f) => (f.width ?? 0) >= 960) ?? jpeg[jpeg.length - 1]!;
  const size = fallback.width && fallback.height ? ` width="${fallback.width}" height="${fallback.height}"` : '';
  const source = webp.length > 0 ? `<source type="image/webp" srcset="${esc(srcset(webp))}" sizes="${PICTURE_SIZES}">` : '';
  return (
    `<picture>${source}<img src="${esc(root + fallback.file)}" srcset="${esc(srcset(jpeg))}" sizes="${PICTURE_SIZES}"` +
    `${size} alt="${esc(figure.alt)}" loading="lazy" decoding="async"></picture>`
  );
}

/** Body HTML with its figure markers replaced by pictures. */
function bodyHtml(html: string, source: PackageSource, root: string): string {
  return html.replace(FIGURE_MARKER, (_m, n: string) => {
    const figure = source.payload.figures[Number(n)];
    return figure ? pictureHtml(figure, source.media, root) : '';
  });
}

function leadHtml(lead: PortalLead | null, interpretation: PortalInterpretation, source: PackageSource, root: string): string {
  if (!lead) return '';
  if (lead.kind === 'figure') {
    const figure = source.payload.figures[lead.figure];
    return figure ? `<figure class="lead">${pictureHtml(figure, source.media, root)}</figure>` : '';
  }
  if (lead.kind === 'video') {
    const video = source.media[mediaKey(lead.mediaId, PORTAL_VIDEO_SPEC)];
    const poster = source.media[mediaKey(lead.mediaId, PORTAL_POSTER_SPEC)];
    if (!video) return '';
    const size = video.width && video.height ? ` width="${video.width}" height="${video.height}"` : '';
    return (
      `<figure class="lead lead-video"><video controls preload="metadata"${size}${poster ? ` poster="${esc(root + poster.file)}"` : ''} aria-label="${esc(interpretation.title)}">` +
      `<source src="${esc(root + video.file)}" type="${esc(video.mime)}">` +
      `您的浏览器不能播放此视频，请<a href="${esc(root + video.file)}">下载视频</a>观看。</video></figure>`
    );
  }
  const audio = source.media[mediaKey(lead.mediaId, PORTAL_AUDIO_SPEC)];
  if (!audio) return '';
  return (
    `<figure class="lead lead-audio"><audio controls preload="none" aria-label="${esc(interpretation.title)}">` +
    `<source src="${esc(root + audio.file)}" type="${esc(audio.mime)}">` +
    `您的浏览器不能播放此音频，请<a href="${esc(root + audio.file)}">下载音频</a>收听。</audio></figure>`
  );
}

function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

// ── Article pages ───────────────────────────────────────────────────────────────────────────

/** Document page and interpretation pages of one package, by site-root-relative path. */
export function renderArticlePages(
  packageId: string,
  source: PackageSource,
  entry: PackageEntry,
  manifest: SiteManifest,
  site: SiteSettings,
): Map<string, string> {
  const out = new Map<string, string>();
  const p = source.payload;
  const paths = portalPagePaths(packageId, p.interpretations.length);
  const root = '../../';
  const homeColumnId = entry.columns[0];
  const homeColumn = homeColumnId ? manifest.columns[homeColumnId] : undefined;
  const homeColumnHref = homeColumnId ? `${root}${portalColumnPaths(homeColumnId).index}` : null;
  const columnCrumbList = homeColumn ? columnCrumbs(homeColumn.path, homeColumnHref) : [];
  const releasedDate = chinaDate(p.releasedAt);
  const columnsLine = entry.columns
    .filter((id) => manifest.columns[id])
    .map((id) => `<a href="${root}${portalColumnPaths(id).index}">${esc(manifest.columns[id]!.path.join(' > '))}</a>`)
    .join('、');
  const articleMeta = (title: string): Record<string, string> => ({
    ColumnName: homeColumn?.path[homeColumn.path.length - 1] ?? '',
    ArticleTitle: title,
    PubDate: chinaDateTime(p.releasedAt),
    ContentSource: p.document.issuingUnit ?? site.siteName,
  });

  const related = p.interpretations
    .map((interpretation, i) => {
      const href = paths.interpretations[i]!.slice(paths.directory.length + 1);
      return `<li><a href="${href}">${esc(interpretation.title)}</a> <span class="form">（${esc(interpretation.formLabel)}）</span></li>`;
    })
    .join('\n');
  const attachments = p.document.attachments
    .map((a) => {
      if (a.media) {
        const file = source.media[mediaKey(a.media.mediaId, a.media.spec)];
        if (!file) return '';
        return `<li><a href="${esc(root + file.file)}">${esc(a.name)}</a> <span class="size">（${formatSize(file.bytes)}）</span></li>`;
      }
      return a.href ? `<li><a href="${esc(a.href)}" rel="noopener">${esc(a.name)}</a></li>` : '';
    })
    .filter(Boolean)
    .join('\n');
  const metaRow = (label: string, value: string | null) => `<th scope="row">${label}</th><td>${value ? esc(value) : '无'}</td>`;

  const documentMain = `<article class="doc">
<h1>${esc(p.document.title)}</h1>
<table class="doc-meta">
<tbody>
<tr>${metaRow('发文字号', p.document.documentNumber)}${metaRow('发布机构', p.document.issuingUnit)}</tr>
<tr>${metaRow('成文日期', p.document.formedAt ? chineseDate(p.document.formedAt) : null)}${metaRow('发布日期', chineseDate(releasedDate))}</tr>
</tbody>
</table>
<div class="doc-body">
${bodyHtml(p.document.bodyHtml, source, root)}
</div>
${attachments ? `<section class="attachments" aria-labelledby="attachments-heading"><h2 id="attachments-heading">附件</h2><ul>\n${attachments}\n</ul></section>\n` : ''}${
    related ? `<section class="related" aria-labelledby="related-heading"><h2 id="related-heading">关联解读</h2><ul>\n${related}\n</ul></section>\n` : ''
  }${columnsLine ? `<p class="columns">所属栏目：${columnsLine}</p>` : ''}
</article>`;
  out.set(
    paths.document,
    shell({
      site,
      root,
      title: p.document.title,
      path: paths.document,
      breadcrumb: [...columnCrumbList, { label: '正文' }],
      main: documentMain,
      description: p.summary,
      meta: articleMeta(p.document.title),
    }),
  );

  p.interpretations.forEach((interpretation, i) => {
    const others = p.interpretations
      .map((other, j) => (j === i ? '' : `<li><a href="jd-${j + 1}.html">${esc(other.title)}</a> <span class="form">（${esc(other.formLabel)}）</span></li>`))
      .filter(Boolean)
      .join('\n');
    const details = [
      `<span>解读形式：${esc(interpretation.formLabel)}</span>`,
      interpretation.interpreter ? `<span>解读人：${esc(interpretation.interpreter)}</span>` : '',
      `<span>发布日期：${chineseDate(releasedDate)}</span>`,
    ]
      .filter(Boolean)
      .join(' ');
    const main = `<article class="jd">
<h1>${esc(interpretation.title)}</h1>
<p class="jd-meta">${details}</p>
<section class="policy-origin" aria-labelledby="origin-heading"><h2 id="origin-heading">政策原文</h2><p><a href="index.html">${esc(p.document.title)}</a></p></section>
${leadHtml(interpretation.lead, interpretation, source, root)}
<div class="jd-body">
${bodyHtml(interpretation.bodyHtml, source, root)}
</div>
${interpretation.link ? `<p class="external"><a href="${esc(interpretation.link)}" rel="noopener">查看${esc(interpretation.formLabel)}页面</a></p>\n` : ''}${
      others ? `<section class="related" aria-labelledby="others-heading"><h2 id="others-heading">其他解读</h2><ul>\n${others}\n</ul></section>\n` : ''
    }${columnsLine ? `<p class="columns">所属栏目：${columnsLine}</p>` : ''}
</article>`;
    out.set(
      paths.interpretations[i]!,
      shell({
        site,
        root,
        title: interpretation.title,
        path: paths.interpretations[i]!,
        breadcrumb: [...columnCrumbList, { label: '政策解读' }],
        main,
        meta: articleMeta(interpretation.title),
      }),
    );
  });
  return out;
}

// ── Lists ───────────────────────────────────────────────────────────────────────────────────

function entryItem(packageId: string, entry: PackageEntry, root: string, columnLabel: string | null): string {
  const paths = portalPagePaths(packageId, entry.interpretations.length);
  const thumb = entry.cover
    ? `<img class="thumb" src="${esc(root + entry.cover.file)}" alt="${esc(entry.cover.alt)}" width="160" height="90" loading="lazy" decoding="async"> `
    : '';
  const interpretations = entry.interpretations.map((i, n) => `<a href="${root}${paths.interpretations[n]}">${esc(i.formLabel)}</a>`).join(' ');
  return (
    `<li class="entry">${thumb}<a class="entry-title" href="${root}${paths.document}">${esc(entry.title)}</a>` +
    `${interpretations ? ` <span class="entry-jd">解读：${interpretations}</span>` : ''}` +
    `${columnLabel ? ` <span class="entry-column">${esc(columnLabel)}</span>` : ''}` +
    ` <span class="entry-date">${chinaDate(entry.releasedAt)}</span></li>`
  );
}

/** Index pages (index.html, index_2.html, …) and rss.xml of a column. */
export function renderColumnFiles(columnId: string, manifest: SiteManifest, site: SiteSettings): Map<string, string> {
  const out = new Map<string, string>();
  const column = manifest.columns[columnId];
  if (!column) return out;
  const paths = portalColumnPaths(columnId);
  const ids = columnPackagesNewestFirst(manifest, columnId);
  const pageCount = Math.max(1, Math.ceil(ids.length / site.pageSize));
  const root = '../../';
  const name = column.path[column.path.length - 1] ?? columnId;
  const rssHref = 'rss.xml';
  for (let page = 1; page <= pageCount; page++) {
    const slice = ids.slice((page - 1) * site.pageSize, page * site.pageSize);
    const list =
      slice.length > 0
        ? `<ul class="article-list">\n${slice.map((id) => entryItem(id, manifest.packages[id]!, root, null)).join('\n')}\n</ul>`
        : '<p class="empty">本栏目暂无信息。</p>';
    const pageHref = (n: number) => paths.page(n).slice(paths.directory.length + 1);
    const pager =
      pageCount > 1
        ? `<nav class="pager" aria-label="分页">${page > 1 ? `<a href="${pageHref(page - 1)}" rel="prev">上一页</a> ` : ''}<span>第 ${page}/${pageCount} 页</span>${
            page < pageCount ? ` <a href="${pageHref(page + 1)}" rel="next">下一页</a>` : ''
          }</nav>`
        : '';
    out.set(
      paths.page(page),
      shell({
        site,
        root,
        title: page > 1 ? `${name}（第${page}页）` : name,
        path: paths.page(page),
        breadcrumb: columnCrumbs(column.path, null),
        main: `<h1>${esc(name)}</h1>\n<p class="feed"><a href="${rssHref}">RSS 订阅</a></p>\n${list}\n${pager}`,
        meta: { ColumnName: name },
        extraHead: `<link rel="alternate" type="application/rss+xml" title="${esc(`${site.siteName} - ${name}`)}" href="${rssHref}">\n`,
      }),
    );
  }
  out.set(paths.rss, renderColumnFeed(columnId, manifest, site));
  return out;
}

/** RSS 2.0 with the newest `feedSize` items; dates are release dates, so a feed only changes with its content. */
export function renderColumnFeed(columnId: string, manifest: SiteManifest, site: SiteSettings): string {
  const column = manifest.columns[columnId]!;
  const paths = portalColumnPaths(columnId);
  const ids = columnPackagesNewestFirst(manifest, columnId).slice(0, site.feedSize);
  const name = column.path.join(' > ');
  const items = ids.map((id) => {
    const entry = manifest.packages[id]!;
    const link = absolute(site, portalPagePaths(id, 0).document);
    return `<item>
<title>${xml(entry.title)}</title>
<link>${xml(link)}</link>
<guid isPermaLink="true">${xml(link)}</guid>
<pubDate>${new Date(entry.releasedAt).toUTCString()}</pubDate>
<description>${xml(entry.summary)}</description>
<category>${xml(name)}</category>
</item>`;
  });
  const latest = ids[0] ? manifest.packages[ids[0]]!.releasedAt : null;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(`${site.siteName} - ${column.path[column.path.length - 1] ?? columnId}`)}</title>
<link>${xml(absolute(site, paths.index))}</link>
<description>${xml(`${site.siteName}「${name}」栏目的最新信息`)}</description>
<language>zh-cn</language>
<atom:link href="${xml(absolute(site, paths.rss))}" rel="self" type="application/rss+xml"/>
${latest ? `<lastBuildDate>${new Date(latest).toUTCString()}</lastBuildDate>\n` : ''}${items.join('\n')}${items.length ? '\n' : ''}</channel>
</rss>
`;
}

/** The home page: the latest releases of every column and the column directory. */
export function renderHome(manifest: SiteManifest, site: SiteSettings): string {
  const latest = sortNewestFirst(manifest, Object.keys(manifest.packages)).slice(0, site.homeSize);
  const columnIds = Object.keys(manifest.columns).sort((a, b) => {
    const pa = manifest.columns[a]!.path.join('>');
    const pb = manifest.columns[b]!.path.join('>');
    return pa < pb ? -1 : pa > pb ? 1 : a < b ? -1 : 1;
  });
  const latestHtml =
    latest.length > 0
      ? `<ul class="article-list">\n${latest
          .map((id) => {
            const entry = manifest.packages[id]!;
            const column = entry.columns[0] ? manifest.columns[entry.columns[0]] : undefined;
            return entryItem(id, entry, '', column ? (column.path[column.path.length - 1] ?? null) : null);
          })
          .join('\n')}\n</ul>`
      : '<p class="empty">本站尚未发布信息。</p>';
  const columnsHtml =
    columnIds.length > 0
      ? `<ul class="column-list">\n${columnIds
          .map((id) => {
            const column = manifest.columns[id]!;
            return `<li><a href="${portalColumnPaths(id).index}">${esc(column.path.join(' > '))}</a> <span class="count">（${column.packages.length}）</span></li>`;
          })
          .join('\n')}\n</ul>`
      : '';
  return shell({
    site,
    root: '',
    title: site.siteName,
    path: 'index.html',
    breadcrumb: [],
    main: `<h1 class="visually-hidden">${esc(site.siteName)}</h1>
<section class="latest" aria-labelledby="latest-heading"><h2 id="latest-heading">最新发布</h2>
${latestHtml}
</section>
${columnsHtml ? `<section class="columns-nav" aria-labelledby="columns-heading"><h2 id="columns-heading">栏目导航</h2>\n${columnsHtml}\n</section>` : ''}`,
  });
}

/** sitemap.xml (and sitemap-N.xml parts past 50,000 URLs). */
export function renderSitemaps(manifest: SiteManifest, site: SiteSettings): Map<string, string> {
  const urls: { loc: string; lastmod: string | null }[] = [];
  const newest = sortNewestFirst(manifest, Object.keys(manifest.packages));
  urls.push({ loc: absolute(site, 'index.html'), lastmod: newest[0] ? manifest.packages[newest[0]]!.releasedAt : null });
  for (const columnId of Object.keys(manifest.columns).sort()) {
    const ids = columnPackagesNewestFirst(manifest, columnId);
    const pages = Math.max(1, Math.ceil(ids.length / site.pageSize));
    const lastmod = ids[0] ? manifest.packages[ids[0]]!.releasedAt : null;
    for (let n = 1; n <= pages; n++) urls.push({ loc: absolute(site, portalColumnPaths(columnId).page(n)), lastmod });
  }
  for (const id of newest) {
    const entry = manifest.packages[id]!;
    const paths = portalPagePaths(id, entry.interpretations.length);
    for (const p of [paths.document, ...paths.interpretations]) urls.push({ loc: absolute(site, p), lastmod: entry.releasedAt });
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
${parts.map((name) => `<sitemap><loc>${xml(absolute(site, name))}</loc></sitemap>`).join('\n')}
</sitemapindex>
`,
  );
  return out;
}

export function renderRobots(site: SiteSettings): string {
  return `User-agent: *\nAllow: /\nSitemap: ${absolute(site, 'sitemap.xml')}\n`;
}

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

const STANDALONE_CSS =
  'body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}' +
  '.site-header{background:#a8171b;padding:1rem}.site-name{color:#fff;font-size:1.4rem;text-decoration:none}main{max-width:60rem;margin:2rem auto;padding:0 1rem}';

export const SITE_CSS = `/* govpub portal */
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;line-height:1.7;background:#f6f6f6}
a{color:#0b4a8b}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.site-header{background:#a8171b;padding:1rem 1.5rem}
.site-name{color:#fff;font-size:1.5rem;font-weight:bold;text-decoration:none}
.breadcrumb{max-width:64rem;margin:1rem auto 0;padding:0 1rem;font-size:.9rem;color:#555}
main{max-width:64rem;margin:1rem auto;padding:1.5rem;background:#fff}
h1{font-size:1.6rem;text-align:center;line-height:1.4}
.doc-meta{width:100%;border-collapse:collapse;margin:1rem 0;font-size:.95rem}
.doc-meta th,.doc-meta td{border:1px solid #ddd;padding:.4rem .6rem;text-align:left}
.doc-meta th{background:#f2f2f2;white-space:nowrap;width:6em}
picture img,.lead img{max-width:100%;height:auto}
video{max-width:100%;height:auto;background:#000}
.lead{margin:1rem 0;text-align:center}
.related,.attachments,.policy-origin{margin-top:1.5rem;padding:1rem;background:#f7f9fc;border-left:4px solid #0b4a8b}
.related h2,.attachments h2,.policy-origin h2{font-size:1.1rem;margin:0 0 .5rem}
.jd-meta{text-align:center;color:#666}.jd-meta span{margin:0 .5rem}
.article-list{list-style:none;padding:0}
.entry{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;padding:.6rem 0;border-bottom:1px dashed #ddd}
.entry-title{flex:1 1 20rem}.entry-date,.entry-column,.entry-jd{color:#666;font-size:.9rem}
.thumb{width:160px;height:90px;object-fit:cover}
.pager{text-align:center;margin-top:1rem}
.columns{color:#666;font-size:.9rem;margin-top:1.5rem}
.site-footer{text-align:center;color:#777;font-size:.85rem;padding:1rem}
`;
