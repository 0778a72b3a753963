/**
 * A package's pages: the document page (art/<bucket>/<id>/index.html) and one page per
 * interpretation (jd-<n>.html). The document page carries the disclosure metadata block
 * (索引号, 主题分类, 发文机关, 成文日期, 标题, 发文字号, 发布日期, 主题词, and 有效性 with its dates
 * for normative documents), the body, 附件 (type and size, to download), 「政策解读」 linking every
 * interpretation and 「所属栏目」. An interpretation page links back under 「政策原文」; a video
 * interpretation shows its captions and transcript.
 *
 * A package's pages are per package, not per column: the breadcrumb shows its home column (the
 * first listing it), every level linked; 「所属栏目」 lists them all. An interpretation's page shows the
 * 解读回应类 column that lists it (文字解读 for a text one), when the package is in one.
 */
import { summaryOf } from '../../text.js';
import { chinaDate, PORTAL_LIMITS } from '../format.js';
import { PORTAL_COVER_SPEC, type PortalAttachment, type PortalInterpretation } from '../payload.js';
import { mediaKey } from '../state.js';
import { portalColumnPaths, portalPagePaths, rootFrom } from '../urls.js';
import { validityText } from './catalogue.js';
import { columnCrumbs, pageShell, type ArticleMeta, type Crumb } from './layout.js';
import { bodyHtml, leadHtml, type PageMediaFile, type PageSource } from './media.js';
import type { ColumnNode } from './model.js';
import { interpretationColumnIndex } from './structure.js';
import { absoluteUrl, type SiteSettings } from './settings.js';
import { chineseDate, esc, formatSize } from './text.js';

export interface ArticleInput extends PageSource {
  packageId: string;
  /**
   * Columns listing the package, in the order they were added; the first is its home column
   * (breadcrumb, column meta tags). structure.ts columnOrOrphan resolves an id.
   */
  columns: readonly ColumnNode[];
}

/** The policy page's box of links to its interpretations, and the interpretation's link back. */
export const INTERPRETATIONS_HEADING = '政策解读';
export const ORIGINAL_HEADING = '政策原文';

/** What the document page and the interpretation pages of one package share. */
interface ArticleContext {
  input: ArticleInput;
  site: SiteSettings;
  root: string;
  paths: ReturnType<typeof portalPagePaths>;
  homeColumn: ColumnNode | null;
  columnCrumbs: Crumb[];
  /** 「所属栏目」: every column listing the package, linked; '' when none. */
  columnsLine: string;
  /** 发布日期 as YYYY-MM-DD in China time. */
  releasedDate: string;
  /** Absolute URL of the page's main picture (the cover, else the first figure), for the Image meta tag. */
  image: string | null;
}

/** Document page and interpretation pages of one package, by site-root-relative path. */
export function renderArticle(input: ArticleInput, site: SiteSettings): Map<string, string> {
  const p = input.payload;
  const paths = portalPagePaths(input.packageId, p.interpretations.length);
  const root = rootFrom(paths.document);
  const listed = input.columns;
  const homeColumn = listed[0] ?? null;
  const context: ArticleContext = {
    input,
    site,
    root,
    paths,
    homeColumn,
    columnCrumbs: homeColumn ? columnCrumbs(homeColumn, root) : [],
    columnsLine: listed.map((c) => `<a href="${esc(root + portalColumnPaths(c.id).index)}">${esc(c.path.join(' > '))}</a>`).join('、'),
    releasedDate: chinaDate(p.releasedAt),
    image: mainImage(input, site),
  };
  const out = new Map<string, string>();
  out.set(paths.document, documentPage(context));
  p.interpretations.forEach((interpretation, i) => out.set(paths.interpretations[i]!, interpretationPage(context, interpretation, i)));
  return out;
}

function mainImage(input: ArticleInput, site: SiteSettings): string | null {
  const p = input.payload;
  const cover = p.cover ? input.media[mediaKey(p.cover.mediaId, PORTAL_COVER_SPEC)] : undefined;
  const first = p.figures[0];
  const figure = first ? (input.media[mediaKey(first.mediaId, 'portal.w960.jpg')] ?? input.media[mediaKey(first.mediaId, 'portal.w480.jpg')]) : undefined;
  const file = cover ?? figure;
  return file ? absoluteUrl(site, file.file) : null;
}

