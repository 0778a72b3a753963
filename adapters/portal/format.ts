/**
 * The portal's pure format step: a release unit × one column → the payload `transmit` publishes.
 * No I/O and no clock: dates come from the unit (`releasedAt`), media facts from `unit.media`.
 * Every broken limit is collected and thrown at once so the editor can fix everything in one go.
 */
import type { Channel } from '../../domain/registry.js';
import { rejectedContent } from '../errors.js';
import { fieldLabelZh, FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, htmlToPlainText, mediaIdFromSrc, summaryOf, tagAttributes, truncateChars } from '../text.js';
import type { Formatted, MediaInfo, ReleaseUnit } from '../types.js';
import {
  PORTAL_ATTACHMENT_SPEC,
  PORTAL_AUDIO_SPEC,
  PORTAL_CAPTIONS_SPEC,
  PORTAL_IMAGE_ATTACHMENT_SPEC,
  PORTAL_PLATFORM,
  PORTAL_VIDEO_SPEC,
  figureMarker,
  isSafeSlug,
  renditionNeeds,
  type PortalAttachment,
  type PortalFigure,
  type PortalInterpretation,
  type PortalLead,
  type PortalPayload,
} from './payload.js';
import { isWebLink, WEB_LINK_MESSAGES_ZH, webLinkProblem } from '../../domain/web-link.js';
import { portalDeclaration } from './declaration.js';

/** The limits `format` enforces (its declaration). The portal is ours: they are sane bounds, not a vendor's. */
export const PORTAL_LIMITS = portalDeclaration.limits;

export const PORTAL_PLATFORM_NAME = 'The district portal';

const FORM_LABELS: Record<string, string> = {
  text: '文字解读',
  graphic: '图表解读',
  cartoon: '动漫解读',
  video: '视频解读',
  audio: '音频解读',
  h5: 'H5解读',
  leader_interview: '主要负责人解读',
};

export function interpretationFormLabel(form: string): string {
  return FORM_LABELS[form] ?? '政策解读';
}

export interface PortalFormatOptions {
  /** The column's name path from the registry (`政务公开 > 政策文件`); overrides `channel.name`. */
  columnName?(columnId: string): string | undefined;
}

/** Shared state of one format run: figures and findings of every page. */
interface FormatRun {
  media: Record<string, MediaInfo>;
  figures: PortalFigure[];
  problems: FormatProblem[];
  warnings: FormatWarnings;
}

