/**
 * When a document registered as published without govpub is one already registered (pure). Two
 * registrations of one document are judged twice and count twice in the compliance figures, and the
 * usual way it happens is the same document typed with another day: a slip in the date, or once at
 * its 成文日期 and once at its release. So:
 *
 * - the same 发文字号 is the same document, whatever the days, titles or units say (one number, one
 *   document: one of the two registrations is wrong and is corrected, never registered anyway);
 * - the same unit and title (spaces and full-width forms aside) within DUPLICATE_WINDOW_DAYS is
 *   probably the same document, unless both carry 发文字号 and they differ; the caller may confirm
 *   it really is another one. The window is shorter than a month, so a unit's monthly report or its
 *   yearly 「关于做好春节期间…的通知」, which share a title, are never taken for one document; it is
 *   longer than the usual days between 成文日期 and release and than a slipped day digit.
 */
import { chinaDate } from '../working-days.js';

/** How many days apart (Beijing dates) the same unit's same title is taken for one document. */
export const DUPLICATE_WINDOW_DAYS = 14;

export interface RegisteredRelease {
  id: string;
  title: string;
  documentNumber: string | null;
  documentLiveAt: Date;
}

export type ExternalDuplicate =
  /** The same 发文字号: certainly the same document. */
  | { match: 'document_number'; existing: RegisteredRelease; daysApart: number }
  /** The same unit and title within the window: probably; `all` lists every such registration, nearest first. */
  | { match: 'title_nearby'; existing: RegisteredRelease; daysApart: number; all: RegisteredRelease[] };

const DAY_MS = 86_400_000;

/** Titles compared as people read them: spaces and full-width letters, digits and brackets aside. */
export function sameTitle(a: string, b: string): boolean {
  const plain = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  return plain(a) === plain(b);
}

/** Whole Beijing days between two instants. */
export function beijingDaysApart(a: Date, b: Date): number {
  return Math.abs(Date.parse(`${chinaDate(a)}T00:00:00Z`) - Date.parse(`${chinaDate(b)}T00:00:00Z`)) / DAY_MS;
}

/**
 * The registration `next` duplicates among `candidates` (other ids: the same unit's within the window,
 * and any with its 发文字号), or null when it is another document.
 */
export function externalDuplicate(next: Omit<RegisteredRelease, 'id'>, candidates: readonly RegisteredRelease[]): ExternalDuplicate | null {
  const apart = (c: RegisteredRelease) => beijingDaysApart(c.documentLiveAt, next.documentLiveAt);
  const sameNumber = next.documentNumber ? candidates.find((c) => c.documentNumber === next.documentNumber) : undefined;
  if (sameNumber) return { match: 'document_number', existing: sameNumber, daysApart: apart(sameNumber) };
  const nearby = candidates
    .filter((c) => sameTitle(c.title, next.title) && apart(c) <= DUPLICATE_WINDOW_DAYS)
    // Two different numbers tell two documents apart, however alike their titles and days.
    .filter((c) => !(c.documentNumber && next.documentNumber && c.documentNumber !== next.documentNumber))
    .sort((a, b) => apart(a) - apart(b) || a.id.localeCompare(b.id));
  if (nearby.length === 0) return null;
  return { match: 'title_nearby', existing: nearby[0]!, daysApart: apart(nearby[0]!), all: nearby };
}
