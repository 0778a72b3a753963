/**
 * The last step of `govpub restore` moves several things into place (the database, the media store,
 * the Temporal history, the portal, the handoff folders): a rename each, checked copies already
 * beside them. Killed between two renames (a power cut, Ctrl+C), the data directory would hold
 * some restored parts and some missing, and the next `govpub start` would make a new, empty
 * database or history where one was moved aside. So the moves are written down first
 * (`restore-in-progress.json`), and whatever opens the data directory next finishes them before
 * anything else (claimDataDir, the embedded database), then removes the note.
 */
import fs from 'node:fs';
import path from 'node:path';

export const RESTORE_JOURNAL = 'restore-in-progress.json';

export interface RestoreMove {
  /** Where the part belongs (`<data dir>/pgdata`, the media store, …). */
  target: string;
  /** Where what was there goes, or null when nothing was there. */
  aside: string | null;
  /** The checked copy, unpacked beside the target. */
  staging: string | null;
}

/** Writes the moves down (atomically) before the first is made. */
export function writeRestoreJournal(dataDir: string, moves: RestoreMove[]): void {
  const file = path.join(dataDir, RESTORE_JOURNAL);
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, `${JSON.stringify({ writtenAt: new Date().toISOString(), moves }, null, 2)}\n`);
  fs.renameSync(partial, file);
}

function exists(place: string): boolean {
  try {
    fs.lstatSync(place);
    return true;
  } catch {
    return false;
  }
}

/** Makes every move still to be made, in order; each is skipped once done, so running it twice is safe. */
function makeMoves(moves: RestoreMove[]): void {
  for (const { target, aside } of moves) if (aside && exists(target) && !exists(aside)) fs.renameSync(target, aside);
  for (const { target, staging } of moves) if (staging && exists(staging) && !exists(target)) fs.renameSync(staging, target);
}

/** Makes the moves of a restore that has its journal, then removes the journal. */
export function completeRestoreMoves(dataDir: string, moves: RestoreMove[]): void {
  makeMoves(moves);
  fs.rmSync(path.join(dataDir, RESTORE_JOURNAL), { force: true });
}

/**
 * Finishes a restore that stopped between its moves; returns what it finished (for a line on
 * stderr), or null when there was none. Call it holding the data directory, before opening anything in it.
 */
export function finishInterruptedRestore(dataDir: string): string | null {
  const file = path.join(dataDir, RESTORE_JOURNAL);
  let journal: { writtenAt?: string; moves?: RestoreMove[] };
  try {
    journal = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof journal;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // A journal cut short was never acted on: its rename is the last step of writing it.
    fs.rmSync(file, { force: true });
    return null;
  }
  completeRestoreMoves(dataDir, journal.moves ?? []);
  return `finished the restore interrupted at ${journal.writtenAt ?? 'an unknown time'}: ${(journal.moves ?? [])
    .filter((m) => m.staging)
    .map((m) => path.basename(m.target))
    .join(', ')} moved into place`;
}
