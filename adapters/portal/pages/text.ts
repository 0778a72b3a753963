// Escaping and the ways dates and sizes are written on the portal's pages and in its XML files.
import { escapeHtml } from '../../text.js';

/**
 * Characters that must not reach a page or a feed: C0 controls other than tab, line feed and
 * carriage return, DEL, C1 controls, lone surrogates and the noncharacters U+FFFE/U+FFFF. HTML
 * calls them parse errors and XML 1.0 forbids them; a pasted title can carry any of them.
 */
const FORBIDDEN_CHARACTERS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text without the characters no page may carry. */
export function cleanText(text: string): string {
  return text.replace(FORBIDDEN_CHARACTERS, '');
}

/** Text for HTML (element content and quoted attribute values). */
export function esc(text: string): string {
  return escapeHtml(cleanText(text));
}

/** Text for XML: characters XML 1.0 forbids removed, the rest escaped. */
export function xml(text: string): string {
  return escapeHtml(cleanText(text));
}

/** 2025-06-01T02:30:00Z → 2025-06-01 10:30 (China time, for the PubDate meta tag). */
export function chinaDateTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** 2025-06-01 → 2025年06月01日 */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年${m}月${d}日`;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} KB`;
}
