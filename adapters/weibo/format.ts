// Weibo's pure format step: one post within 140 Weibo characters (title, a summary that gives way first, the portal link) with the cover picture.
import type { Channel } from '../../domain/registry.js';
import { rejectedContent } from '../errors.js';
import { FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, htmlToPlainText, imageSources, mediaIdFromSrc } from '../text.js';
import type { Formatted, ReleaseUnit, RenditionNeed } from '../types.js';
import { weiboDeclaration } from './declaration.js';

/** Weibo's documented limits (its declaration). */
export const WEIBO_LIMITS = weiboDeclaration.limits;

/** Name of a newer access token in the channel's token store (written by a re-authorization). */
export const WEIBO_TOKEN_NAME = 'weibo.access_token';

export const PLATFORM_NAME = 'Weibo';
export const LINK_RE = /https?:\/\/[^\s\u3000-\u303f\uff00-\uffef]+/gi;
/** Below this many characters of room a summary says nothing; it is left out. */
const MIN_SUMMARY_CHARS = 8;

export interface WeiboPayload {
  /** The post, exactly as sent. */
  text: string;
  /** The portal page it links to. */
  link: string;
  picture?: { mediaId: string; spec: string };
}

export interface WeiboCheckpoint {
  /** The post (idstr) once the share call succeeded. */
  statusId: string;
  publicUrl: string | null;
}

export interface WeiboAdapterOptions {
  /** Per HTTP request (default 30 s). */
  timeoutMs?: number;
  /** Clock for token validity (default Date.now). */
  now?: () => number;
}

/**
 * Weibo's count: wide (non-ASCII) characters 1, ASCII characters ½ (the total rounded up), every
 * http(s) link a fixed 10 whatever its length.

 */
export function weiboLength(text: string): number {
  let halves = 0;
  const rest = text.replace(LINK_RE, () => {
    halves += WEIBO_LIMITS.linkChars * 2;
    return '';
  });
  for (const ch of rest) halves += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return Math.ceil(halves / 2);
}

