// The media center's pure format step: one article per item (the document, each interpretation), linked both ways, within the contract's limits.
import type { Channel, ContentKind, MediaCenterColumn, MediaCenterSystem } from '../../domain/registry.js';
import { rejectedContent } from '../errors.js';
import { fieldLabelZh, FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, isHttpUrl, mediaIdFromSrc, replaceImageSources, summaryOf, truncateChars } from '../text.js';
import type { Formatted, ReleaseUnit, RenditionNeed } from '../types.js';
import {
  ALL_KINDS,
  KIND_NAMES,
  MEDIA_CENTER_CONTRACT_LIMITS,
  SYSTEM_NAMES,
  VIDEO_KINDS,
  over,
  quoted,
  type MediaCenterArticlePlan,
  type MediaCenterLink,
  type MediaCenterPayload,
} from './contract.js';

const KIND_ZH: Record<ContentKind, string> = { graphic: '图文', video: '视频', short_video: '短视频', promo: '宣传片' };
const SYSTEM_ZH: Record<MediaCenterSystem, string> = { news_site: '新闻网站（西安网碑林频道）', media_app: '融媒客户端' };
/**
 * Characters an in-article picture's address takes once the transmit writes its public rendition
 * URL over the stored one (as WeChat's format reserves, adapters/wechat-oa/format.ts): a body the
 * format passed at 99,990 characters could otherwise go over the media center's limit at release.
 */
const IMAGE_URL_RESERVE = 256;

const quotedZh = (title: string) => `《${truncateChars(title.trim(), 30)}》`;

/** A text article (图文): its summary from the prepared body, its pictures, no video. */
function graphicArticle(
  fields: Pick<MediaCenterArticlePlan, 'item' | 'label' | 'title' | 'subtitle' | 'author' | 'source' | 'relatedLinks'>,
  prepared: { bodyHtml: string; inlineImages: MediaCenterArticlePlan['inlineImages'] },
  cover: MediaCenterArticlePlan['cover'],
): MediaCenterArticlePlan {
  // In the order the payload snapshot has always had its keys.
  return {
    item: fields.item,
    label: fields.label,
    kind: 'graphic',
    title: fields.title,
    subtitle: fields.subtitle,
    summary: summaryOf(prepared.bodyHtml, MEDIA_CENTER_CONTRACT_LIMITS.summaryChars) || null,
    bodyHtml: prepared.bodyHtml,
    inlineImages: prepared.inlineImages,
    video: null,
    cover,
    author: fields.author,
    source: fields.source,
    relatedLinks: fields.relatedLinks,
  };
}

/** What the format step knows of the adapter it serves: the system, its columns, the rendition specs, whether media are published. */
export interface MediaCenterFormatSetup {
  system: MediaCenterSystem;
  columns: MediaCenterColumn[] | undefined;
  videoSpec: string;
  coverSpec: string;
  posterSpec: string;
  imageSpec: string;
  publishesMedia: boolean;
}

