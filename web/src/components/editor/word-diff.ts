/**
 * A small word-level diff for the revision view: which words of `before` were removed and which
 * of `after` were added. Chinese has no spaces, so every CJK character is a word of its own;
 * Latin words, numbers, runs of spaces and HTML tags are one token each. Pure; no DOM.
 */

export type DiffKind = 'same' | 'added' | 'removed';

export interface DiffSegment {
  kind: DiffKind;
  text: string;
}

/** Above this many token pairs (after the common start and end are set aside) the middle is shown as replaced whole. */
const MAX_TABLE_CELLS = 2_500_000;

const TOKEN = /<[^<>]{0,500}>|[A-Za-z0-9_\u00c0-\u024f]+(?:['’.-][A-Za-z0-9_\u00c0-\u024f]+)*|\s+|[\s\S]/gu;

/** The tokens of a text, in order; joined they give the text back. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

function push(segments: DiffSegment[], kind: DiffKind, text: string): void {
  if (text === '') return;
  const last = segments[segments.length - 1];
  if (last && last.kind === kind) last.text += text;
  else segments.push({ kind, text });
}

/** The longest common subsequence of two token lists, as segments (a table over the tokens that differ). */
function middleDiff(a: string[], b: string[], segments: DiffSegment[]): void {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || n * m > MAX_TABLE_CELLS) {
    push(segments, 'removed', a.join(''));
    push(segments, 'added', b.join(''));
    return;
  }
  // lengths[i][j]: LCS length of a[i..] and b[j..], one row at a time from the end; choices kept per cell.
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
      push(segments, 'same', a[i]!);
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      push(segments, 'removed', a[i]!);
      i++;
    } else {
      push(segments, 'added', b[j]!);
      j++;
    }
  }
  while (i < n) push(segments, 'removed', a[i++]!);
  while (j < m) push(segments, 'added', b[j++]!);
}

/** Segments that turn `before` into `after`: the `same` and `removed` ones spell `before`, the `same` and `added` ones `after`. */
export function wordDiff(before: string, after: string): DiffSegment[] {
  const a = tokenize(before);
  const b = tokenize(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const segments: DiffSegment[] = [];
  push(segments, 'same', a.slice(0, start).join(''));
  middleDiff(a.slice(start, endA), b.slice(start, endB), segments);
  push(segments, 'same', a.slice(endA).join(''));
  return segments;
}

/** HTML as a reader sees it: blocks and line breaks become new lines, tags go, entities are decoded. */
export function htmlToReadableText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|h[1-6]|li|blockquote|div|tr|figcaption)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