/** `#` pairs make a topic, which the share API refuses: the full-width sign reads the same. */
const noTopics = (text: string) => text.replace(/#/g, '＃');

export function formatWeibo(unit: ReleaseUnit, _channel: Channel): Formatted<WeiboPayload> {
  const problems: FormatProblem[] = [];
  const warnings = new FormatWarnings();
  const limit = WEIBO_LIMITS.textChars;

  const link = unit.portalLinks?.document ?? '';
  if (!unit.portalLinks) {
    problems.push({
      field: 'portalLinks',
      message:
        "A Weibo post from govpub must link to the package's page on the district portal (Weibo only takes posts linking to the app's bound domain), and this package is not released to any portal column. Release it to a portal column as well, or leave Weibo out.",
      messageZh:
        'govpub 发出的微博必须链接到门户网站上的稿件页面（微博只接受链接到应用绑定域名的帖子），而本稿件没有发布到任何门户网站栏目。请同时选择一个门户网站栏目，或去掉微博渠道。',
    });
  } else if (!/^https?:\/\/\S+$/i.test(link)) {
    problems.push({
      field: 'portalLinks.document',
      message: `the portal page link "${link}" is not an http(s) address (a configuration problem: tell operations).`,
      messageZh: `门户网站页面链接“${link}”不是 http(s) 地址。这是配置问题，请告知运维人员。`,
    });
  }

  const rawTitle = unit.document.title.trim();
  const title = noTopics(rawTitle).replace(LINK_RE, '').trim();
  if (title !== rawTitle)
    warnings.add(
      'document.title: "#" signs were written as "＃" (Weibo\'s share API refuses #topics#) and links were left out of the post title.',
      '文件标题中的“#”已改写为“＃”（微博分享接口不接受 #话题#），标题中的链接也已去掉。',
    );
  if (title === '')
    problems.push({
      field: 'document.title',
      message: 'the Weibo post starts with the document title, and it is empty.',
      messageZh: '微博内容以文件标题开头，而文件标题为空。请填写标题。',
    });

  const head = `【${title}】`;
  const lead = ' 全文：';
  const tail = `${lead}${link}`;
  const fixed = weiboLength(head + tail);
  if (title !== '' && fixed > limit) {
    const room = limit - weiboLength(`【】${tail}`);
    const titleLen = weiboLength(title);
    problems.push({
      field: 'document.title',
      message: `a Weibo post holds ${limit} Weibo characters and the link to the portal page takes ${limit - room} of them, leaving ${room} for the title; this title counts ${titleLen} (${titleLen - room} too many — Latin letters and digits count half). Shorten the title.`,
      messageZh: `一条微博最多 ${limit} 个微博字数，门户网站页面链接占 ${limit - room} 个，标题只剩 ${room} 个；本标题计 ${titleLen} 个（多 ${titleLen - room} 个，拉丁字母和数字按半个计）。请缩短标题。`,
    });
  }
  if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);

  // The interpretation, released with the document (三同步): named if there is room.
  let mention = '';
  const interps = unit.interpretations;
  if (interps.length > 0) {
    const named = noTopics(interps.length === 1 ? `（同步发布政策解读《${interps[0]!.title.trim()}》）` : `（同步发布${interps.length}篇政策解读）`);
    const short = '（附政策解读）';
    if (weiboLength(head + named + tail) <= limit) mention = named;
    else if (weiboLength(head + short + tail) <= limit) mention = short;
    else
      warnings.add(
        'Weibo: the title leaves no room to mention the interpretation in the post; readers find it from the portal page.',
        '标题已占满微博字数，帖子中无法提及政策解读；读者可从门户网站页面找到解读。缩短标题可以放下解读说明。',
      );
  }

  // The summary fills what is left, shortened to fit.
  const room = limit - weiboLength(head + mention + tail);
  const plain = noTopics(htmlToPlainText(unit.document.body).replace(LINK_RE, ' ').replace(/\s+/g, ' ').trim());
  let summary = '';
  if (plain !== '' && room >= MIN_SUMMARY_CHARS) {
    summary = fitWeibo(plain, room);
    if (summary !== plain) {
      warnings.add(
        `Weibo: the summary was shortened to ${charCount(summary)} characters to fit the ${limit}-character post (the title, the interpretation mention and the link take ${limit - room}).`,
        `微博最多 ${limit} 字，标题、解读说明和链接占 ${limit - room} 字，摘要已截短为 ${charCount(summary)} 个字。`,
      );
    }
  } else if (plain !== '') {
    warnings.add(
      'Weibo: the title leaves no room for a summary; the post is the title and the link.',
      '标题已占满微博字数，帖子只有标题和链接，没有摘要。缩短标题可以放下摘要。',
    );
  }
  const text = head + summary + mention + tail;

  // The picture: the cover, else the document's first picture.
  let picture: WeiboPayload['picture'];
  const renditions: RenditionNeed[] = [];
  if (unit.cover) {
    const kind = unit.media[unit.cover.mediaId]?.kind ?? 'image';
    if (kind === 'image') picture = { mediaId: unit.cover.mediaId, spec: 'weibo.image' };
    else if (kind === 'video') picture = { mediaId: unit.cover.mediaId, spec: 'weibo.poster' };
  }
  if (!picture) {
    const first = imageSources(unit.document.body)
      .map((s) => mediaIdFromSrc(s))
      .find((id): id is string => id !== null && (unit.media[id]?.kind ?? 'image') === 'image');
    if (first) picture = { mediaId: first, spec: 'weibo.image' };
  }
  if (picture) renditions.push({ mediaId: picture.mediaId, spec: picture.spec, purpose: 'Weibo picture' });

  return { payload: { text, link, ...(picture ? { picture } : {}) }, renditions, ...warnings.lists() };
}

/** The longest start of `text` (with an ellipsis when cut) that counts at most `room`. */
function fitWeibo(text: string, room: number): string {
  if (weiboLength(text) <= room) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (weiboLength(chars.slice(0, mid).join('').trimEnd() + '…') <= room) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : chars.slice(0, lo).join('').trimEnd() + '…';
}
