// The media center's pure format step: one article per item (the document, each interpretation), linked both ways, within the contract's limits.
import type { Channel, ContentKind, MediaCenterColumn, MediaCenterSystem } from '../../domain/registry.js';
import { rejectedContent, type ContentProblem } from '../errors.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, isHttpUrl, mediaIdFromSrc, summaryOf, truncateChars } from '../text.js';
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
  const problems: ContentProblem[] = [];
  const warnings: string[] = [];
  const column = columns?.find((c) => c.id === channel.ref);
  const columnName = column?.name ?? channel.name;
  const where = `${columnName} (${channel.id})`;
  if (columns && !column) {
    problems.push({
      field: 'channel',
      message: `${SYSTEM_NAMES[system]} has no column "${channel.ref}" in the registry (config/registry/media-center.yaml); choose one of ${columns.map((c) => c.id).join(', ')}`,
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

  // Which items this column can carry.
  const postDocument = takesGraphic;
  if (!takesGraphic && !(videoKind && hasVideo)) {
    problems.push({
      field: 'channel',
      message: `${columnName} carries only ${kinds.map((k) => KIND_NAMES[k]).join(', ')}, and this package has no video: its document${
        unit.interpretations.length > 0 ? ' and interpretations are' : ' is'
      } text. Choose a column that takes 图文 (graphic) articles${otherColumns()}`,
    });
    throw rejectedContent(where, problems);
  }
  if (!postDocument) {
    if (!portal) {
      problems.push({
        field: 'channel',
        message: `${columnName} takes only video, so only the video interpretation can go there, and it could not link to its policy document because the package is not released to the portal. Release the package to a portal column as well, or choose a column that takes 图文 (graphic) articles${otherColumns()}`,
      });
      throw rejectedContent(where, problems);
    }
    warnings.push(`${columnName} takes only video: the document text is not posted there; the video links to the document's portal page.`);
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
  const prepareBody = (html: string, label: string): { bodyHtml: string; inlineImages: string[] } => {
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
      warnings.push(
        `${label}: ${dropped} picture${dropped === 1 ? '' : 's'} left out of the ${columnName} article: the media center takes pictures only as public links and none is configured (publicMediaUrl)${
          portal ? '; readers see them on the portal page' : ''
        }.`,
      );
      return { bodyHtml, inlineImages: [] };
    }
    for (const id of ids) need(id, imageSpec, `in-article picture (${label})`);
    return { bodyHtml, inlineImages: ids };
  };

  const checkTitle = (title: string, field: string) => {
    const t = title.trim();
    if (t === '') problems.push({ field, message: 'is empty; the media center needs a title of 1 to 100 characters' });
    else if (charCount(t) > MEDIA_CENTER_CONTRACT_LIMITS.titleChars)
      problems.push({ field, message: `${over('the title', MEDIA_CENTER_CONTRACT_LIMITS.titleChars, charCount(t))}; shorten it` });
    return t;
  };
  const checkBody = (html: string, field: string) => {
    const n = charCount(html);
    if (n > MEDIA_CENTER_CONTRACT_LIMITS.bodyChars)
      problems.push({
        field,
        message: `${over('the text (as HTML)', MEDIA_CENTER_CONTRACT_LIMITS.bodyChars, n)}; shorten it or split it into several packages`,
      });
    if (/<script\b/i.test(html)) problems.push({ field, message: 'contains a <script> element, which the media center refuses' });
  };
  const limited = (value: string | undefined, max: number, what: string, label: string): string | null => {
    const v = value?.trim();
    if (!v) return null;
    if (charCount(v) <= max) return v;
    warnings.push(`${label}: ${what} shortened to ${max} characters for the media center (it has ${charCount(v)}).`);
    return truncateChars(v, max);
  };

  const articles: MediaCenterArticlePlan[] = [];
  const source = limited(unit.document.issuingUnit, MEDIA_CENTER_CONTRACT_LIMITS.sourceChars, 'the issuing unit (source)', 'document');

  // The document.
  if (postDocument) {
    const label = `the document ${quoted(unit.document.title)}`;
    const title = checkTitle(unit.document.title, 'document.title');
    let body = unit.document.body;
    const attachments = (unit.document.attachments ?? []).filter((a) => isHttpUrl(a.url));
    const missing = (unit.document.attachments ?? []).filter((a) => !isHttpUrl(a.url));
    if (attachments.length > 0) {
      body += `<p>附件：</p><ul>${attachments.map((a) => `<li><a href="${escapeHtml(a.url!)}">${escapeHtml(a.name)}</a></li>`).join('')}</ul>`;
    }
    if (missing.length > 0) {
      if (portal) body += `<p>附件请见<a href="${escapeHtml(portal.document)}">政府门户网站原文</a>。</p>`;
      warnings.push(
        `document: attachment${missing.length === 1 ? '' : 's'} ${missing.map((a) => `"${a.name}"`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not attached in ${columnName} (no public link)${portal ? '; the article points to the portal page that has them' : ''}.`,
      );
    }
    const prepared = prepareBody(body, 'document');
    checkBody(prepared.bodyHtml, 'document.body');
    if (htmlToPlainText(prepared.bodyHtml) === '')
      problems.push({ field: 'document.body', message: 'has no text; a graphic article at the media center needs text' });
    const links: MediaCenterLink[] = [];
    unit.interpretations.forEach((_, n) => {
      const l = interpLink(n);
      if (l) links.push({ ...l, relation: 'interpretation' });
    });
    if (links.length > MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks) {
      problems.push({
        field: 'interpretations',
        message: `the document would link to ${links.length} interpretations; the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links per article (${links.length - MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} too many)`,
      });
    }
    const subtitle = limited(unit.document.documentNumber, MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars, 'the document number (subtitle)', 'document');
    articles.push(graphicArticle({ item: 'document', label, title, subtitle, author: null, source, relatedLinks: links }, prepared, coverOf('document')));
  }

  // The interpretations.
  unit.interpretations.forEach((interp, n) => {
    const item = `interpretation-${n + 1}`;
    const field = `interpretations[${n}]`;
    const label = `interpretation ${n + 1} ${quoted(interp.title)}`;
    const video = isVideo(interp);
    if (!video && !takesGraphic) {
      warnings.push(`${label} is not posted in ${columnName}, which takes only video; it stays on the portal page the video links to.`);
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
      warnings.push(
        `${label}: links to the other interpretations cut to ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks - 1} (the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links).`,
      );
      links.length = MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks;
    }
    const author = limited(interp.interpreter, MEDIA_CENTER_CONTRACT_LIMITS.authorChars, 'the interpreter (author)', label);
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
        warnings.push(
          `${label}: ${columnName} gets the link of the portal page that plays the video, not the video file: the media center takes videos only as public links and none is configured (publicMediaUrl).`,
        );
      } else {
        problems.push({
          field: `${field}.mediaId`,
          message: `the video has no public link the media center could play: release the package to the portal as well, give the interpretation a video link, or configure public media links (publicMediaUrl)`,
        });
      }
      const body = interp.body.trim() === '' ? null : prepareBody(interp.body, label);
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
      warnings.push(
        `${label}: ${columnName} takes no video, so the interpretation is posted as a graphic article${page ? ' linking to the page that plays the video' : ' without its video'}.`,
      );
    } else if (isAudio(interp) && htmlToPlainText(html) === '' && (portal?.interpretations[n] || isHttpUrl(interp.url))) {
      // The media center takes no audio: a textless audio interpretation becomes a short description linking to where it plays.
      const page = portal?.interpretations[n] ?? interp.url!;
      html += `<p>本篇为音频解读《${escapeHtml(interp.title.trim())}》，<a href="${escapeHtml(page)}">请在政府网站收听</a>。</p>`;
      warnings.push(`${field}: the audio interpretation has no text, so ${columnName} gets a short description linking to the page that plays it.`);
    } else if (isHttpUrl(interp.url)) {
      html += `<p><a href="${escapeHtml(interp.url)}">${escapeHtml(interp.title.trim() || '查看解读')}</a></p>`;
    }
    const prepared = prepareBody(html, label);
    checkBody(prepared.bodyHtml, `${field}.body`);
    if (htmlToPlainText(prepared.bodyHtml) === '') {
      problems.push({
        field: `${field}.body`,
        message: 'has no text; a graphic article at the media center needs text (a picture alone is not enough without public media links)',
      });
    }
    articles.push(graphicArticle({ item, label, title, subtitle, author, source, relatedLinks: links }, prepared, coverOf(label)));
  });

  if (unit.cover && !publishesMedia) {
    warnings.push(`No cover picture in ${columnName}: the media center takes covers only as public links and none is configured (publicMediaUrl).`);
  }
  if (!portal && unit.interpretations.length > 0) {
    warnings.push(
      `The package is not released to the portal, so the document and its interpretations in ${columnName} carry no links to each other (the media center has no way to link its own articles before they are published).`,
    );
  }
  if (problems.length > 0) throw rejectedContent(where, problems);
  if (articles.length === 0) throw rejectedContent(where, [{ field: 'channel', message: `nothing in this package fits ${columnName}` }]);

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
    warnings,
  };
}
