/**
 * Pure text helpers the format steps share: platforms count characters (not bytes), want plain
 * text where the package has HTML, and cut summaries at a limit without breaking a character.
 */
import { isWebLink } from '../domain/web-link.js';

/** Characters as a person counts them (code points, so a CJK character or an emoji is one). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** At most `max` characters; an ellipsis marks a cut (and counts toward `max`). */
export function truncateChars(text: string, max: number, ellipsis = '…'): string {
  if (charCount(text) <= max) return text;
  const keep = Math.max(0, max - charCount(ellipsis));
  return [...text].slice(0, keep).join('') + ellipsis;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Plain text of sanitized body HTML: block elements become line breaks, entities are decoded. */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|figure|figcaption|blockquote|section)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#') && /^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A summary of at most `max` characters from body HTML: the first paragraph(s), cut cleanly. */
export function summaryOf(html: string, max: number): string {
  const text = htmlToPlainText(html).replace(/\s*\n\s*/g, ' ');
  return truncateChars(text, max);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// How body HTML refers to uploads is a rule about package content: domain/package-media.ts.
export { imageSources, mediaIdFromSrc } from '../domain/package-media.js';

/** Attributes of one start tag (`<a href="…">`), names in lower case, values entity-encoded as written. */
export function tagAttributes(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    attributes[m[1]!.toLowerCase()] = m[3] ?? m[4] ?? m[5] ?? '';
  }
  return attributes;
}

/** Replaces each `<img>` src for which `replace` returns a string; others are kept. */
export function replaceImageSources(html: string, replace: (src: string) => string | null): string {
  return html.replace(/(<img\b[^>]*\bsrc\s*=\s*)("([^"]*)"|'([^']*)')/gi, (whole, head: string, _q, dq?: string, sq?: string) => {
    const next = replace(dq ?? sq ?? '');
    return next === null ? whole : `${head}"${escapeHtml(next)}"`;
  });
}

/**
 * An absolute http(s) URL with a host and no spaces or control characters (what a post may link
 * to): an older revision's `http://` or `http:///x` is no link at all, not one a browser repairs.
 */
export function isHttpUrl(value: string | undefined | null): value is string {
  return isWebLink(value);
}
