// WeChat's pure format step: a package becomes one multi-article push (document first, then each interpretation) within every documented limit.
import { GovpubError } from '../../domain/errors.js';
import type { Channel } from '../../domain/registry.js';
import { planSize } from '../../media/image-plan.js';
import { getSpec, type ImageSpec } from '../../media/specs.js';
import { rejectedContent } from '../errors.js';
import { fieldLabelZh, FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, isHttpUrl, mediaIdFromSrc, summaryOf, truncateChars } from '../text.js';
import type { Formatted, MediaInfo, ReleaseUnit, RenditionNeed } from '../types.js';
import { wechatOaDeclaration } from './declaration.js';
import { wechatBodyLinks } from './links.js';
import type { WechatArticle, WechatPayload } from './payload.js';

/** WeChat's documented limits (its declaration). */
export const WECHAT_OA_LIMITS = wechatOaDeclaration.limits;

/**
 * Room kept per in-article picture when counting content at format time: govpub's
 * `/api/media/<sha256>` source is replaced by the platform's image URL (about 120–180 characters)
 * only at transmit, where the content is counted again.
 */
const IMAGE_URL_RESERVE = 256;
/** Digest of a single-article push (multi-article pushes have none: the platform empties it). */
const DIGEST_CHARS = 120;

export const PLATFORM_NAME = 'WeChat Official Account';

interface ArticleSource {
  role: 'document' | 'interpretation';
  field: string;
  title: string;
  body: string;
  authors: string[];
  sourceUrl: string;
  index: number;
}

/** A number as messages write it (20,000). */
export const n = (value: number) => value.toLocaleString('en-US');

