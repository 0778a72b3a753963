/**
 * The text the gate reads in a package field: body HTML as plain text (block elements end a line,
 * entities decoded, tags gone), the alt text and link targets of its elements, and where an offset
 * is (line). Pure: both the preflight and the re-scan of published packages read text this way.
 */

// Table cells and list terms end a line too: a roster's ID number and phone in adjacent cells are two
// values a reader sees apart, and run together they would read as one long number no pattern takes.
const BLOCK_END =
  /<\/(p|div|li|ul|ol|dl|dt|dd|tr|td|th|caption|thead|tbody|tfoot|h[1-6]|blockquote|figure|figcaption|table|section|article|aside|header|footer|nav|main|address|pre)\s*>|<(br|hr)\b[^>]*>/gi;

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  mdash: '—',
  hellip: '…',
  middot: '·',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  // Invisible ones: decoded so the gate sees (and folds away) what hides inside a word.
  shy: '\u00AD',
  zwsp: '\u200B',
  zerowidthspace: '\u200B',
  zwnj: '\u200C',
  zwj: '\u200D',
  lrm: '\u200E',
  rlm: '\u200F',
  nobreak: '\u2060',
};

/** Decodes the entities sanitized HTML carries (named ones it emits, decimal and hex). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Body HTML as the reader sees its words: one line per block, no tags. */
export function htmlText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(BLOCK_END, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t\f\v\r]+\n/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

/** The alt text of every picture in body HTML, in order (empty ones left out, numbered from 1 as they stand). */
export function imageAlts(html: string): { index: number; alt: string }[] {
  const out: { index: number; alt: string }[] = [];
  let index = 0;
  for (const m of html.matchAll(/<img\b[^>]*>/gi)) {
    index += 1;
    const alt = attribute(m[0], 'alt')?.trim();
    if (alt) out.push({ index, alt });
  }
  return out;
}

/** Every `href` of a link in body HTML, in order. */
export function linkTargets(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\b[^>]*>/gi)) {
    const href = attribute(m[0], 'href')?.trim();
    if (href) out.push(href);
  }
  return out;
}

/** The 1-based line of an offset in a text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}
