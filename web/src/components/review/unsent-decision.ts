/**
 * A reviewer's decision not yet sent, kept in this tab (sessionStorage) when the session ends under
 * the review page (idle too long, ended elsewhere): the console sends the person to sign in, which
 * would otherwise drop the comment they typed. Kept per person and package, as the package form
 * keeps its changes (components/editor/unsaved-draft.ts); given back once, and gone when the tab closes.
 */
export interface UnsentDecision {
  comment: string;
  /** The decision being confirmed when the session ended, pinned to the stage and revision it was chosen at; null: none yet. */
  chosen: { decision: 'approve' | 'reject'; stage: string | null; revision: number } | null;
}

const keyOf = (userId: string, packageId: string) => `govpub:unsent-decision:${userId}:${packageId}`;

export function keepUnsentDecision(userId: string, packageId: string, unsent: UnsentDecision): void {
  try {
    sessionStorage.setItem(keyOf(userId, packageId), JSON.stringify(unsent));
  } catch {
    // Storage full or refused (a private window's quota): nothing more to do than before.
  }
}

/** The decision kept for this person and package, removed as it is handed back; null when none. */
export function takeUnsentDecision(userId: string, packageId: string): UnsentDecision | null {
  try {
    const key = keyOf(userId, packageId);
    const text = sessionStorage.getItem(key);
    if (text === null) return null;
    sessionStorage.removeItem(key);
    const parsed = JSON.parse(text) as Partial<UnsentDecision> | null;
    if (!parsed || typeof parsed.comment !== 'string') return null;
    const c = parsed.chosen;
    const chosen =
      c && (c.decision === 'approve' || c.decision === 'reject') && typeof c.revision === 'number' && (c.stage === null || typeof c.stage === 'string')
        ? { decision: c.decision, stage: c.stage, revision: c.revision }
        : null;
    return { comment: parsed.comment, chosen };
  } catch {
    return null;
  }
}