export function formatWechat(unit: ReleaseUnit, channel: Channel): Formatted<WechatPayload> {
  const problems: FormatProblem[] = [];
  const warnings = new FormatWarnings();
  const L = WECHAT_OA_LIMITS;

  const count = 1 + unit.interpretations.length;
  if (count > L.articlesPerPush) {
    problems.push({
      field: 'interpretations',
      message: `WeChat sends at most ${L.articlesPerPush} articles in one push; this package makes ${count} (the document and ${unit.interpretations.length} interpretations), ${count - L.articlesPerPush} too many. Merge interpretations or release fewer with this package.`,
      messageZh: `微信一次推送最多 ${L.articlesPerPush} 篇文章，本稿件有 ${count} 篇（政策文件加 ${unit.interpretations.length} 篇解读），多出 ${count - L.articlesPerPush} 篇。请合并解读，或减少随本稿件发布的解读。`,
    });
  }

  const portal = unit.portalLinks;
  if (!portal)
    warnings.add(
      'The package is not released to a portal column, so the WeChat articles have no 阅读原文 (read the full text) link.',
      '稿件没有发布到门户网站栏目，微信文章将没有“阅读原文”链接。如需链接，请同时选择一个门户网站栏目。',
    );
  const sourceFor = (field: string, url: string | undefined): string => {
    if (!portal) return '';
    if (!url || !isHttpUrl(url)) {
      problems.push({
        field,
        message: `the portal page link "${url ?? ''}" is not an http(s) address, so it cannot be the WeChat 阅读原文 link (a configuration problem: tell operations).`,
        messageZh: `门户网站页面链接“${url ?? ''}”不是 http(s) 地址，不能作为微信“阅读原文”链接。这是配置问题，请告知运维人员。`,
      });
      return '';
    }
    return url;
  };

  const sources: ArticleSource[] = [
    {
      role: 'document',
      field: 'document',
      title: unit.document.title,
      body: unit.document.body,
      authors: [unit.document.issuingUnit ?? '', channel.ownerUnit ?? ''].filter((a) => a.trim() !== ''),
      sourceUrl: sourceFor('portalLinks.document', portal?.document),
      index: 0,
    },
    ...unit.interpretations.map((it, i) => ({
      role: 'interpretation' as const,
      field: `interpretations[${i}]`,
      title: it.title,
      body: it.body,
      authors: [it.interpreter ?? '', unit.document.issuingUnit ?? '', channel.ownerUnit ?? ''].filter((a) => a.trim() !== ''),
      sourceUrl: portal ? sourceFor(`portalLinks.interpretations[${i}]`, portal.interpretations[i] ?? portal.document) : '',
      index: i + 1,
    })),
  ];

  const images: string[] = [];
  /** Videos whose poster (wechat_oa.video_cover) stands in an article for the video itself. */
  const posters: string[] = [];
  /** Articles (by index) whose textless video or audio got a description standing in for it. */
  const standIns = new Set<number>();
  const articles: WechatArticle[] = [];
  const docTitle = unit.document.title.trim();

  for (const src of sources) {
    const fullTitle = src.title.trim();
    const titleChars = charCount(fullTitle);
    // A long title is shortened as an editor would (the full title stays on the portal page).
    const title = truncateChars(fullTitle, L.titleChars);
    if (fullTitle === '')
      problems.push({
        field: `${src.field}.title`,
        message: 'WeChat needs a title for every article; this one is empty.',
        messageZh: `${fieldLabelZh(`${src.field}.title`)}为空，微信每篇文章都需要标题。请填写标题。`,
      });
    else if (titleChars > L.titleChars) {
      warnings.add(
        `${src.field}.title: WeChat allows at most ${L.titleChars} characters in an article title; this title has ${titleChars} (${titleChars - L.titleChars} too many), so the article is titled "${title}".`,
        `${fieldLabelZh(`${src.field}.title`)}有 ${titleChars} 个字，超过微信文章标题 ${L.titleChars} 个字的上限（多 ${titleChars - L.titleChars} 个字），文章标题将显示为“${title}”。如需完整显示，请把标题缩短到 ${L.titleChars} 个字以内。`,
      );
    }

    // Author: the first candidate that fits; a long one is left out rather than refused.
    let author = '';
    for (const candidate of src.authors.map((a) => a.trim())) {
      const chars = charCount(candidate);
      if (chars <= L.authorChars) {
        author = candidate;
        break;
      }
      warnings.add(
        `${src.field}: WeChat allows at most ${L.authorChars} characters for the author; "${candidate}" has ${chars} (${chars - L.authorChars} too many), so it is not used as the author.`,
        `${fieldLabelZh(src.field)}的作者“${candidate}”有 ${chars} 个字，超过微信作者名 ${L.authorChars} 个字的上限（多 ${chars - L.authorChars} 个字），发布时不署该作者。`,
      );
    }

    // Pictures: govpub uploads become WeChat copies; anything else WeChat would drop silently.
    const articleImages: string[] = [];
    const dropped: string[] = [];
    let content = src.body.replace(/<img\b[^>]*>/gi, (tag) => {
      const s = imageSources(tag)[0] ?? '';
      const id = mediaIdFromSrc(s);
      const info = id ? unit.media[id] : undefined;
      if (id && (!info || info.kind === 'image')) {
        articleImages.push(id);
        return tag;
      }
      dropped.push(s || '(no address)');
      return '';
    });
    if (dropped.length > 0) {
      warnings.add(
        `${src.field}.body: WeChat shows only pictures uploaded to it, so ${dropped.length} picture${dropped.length > 1 ? 's' : ''} not uploaded to govpub will be left out (${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', …' : ''}). Upload ${dropped.length > 1 ? 'them' : 'it'} as a file in the editor to keep ${dropped.length > 1 ? 'them' : 'it'}.`,
        `${fieldLabelZh(`${src.field}.body`)}中有 ${dropped.length} 张图片不是上传到 govpub 的文件，微信只显示上传给它的图片，这些图片将被去掉（${dropped.slice(0, 3).join('、')}${dropped.length > 3 ? '等' : ''}）。如需保留，请在编辑器中以文件方式上传。`,
      );
    }
    for (const id of articleImages) if (!images.includes(id)) images.push(id);

    // Links: WeChat opens only links to WeChat articles, so the others give their address in words.
    const links = wechatBodyLinks(content, src.sourceUrl);
    content = links.html;
    const bodyLabel = fieldLabelZh(`${src.field}.body`);
    if (links.writtenOut.length > 0) {
      const many = links.writtenOut.length;
      const listed = links.writtenOut.slice(0, 3);
      warnings.add(
        `${src.field}.body: WeChat articles open no links but to WeChat articles, so ${many} link${many > 1 ? 's are' : ' is'} written out as ${many > 1 ? 'their' : 'its'} text followed by the address (${listed.join(', ')}${many > 3 ? ', …' : ''}); readers copy the address to open it.`,
        `${bodyLabel}中有 ${many} 个链接指向微信文章以外的地址，在微信公众号文章中不能点击，发布时在链接文字后写明网址（或邮箱），读者可复制打开（${listed.join('、')}${many > 3 ? '等' : ''}）。如需读者直接点开，请把内容放在门户网站页面，通过“阅读原文”打开。`,
      );
    }
    if (links.textOnly.length > 0) {
      const many = links.textOnly.length;
      const listed = links.textOnly.slice(0, 3);
      warnings.add(
        `${src.field}.body: ${many} link${many > 1 ? 's are' : ' is'} not a full http(s) address (${listed.join(', ')}${many > 3 ? ', …' : ''}), so WeChat readers could not open ${many > 1 ? 'them' : 'it'}; only the link text is kept. Write the whole address (https://…) to give readers somewhere to go.`,
        `${bodyLabel}中有 ${many} 个链接不是完整的 http(s) 网址（${listed.join('、')}${many > 3 ? '等' : ''}），在微信文章中打不开，发布时只保留链接文字。如需给读者网址，请填写完整网址（https://…）。`,
      );
    }

    if (src.role === 'document') {
      const no = unit.document.documentNumber?.trim();
      if (no && !htmlToPlainText(content).includes(no)) content = `<p style="text-align:center;">${escapeHtml(no)}</p>${content}`;
      const attachments = unit.document.attachments ?? [];
      if (attachments.length > 0) {
        const names = attachments.map((a, i) => `${i + 1}. ${escapeHtml(a.name)}`).join('<br/>');
        content += `<p>附件（请点击「阅读原文」在政府网站查看下载）：<br/>${names}</p>`;
      }
    } else {
      const it = unit.interpretations[src.index - 1]!;
      const media = it.mediaId ? unit.media[it.mediaId] : undefined;
      const textless = htmlToPlainText(src.body).trim() === '' && articleImages.length === 0;
      const what = media?.kind === 'video' ? '视频' : '音频';
      if (media && (media.kind === 'video' || media.kind === 'audio') && textless) {
        // WeChat takes no article without content, and the video or audio itself is not uploaded:
        // the article is a video's poster, a short description and the 阅读原文 link to its page.
        if (media.kind === 'video') posters.push(media.mediaId);
        standIns.add(src.index);
        content = mediaAsLink(it.title.trim(), media, src.sourceUrl !== '');
        warnings.add(
          `${src.field}: the ${media.kind} interpretation has no text, so its WeChat article is ${media.kind === 'video' ? "the video's poster, " : ''}a short description and ${src.sourceUrl !== '' ? 'the 阅读原文 link to its portal page' : 'a note to find it on the portal'}; the ${media.kind} itself is not uploaded to WeChat.`,
          `${fieldLabelZh(src.field)}是没有文字正文的${what}解读，${what}本身不上传到微信，将以${media.kind === 'video' ? '视频封面、' : ''}简短说明和${src.sourceUrl !== '' ? '门户网站页面链接（阅读原文）' : '到门户网站查看的提示'}的形式发布。如需图文内容，请为该解读补充正文。`,
        );
      } else if (media && (media.kind === 'video' || media.kind === 'audio')) {
        content += `<p>本篇为${what}解读，${portal ? '请点击「阅读原文」在政府网站观看收听。' : '请在政府网站观看收听。'}</p>`;
        warnings.add(
          `${src.field}: the ${media.kind} itself is not uploaded to WeChat; the article carries the text and ${portal ? 'links to the portal page' : 'refers readers to the portal'}.`,
          `${fieldLabelZh(src.field)}的${what}不上传到微信，文章发布解读文字，并${portal ? '链接到门户网站页面（阅读原文）' : '提示读者到门户网站观看收听'}。`,
        );
      }
    }

    // Document and interpretations point at each other (三同步). Article URLs are unknown until
    // publishing, so the cross-references are plain words naming the articles' places in the push.
    if (src.role === 'document' && unit.interpretations.length > 0) {
      const list = unit.interpretations.map((it, i) => `第${i + 2}篇《${escapeHtml(it.title.trim())}》`).join('、');
      content += `<p>「关联解读」本文的政策解读同步发布，见本次推送${list}。</p>`;
    } else if (src.role === 'interpretation') {
      content += `<p>「政策原文」《${escapeHtml(docTitle)}》同步发布，见本次推送第1篇。</p>`;
    }

    if (htmlToPlainText(src.body).trim() === '' && articleImages.length === 0 && !standIns.has(src.index)) {
      problems.push({
        field: `${src.field}.body`,
        message: 'WeChat does not take an article without content; this one is empty. Write the text (or remove the article from the package).',
        messageZh: `${fieldLabelZh(`${src.field}.body`)}为空，微信不接受没有内容的文章。请填写正文，或从稿件中删去这一篇。`,
      });
    }
    const chars = charCount(content) + articleImages.length * IMAGE_URL_RESERVE;
    if (chars >= L.contentCharsBelow) {
      const over = chars - (L.contentCharsBelow - 1);
      problems.push({
        field: `${src.field}.body`,
        message: `WeChat takes fewer than ${n(L.contentCharsBelow)} characters of article content (the HTML counts, and each picture about ${IMAGE_URL_RESERVE}); this article comes to ${n(chars)}, ${n(over)} too many. Shorten the text or split it into two articles.`,
        messageZh: `微信文章内容须少于 ${n(L.contentCharsBelow)} 个字符（HTML 代码也计入，每张图片约计 ${IMAGE_URL_RESERVE} 个），${fieldLabelZh(`${src.field}.body`)}共 ${n(chars)} 个字符，多出 ${n(over)} 个。请缩短正文，或拆成两篇文章。`,
      });
    }
    const bytes = Buffer.byteLength(content, 'utf8') + articleImages.length * IMAGE_URL_RESERVE;
    if (bytes >= L.contentBytesBelow) {
      problems.push({
        field: `${src.field}.body`,
        message: `WeChat takes article content under 1 MB; this article comes to ${n(bytes)} bytes, ${n(bytes - L.contentBytesBelow + 1)} too many.`,
        messageZh: `微信文章内容须小于 1 MB，${fieldLabelZh(`${src.field}.body`)}共 ${n(bytes)} 字节，多出 ${n(bytes - L.contentBytesBelow + 1)} 字节。请缩短正文或减少图片，或拆成两篇文章。`,
      });
    }

    articles.push({
      role: src.role,
      field: src.field,
      title,
      author,
      digest: count === 1 ? summaryOf(src.body, DIGEST_CHARS) : '',
      content,
      sourceUrl: src.sourceUrl,
    });
  }

  // The cover: the package's cover, else the first picture large enough for WeChat's thumb, else
  // a video's poster frame. A picture under the thumb's minimum cannot be uploaded as a cover: said
  // here, so preflight blocks it before review instead of the release failing at WeChat.
  let cover: WechatPayload['cover'] | undefined;
  let coverPurpose = 'cover';
  const imageCover = (mediaId: string): WechatPayload['cover'] => ({ mediaId, spec: 'wechat_oa.thumb', materialType: 'thumb' });
  const videoCover = (mediaId: string): WechatPayload['cover'] => ({ mediaId, spec: 'wechat_oa.video_cover', materialType: 'image' });
  const fitsThumb = (mediaId: string) => thumbTooSmall(unit.media[mediaId]) === null;
  if (unit.cover) {
    const kind = unit.media[unit.cover.mediaId]?.kind ?? 'image';
    const small = kind === 'image' ? thumbTooSmall(unit.media[unit.cover.mediaId]) : null;
    if (small) problems.push(small);
    else if (kind === 'image') cover = imageCover(unit.cover.mediaId);
    else if (kind === 'video') cover = videoCover(unit.cover.mediaId);
    else
      warnings.add(
        'cover: the chosen cover is an audio file, which cannot be a picture; another picture of the package is used.',
        '所选封面是音频文件，不能作为图片，将改用稿件中的另一张图片。如需指定封面，请选择一张图片。',
      );
  }
  const firstPicture = images.find(fitsThumb);
  if (!cover && problems.every((p) => p.field !== 'cover') && firstPicture !== undefined) {
    cover = imageCover(firstPicture);
    coverPurpose = 'cover (first picture)';
    const first = firstPicture === images[0];
    warnings.add(
      `cover: no cover was chosen, so the ${first ? 'first picture' : 'first picture large enough for a WeChat cover'} of the articles is the WeChat cover.`,
      `稿件没有选择封面，将使用文章中的${first ? '第一张图片' : '第一张够大的图片'}作为微信封面。建议选择一张封面。`,
    );
  }
  if (!cover && problems.every((p) => p.field !== 'cover')) {
    const withMedia = unit.interpretations.map((it) => (it.mediaId ? unit.media[it.mediaId] : undefined)).filter((m) => m !== undefined);
    const picture = withMedia.find((m) => m.kind === 'image' && fitsThumb(m.mediaId));
    const video = withMedia.find((m) => m.kind === 'video');
    if (picture) {
      cover = imageCover(picture.mediaId);
      coverPurpose = 'cover (interpretation picture)';
      warnings.add(
        `cover: no cover was chosen, so the interpretation picture${picture.name ? ` ${picture.name}` : ''} is the WeChat cover.`,
        `稿件没有选择封面，将使用解读图片${picture.name ? `“${picture.name}”` : ''}作为微信封面。建议选择一张封面。`,
      );
    } else if (video) {
      cover = videoCover(video.mediaId);
      coverPurpose = 'cover (video frame)';
      warnings.add(
        'cover: no cover was chosen, so a frame of the interpretation video is the WeChat cover.',
        '稿件没有选择封面，将使用解读视频的一帧画面作为微信封面。建议选择一张封面。',
      );
    } else {
      const small = [...images, ...withMedia.filter((m) => m.kind === 'image').map((m) => m.mediaId)]
        .map((id) => thumbTooSmall(unit.media[id]))
        .find((p) => p !== null);
      if (small) problems.push(small);
    }
  }
  if (!cover && problems.every((p) => p.field !== 'cover')) {
    problems.push({
      field: 'cover',
      message:
        'WeChat needs a cover picture for every article, and this package has no picture at all. Choose a cover for the package (or put a picture in the document).',
      messageZh: '微信每篇文章都需要封面图片，而本稿件没有任何图片。请为稿件选择封面（或在文件正文中放一张图片）。',
    });
  }

  if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);

  const renditions: RenditionNeed[] = [
    { mediaId: cover!.mediaId, spec: cover!.spec, purpose: coverPurpose },
    ...images.map((mediaId) => ({ mediaId, spec: 'wechat_oa.inline', purpose: 'in-article picture' })),
    ...posters.map((mediaId) => ({ mediaId, spec: POSTER_SPEC, purpose: 'video poster in the article' })),
  ];
  return { payload: { articles, cover: cover!, images, ...(posters.length > 0 ? { posters } : {}) }, renditions, ...warnings.lists() };
}

