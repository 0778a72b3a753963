/**
 * The text the gate matches against, as a reader sees it rather than as it is encoded: a wrong form
 * or an ID number with an invisible character inside (a zero-width space, a soft hyphen, a word
 * joiner, a byte-order mark, a bidirectional mark) or typed with full-width characters reads the
 * same on every channel, so it must be found the same.
 *
 * Wording is also matched with traditional characters read as simplified ones.
 *
 * Folding keeps a map back to the original, so every finding still names its offset in the field's
 * own text. Pure.
 */

import { Converter } from 'opencc-js/t2cn';

/** A folded text and, for each of its UTF-16 units, the offset of the unit it came from in the original. */
export interface FoldedText {
  text: string;
  /** `origin[i]`: where folded unit i stands in the original; `origin[text.length]` is the original's length. */
  origin: number[];
}

// Default-ignorable code points render as nothing (U+200B–U+200F, U+2060–U+206F, U+FEFF, U+00AD,
// variation selectors, tags…); U+3164 and U+FFA0 (Hangul fillers) and U+2800 (the blank Braille pattern) are blank though not ignorable.
const INVISIBLE = /^[\p{Default_Ignorable_Code_Point}\u3164\uFFA0\u2800]$/u;

/** Horizontal spaces (a space inside a word is still the word); line ends stay, they separate paragraphs. */
const SPACE = /^[ \t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]$/u;

/** Marks used to break up a word without changing how it reads (攻·府, 攻*府, 攻_府); never sentence punctuation. */
const DECORATION = /^[·•‧∙・･*_~\-‐‑‒–—―]$/u;

export interface FoldOptions {
  /** Also drop horizontal spaces and decorative marks (wording; personal data keeps them, its patterns read separators). */
  dropSpacing?: boolean;
  /** Also read traditional characters as their simplified forms (wording: 中華人民共合國 is the miswriting 中华人民共合国). */
  simplified?: boolean;
}

// OpenCC's traditional → mainland-simplified table (opencc-js, its t2cn build only: 110 KB).
const toSimplified = Converter({ from: 't', to: 'cn' });
const simplifiedChars = new Map<string, string>();

/**
 * One character's simplified form, character by character (no phrase context: 乾 reads 干 in 乾隆
 * too). That is enough here because the list's own forms are folded the same way, and a character
 * for a character keeps every offset; a conversion that is not one character is not used.
 */
function simplifiedChar(ch: string): string {
  const known = simplifiedChars.get(ch);
  if (known !== undefined) return known;
  const converted = toSimplified(ch);
  const out = [...converted].length === 1 ? converted : ch;
  simplifiedChars.set(ch, out);
  return out;
}

/** Full-width ASCII (！ to ～) as ASCII, one unit for one. */
function halfWidth(ch: string): string {
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : ch;
}

// Kangxi radicals, CJK radical forms and compatibility ideographs look like the ideograph they stand for
// (⼈ U+2F08 is 人 on screen); text copied out of a PDF is full of them. Read as that ideograph where
// Unicode's compatibility form names one (NFKC), so 中华⼈民共合国 is the listed miswriting.
const CJK_COMPATIBILITY = /^[\u2E80-\u2EFF\u2F00-\u2FDF\uF900-\uFAFF\u{2F800}-\u{2FA1F}]$/u;

function unifiedIdeograph(ch: string): string {
  if (!CJK_COMPATIBILITY.test(ch)) return ch;
  const unified = ch.normalize('NFKC');
  return [...unified].length === 1 ? unified : ch;
}

/**
 * The text with invisible characters removed, full-width ASCII made half-width and radical and
 * compatibility forms read as their ideographs (and, on request, spacing inside words dropped).
 */
export function foldText(original: string, options: FoldOptions = {}): FoldedText {
  let text = '';
  const origin: number[] = [];
  let offset = 0;
  for (const ch of original) {
    const at = offset;
    offset += ch.length;
    if (INVISIBLE.test(ch)) continue;
    const plain = unifiedIdeograph(halfWidth(ch));
    const folded = options.simplified ? simplifiedChar(plain) : plain;
    if (options.dropSpacing && (SPACE.test(folded) || DECORATION.test(folded))) continue;
    text += folded;
    for (let i = 0; i < folded.length; i += 1) origin.push(at + i);
  }
  origin.push(original.length);
  return { text, origin };
}

/** The original span [start, end) of a folded span: from its first unit to just after its last. */
export function originalSpan(folded: FoldedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: folded.origin[start]!, end: folded.origin[start]! };
  return { start: folded.origin[start]!, end: folded.origin[end - 1]! + 1 };
}
