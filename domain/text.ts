/**
 * The rule for text people send: what may be stored, said once for every field. PostgreSQL
 * refuses NUL in text and lone surrogates in jsonb, and control characters are invisible in every
 * channel, so such text is refused at the door (with the field's path), never discovered by a
 * database write halfway through a workflow step.
 */
import { holdsPastedApiToken } from './api-token.js';

export interface TextIssue {
  path: string;
  message: string;
}

/** Tab, line feed and carriage return are ordinary in bodies and comments; other C0/C1 controls are not. */
function isRefusedControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f || (code >= 0x80 && code <= 0x9f);
}

/**
 * The bidirectional overrides (U+202D LRO, U+202E RLO): invisible, and they reverse the characters
 * after them, so "测试\u202e标题反转ABC" reads "测试CBA转反题标" wherever it is quoted (a list, a
 * channel's sentence, a post), and a word written backwards behind one reads right while the
 * content gate, reading the stored order, does not see it ("Trojan Source"). Chinese government
 * texts never need them. Embeddings and isolates (U+202A–U+202C, U+2066–U+2069), which mixed
 * Arabic or Hebrew text pasted from other programs carries, reorder runs but never reverse
 * characters, and stay allowed with the marks U+200E/U+200F.
 */
function isBidiOverride(code: number): boolean {
  return code === 0x202d || code === 0x202e;
}

/** Why this string cannot be stored, or null. Positions are 1-based characters, as an editor counts. */
export function unsafeTextProblem(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1; // a well-formed pair (emoji and other astral characters)
        continue;
      }
      return `contains a lone surrogate (\\u${code.toString(16)}) at position ${i + 1}: not valid Unicode text`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `contains a lone surrogate (\\u${code.toString(16)}) at position ${i + 1}: not valid Unicode text`;
    if (code === 0) return `contains a NUL character (\\u0000) at position ${i + 1}; remove it`;
    if (isRefusedControl(code)) return `contains the control character \\u${code.toString(16).padStart(4, '0')} at position ${i + 1}; remove it`;
    if (isBidiOverride(code))
      return `contains the direction override \\u${code.toString(16)} at position ${i + 1}, which reverses the text after it; remove it`;
    if (code === 0xfffe || code === 0xffff) return `contains the non-character \\u${code.toString(16)} at position ${i + 1}; remove it`;
  }
  return null;
}

/**
 * Invisible characters a copy from a web page, a chat or Word leaves inside a line of text. A
 * reader does not see them, but the site's search indexes a word one splits as two (碑林\u200b区
 * loses 林区), and two titles that read the same compare unequal. The joiners stay: emoji are
 * built with them.
 */
const STRAY_INVISIBLE: Record<number, string> = {
  0x00ad: 'soft hyphen',
  0x200b: 'zero-width space',
  0x2060: 'word joiner',
  0xfeff: 'byte-order mark',
};

/**
 * Text pasted from Word or WPS, made what unsafeTextProblem accepts and a reader sees: a vertical
 * tab or form feed (Word's manual line and page breaks, as its plain text carries them) becomes a
 * space; every other character that rule refuses is removed, and so are the stray invisible
 * characters a one-line field refuses (STRAY_INVISIBLE), leftovers of the copy (the joiners stay:
 * emoji are built with them).
 */
export function pastedTextCleaned(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i += 1;
      }
      continue;
    }
    if (code >= 0xdc00 && code <= 0xdfff) continue;
    if (code === 0x0b || code === 0x0c) out += ' ';
    else if (isRefusedControl(code) || isBidiOverride(code) || code === 0xfffe || code === 0xffff || STRAY_INVISIBLE[code]) continue;
    else out += value[i]!;
  }
  return out;
}

/**
 * Text pasted into a one-line field (a title, a name): what pastedTextCleaned leaves, its tabs and
 * line breaks made single spaces, so what the field shows is what oneLineProblem accepts.
 */
export function pastedLineCleaned(value: string): string {
  return pastedTextCleaned(value).replace(/[\t\r\n\u2028\u2029]+/g, ' ');
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** What the text walk says of an API token in a field; the value is never repeated. */
export const TOKEN_IN_TEXT =
  'holds what looks like an API token (gp_ followed by 32 characters), which is not repeated here: a token is a credential, never content to store or show to others; remove it, and if it was pasted where others can see it, issue a new one (govpub users rotate-token NAME)';

/**
 * Every string (and object key) in a parsed body that cannot be stored, with its path, e.g.
 * `interpretations[1].body`: the characters above, and an API token pasted into a field (a
 * credential would be stored, shown to every role, quoted back in refusals). Walks at most
 * `maxDepth` levels; deeper nesting is itself an issue.
 */
export function findUnsafeText(value: unknown, path = '', maxDepth = 32): TextIssue[] {
  const issues: TextIssue[] = [];
  const walk = (v: unknown, p: string, depth: number) => {
    if (depth > maxDepth) {
      issues.push({ path: p || '(body)', message: `nested deeper than ${maxDepth} levels` });
      return;
    }
    if (typeof v === 'string') {
      const problem = unsafeTextProblem(v) ?? (holdsPastedApiToken(v) ? TOKEN_IN_TEXT : null);
      if (problem) issues.push({ path: p || '(body)', message: problem });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, childPath(p, i), depth + 1));
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        // A token as a field name is not quoted back in the path either.
        const tokenAsName = holdsPastedApiToken(key);
        const keyProblem = unsafeTextProblem(key) ?? (tokenAsName ? TOKEN_IN_TEXT : null);
        if (keyProblem) issues.push({ path: childPath(p, tokenAsName ? 'gp_…' : JSON.stringify(key).slice(1, -1)), message: `field name ${keyProblem}` });
        walk(item, childPath(p, tokenAsName ? 'gp_…' : key), depth + 1);
      }
    }
  };
  walk(value, path, 0);
  return issues;
}

