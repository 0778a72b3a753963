/**
 * A package form's unsaved changes, kept in this tab (sessionStorage) when the session ends under
 * it (idle too long, ended elsewhere): the console sends the person to sign in, which would
 * otherwise drop what they typed. Kept per person and package; given back once, to the same person
 * signing in again in the same tab, and gone when the tab closes.
 */
import type { PackageDraft } from './package-body';

export interface UnsavedDraft {
  draft: PackageDraft;
  /** The revision the changes were made on: a save over a later one is still refused as a conflict. */
  revision: number | null;
}

const keyOf = (userId: string, packageId: string | null) => `govpub:unsaved-package:${userId}:${packageId ?? 'new'}`;

export function keepUnsavedDraft(userId: string, packageId: string | null, unsaved: UnsavedDraft): void {
  try {
    sessionStorage.setItem(keyOf(userId, packageId), JSON.stringify(unsaved));
  } catch {
    // Storage full or refused (a private window's quota): nothing more to do than before.
  }
}

/** The changes kept for this person and package, removed as they are handed back; null when none. */
export function takeUnsavedDraft(userId: string, packageId: string | null): UnsavedDraft | null {
  try {
    const key = keyOf(userId, packageId);
    const text = sessionStorage.getItem(key);
    if (text === null) return null;
    sessionStorage.removeItem(key);
    const parsed = JSON.parse(text) as Partial<UnsavedDraft>;
    if (!parsed || typeof parsed !== 'object' || !parsed.draft || typeof parsed.draft !== 'object') return null;
    return { draft: parsed.draft, revision: typeof parsed.revision === 'number' ? parsed.revision : null };
  } catch {
    return null;
  }
}
