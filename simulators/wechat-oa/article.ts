// How the WeChat draft box takes one article: field checks with the platform's errcodes, scripts removed, images not on its image host and links to anything but WeChat articles filtered out.
import { charLength, htmlToText, isRecord } from '../common.js';
import { WECHAT_LIMITS, type DraftArticle } from './state.js';
import type { WechatApi } from './api.js';

/** Validates one article of a draft; returns the stored form or an errcode (+hint). */
export function validateArticle({ ctx, state, opts }: WechatApi, raw: unknown, appid: string, single: boolean): DraftArticle | { code: number; hint: string } {
  const ownOrigin = () => new URL(ctx.baseUrl()).host;
  const imageHostOk = (src: string): boolean => {
    try {
      const u = new URL(src, ctx.baseUrl());
      const hosts = [ownOrigin(), 'mmbiz.qpic.cn', 'mmbiz.qlogo.cn', ...(opts.imageHosts ?? [])];
      return hosts.includes(u.host);
    } catch {
      return false;
    }
  };

  /** A link to a WeChat article (or to one of this simulator's article pages, which stand for them). */
  const articleLinkOk = (href: string): boolean => {
    try {
      const u = new URL(href);
      return (u.protocol === 'https:' || u.protocol === 'http:') && (u.host === 'mp.weixin.qq.com' || u.host === ownOrigin());
    } catch {
      return false;
    }
  };

  if (!isRecord(raw)) return { code: 47001, hint: 'each article must be an object' };
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : raw[k] === undefined || raw[k] === null ? '' : undefined);
  const fields = ['title', 'author', 'digest', 'content', 'content_source_url', 'thumb_media_id', 'pic_crop_235_1', 'pic_crop_1_1'] as const;
  for (const f of fields) if (str(f) === undefined) return { code: 47001, hint: `${f} must be a string` };
  const type = raw.article_type ?? 'news';
  if (type !== 'news') return { code: 40097, hint: `article_type ${String(type)} is not supported by this simulator (news only)` };
  const title = str('title')!;
  const author = str('author')!;
  let digest = str('digest')!;
  const content = str('content')!;
  if (title.trim() === '') return { code: 40097, hint: 'title is required' };
  if (charLength(title) > WECHAT_LIMITS.titleChars) return { code: 45003, hint: `title is ${charLength(title)} characters, at most 32` };
  if (charLength(author) > WECHAT_LIMITS.authorChars) return { code: 45110, hint: `author is ${charLength(author)} characters, at most 16` };
  if (charLength(digest) > WECHAT_LIMITS.digestChars) return { code: 45004, hint: `digest is ${charLength(digest)} characters, at most 128` };
  if (content.trim() === '') return { code: 44004, hint: 'content is empty' };
  if (charLength(content) >= WECHAT_LIMITS.contentChars) return { code: 45002, hint: `content is ${charLength(content)} characters, must be under 20000` };
  if (Buffer.byteLength(content, 'utf8') >= WECHAT_LIMITS.contentBytes) return { code: 45002, hint: 'content must be under 1MB' };
  const thumb = str('thumb_media_id')!;
  const material = state().materials.get(thumb);
  if (!thumb || !material || material.appid !== appid || (material.type !== 'image' && material.type !== 'thumb')) {
    return { code: 40007, hint: 'thumb_media_id must be a permanent image/thumb material of this account' };
  }
  const flag = (k: string, dflt: number): number | undefined => {
    const v = raw[k];
    if (v === undefined || v === null) return dflt;
    return v === 0 || v === 1 ? v : undefined;
  };
  const showCover = flag('show_cover_pic', 1);
  const comment = flag('need_open_comment', 0);
  const fansOnly = flag('only_fans_can_comment', 0);
  if (showCover === undefined || comment === undefined || fansOnly === undefined) {
    return { code: 40097, hint: 'show_cover_pic, need_open_comment and only_fans_can_comment take 0 or 1' };
  }
  for (const k of ['pic_crop_235_1', 'pic_crop_1_1'] as const) {
    const v = str(k)!;
    if (v !== '' && !/^(0(\.\d+)?|1(\.0+)?)(_(0(\.\d+)?|1(\.0+)?)){3}$/.test(v)) {
      return { code: 40097, hint: `${k} must be X1_Y1_X2_Y2 with coordinates between 0 and 1` };
    }
  }
  // The platform removes scripts and filters images that are not on its image host.
  const stripped: string[] = [];
  let cleaned = content.replace(/<script[\s\S]*?<\/script>/gi, '');
  cleaned = cleaned.replace(/<img\b[^>]*>/gi, (tag) => {
    const src = /\bsrc\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? '';
    if (imageHostOk(src)) return tag;
    stripped.push(src);
    return '';
  });
  // Links: only accounts with WeChat Pay permission may use <a> (not simulated); for the others only
  // links to WeChat articles survive, and any other <a> is removed with its text left in place.
  const strippedLinks: string[] = [];
  let linked = '';
  let kept = true;
  let last = 0;
  for (const m of cleaned.matchAll(/<a\b([^>]*)>|<\/a\s*>/gi)) {
    linked += cleaned.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] === undefined) {
      // An end tag: kept when it closes a link that stays.
      if (kept) linked += m[0];
      kept = true;
      continue;
    }
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(m[1]);
    const target = (href?.[1] ?? href?.[2] ?? '').replace(/&amp;/g, '&');
    kept = articleLinkOk(target);
    if (kept) linked += m[0];
    else strippedLinks.push(target);
  }
  cleaned = linked + cleaned.slice(last);
  if (digest === '' && single) digest = [...htmlToText(cleaned)].slice(0, WECHAT_LIMITS.digestDefaultChars).join('');
  if (!single) digest = '';
  return {
    article_type: 'news',
    title,
    author,
    digest,
    content: cleaned,
    content_source_url: str('content_source_url')!,
    thumb_media_id: thumb,
    show_cover_pic: showCover,
    need_open_comment: comment,
    only_fans_can_comment: fansOnly,
    pic_crop_235_1: str('pic_crop_235_1')!,
    pic_crop_1_1: str('pic_crop_1_1')!,
    strippedImages: stripped,
    strippedLinks,
  };
}
