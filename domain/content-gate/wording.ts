/**
 * Wording (文字关): wrong forms with their right forms (错词 → 正词), blocked terms, and officials'
 * names and titles written wrongly, from the wording list (config/registry/wording.yaml), matched
 * with one Aho–Corasick automaton so a list of 10,000 entries over a 100,000-character document
 * stays a single pass.
 *
 * Overlaps: the right forms and each entry's `allow` words are in the automaton too, and a wrong
 * form standing inside one of them is not reported (a right form containing the wrong one, a wrong
 * form inside a longer correct word). Of wrong forms that overlap, the longest is reported.
 *
 * Matching reads the text as it reads (domain/content-gate/fold.ts): a zero-width character, a space
 * or a decorative mark inside a wrong form, or full-width letters, do not hide it. The list's forms
 * are folded the same way; hits are given in the original text's offsets.
 */
import { AhoCorasick } from '@monyone/aho-corasick';
import { foldText, originalSpan } from './fold.js';

export const WORDING_KINDS = ['wrong', 'blocked', 'name'] as const;
/** wrong: a miswriting with its right form; blocked: a term not to publish; name: an official's name or title written wrongly. */
export type WordingKind = (typeof WORDING_KINDS)[number];
export const WORDING_LEVELS = ['blocking', 'warning'] as const;
export type WordingLevel = (typeof WORDING_LEVELS)[number];

export interface WordingEntry {
  kind: WordingKind;
  /** The form to find. */
  wrong: string;
  /** The form to write instead (none for a blocked term without a replacement). */
  right?: string;
  level: WordingLevel;
  /** Correct words that contain the wrong form (it is not reported inside them). */
  allow?: string[];
  /** Why the entry exists, for the editor (e.g. the official's title). */
  note?: string;
  /** Line of the entry in its file, for messages that point back to it. */
  line?: number;
}

export interface WordingHit {
  entry: WordingEntry;
  start: number;
  end: number;
}

type Role = { wrong: WordingEntry } | { protects: true };

export interface WordingMatcher {
  readonly size: number;
  find(text: string): WordingHit[];
}

/** How text is read for wording: invisible characters, spacing and decorative marks skipped, full-width and traditional characters folded. */
const WORDING_FOLD = { dropSpacing: true, simplified: true } as const;

/**
 * A form as the gate matches it. Two forms with the same key are one form to the gate: the list's
 * check (config/checks/wording.ts) compares keys, so 攻府 and 攻·府, or 碑林區 as wrong and 碑林区 as
 * right, are refused there instead of flagging every correct 碑林区.
 */
export function wordingKey(word: string): string {
  return foldText(word, WORDING_FOLD).text;
}

/** Builds the automaton of a list (wrong forms, and the right forms and allowed words that protect them). */
export function compileWording(entries: readonly WordingEntry[]): WordingMatcher {
  const roles = new Map<string, Role>();
  const key = wordingKey;
  for (const entry of entries) if (key(entry.wrong)) roles.set(key(entry.wrong), { wrong: entry });
  for (const entry of entries) {
    // A word listed as wrong elsewhere stays wrong: the list decides, a right form does not shield it.
    for (const word of [entry.right, ...(entry.allow ?? [])]) if (word && key(word) && !roles.has(key(word))) roles.set(key(word), { protects: true });
  }
  const automaton = roles.size > 0 ? new AhoCorasick([...roles.keys()]) : null;

  return {
    size: entries.length,
    find(original: string): WordingHit[] {
      if (!automaton || original.length === 0) return [];
      const folded = foldText(original, WORDING_FOLD);
      const text = folded.text;
      const wrong: WordingHit[] = [];
      const shields: { start: number; end: number }[] = [];
      for (const m of automaton.matchInText(text)) {
        const role = roles.get(m.keyword)!;
        if ('wrong' in role) wrong.push({ entry: role.wrong, start: m.begin, end: m.end });
        else shields.push({ start: m.begin, end: m.end });
      }
      const shielded = (h: WordingHit) => shields.some((s) => s.start <= h.start && h.end <= s.end && s.end - s.start > h.end - h.start);
      const candidates = wrong.filter((h) => !shielded(h)).sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
      const out: WordingHit[] = [];
      let reached = -1;
      for (const h of candidates) {
        if (h.start < reached) {
          // Overlaps the one taken: keep the longer of the two.
          const last = out[out.length - 1]!;
          if (h.end - h.start > last.end - last.start) {
            out[out.length - 1] = h;
            reached = h.end;
          }
          continue;
        }
        out.push(h);
        reached = h.end;
      }
      return out.map((h) => ({ ...h, ...originalSpan(folded, h.start, h.end) }));
    },
  };
}
