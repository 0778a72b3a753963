/**
 * A package's pages: the document page (art/<id>/index.html: 发文字号, 发布机构, 成文日期, 发布日期,
 * body, 附件, 「关联解读」, 「所属栏目」) and one page per interpretation (art/<id>/jd-<n>.html).
 * A package's pages are per package, not per column: the breadcrumb shows its first column.
 */
import { chinaDate } from '../format.js';
import type { PortalInterpretation } from '../payload.js';
import { mediaKey, type PackageEntry, type PackageSource, type SiteManifest } from '../state.js';
import { portalColumnPaths, portalPagePaths } from '../urls.js';
import { columnCrumbs, pageShell, type Crumb } from './layout.js';
import { bodyHtml, leadHtml } from './media.js';
import type { SiteSettings } from './settings.js';
import { chinaDateTime, chineseDate, esc, formatSize } from './text.js';

/** Every page of a package sits two levels below the site root. */
const ROOT = '../../';

/** What the document page and the interpretation pages of one package share. */
interface ArticleContext {
  source: PackageSource;
  site: SiteSettings;
  paths: ReturnType<typeof portalPagePaths>;
  columnCrumbs: Crumb[];
  /** 「所属栏目」: every column listing the package, linked; '' when none. */
  columnsLine: string;
  /** 发布日期 as YYYY-MM-DD in China time. */
  releasedDate: string;
  articleMeta(title: string): Record<string, string>;
}

/** Document page and interpretation pages of one package, by site-root-relative path. */
export function renderArticlePages(
  packageId: string,
  source: PackageSource,
  entry: PackageEntry,
  manifest: SiteManifest,
  site: SiteSettings,
): Map<string, string> {
  const p = source.payload;
  const homeColumnId = entry.columns[0];
  const homeColumn = homeColumnId ? manifest.columns[homeColumnId] : undefined;
  const homeColumnHref = homeColumnId ? `${ROOT}${portalColumnPaths(homeColumnId).index}` : null;
  const context: ArticleContext = {
    source,
    site,
    paths: portalPagePaths(packageId, p.interpretations.length),
    columnCrumbs: homeColumn ? columnCrumbs(homeColumn.path, homeColumnHref) : [],
    columnsLine: entry.columns
      .filter((id) => manifest.columns[id])
      .map((id) => `<a href="${ROOT}${portalColumnPaths(id).index}">${esc(manifest.columns[id]!.path.join(' > '))}</a>`)
      .join('、'),
    releasedDate: chinaDate(p.releasedAt),
    articleMeta: (title) => ({
      ColumnName: homeColumn?.path[homeColumn.path.length - 1] ?? '',
      ArticleTitle: title,
      PubDate: chinaDateTime(p.releasedAt),
      ContentSource: p.document.issuingUnit ?? site.siteName,
    }),
  };
  const out = new Map<string, string>();
  out.set(context.paths.document, documentPage(context));
  p.interpretations.forEach((interpretation, i) => out.set(context.paths.interpretations[i]!, interpretationPage(context, interpretation, i)));
  return out;
}

function documentPage(context: ArticleContext): string {
  const { source, paths } = context;
  const p = source.payload;
  const related = p.interpretations
    .map((interpretation, i) => interpretationItem(paths.interpretations[i]!.slice(paths.directory.length + 1), interpretation))
    .join('\n');
  const attachments = p.document.attachments
    .map((a) => {
      if (a.media) {
        const file = source.media[mediaKey(a.media.mediaId, a.media.spec)];
        if (!file) return '';
        return `<li><a href="${esc(ROOT + file.file)}">${esc(a.name)}</a> <span class="size">（${formatSize(file.bytes)}）</span></li>`;
      }
      return a.href ? `<li><a href="${esc(a.href)}" rel="noopener">${esc(a.name)}</a></li>` : '';
    })
    .filter(Boolean)
    .join('\n');
  const metaRow = (label: string, value: string | null) => `<th scope="row">${label}</th><td>${value ? esc(value) : '无'}</td>`;

  const main = `<article class="doc">
<h1>${esc(p.document.title)}</h1>
<table class="doc-meta">
<tbody>
<tr>${metaRow('发文字号', p.document.documentNumber)}${metaRow('发布机构', p.document.issuingUnit)}</tr>
<tr>${metaRow('成文日期', p.document.formedAt ? chineseDate(p.document.formedAt) : null)}${metaRow('发布日期', chineseDate(context.releasedDate))}</tr>
</tbody>
</table>
<div class="doc-body">
${bodyHtml(p.document.bodyHtml, source, ROOT)}
</div>
${listSection('attachments', 'attachments', '附件', attachments)}${listSection('related', 'related', '关联解读', related)}${columnsParagraph(context)}
</article>`;
  return pageShell({
    site: context.site,
    root: ROOT,
    title: p.document.title,
    path: paths.document,
    breadcrumb: [...context.columnCrumbs, { label: '正文' }],
    main,
    description: p.summary,
    meta: context.articleMeta(p.document.title),
  });
}

function interpretationPage(context: ArticleContext, interpretation: PortalInterpretation, index: number): string {
  const { source } = context;
  const p = source.payload;
  const others = p.interpretations
    .map((other, j) => (j === index ? '' : interpretationItem(`jd-${j + 1}.html`, other)))
    .filter(Boolean)
    .join('\n');
  const details = [
    `<span>解读形式：${esc(interpretation.formLabel)}</span>`,
    interpretation.interpreter ? `<span>解读人：${esc(interpretation.interpreter)}</span>` : '',
    `<span>发布日期：${chineseDate(context.releasedDate)}</span>`,
  ]
    .filter(Boolean)
    .join(' ');
  const main = `<article class="jd">
<h1>${esc(interpretation.title)}</h1>
<p class="jd-meta">${details}</p>
<section class="policy-origin" aria-labelledby="origin-heading"><h2 id="origin-heading">政策原文</h2><p><a href="index.html">${esc(p.document.title)}</a></p></section>
${leadHtml(interpretation.lead, interpretation, source, ROOT)}
<div class="jd-body">
${bodyHtml(interpretation.bodyHtml, source, ROOT)}
</div>
${interpretation.link ? `<p class="external"><a href="${esc(interpretation.link)}" rel="noopener">查看${esc(interpretation.formLabel)}页面</a></p>\n` : ''}${listSection('related', 'others', '其他解读', others)}${columnsParagraph(context)}
</article>`;
  const path = context.paths.interpretations[index]!;
  return pageShell({
    site: context.site,
    root: ROOT,
    title: interpretation.title,
    path,
    breadcrumb: [...context.columnCrumbs, { label: '政策解读' }],
    main,
    meta: context.articleMeta(interpretation.title),
  });
}

/** A link to an interpretation page with its form (文字解读, 视频解读, …). */
function interpretationItem(href: string, interpretation: Pick<PortalInterpretation, 'title' | 'formLabel'>): string {
  return `<li><a href="${href}">${esc(interpretation.title)}</a> <span class="form">（${esc(interpretation.formLabel)}）</span></li>`;
}

/** A headed list (附件, 关联解读, 其他解读); nothing when it has no items. */
function listSection(className: string, key: string, heading: string, items: string): string {
  if (!items) return '';
  return `<section class="${className}" aria-labelledby="${key}-heading"><h2 id="${key}-heading">${heading}</h2><ul>\n${items}\n</ul></section>\n`;
}

function columnsParagraph(context: ArticleContext): string {
  return context.columnsLine ? `<p class="columns">所属栏目：${context.columnsLine}</p>` : '';
}