export function formatMediaCenter(unit: ReleaseUnit, channel: Channel, setup: MediaCenterFormatSetup): Formatted<MediaCenterPayload> {
  const { system, columns, videoSpec, coverSpec, posterSpec, imageSpec, publishesMedia } = setup;
  const problems: FormatProblem[] = [];
  const warnings = new FormatWarnings();
  const column = columns?.find((c) => c.id === channel.ref);
  const columnName = column?.name ?? channel.name;
  const where = `${columnName} (${channel.id})`;
  if (columns && !column) {
    problems.push({
      field: 'channel',
      message: `${SYSTEM_NAMES[system]} has no column "${channel.ref}" in the registry (config/registry/media-center.yaml); choose one of ${columns.map((c) => c.id).join(', ')}`,
      messageZh: `${SYSTEM_ZH[system]}的登记表（config/registry/media-center.yaml）中没有栏目“${channel.ref}”。请运维人员改选以下栏目之一：${columns.map((c) => c.id).join('、')}。`,
    });
    throw rejectedContent(where, problems);
  }
  const kinds: readonly ContentKind[] = column?.contentKinds ?? ALL_KINDS;
  const takesGraphic = kinds.includes('graphic');
  const videoKind = VIDEO_KINDS.find((k) => kinds.includes(k)) ?? null;
  const portal = unit.portalLinks;
  const renditions = new Map<string, RenditionNeed>();
  const need = (mediaId: string, spec: string, purpose: string) => {
    const key = `${mediaId}\n${spec}`;
    if (!renditions.has(key)) renditions.set(key, { mediaId, spec, purpose });
  };

  const isVideo = (i: ReleaseUnit['interpretations'][number]) =>
    (i.mediaId !== undefined && unit.media[i.mediaId]?.kind === 'video') || (i.form === 'video' && isHttpUrl(i.url));
  const hasVideo = unit.interpretations.some(isVideo);
  const isAudio = (i: ReleaseUnit['interpretations'][number]) => i.form === 'audio' || (i.mediaId !== undefined && unit.media[i.mediaId]?.kind === 'audio');
  const otherColumns = () => {
    const fitting = columns?.filter((c) => c.contentKinds.includes('graphic')).map((c) => `${c.name} (${c.id})`) ?? [];
    return fitting.length > 0 ? `; columns that take graphic articles: ${fitting.join(', ')}` : '';
  };
  const otherColumnsZh = () => {
    const fitting = columns?.filter((c) => c.contentKinds.includes('graphic')).map((c) => `${c.name}（${c.id}）`) ?? [];
    return fitting.length > 0 ? `（收图文的栏目：${fitting.join('、')}）` : '';
  };

  // Which items this column can carry.
  const postDocument = takesGraphic;
  if (!takesGraphic && !(videoKind && hasVideo)) {
    problems.push({
      field: 'channel',
      message: `${columnName} carries only ${kinds.map((k) => KIND_NAMES[k]).join(', ')}, and this package has no video: its document${
        unit.interpretations.length > 0 ? ' and interpretations are' : ' is'
      } text. Choose a column that takes 图文 (graphic) articles${otherColumns()}`,
      messageZh: `栏目“${columnName}”只收${kinds.map((k) => KIND_ZH[k]).join('、')}，而本稿件没有视频：政策文件${unit.interpretations.length > 0 ? '和解读都' : ''}是文字。请改选收图文的栏目${otherColumnsZh()}，或添加带视频的视频解读。`,
    });
    throw rejectedContent(where, problems);
  }
  if (!postDocument) {
    if (!portal) {
      problems.push({
        field: 'channel',
        message: `${columnName} takes only video, so only the video interpretation can go there, and it could not link to its policy document because the package is not released to the portal. Release the package to a portal column as well, or choose a column that takes 图文 (graphic) articles${otherColumns()}`,
        messageZh: `栏目“${columnName}”只收视频，只能发布视频解读，而稿件没有发布到门户网站，视频无法链接到政策文件。请同时选择一个门户网站栏目，或改选收图文的栏目${otherColumnsZh()}。`,
      });
      throw rejectedContent(where, problems);
    }
    warnings.add(
      `${columnName} takes only video: the document text is not posted there; the video links to the document's portal page.`,
      `栏目“${columnName}”只收视频：政策文件正文不在该栏目发布，视频链接到政策文件的门户网站页面。`,
    );
  }

  const docLink = portal ? { title: unit.document.title.trim(), url: portal.document } : null;
  const interpLink = (n: number) => {
    const url = portal?.interpretations[n];
    return url ? { title: unit.interpretations[n]!.title.trim(), url } : null;
  };

  const coverOf = (label: string): MediaCenterArticlePlan['cover'] => {
    if (!unit.cover) return null;
    if (!publishesMedia) return null;
    need(unit.cover.mediaId, coverSpec, `cover (${label})`);
    return { mediaId: unit.cover.mediaId, spec: coverSpec };
  };

  /** Body HTML with its `/api/media/` pictures either planned for upload-by-URL or removed. */
  const prepareBody = (html: string, label: string, labelZh: string): { bodyHtml: string; inlineImages: string[] } => {
    const ids: string[] = [];
    let dropped = 0;
    for (const src of imageSources(html)) {
      const id = mediaIdFromSrc(src);
      if (id && !ids.includes(id)) ids.push(id);
    }
    let bodyHtml = html;
    if (ids.length > 0 && !publishesMedia) {
      bodyHtml = html.replace(/<img\b[^>]*>/gi, (tag) => {
        const src = imageSources(tag)[0];
        if (src !== undefined && mediaIdFromSrc(src)) {
          dropped += 1;
          return '';
        }
        return tag;
      });
      warnings.add(
        `${label}: ${dropped} picture${dropped === 1 ? '' : 's'} left out of the ${columnName} article: the media center takes pictures only as public links and none is configured (publicMediaUrl)${
          portal ? '; readers see them on the portal page' : ''
        }.`,
        `${labelZh}在栏目“${columnName}”的文章中去掉了 ${dropped} 张图片：融媒体中心只接收图片的公开链接，而系统没有配置公开媒体地址（publicMediaUrl）${portal ? '；读者可在门户网站页面看到这些图片' : ''}。如需保留，请运维人员配置公开媒体地址。`,
      );
      return { bodyHtml, inlineImages: [] };
    }
    for (const id of ids) need(id, imageSpec, `in-article picture (${label})`);
    return { bodyHtml, inlineImages: ids };
  };

  const checkTitle = (title: string, field: string) => {
    const t = title.trim();
    if (t === '')
      problems.push({
        field,
        message: 'is empty; the media center needs a title of 1 to 100 characters',
        messageZh: `${fieldLabelZh(field)}为空，融媒体中心需要 1 到 ${MEDIA_CENTER_CONTRACT_LIMITS.titleChars} 个字的标题。请填写标题。`,
      });
    else if (charCount(t) > MEDIA_CENTER_CONTRACT_LIMITS.titleChars)
      problems.push({
        field,
        message: `${over('the title', MEDIA_CENTER_CONTRACT_LIMITS.titleChars, charCount(t))}; shorten it`,
        messageZh: `${fieldLabelZh(field)}有 ${charCount(t)} 个字，融媒体中心最多接收 ${MEDIA_CENTER_CONTRACT_LIMITS.titleChars} 个字（多 ${charCount(t) - MEDIA_CENTER_CONTRACT_LIMITS.titleChars} 个字）。请缩短标题。`,
      });
    return t;
  };
  const checkBody = (html: string, field: string) => {
    let pictures = 0;
    const asSent = replaceImageSources(html, (src) => (mediaIdFromSrc(src) ? (pictures++, 'x'.repeat(IMAGE_URL_RESERVE)) : null));
    const n = charCount(asSent);
    const counted = pictures > 0 ? `, each of its ${pictures} picture addresses counted as ${IMAGE_URL_RESERVE}` : '';
    const countedZh = pictures > 0 ? `，其中 ${pictures} 张图片的地址每个约计 ${IMAGE_URL_RESERVE} 个` : '';
    if (n > MEDIA_CENTER_CONTRACT_LIMITS.bodyChars)
      problems.push({
        field,
        message: `${over(`the text (as HTML${counted})`, MEDIA_CENTER_CONTRACT_LIMITS.bodyChars, n)}; shorten it or split it into several packages`,
        messageZh: `${fieldLabelZh(field)}（按 HTML 计${countedZh}）有 ${n} 个字符，融媒体中心最多接收 ${MEDIA_CENTER_CONTRACT_LIMITS.bodyChars} 个（多 ${n - MEDIA_CENTER_CONTRACT_LIMITS.bodyChars} 个）。请缩短正文，或拆成几份稿件。`,
      });
    if (/<script\b/i.test(html))
      problems.push({
        field,
        message: 'contains a <script> element, which the media center refuses',
        messageZh: `${fieldLabelZh(field)}含有 <script> 脚本元素，融媒体中心不接收。请删去脚本后重新提交。`,
      });
  };
  const limited = (value: string | undefined, max: number, what: { en: string; zh: string }, label: { en: string; zh: string }): string | null => {
    const v = value?.trim();
    if (!v) return null;
    if (charCount(v) <= max) return v;
    warnings.add(
      `${label.en}: ${what.en} shortened to ${max} characters for the media center (it has ${charCount(v)}).`,
      `${label.zh}的${what.zh}有 ${charCount(v)} 个字，融媒体中心最多 ${max} 个字，已截短。`,
    );
    return truncateChars(v, max);
  };

  const articles: MediaCenterArticlePlan[] = [];
  const source = limited(
    unit.document.issuingUnit,
    MEDIA_CENTER_CONTRACT_LIMITS.sourceChars,
    { en: 'the issuing unit (source)', zh: '发文单位（来源）' },
    { en: 'document', zh: '政策文件' },
  );

  // The document.
  if (postDocument) {
    const label = `the document ${quoted(unit.document.title)}`;
    const labelZh = `政策文件${quotedZh(unit.document.title)}`;
    const title = checkTitle(unit.document.title, 'document.title');
    let body = unit.document.body;
    const attachments = (unit.document.attachments ?? []).filter((a) => isHttpUrl(a.url));
    const missing = (unit.document.attachments ?? []).filter((a) => !isHttpUrl(a.url));
    if (attachments.length > 0) {
      body += `<p>附件：</p><ul>${attachments.map((a) => `<li><a href="${escapeHtml(a.url!)}">${escapeHtml(a.name)}</a></li>`).join('')}</ul>`;
    }
    if (missing.length > 0) {
      if (portal) body += `<p>附件请见<a href="${escapeHtml(portal.document)}">政府门户网站原文</a>。</p>`;
      warnings.add(
        `document: attachment${missing.length === 1 ? '' : 's'} ${missing.map((a) => `"${a.name}"`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not attached in ${columnName} (no public link)${portal ? '; the article points to the portal page that has them' : ''}.`,
        `附件${missing.map((a) => `“${a.name}”`).join('、')}没有公开链接，不随栏目“${columnName}”的文章发布${portal ? '；文章指向载有附件的门户网站页面' : ''}。`,
      );
    }
    const prepared = prepareBody(body, 'document', labelZh);
    checkBody(prepared.bodyHtml, 'document.body');
    if (htmlToPlainText(prepared.bodyHtml) === '')
      problems.push({
        field: 'document.body',
        message: 'has no text; a graphic article at the media center needs text',
        messageZh: '文件正文没有文字，融媒体中心的图文文章需要文字。请填写正文。',
      });
    const links: MediaCenterLink[] = [];
    unit.interpretations.forEach((_, n) => {
      const l = interpLink(n);
      if (l) links.push({ ...l, relation: 'interpretation' });
    });
    if (links.length > MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks) {
      problems.push({
        field: 'interpretations',
        message: `the document would link to ${links.length} interpretations; the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links per article (${links.length - MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} too many)`,
        messageZh: `政策文件将链接 ${links.length} 篇解读，而融媒体中心每篇文章最多 ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} 个相关链接（多 ${links.length - MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} 个）。请合并解读，或减少随本稿件发布的解读。`,
      });
    }
    const subtitle = limited(
      unit.document.documentNumber,
      MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars,
      { en: 'the document number (subtitle)', zh: '文号（副标题）' },
      { en: 'document', zh: '政策文件' },
    );
    articles.push(graphicArticle({ item: 'document', label, title, subtitle, author: null, source, relatedLinks: links }, prepared, coverOf('document')));
  }

  // The interpretations.
  unit.interpretations.forEach((interp, n) => {
    const item = `interpretation-${n + 1}`;
    const field = `interpretations[${n}]`;
    const label = `interpretation ${n + 1} ${quoted(interp.title)}`;
    const labelZh = `解读 ${n + 1}${quotedZh(interp.title)}`;
    const video = isVideo(interp);
    if (!video && !takesGraphic) {
      warnings.add(
        `${label} is not posted in ${columnName}, which takes only video; it stays on the portal page the video links to.`,
        `${labelZh}不在只收视频的栏目“${columnName}”发布，仍保留在视频所链接的门户网站页面上。`,
      );
      return;
    }
    const title = checkTitle(interp.title, `${field}.title`);
    const links: MediaCenterLink[] = [];
    if (docLink) links.push({ ...docLink, relation: 'policy' });
    unit.interpretations.forEach((_, m) => {
      const l = m === n ? null : interpLink(m);
      if (l) links.push({ ...l, relation: 'related' });
    });
    if (links.length > MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks) {
      warnings.add(
        `${label}: links to the other interpretations cut to ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks - 1} (the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links).`,
        `${labelZh}指向其他解读的链接减为 ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks - 1} 个（融媒体中心每篇文章最多 ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} 个相关链接）。`,
      );
      links.length = MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks;
    }
    const author = limited(
      interp.interpreter,
      MEDIA_CENTER_CONTRACT_LIMITS.authorChars,
      { en: 'the interpreter (author)', zh: '解读人（作者）' },
      { en: label, zh: labelZh },
    );
    const subtitle = truncateChars(`解读：${unit.document.title.trim()}`, MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars);

    if (video && videoKind) {
      let videoRef: MediaCenterArticlePlan['video'] = null;
      let cover: MediaCenterArticlePlan['cover'] = null;
      const uploaded = interp.mediaId !== undefined && unit.media[interp.mediaId]?.kind === 'video';
      if (uploaded && publishesMedia) {
        need(interp.mediaId!, videoSpec, `video (${label})`);
        videoRef = { mediaId: interp.mediaId!, spec: videoSpec };
        need(interp.mediaId!, posterSpec, `video poster (${label})`);
        cover = { mediaId: interp.mediaId!, spec: posterSpec };
      } else if (isHttpUrl(interp.url)) videoRef = { url: interp.url };
      else if (portal?.interpretations[n]) {
        videoRef = { url: portal.interpretations[n]! };
        warnings.add(
          `${label}: ${columnName} gets the link of the portal page that plays the video, not the video file: the media center takes videos only as public links and none is configured (publicMediaUrl).`,
          `${labelZh}：栏目“${columnName}”收到的是播放该视频的门户网站页面链接，而不是视频文件，因为融媒体中心只接收视频的公开链接，而系统没有配置公开媒体地址（publicMediaUrl）。`,
        );
      } else {
        problems.push({
          field: `${field}.mediaId`,
          message: `the video has no public link the media center could play: release the package to the portal as well, give the interpretation a video link, or configure public media links (publicMediaUrl)`,
          messageZh: `${labelZh}的视频没有融媒体中心可以播放的公开链接。请同时发布到门户网站栏目，或为该解读填写视频链接，或请运维人员配置公开媒体地址（publicMediaUrl）。`,
        });
      }
      const body = interp.body.trim() === '' ? null : prepareBody(interp.body, label, labelZh);
      if (body) checkBody(body.bodyHtml, `${field}.body`);
      articles.push({
        item,
        label,
        kind: videoKind,
        title,
        subtitle,
        summary: body ? summaryOf(body.bodyHtml, MEDIA_CENTER_CONTRACT_LIMITS.summaryChars) || null : null,
        bodyHtml: body && htmlToPlainText(body.bodyHtml) !== '' ? body.bodyHtml : null,
        inlineImages: body?.inlineImages ?? [],
        video: videoRef,
        cover: cover ?? coverOf(label),
        author,
        source,
        relatedLinks: links,
      });
      return;
    }

    // A graphic article (text, chart, audio, H5… or a video in a column without video).
    let html = interp.body;
    if (video) {
      const page = portal?.interpretations[n] ?? (isHttpUrl(interp.url) ? interp.url : undefined);
      if (page) html += `<p><a href="${escapeHtml(page)}">观看视频解读</a></p>`;
      warnings.add(
        `${label}: ${columnName} takes no video, so the interpretation is posted as a graphic article${page ? ' linking to the page that plays the video' : ' without its video'}.`,
        `栏目“${columnName}”不收视频，${labelZh}将作为图文文章发布${page ? '，并链接到播放该视频的页面' : '，不带视频'}。`,
      );
    } else if (isAudio(interp) && htmlToPlainText(html) === '' && (portal?.interpretations[n] || isHttpUrl(interp.url))) {
      // The media center takes no audio: a textless audio interpretation becomes a short description linking to where it plays.
      const page = portal?.interpretations[n] ?? interp.url!;
      html += `<p>本篇为音频解读《${escapeHtml(interp.title.trim())}》，<a href="${escapeHtml(page)}">请在政府网站收听</a>。</p>`;
      warnings.add(
        `${field}: the audio interpretation has no text, so ${columnName} gets a short description linking to the page that plays it.`,
        `${fieldLabelZh(field)}是没有文字正文的音频解读，融媒体中心不收音频，栏目“${columnName}”将发布一段简短说明并链接到播放该音频的页面。如需图文内容，请为该解读补充正文。`,
      );
    } else if (isHttpUrl(interp.url)) {
      html += `<p><a href="${escapeHtml(interp.url)}">${escapeHtml(interp.title.trim() || '查看解读')}</a></p>`;
    }
    const prepared = prepareBody(html, label, labelZh);
    checkBody(prepared.bodyHtml, `${field}.body`);
    if (htmlToPlainText(prepared.bodyHtml) === '') {
      problems.push({
        field: `${field}.body`,
        message: 'has no text; a graphic article at the media center needs text (a picture alone is not enough without public media links)',
        messageZh: `${fieldLabelZh(`${field}.body`)}没有文字，融媒体中心的图文文章需要文字（没有公开媒体链接时，只有图片不够）。请填写正文。`,
      });
    }
    articles.push(graphicArticle({ item, label, title, subtitle, author, source, relatedLinks: links }, prepared, coverOf(label)));
  });

  if (unit.cover && !publishesMedia) {
    warnings.add(
      `No cover picture in ${columnName}: the media center takes covers only as public links and none is configured (publicMediaUrl).`,
      `栏目“${columnName}”的文章没有封面：融媒体中心只接收封面的公开链接，而系统没有配置公开媒体地址（publicMediaUrl）。如需封面，请运维人员配置。`,
    );
  }
  if (!portal && unit.interpretations.length > 0) {
    warnings.add(
      `The package is not released to the portal, so the document and its interpretations in ${columnName} carry no links to each other (the media center has no way to link its own articles before they are published).`,
      `稿件没有发布到门户网站，栏目“${columnName}”中的政策文件和解读之间没有相互链接（融媒体中心在文章发布前无法链接自己的文章）。如需相互链接，请同时选择一个门户网站栏目。`,
    );
  }
  if (problems.length > 0) throw rejectedContent(where, problems);
  if (articles.length === 0)
    throw rejectedContent(where, [
      { field: 'channel', message: `nothing in this package fits ${columnName}`, messageZh: `本稿件没有适合栏目“${columnName}”的内容。请改选其他栏目。` },
    ]);

  return {
    payload: {
      system,
      channelId: channel.id,
      columnId: channel.ref,
      columnName,
      primaryItem: articles[0]!.item,
      articles,
    },
    renditions: [...renditions.values()],
    ...warnings.lists(),
  };
}