function articleMeta(context: ArticleContext, title: string, path: string, author: string | null, description: string): ArticleMeta {
  const p = context.input.payload;
  const source = p.document.issuingUnit ?? context.site.identity.siteName;
  return {
    title,
    publishedAt: p.releasedAt,
    contentSource: source,
    // Without 主题词 the home column's name stands in, so the Keywords tag is never empty.
    keywords: p.document.keywords.length > 0 ? p.document.keywords : context.homeColumn ? [context.homeColumn.name] : [],
    author: author ?? source,
    description,
    image: context.image,
    url: absoluteUrl(context.site, path),
  };
}

/** The disclosure metadata block, laid out like the State Council's: two label/value pairs a row. */
function metadataBlock(context: ArticleContext): string {
  const d = context.input.payload.document;
  const value = (text: string | null | undefined) => (text ? esc(text) : '无');
  const cell = (label: string, html: string, wide = false) => `<th scope="row">${label}</th><td${wide ? ' colspan="3"' : ''}>${html}</td>`;
  const rows = [
    cell('索引号', value(d.indexNumber)) + cell('主题分类', value(d.topic)),
    cell('发文机关', value(d.issuingUnit)) + cell('成文日期', d.formedAt ? chineseDate(d.formedAt) : '无'),
    cell('标题', esc(d.title), true),
    cell('发文字号', value(d.documentNumber)) + cell('发布日期', chineseDate(context.releasedDate)),
    cell('主题词', d.keywords.length > 0 ? esc(d.keywords.join(' ')) : '无', true),
  ];
  if (d.validity) rows.push(cell('有效性', `<span class="validity-${d.validity.state}">${esc(validityText(d.validity))}</span>`, true));
  return `<table class="doc-meta">
<caption class="visually-hidden">信息公开要素</caption>
<tbody>
${rows.map((r) => `<tr>${r}</tr>`).join('\n')}
</tbody>
</table>`;
}

