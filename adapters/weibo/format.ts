// Weibo's pure format step: one post within 140 Weibo characters (title, a summary that gives way first, the portal link) with the cover picture.
import type { Channel } from '../../domain/registry.js';
import { rejectedContent, type ContentProblem } from '../errors.js';
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
  const problems: ContentProblem[] = [];
  const warnings: string[] = [];
  const limit = WEIBO_LIMITS.textChars;

  const link = unit.portalLinks?.document ?? '';
  if (!unit.portalLinks) {
    problems.push({
      field: 'portalLinks',
      message:
        "A Weibo post from govpub must link to the package's page on the district portal (Weibo only takes posts linking to the app's bound domain), and this package is not released to any portal column. Release it to a portal column as well, or leave Weibo out.",
    });
  } else if (!/^https?:\/\/\S+$/i.test(link)) {
    problems.push({
      field: 'portalLinks.document',
      message: `the portal page link "${link}" is not an http(s) address (a configuration problem: tell operations).`,
    });
  }

  const rawTitle = unit.document.title.trim();
  const title = noTopics(rawTitle).replace(LINK_RE, '').trim();
  if (title !== rawTitle)
    warnings.push('document.title: "#" signs were written as "＃" (Weibo\'s share API refuses #topics#) and links were left out of the post title.');
  if (title === '') problems.push({ field: 'document.title', message: 'the Weibo post starts with the document title, and it is empty.' });

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
    else warnings.push('Weibo: the title leaves no room to mention the interpretation in the post; readers find it from the portal page.');
  }

  // The summary fills what is left, shortened to fit.
  const room = limit - weiboLength(head + mention + tail);
  const plain = noTopics(htmlToPlainText(unit.document.body).replace(LINK_RE, ' ').replace(/\s+/g, ' ').trim());
  let summary = '';
  if (plain !== '' && room >= MIN_SUMMARY_CHARS) {
    summary = fitWeibo(plain, room);
    if (summary !== plain) {
      warnings.push(
        `Weibo: the summary was shortened to ${charCount(summary)} characters to fit the ${limit}-character post (the title, the interpretation mention and the link take ${limit - room}).`,
      );
    }
  } else if (plain !== '') {
    warnings.push('Weibo: the title leaves no room for a summary; the post is the title and the link.');
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

  return { payload: { text, link, ...(picture ? { picture } : {}) }, renditions, warnings };
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
