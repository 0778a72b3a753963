/**
 * The gate over one text: personal data and wording found in it, each with its place (field,
 * offset, line, and the file and page for an attachment) and an excerpt in which every personal
 * value is masked. The raw value never leaves this function.
 */
import type { GateMatch } from './model.js';
import { findPersonalData, maskText } from './personal-data.js';
import { lineAt } from './text.js';
import type { WordingMatcher } from './wording.js';

/** One text of a package: a field's plain text, an image's alt text, an attachment's page. */
export interface GateText {
  /** JSON pointer of the field (`/document/body`, `/cover/alt`, `/document/attachments/0`). */
  field: string;
  /** For attachments and pictures: the file's name and page, sheet or picture. */
  within?: string;
  text: string;
}

/** Characters of context on either side of a match in its excerpt. */
export const EXCERPT_CONTEXT = 16;

function excerptOf(masked: string, start: number, end: number): string {
  const from = Math.max(0, start - EXCERPT_CONTEXT);
  const to = Math.min(masked.length, end + EXCERPT_CONTEXT);
  const body = masked.slice(from, to).replace(/\s+/g, ' ');
  return `${from > 0 ? '…' : ''}${body}${to < masked.length ? '…' : ''}`;
}

/** Personal data and wording in one text, in order of place. */
export function scanText(source: GateText, wording: WordingMatcher | null): GateMatch[] {
  const { text } = source;
  const personal = findPersonalData(text);
  const { masked, at } = maskText(text, personal);
  const place = (offset: number) => ({ field: source.field, ...(source.within ? { within: source.within } : {}), offset, line: lineAt(text, offset) });
  const out: GateMatch[] = personal.map((hit, i) => ({
    code: hit.code,
    blocking: true,
    place: place(hit.start),
    excerpt: excerptOf(masked, at[i]!.start, at[i]!.end),
  }));
  // Where an offset of the text stands in the masked text.
  const maskedOffset = (offset: number) => {
    let shift = 0;
    for (let i = 0; i < personal.length && personal[i]!.end <= offset; i += 1) shift += at[i]!.end - at[i]!.start - (personal[i]!.end - personal[i]!.start);
    return offset + shift;
  };
  for (const hit of wording?.find(text) ?? []) {
    const { entry } = hit;
    const start = maskedOffset(hit.start);
    out.push({
      code: entry.kind === 'wrong' ? 'wording_wrong' : 'wording_blocked',
      blocking: entry.level === 'blocking',
      place: place(hit.start),
      excerpt: excerptOf(masked, start, start + (hit.end - hit.start)),
      wrong: entry.wrong,
      ...(entry.right ? { right: entry.right } : {}),
    });
  }
  return out.sort((a, b) => a.place.offset - b.place.offset);
}
