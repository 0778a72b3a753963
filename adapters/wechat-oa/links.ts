/**
 * The body's links as a WeChat article can carry them (pure). WeChat documents that only accounts
 * with WeChat Pay permission may use `<a>` in article content (上传图文消息素材, the draft box's
 * predecessor: 「具备微信支付权限的公众号，可以使用a标签，其他公众号不能使用」); for the others the
 * editor inserts links to WeChat articles only and external `<a>` are dropped. So a link to another
 * site becomes its text followed by the address written out, which a reader can copy; links to
 * WeChat articles stay links; a link to the article's own portal page points at 阅读原文.
 */
import { decodeEntities } from '../../domain/content-gate/text.js';
import { escapeHtml, htmlToPlainText, tagAttributes, truncateChars } from '../text.js';

/** Where WeChat articles live: links there stay clickable in an article. */
export const WECHAT_ARTICLE_HOST = 'mp.weixin.qq.com';

export interface WechatBodyLinks {
  html: string;
  /** Addresses written out after their link text (web addresses, or e-mail addresses of mailto: links). */
  writtenOut: string[];
  /** Links that are no full address (relative, javascript:, data:, …), as shown to people: only their text is kept. */
  textOnly: string[];
}

/** Start and end tags of links; `\b` keeps `<abbr>` and `<area>` out. */
const LINK_TAG = /<a\b[^>]*>|<\/a\s*>/gi;
/** C0 and C1 controls and the bidirectional overrides: nothing a message should repeat to a person. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** A mailto: address worth writing out: one plain ASCII address. */
const MAIL_ADDRESS = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

const withoutFragment = (url: URL): string => url.href.replace(/#.*$/, '');
const comparable = (address: string): string =>
  address
    .replace(/^[a-z]+:(\/\/)?/i, '')
    .replace(/\/$/, '')
    .toLowerCase();

/**
 * Rewrites every `<a>` of article HTML for WeChat. Links do not nest: a start tag closes the link
 * before it, and a stray end tag is dropped. Idempotent: its own output comes back unchanged.
 */
export function wechatBodyLinks(html: string, readMoreUrl: string): WechatBodyLinks {
  const writtenOut: string[] = [];
  const textOnly: string[] = [];
  const readMore = readMoreUrl ? parsed(readMoreUrl) : null;

  const rewrite = (attributes: Record<string, string>, inner: string): string => {
    // Entities decoded as the browser would; the URL parser drops tabs, newlines and edge controls as browsers do.
    const href = decodeEntities(attributes.href ?? '').trim();
    if (href === '' || href.startsWith('#')) return inner; // an anchor in the same article: nothing to lose
    const url = parsed(href);
    // The link text that already is the address needs it no second time.
    const textIs = (address: string) => comparable(htmlToPlainText(inner).replace(/\s+/g, '')) === comparable(address);
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      if (url.hostname === WECHAT_ARTICLE_HOST) return `<a href="${escapeHtml(url.href)}">${inner}</a>`;
      if (readMore && withoutFragment(url) === withoutFragment(readMore)) return `${inner}（见文末“阅读原文”）`;
      writtenOut.push(url.href);
      return textIs(url.href) ? inner : `${inner}（网址：${escapeHtml(url.href)}）`;
    }
    if (url && url.protocol === 'mailto:') {
      const address = decoded(url.pathname);
      if (address && MAIL_ADDRESS.test(address)) {
        writtenOut.push(address);
        return textIs(address) ? inner : `${inner}（邮箱：${escapeHtml(address)}）`;
      }
    }
    textOnly.push(truncateChars(href.replace(UNSAFE_CHARS, ''), 60));
    return inner;
  };

  let out = '';
  let last = 0;
  let open: Record<string, string> | null = null;
  for (const m of html.matchAll(LINK_TAG)) {
    const before = html.slice(last, m.index);
    out += open ? rewrite(open, before) : before;
    open = m[0][1] === '/' ? null : tagAttributes(m[0]);
    last = m.index + m[0].length;
  }
  const rest = html.slice(last);
  out += open ? rewrite(open, rest) : rest;
  return { html: out, writtenOut, textOnly };
}

function parsed(address: string): URL | null {
  try {
    return new URL(address);
  } catch {
    return null;
  }
}

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