export function formatPortal(unit: ReleaseUnit, channel: Channel, options: PortalFormatOptions = {}): Formatted<PortalPayload> {
  const run: FormatRun = { media: unit.media ?? {}, figures: [], problems: [], warnings: new FormatWarnings() };
  const { problems, warnings } = run;

  if (channel.platform !== PORTAL_PLATFORM || !isSafeSlug(channel.ref)) {
    problems.push({
      field: 'channel',
      message: `"${channel.id}" is not a portal column channel (portal:<column id>, the id made of letters, digits, ".", "_" and "-").`,
      messageZh: `“${channel.id}”不是门户网站栏目渠道（应为 portal:<栏目编号>，编号只含字母、数字、“.”、“_”和“-”）。请改选门户网站栏目。`,
    });
  }
  if (!isSafeSlug(unit.packageId)) {
    problems.push({
      field: 'packageId',
      message: `package id "${unit.packageId}" cannot become a page address: use letters, digits, ".", "_" and "-" only (at most 128).`,
      messageZh: `稿件编号“${unit.packageId}”不能用作网页地址：只能使用字母、数字、“.”、“_”和“-”（最多 128 个）。请告知运维人员。`,
    });
  }
  const releasedAtMs = Date.parse(unit.releasedAt);
  if (Number.isNaN(releasedAtMs)) {
    problems.push({
      field: 'releasedAt',
      message: `"${unit.releasedAt}" is not an ISO 8601 date and time; the release must carry the moment it started.`,
      messageZh: `“${unit.releasedAt}”不是 ISO 8601 日期时间，发布必须带有开始的时刻。请告知运维人员。`,
    });
  }

  const documentTitle = (unit.document.title || unit.title || '').trim();
  checkTitle(documentTitle, 'document.title', problems);
  const documentBody = formatBody(unit.document.body ?? '', 'document.body', documentTitle, run);
  if (documentBody.empty) {
    problems.push({
      field: 'document.body',
      message: 'the document has no text and no image: paste the document text before releasing.',
      messageZh: '政策文件没有文字也没有图片。请在发布前粘贴文件正文。',
    });
  }

  const documentNumber = optionalText(unit.document.documentNumber, 'document.documentNumber', '发文字号', PORTAL_LIMITS.documentNumberMaxChars, problems);
  const issuingUnit = optionalText(unit.document.issuingUnit, 'document.issuingUnit', '发布机构', PORTAL_LIMITS.issuingUnitMaxChars, problems);
  const formedAt = normalizeFormedAt(unit.document.formedAt, problems);
  if (formedAt && !Number.isNaN(releasedAtMs) && formedAt > chinaDate(unit.releasedAt)) {
    warnings.add(
      `成文日期 ${formedAt} is after the release date ${chinaDate(unit.releasedAt)}: check the document date.`,
      `成文日期 ${formedAt} 晚于发布日期 ${chinaDate(unit.releasedAt)}，请核对成文日期。`,
    );
  }
  if (unit.catalogue?.contentClass === 'policy') {
    const missing = [
      documentNumber ? null : '发文字号 (document number)',
      issuingUnit ? null : '发布机构 (issuing unit)',
      formedAt ? null : '成文日期 (date of the document)',
    ].filter((m): m is string => m !== null);
    const missingZh = [documentNumber ? null : '发文字号', issuingUnit ? null : '发布机构', formedAt ? null : '成文日期'].filter((m) => m !== null);
    if (missing.length > 0) {
      warnings.add(
        `Inspectors expect policy documents to show ${missing.join(', ')}; the page shows 「无」 for what is missing.`,
        `政策文件应当标明${missingZh.join('、')}，检查时会核对；缺少的项目在页面上显示为「无」。请补充。`,
      );
    }
  }

  const attachments = formatAttachments(unit.document.attachments ?? [], run);
  const topic = (unit.document.topic ?? '').trim() || null;
  const keywords = (unit.document.keywords ?? []).map((k) => k.trim()).filter(Boolean);
  const validity = unit.document.validity
    ? { state: unit.document.validity.state, effectiveFrom: unit.document.validity.effectiveFrom ?? null, endedAt: unit.document.validity.endedAt ?? null }
    : null;

  if (unit.interpretations.length > PORTAL_LIMITS.interpretationsMax) {
    problems.push({
      field: 'interpretations',
      message: `${unit.interpretations.length} interpretations, ${unit.interpretations.length - PORTAL_LIMITS.interpretationsMax} more than the portal's ${PORTAL_LIMITS.interpretationsMax} per document: merge some.`,
      messageZh: `本稿件有 ${unit.interpretations.length} 篇解读，门户网站每份文件最多 ${PORTAL_LIMITS.interpretationsMax} 篇（多 ${unit.interpretations.length - PORTAL_LIMITS.interpretationsMax} 篇）。请合并部分解读。`,
    });
  }
  const interpretations = unit.interpretations.map((interpretation, i) => formatInterpretation(interpretation, i, run));

  let cover: PortalPayload['cover'] = null;
  if (unit.cover) {
    const info = run.media[unit.cover.mediaId];
    if (info && info.kind !== 'image') {
      problems.push({
        field: 'cover',
        message: `the cover is ${describeMedia(info)}; choose a picture as the cover.`,
        messageZh: `封面是${describeMediaZh(info)}，不是图片。请选择一张图片作为封面。`,
      });
    }
    let alt = (unit.cover.alt ?? '').trim();
    if (!alt) {
      alt = documentTitle;
      warnings.add(
        `The cover has no alt text: the portal uses the title 「${truncateChars(documentTitle, 40)}」 instead; describe the picture.`,
        `封面没有替代文字，门户网站改用标题「${truncateChars(documentTitle, 40)}」。请为封面图片写一段描述。`,
      );
    }
    cover = { mediaId: unit.cover.mediaId, alt };
  }

  if (problems.length > 0) throw rejectedContent(PORTAL_PLATFORM_NAME, problems);

  const columnLabel = options.columnName?.(channel.ref) ?? channel.name ?? '';
  const columnPath = columnLabel
    .split(/\s*>\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
  const payload: PortalPayload = {
    version: 1,
    column: { id: channel.ref, path: columnPath.length > 0 ? columnPath : [channel.ref] },
    packageId: unit.packageId,
    revision: unit.revision,
    contentHash: unit.contentHash,
    releasedAt: new Date(releasedAtMs).toISOString(),
    summary: summaryOf(unit.document.body ?? '', PORTAL_LIMITS.summaryChars),
    catalogueName: unit.catalogue?.name ?? '',
    catalogueId: unit.catalogue?.id ?? '',
    document: {
      title: documentTitle,
      bodyHtml: documentBody.html,
      documentNumber,
      issuingUnit,
      formedAt,
      indexNumber: unit.indexNumber ?? null,
      topic,
      keywords,
      validity,
      attachments,
    },
    interpretations,
    figures: run.figures,
    cover,
    ...((unit.portalColumns?.length ?? 0) > 1 ? { packageColumns: unit.portalColumns } : {}),
  };
  return { payload, renditions: renditionNeeds(payload), ...warnings.lists() };
}

function checkTitle(title: string, field: string, problems: FormatProblem[]): void {
  if (!title) {
    problems.push({
      field,
      message: 'the title is empty: every portal page needs a title.',
      messageZh: `${fieldLabelZh(field)}为空，门户网站每个页面都需要标题。请填写标题。`,
    });
  } else if (charCount(title) > PORTAL_LIMITS.titleMaxChars) {
    problems.push({
      field,
      message: `the title has ${charCount(title)} characters, ${charCount(title) - PORTAL_LIMITS.titleMaxChars} over the portal's ${PORTAL_LIMITS.titleMaxChars}: shorten it.`,
      messageZh: `${fieldLabelZh(field)}有 ${charCount(title)} 个字，超过门户网站 ${PORTAL_LIMITS.titleMaxChars} 个字的上限（多 ${charCount(title) - PORTAL_LIMITS.titleMaxChars} 个字）。请缩短标题。`,
    });
  }
}

function optionalText(value: string | undefined, field: string, label: string, max: number, problems: FormatProblem[]): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  if (charCount(text) > max) {
    problems.push({
      field,
      message: `${label} has ${charCount(text)} characters, ${charCount(text) - max} over the portal's ${max}: shorten it.`,
      messageZh: `${label}有 ${charCount(text)} 个字，超过门户网站 ${max} 个字的上限（多 ${charCount(text) - max} 个字）。请缩短。`,
    });
  }
  return text;
}