/** File types citizens know (PDF, Word, Excel, OFD), by MIME type: the extension the file was stored with comes second. */
const DOCUMENT_TYPES: Record<string, { label: string; ext: string }> = {
  'application/pdf': { label: 'PDF', ext: 'pdf' },
  'application/msword': { label: 'Word', ext: 'doc' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { label: 'Word', ext: 'docx' },
  'application/vnd.ms-excel': { label: 'Excel', ext: 'xls' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { label: 'Excel', ext: 'xlsx' },
  'application/ofd': { label: 'OFD', ext: 'ofd' },
  'image/jpeg': { label: '图片', ext: 'jpg' },
  'image/png': { label: '图片', ext: 'png' },
  'image/webp': { label: '图片', ext: 'webp' },
  'video/mp4': { label: '视频', ext: 'mp4' },
  'audio/mp4': { label: '音频', ext: 'm4a' },
  'audio/mpeg': { label: '音频', ext: 'mp3' },
};

/** Type label and extension of a published file: by MIME type, else by its stored extension. */
export function fileType(mime: string, file: string): { label: string; ext: string } {
  const known = DOCUMENT_TYPES[mime.split(';')[0]!.trim().toLowerCase()];
  if (known) return known;
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  const byExt = Object.values(DOCUMENT_TYPES).find((t) => t.ext === ext);
  return byExt ?? { label: ext ? ext.toUpperCase() : '文件', ext };
}

/** The download name: the attachment's name with the file's extension (unless it already ends with it). */
function downloadName(name: string, ext: string): string {
  if (!ext || name.toLowerCase().endsWith(`.${ext}`)) return name;
  return `${name}.${ext}`;
}

/** An attachment to download: its name, type and size (「PDF，1.2 MB」); an external link says so. */
function attachmentItem(attachment: PortalAttachment, media: Record<string, PageMediaFile>, root: string): string {
  if (attachment.media) {
    const file = media[mediaKey(attachment.media.mediaId, attachment.media.spec)];
    if (!file) return '';
    const type = fileType(file.mime, file.file);
    return (
      `<li><a href="${esc(root + file.file)}" download="${esc(downloadName(attachment.name, type.ext))}">${esc(attachment.name)}</a>` +
      ` <span class="file-meta">（${esc(type.label)}，${formatSize(file.bytes)}）</span></li>`
    );
  }
  return attachment.href
    ? `<li><a href="${esc(attachment.href)}" rel="noopener">${esc(attachment.name)}</a> <span class="file-meta">（外部链接）</span></li>`
    : '';
}

function documentPage(context: ArticleContext): string {
  const { input, paths, root } = context;
  const p = input.payload;
  const related = p.interpretations
    .map((interpretation, i) => interpretationItem(paths.interpretations[i]!.slice(paths.directory.length + 1), interpretation))
    .join('\n');
  const attachments = p.document.attachments
    .map((a) => attachmentItem(a, input.media, root))
    .filter(Boolean)
    .join('\n');
  const main = `<article class="doc">
<h1>${esc(p.document.title)}</h1>
${metadataBlock(context)}
<div class="doc-body">
${bodyHtml(p.document.bodyHtml, input, root)}
</div>
${listSection('attachments', 'attachments', '附件', attachments)}${listSection('related', 'related', INTERPRETATIONS_HEADING, related)}${columnsParagraph(context)}
</article>`;
  return pageShell({
    site: context.site,
    root,
    title: p.document.title,
    path: paths.document,
    breadcrumb: [...context.columnCrumbs, { label: '正文' }],
    column: context.homeColumn,
    main,
    article: articleMeta(context, p.document.title, paths.document, null, p.summary),
  });
}

function interpretationPage(context: ArticleContext, interpretation: PortalInterpretation, index: number): string {
  const { input, root } = context;
  const p = input.payload;
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
  // The document it explains no longer in force (失效, 废止): said beside it, with the dates.
  const validity = p.document.validity;
  const ended = validity && validity.state !== 'valid' ? ` <span class="validity-${validity.state}">${esc(validityText(validity))}</span>` : '';
  const main = `<article class="jd">
<h1>${esc(interpretation.title)}</h1>
<p class="jd-meta">${details}</p>
<section class="policy-origin" aria-labelledby="origin-heading"><h2 id="origin-heading">${ORIGINAL_HEADING}</h2><p><a href="index.html">${esc(p.document.title)}</a>${ended}</p></section>
${leadHtml(interpretation.lead, interpretation, input, root)}
<div class="jd-body">
${bodyHtml(interpretation.bodyHtml, input, root)}
</div>
${interpretation.link ? `<p class="external"><a href="${esc(interpretation.link)}" rel="noopener">查看${esc(interpretation.formLabel)}页面</a></p>\n` : ''}${listSection('related', 'others', '其他解读', others)}${columnsParagraph(context)}
</article>`;
  const path = context.paths.interpretations[index]!;
  // The 解读回应类 column that lists it (文字解读 for a text one), as its list leads here; else the home column.
  const listedIn = interpretationColumnIndex(
    input.columns.map((c) => c.path),
    interpretation.formLabel,
    p.interpretations.map((i) => i.formLabel),
  );
  const column = listedIn >= 0 ? input.columns[listedIn]! : context.homeColumn;
  return pageShell({
    site: context.site,
    root,
    title: interpretation.title,
    path,
    breadcrumb: [...(column === context.homeColumn ? context.columnCrumbs : column ? columnCrumbs(column, root) : []), { label: '政策解读' }],
    column,
    main,
    article: articleMeta(context, interpretation.title, path, interpretation.interpreter, interpretationSummary(interpretation)),
  });
}

/**
 * An interpretation page's description (meta description, Description): the first text of its own
 * body, made as the document's summary is; a video's transcript, else its title, when it has none.
 */
export function interpretationSummary(interpretation: Pick<PortalInterpretation, 'title' | 'bodyHtml' | 'transcriptHtml'>): string {
  const max = PORTAL_LIMITS.summaryChars;
  return summaryOf(interpretation.bodyHtml, max) || summaryOf(interpretation.transcriptHtml ?? '', max) || interpretation.title;
}

/** A link to an interpretation page with its form (文字解读, 视频解读, …). */
function interpretationItem(href: string, interpretation: Pick<PortalInterpretation, 'title' | 'formLabel'>): string {
  return `<li><a href="${href}">${esc(interpretation.title)}</a> <span class="form">（${esc(interpretation.formLabel)}）</span></li>`;
}

/** A headed list (附件, 政策解读, 其他解读); nothing when it has no items. */
function listSection(className: string, key: string, heading: string, items: string): string {
  if (!items) return '';
  return `<section class="${className}" aria-labelledby="${key}-heading"><h2 id="${key}-heading">${heading}</h2><ul>\n${items}\n</ul></section>\n`;
}

function columnsParagraph(context: ArticleContext): string {
  return context.columnsLine ? `<p class="columns">所属栏目：${context.columnsLine}</p>` : '';
}
