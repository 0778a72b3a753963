// Escaping and the ways dates and sizes are written on the portal's pages and in its XML files.
import { escapeHtml } from '../../text.js';

export const esc = escapeHtml;

/** Text for XML: characters XML 1.0 forbids removed, the rest escaped. */
export function xml(text: string): string {
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
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