/** WeChat's thumb material (the article cover) as the renderer makes it: its minimum after the 2.35:1 crop. */
const THUMB_SPEC = getSpec('wechat_oa.thumb') as ImageSpec;

/** The problem of a picture too small for WeChat's cover, or null (also when its size is unknown: the render decides). */
function thumbTooSmall(media: MediaInfo | undefined): FormatProblem | null {
  if (!media || media.kind !== 'image' || media.width === undefined || media.height === undefined) return null;
  const label = media.name ?? 'The cover picture';
  try {
    planSize(THUMB_SPEC, media.width, media.height, label);
    return null;
  } catch (error) {
    if (!(error instanceof GovpubError) || error.code !== 'media_too_small') throw error;
    const usable = String(error.details.usable ?? '');
    return {
      field: 'cover',
      message: `WeChat's cover needs a picture of at least ${THUMB_SPEC.minWidth}×${THUMB_SPEC.minHeight} pixels (cropped to 2.35:1, at least ${THUMB_SPEC.minWidth} wide); ${label} is ${media.width}×${media.height} (${usable} after the crop). Choose a larger picture as the cover (e.g. 900 px wide or more, landscape).`,
      messageZh: `微信封面按 2.35:1 裁切，图片至少需要 ${THUMB_SPEC.minWidth}×${THUMB_SPEC.minHeight} 像素（裁切后宽至少 ${THUMB_SPEC.minWidth} 像素），${media.name ? `图片“${media.name}”` : '这张图片'}为 ${media.width}×${media.height}（裁切后只有 ${usable}）。请选择一张更大的横图作为封面（宽 900 像素以上为宜）。`,
    };
  }
}

/** The rendition of a video that stands for it in an article (uploaded like an in-article picture). */
export const POSTER_SPEC = 'wechat_oa.video_cover';

/** A video or audio interpretation without text, as a WeChat article: a video's poster, what it is, where to watch or hear it. */
function mediaAsLink(title: string, media: MediaInfo, linked: boolean): string {
  const minutes = media.durationSec !== undefined ? Math.max(1, Math.round(media.durationSec / 60)) : undefined;
  const length = minutes !== undefined ? `（约${minutes}分钟）` : '';
  const [what, verb] = media.kind === 'video' ? ['视频', '观看'] : ['音频', '收听'];
  const where = linked ? `请点击文末「阅读原文」在政府网站${verb}。` : `请在政府网站${verb}。`;
  const poster = media.kind === 'video' ? `<p><img src="/api/media/${media.mediaId}/renditions/${POSTER_SPEC}" alt="${escapeHtml(title)}"></p>` : '';
  return `${poster}<p>本篇为${what}解读《${escapeHtml(title)}》${length}，${where}</p>`;
}