/** 成文日期 as YYYY-MM-DD: accepts 2025-06-01, an ISO date-time (read in China time) and 2025年6月1日. */
function normalizeFormedAt(value: string | undefined, problems: FormatProblem[]): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  const chinese = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(text);
  const plain = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const parts = chinese ?? plain;
  if (parts) {
    const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d) return date.toISOString().slice(0, 10);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) {
    return chinaDate(text);
  }
  problems.push({
    field: 'document.formedAt',
    message: `成文日期 "${text}" is not a date: write it as 2025-06-01 or 2025年6月1日.`,
    messageZh: `成文日期“${text}”不是日期。请写成 2025-06-01 或 2025年6月1日。`,
  });
  return null;
}

/** The calendar date in China (UTC+8, no daylight saving) of an ISO instant. */
export function chinaDate(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

const KIND_EN: Record<MediaInfo['kind'], string> = {
  image: 'an image',
  video: 'a video',
  audio: 'an audio file',
  document: 'a document (PDF, Word, Excel or OFD)',
  captions: 'a captions file (WebVTT)',
};
const KIND_ZH: Record<MediaInfo['kind'], string> = {
  image: '图片',
  video: '视频',
  audio: '音频文件',
  document: '文档（PDF、Word、Excel 或 OFD）',
  captions: '字幕文件（WebVTT）',
};

function describeMedia(info: MediaInfo): string {
  return `${KIND_EN[info.kind]}${info.name ? ` (${info.name})` : ''}`;
}

function describeMediaZh(info: MediaInfo): string {
  return `${KIND_ZH[info.kind]}${info.name ? `（${info.name}）` : ''}`;
}

/** A link a portal page may carry: http(s), a host, no spaces or control characters (domain/web-link.ts). */
function isWebUrl(url: string): boolean {
  return isWebLink(url);
}

/**
 * One page body: comments removed (figure markers are comments), every `<img>` of an upload
 * replaced by a figure marker with alt text (the caption or the page title when the editor gave
 * none, with a warning); images from elsewhere are refused: the portal serves only its own copies.
 */
function formatBody(html: string, field: string, pageTitle: string, run: FormatRun): { html: string; empty: boolean; figures: number } {
  if (charCount(html) > PORTAL_LIMITS.bodyMaxChars) {
    run.problems.push({
      field,
      message: `the text has ${charCount(html)} characters of HTML, ${charCount(html) - PORTAL_LIMITS.bodyMaxChars} over the portal's ${PORTAL_LIMITS.bodyMaxChars} per page: split it or move tables into attachments.`,
      messageZh: `${fieldLabelZh(field)}（按 HTML 计）有 ${charCount(html)} 个字符，超过门户网站每页 ${PORTAL_LIMITS.bodyMaxChars} 个的上限（多 ${charCount(html) - PORTAL_LIMITS.bodyMaxChars} 个）。请拆分正文，或把表格移到附件中。`,
    });
  }
  let imageNumber = 0;
  let figures = 0;
  const replaceImages = (fragment: string, caption: string | null) =>
    fragment.replace(/<img\b[^>]*>/gi, (tag) => {
      imageNumber += 1;
      const attributes = tagAttributes(tag);
      const src = (attributes.src ?? '').trim();
      const mediaId = mediaIdFromSrc(src);
      if (!mediaId) {
        run.problems.push({
          field,
          message: `image ${imageNumber} (${truncateChars(src || 'no src', 60)}) is not an uploaded picture: upload it to govpub so the portal serves its own copy.`,
          messageZh: `${fieldLabelZh(field)}中的第 ${imageNumber} 张图片（${truncateChars(src || '无地址', 60)}）不是上传的图片。请上传到 govpub，由门户网站提供自己的副本。`,
        });
        return '';
      }
      const info = run.media[mediaId];
      if (info && info.kind !== 'image') {
        run.problems.push({
          field,
          message: `image ${imageNumber} is ${describeMedia(info)}, not a picture: insert it as an interpretation or attachment instead.`,
          messageZh: `${fieldLabelZh(field)}中的第 ${imageNumber} 张图片是${describeMediaZh(info)}，不是图片。请改为作为解读或附件插入。`,
        });
        return '';
      }
      let alt = htmlToPlainText(attributes.alt ?? '')
        .replace(/\s+/g, ' ')
        .trim();
      if (!alt) {
        alt = caption || pageTitle;
        run.warnings.add(
          `${field}: image ${imageNumber} has no alt text; the portal uses its ${caption ? 'caption' : 'page title'} 「${truncateChars(alt, 40)}」 instead: describe the picture for screen readers.`,
          `${fieldLabelZh(field)}中的第 ${imageNumber} 张图片没有替代文字，门户网站改用${caption ? '图片说明' : '页面标题'}「${truncateChars(alt, 40)}」。请为读屏用户描述这张图片。`,
        );
      }
      figures += 1;
      run.figures.push({ mediaId, alt });
      return figureMarker(run.figures.length - 1);
    });

  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  // Images inside a <figure> fall back to its caption; the others to the page title.
  const withFigures = withoutComments.replace(/<figure\b[^>]*>[\s\S]*?<\/figure>/gi, (block) => {
    const captionHtml = /<figcaption\b[^>]*>([\s\S]*?)<\/figcaption>/i.exec(block)?.[1] ?? '';
    const caption = htmlToPlainText(captionHtml).replace(/\s+/g, ' ').trim();
    return replaceImages(block, caption || null);
  });
  const out = replaceImages(withFigures, null);
  checkLinks(out, field, run.problems);
  if (figures > PORTAL_LIMITS.imagesPerPageMax) {
    run.problems.push({
      field,
      message: `${figures} images on one page, ${figures - PORTAL_LIMITS.imagesPerPageMax} over the portal's ${PORTAL_LIMITS.imagesPerPageMax}: move some into an attachment.`,
      messageZh: `${fieldLabelZh(field)}一页有 ${figures} 张图片，超过门户网站 ${PORTAL_LIMITS.imagesPerPageMax} 张的上限（多 ${figures - PORTAL_LIMITS.imagesPerPageMax} 张）。请把部分图片移到附件中。`,
    });
  }
  return { html: out.trim(), empty: htmlToPlainText(out) === '' && figures === 0, figures };
}

/**
 * Every link of a body must open for a reader of the portal: an http(s) address, mailto: or a
 * place on the page (#…). A link to an upload (/api/media/<id>/…) needs a govpub login, and a
 * relative or site path (`other.html`, `/zwgk/1.html`, pasted from another site) resolves against
 * the article's own address: both would be broken links on a government site (错链、断链).
 */
function checkLinks(html: string, field: string, problems: FormatProblem[]): void {
  let linkNumber = 0;
  for (const [tag] of html.matchAll(/<a\b[^>]*>/gi)) {
    linkNumber += 1;
    const href = htmlToPlainText(tagAttributes(tag).href ?? '').trim();
    const refusal = bodyLinkRefusal(href);
    if (!refusal) continue;
    const shown = truncateChars(href, 60);
    if (refusal === 'upload') {
      problems.push({
        field,
        message: `link ${linkNumber} (${shown}) leads to an uploaded file, which only govpub's users can open: add the file to the document as an attachment instead.`,
        messageZh: `${fieldLabelZh(field)}中的第 ${linkNumber} 个链接（${shown}）指向上传到 govpub 的文件，公众在门户网站上打不开。请把该文件作为附件添加到文件中。`,
      });
    } else {
      problems.push({
        field,
        message: `link ${linkNumber} (${shown}) is not a full http(s) address: on the portal page it would lead nowhere; write the whole address (https://…).`,
        messageZh: `${fieldLabelZh(field)}中的第 ${linkNumber} 个链接（${shown}）不是完整的 http(s) 网址，在门户网站页面上打不开。请填写完整网址（https://…）。`,
      });
    }
  }
}

/**
 * Why the portal refuses a body link (checkLinks), or null when it keeps it: `upload` for a link
 * to a govpub upload, `not_web` for anything but a full http(s) address, mailto: or #….
 * Preflight asks it too, so a link the portal refuses is not also reported by the general link check.
 */
export function bodyLinkRefusal(href: string): 'upload' | 'not_web' | null {
  if (!href || href.startsWith('#') || /^mailto:/i.test(href)) return null;
  if (mediaIdFromSrc(href)) return 'upload';
  return isWebUrl(href) ? null : 'not_web';
}

function formatAttachments(attachments: NonNullable<ReleaseUnit['document']['attachments']>, run: FormatRun): PortalAttachment[] {
  if (attachments.length > PORTAL_LIMITS.attachmentsMax) {
    run.problems.push({
      field: 'document.attachments',
      message: `${attachments.length} attachments, ${attachments.length - PORTAL_LIMITS.attachmentsMax} over the portal's ${PORTAL_LIMITS.attachmentsMax}: pack some into one archive.`,
      messageZh: `本稿件有 ${attachments.length} 个附件，超过门户网站 ${PORTAL_LIMITS.attachmentsMax} 个的上限（多 ${attachments.length - PORTAL_LIMITS.attachmentsMax} 个）。请把部分附件打包成一个压缩文件。`,
    });
  }
  return attachments.map((attachment, i) => {
    const field = `document.attachments[${i}]`;
    const name = (attachment.name ?? '').trim();
    if (!name)
      run.problems.push({
        field,
        message: 'the attachment has no name: readers see the name as the link text.',
        messageZh: `${fieldLabelZh(field)}没有名称，读者看到的链接文字就是附件名称。请填写附件名称。`,
      });
    if (attachment.mediaId) {
      const info = run.media[attachment.mediaId];
      if (!info) {
        run.problems.push({
          field,
          message: `the attached file ${attachment.mediaId.slice(0, 12)}… is not among the package's uploads: upload it again.`,
          messageZh: `${fieldLabelZh(field)}的文件 ${attachment.mediaId.slice(0, 12)}… 不在本稿件的上传文件中。请重新上传。`,
        });
        return { name, href: null, media: null };
      }
      if (info.kind === 'captions') {
        run.problems.push({
          field,
          message: 'a captions file is not an attachment: add it to its video interpretation as captions.',
          messageZh: `${fieldLabelZh(field)}是字幕文件，不能作为附件。请把它作为字幕加到对应的视频解读中。`,
        });
        return { name, href: null, media: null };
      }
      if (info.kind === 'document') {
        return {
          name,
          href: null,
          media: { mediaId: attachment.mediaId, spec: PORTAL_ATTACHMENT_SPEC, kind: 'document', mime: info.mime, sizeBytes: info.sizeBytes },
        };
      }
      const spec = info.kind === 'image' ? PORTAL_IMAGE_ATTACHMENT_SPEC : info.kind === 'video' ? PORTAL_VIDEO_SPEC : PORTAL_AUDIO_SPEC;
      return { name, href: null, media: { mediaId: attachment.mediaId, spec, kind: info.kind } };
    }
    const url = (attachment.url ?? '').trim();
    if (!url) {
      run.problems.push({
        field,
        message: 'the attachment has neither a file nor a link: upload the file or give its http(s) address.',
        messageZh: `${fieldLabelZh(field)}既没有文件也没有链接。请上传文件，或填写它的 http(s) 地址。`,
      });
    } else if (!isWebUrl(url)) {
      run.problems.push({
        field,
        message: `the attachment link "${truncateChars(url, 60)}" is not an http(s) address.`,
        messageZh: `${fieldLabelZh(field)}的链接“${truncateChars(url, 60)}”不是 http(s) 地址。请填写正确的网址。`,
      });
    }
    return { name, href: url || null, media: null };
  });
}

function formatInterpretation(interpretation: ReleaseUnit['interpretations'][number], index: number, run: FormatRun): PortalInterpretation {
  const field = `interpretations[${index}]`;
  const title = (interpretation.title ?? '').trim();
  checkTitle(title, `${field}.title`, run.problems);
  const interpreter = optionalText(interpretation.interpreter, `${field}.interpreter`, '解读人', PORTAL_LIMITS.interpreterMaxChars, run.problems);

  let lead: PortalLead | null = null;
  const info = interpretation.mediaId ? run.media[interpretation.mediaId] : undefined;
  if (interpretation.mediaId && !info) {
    run.problems.push({
      field: `${field}.mediaId`,
      message: `the interpretation's file ${interpretation.mediaId.slice(0, 12)}… is not among the package's uploads: upload it again.`,
      messageZh: `${fieldLabelZh(field)}的文件 ${interpretation.mediaId.slice(0, 12)}… 不在本稿件的上传文件中。请重新上传。`,
    });
  } else if (interpretation.mediaId && info) {
    const expected = interpretation.form === 'video' ? 'video' : interpretation.form === 'audio' ? 'audio' : null;
    if (expected && info.kind !== expected) {
      run.problems.push({
        field: `${field}.mediaId`,
        message: `a ${interpretation.form} interpretation needs ${expected === 'video' ? 'a video' : 'an audio file'}, but its file is ${describeMedia(info)}.`,
        messageZh: `${fieldLabelZh(field)}是${expected === 'video' ? '视频' : '音频'}解读，需要${expected === 'video' ? '视频' : '音频文件'}，但它的文件是${describeMediaZh(info)}。请上传正确的文件。`,
      });
    } else if (info.kind === 'document' || info.kind === 'captions') {
      run.problems.push({
        field: `${field}.mediaId`,
        message: `an interpretation's file must be a picture, a video or an audio file, but it is ${describeMedia(info)}: attach documents to the policy document instead.`,
        messageZh: `${fieldLabelZh(field)}的文件应为图片、视频或音频，但它是${describeMediaZh(info)}。文档请作为政策原文的附件上传。`,
      });
    } else if (info.kind === 'image') {
      // The infographic itself: its title says what it shows; the body text is the long description.
      run.figures.push({ mediaId: interpretation.mediaId, alt: title });
      lead = { kind: 'figure', figure: run.figures.length - 1 };
    } else {
      lead = { kind: info.kind, mediaId: interpretation.mediaId };
    }
  } else if (interpretation.form === 'video' || interpretation.form === 'audio') {
    if (!interpretation.url) {
      run.problems.push({
        field: `${field}.mediaId`,
        message: `a ${interpretation.form} interpretation needs its ${interpretation.form === 'video' ? 'video' : 'audio'} file (or a link to it): upload it.`,
        messageZh: `${fieldLabelZh(field)}是${interpretation.form === 'video' ? '视频' : '音频'}解读，需要${interpretation.form === 'video' ? '视频' : '音频'}文件（或它的链接）。请上传文件。`,
      });
    }
  }

  const link = (interpretation.url ?? '').trim() || null;
  // An older revision may hold `http://` or an address with spaces: the page gets no link a browser would repair.
  const linkProblem = link ? webLinkProblem(link) : null;
  if (link && linkProblem) {
    run.problems.push({
      field: `${field}.url`,
      message: `"${truncateChars(link, 60)}" is not an http(s) address a page may link to: it ${linkProblem}.`,
      messageZh: `${fieldLabelZh(`${field}.url`)}“${truncateChars(link, 60)}”不是可以链接的 http(s) 地址：${WEB_LINK_MESSAGES_ZH[linkProblem]}。`,
    });
  }
  if (interpretation.form === 'h5' && !link) {
    run.problems.push({
      field: `${field}.url`,
      message: 'an H5 interpretation needs the address of its H5 page.',
      messageZh: `${fieldLabelZh(field)}是 H5 解读，需要 H5 页面的地址。请填写链接。`,
    });
  }

  const body = formatBody(interpretation.body ?? '', `${field}.body`, title, run);
  if (body.empty && !lead && !link) {
    run.problems.push({
      field: `${field}.body`,
      message: 'the interpretation has no text, no file and no link: add its content.',
      messageZh: `${fieldLabelZh(field)}没有文字、文件或链接。请补充解读内容。`,
    });
  }
  const { captions, transcriptHtml } = formatAccessibility(interpretation, field, title, run);
  return {
    form: interpretation.form,
    formLabel: interpretationFormLabel(interpretation.form),
    title,
    interpreter,
    bodyHtml: body.html,
    lead,
    link,
    captions,
    transcriptHtml,
  };
}

/** A video's or audio's captions (WebVTT, passed through) and transcript (sanitized HTML, images as figures). */
function formatAccessibility(
  interpretation: ReleaseUnit['interpretations'][number],
  field: string,
  title: string,
  run: FormatRun,
): Pick<PortalInterpretation, 'captions' | 'transcriptHtml'> {
  let captions: PortalInterpretation['captions'] = null;
  if (interpretation.captionsMediaId) {
    const info = run.media[interpretation.captionsMediaId];
    if (!info || info.kind !== 'captions') {
      run.problems.push({
        field: `${field}.captionsMediaId`,
        message: info
          ? `the captions must be a WebVTT file, but the file is ${describeMedia(info)}.`
          : `the captions file ${interpretation.captionsMediaId.slice(0, 12)}… is not among the package's uploads: upload it again.`,
        messageZh: info
          ? `${fieldLabelZh(field)}的字幕应为 WebVTT 文件，但上传的是${describeMediaZh(info)}。请上传 .vtt 字幕文件。`
          : `${fieldLabelZh(field)}的字幕文件 ${interpretation.captionsMediaId.slice(0, 12)}… 不在本稿件的上传文件中。请重新上传。`,
      });
    } else {
      captions = { mediaId: interpretation.captionsMediaId, spec: PORTAL_CAPTIONS_SPEC };
    }
  }
  const transcript = (interpretation.transcript ?? '').trim();
  const transcriptHtml = transcript ? formatBody(transcript, `${field}.transcript`, title, run).html || null : null;
  return { captions, transcriptHtml };
}