/**
 * Characters as an editor counts them (code points: an emoji is one), without building an array
 * of them: `[...value].length` costs about a second for a few million characters, which a body of
 * 8 MB can hold.
 */
export function characterCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}

/**
 * Characters that show nothing: default-ignorable code points (zero-width space and joiners, the
 * byte-order mark, the soft hyphen, variation selectors…), the Hangul fillers and the blank Braille
 * pattern, which are blank though not ignorable (as the content gate reads them:
 * domain/content-gate/fold.ts).
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u3164\uFFA0\u2800]/gu;

/**
 * Whether a text shows nothing to a reader: only spaces and invisible characters. `trim()` alone
 * lets a title of zero-width spaces through as "not blank", and every channel shows it empty.
 */
export function showsNothing(value: string): boolean {
  return value.replace(INVISIBLE, '').trim() === '';
}

/** The text without its invisible characters: what a reader sees, to compare two texts as read. */
export function visibleText(value: string): string {
  return value.replace(INVISIBLE, '');
}

/**
 * Text as a person may be shown it, on a terminal or in a stored message: control characters and
 * the direction overrides written as `\u001b`, line feeds and tabs kept. Quoted words (what was
 * typed, what a platform answered) with an ANSI escape would clear the screen or recolour what
 * follows, a carriage return overwrite the sentence, a U+202E reverse it. Embeddings and isolates
 * (U+202A–C, U+2066–9) stay: Arabic or Hebrew words in a title are written with them.
 */
export function controlsWrittenOut(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202d\u202e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a one-line field (a title, a name) with a line break inside is refused. */
export const ONE_LINE = 'is one line: remove the line break (only bodies and transcripts run over lines)';

/**
 * Whether a one-line field breaks a line inside (a trailing break is trimmed away, not refused):
 * a title with one splits every list, post and page heading it is shown in.
 */
export function breaksLine(value: string): boolean {
  return /[\r\n\u2028\u2029]/.test(value.trim());
}

/**
 * Why a one-line field (a title, a name, a document number) cannot be stored as it is, or null:
 * a line break inside it, a tab (a one-line field is spaced with spaces: a tab shows as one space
 * on the portal and as a wide gap or nothing in a post), or a stray invisible character. Leading
 * and trailing ones are trimmed away, not refused. Positions count characters, as an editor does.
 */
export function oneLineProblem(value: string): string | null {
  if (breaksLine(value)) return ONE_LINE;
  const start = value.length - value.trimStart().length;
  const end = value.trimEnd().length;
  let position = [...value.slice(0, start)].length;
  for (let i = start; i < end; i++) {
    const code = value.charCodeAt(i);
    position += 1;
    if (code >= 0xd800 && code <= 0xdbff)
      i += 1; // a pair is one character
    else if (code === 0x09) return `contains a tab at position ${position}: a one-line field takes spaces, not tabs; replace it with a space`;
    else if (STRAY_INVISIBLE[code])
      return `contains an invisible ${STRAY_INVISIBLE[code]} (\\u${code.toString(16).padStart(4, '0')}) at position ${position}, left by a copy from a web page or a chat: readers do not see it, but the site's search indexes a word it splits as two; remove it`;
  }
  return null;
}

/** Short free text that goes into workflow history and the audit trail (comments, reasons, notes). */
/** Columns `value` takes in a terminal: a Chinese (or other wide) character takes two. */
export function terminalWidth(value: string): number {
  return [...value].reduce((w, ch) => w + (/[\u1100-\uFFEF]/.test(ch) ? 2 : 1), 0);
}

export const MAX_NOTE_CHARS = 2000;

/** Why a free-text note is unacceptable (unsafe characters, too long), or null. */
export function noteProblem(value: string, max = MAX_NOTE_CHARS): string | null {
  const unsafe = unsafeTextProblem(value);
  if (unsafe) return unsafe;
  const length = characterCount(value);
  if (length > max) return `is ${length} characters; at most ${max} allowed`;
  return null;
}
