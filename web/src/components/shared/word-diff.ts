/**
 * A word diff for the reviewer: which words of a field were removed and which added between two
 * revisions. Chinese has no spaces, so each Han character is a word of its own; Latin words,
 * numbers, runs of white space, HTML tags and single punctuation marks are the other words.
 * Pure: no DOM, so the same code runs in the browser and in unit tests.
 */

export type DiffKind = 'same' | 'added' | 'removed';

export interface DiffPart {
  kind: DiffKind;
  text: string;
}

/** Above this many cells the middle is shown as one removal and one addition (the table would not fit in memory). */
const MAX_TABLE_CELLS = 4_000_000;

const TOKEN = /<[^>]*>|\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}_])+|\s+|[\s\S]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

function push(parts: DiffPart[], kind: DiffKind, text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last && last.kind === kind) last.text += text;
  else parts.push({ kind, text });
}

/** The longest common subsequence of two token lists, walked back into parts (removals before additions). */
function diffTokens(a: string[], b: string[], parts: DiffPart[]): void {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_TABLE_CELLS) {
    push(parts, 'removed', a.join(''));
    push(parts, 'added', b.join(''));
    return;
  }
  // lengths[i][j]: LCS length of a[i..] and b[j..], one flat array.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push(parts, 'same', a[i]!);
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      push(parts, 'removed', a[i]!);
      i++;
    } else {
      push(parts, 'added', b[j]!);
      j++;
    }
  }
  push(parts, 'removed', a.slice(i).join(''));
  push(parts, 'added', b.slice(j).join(''));
}

/** The parts that turn `before` into `after`: every part is same, removed or added, in reading order. */
export function wordDiff(before: string, after: string): DiffPart[] {
  const a = tokenize(before);
  const b = tokenize(after);
  // The common start and end cost nothing to find and keep the table small for a long body with a small change.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const parts: DiffPart[] = [];
  push(parts, 'same', a.slice(0, start).join(''));
  diffTokens(a.slice(start, a.length - end), b.slice(start, b.length - end), parts);
  push(parts, 'same', a.slice(a.length - end).join(''));
  return parts;
}

/** One side of a diff for a two-column view: the before side drops the additions, the after side the removals. */
export function sideOf(parts: DiffPart[], side: 'before' | 'after'): DiffPart[] {
  const dropped: DiffKind = side === 'before' ? 'added' : 'removed';
  return parts.filter((p) => p.kind !== dropped);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * HTML as a person reads it: block ends become line breaks, other tags go, entities are decoded.
 * A link's address or an image's alt text would vanish with its tag, so they are kept in brackets.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<img\b[^>]*?\balt="([^"]*)"[^>]*>/gi, '［图片：$1］')
    .replace(/<img\b[^>]*>/gi, '［图片］')
    .replace(/<a\b[^>]*?\bhref="([^"]*)"[^>]*>/gi, '［链接：$1］')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|blockquote|pre|table|ul|ol)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** True for a string that carries HTML markup (a document or interpretation body). */
export function looksLikeHtml(value: unknown): value is string {
  return typeof value === 'string' && /<[a-z][^>]*>/i.test(value);
}

/** Any field value of a package body as text to compare: lists one item a line, objects as indented JSON. */
export function valueAsText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map((v) => String(v)).join('\n');
  return JSON.stringify(value, null, 2);
}
