/**
 * The content gate of a running govpub: one per database, sharing the wording list (reloaded when
 * its file changes), the link cache and the media store named by the settings. A new version of
 * the list starts the re-scan of what is published (services/content-gate/rescan.ts) in the
 * background, once per version (keyed by its digest in the audit trail).
 */
import type { Kysely } from 'kysely';
import { loadSettings } from '../../config/settings.js';
import type { DB } from '../../db/schema.js';
import type { MediaStore } from '../../media/store.js';
import { openMediaStore } from '../media.js';
import { ContentGate } from './gate.js';
import { LinkChecker } from './links.js';
import { reconcileFindings } from '../compliance/findings.js';
import { rescanIfNew, type ReconcileFindings } from './rescan.js';
import { WordingSource } from './wording-list.js';

export { ContentGate } from './gate.js';

export interface ContentGateOptions {
  store?: MediaStore;
  wording?: WordingSource;
  links?: LinkChecker;
  /** The compliance store's reconcile: given, a new wording list re-scans what is published. */
  reconcile?: ReconcileFindings;
  /** Where a background re-scan's failure is reported (default: stderr). */
  onRescanError?: (error: unknown) => void;
}

const gates = new WeakMap<Kysely<DB>, ContentGate>();
/**
 * The re-scans a gate is running in the background, so that a stopping process can let them
 * finish; once `closed`, a list change starts none (its mark is not written, so the next start runs it).
 */
const rescans = new WeakMap<ContentGate, { running: Set<Promise<unknown>>; closed: boolean }>();

/** Builds a gate; with `reconcile`, each new version of the wording list is re-scanned against what is published. */
export function createContentGate(db: Kysely<DB>, options: ContentGateOptions = {}): ContentGate {
  const wording = options.wording ?? new WordingSource();
  const gate = new ContentGate({
    db,
    store: options.store ?? openMediaStore(loadSettings()),
    wording,
    links: options.links ?? new LinkChecker(),
  });
  const reconcile = options.reconcile;
  if (reconcile) {
    const report =
      options.onRescanError ?? ((error: unknown) => console.error(`govpub: the re-scan after a wording-list change failed: ${(error as Error).message}`));
    const state = { running: new Set<Promise<unknown>>(), closed: false };
    const running = state.running;
    rescans.set(gate, state);
    wording.onChange((list) => {
      if (state.closed) return;
      const rescan = rescanIfNew({ db, gate, reconcile }, list)
        .catch(report)
        .finally(() => running.delete(rescan));
      running.add(rescan);
    });
  }
  return gate;
}

/** The process's gate for this database (built on first use from the settings). */
export function contentGateFor(db: Kysely<DB>, options: ContentGateOptions = {}): ContentGate {
  let gate = gates.get(db);
  if (!gate) {
    gate = createContentGate(db, options);
    gates.set(db, gate);
  }
  return gate;
}

/** How long a stopping API lets a running re-scan finish before the database closes under it. */
const RESCAN_STOP_WAIT_MS = 5_000;

/** How often a running API looks at the wording file when nobody runs a preflight. */
export const WORDING_POLL_MS = 60_000;

/**
 * The API process's gate: registered before first use with the compliance store, so each new
 * version of the wording list (at start, when a preflight or the poll sees the file change) is
 * re-scanned against what is published. Returns a stop for the poll, which lets a running re-scan
 * finish (up to `waitMs`) before the process closes the database under it.
 */
export function startContentGate(
  db: Kysely<DB>,
  options: ContentGateOptions & { pollMs?: number; log?: (line: string) => void } = {},
): { gate: ContentGate; stop(waitMs?: number): Promise<void> } {
  const log = options.log ?? ((line: string) => console.error(line));
  let stopping = false;
  const gate = contentGateFor(db, {
    reconcile: reconcileFindings,
    onRescanError: (error) =>
      log(
        stopping
          ? // Its mark (the audit entry) is written last, so the next start sees the list as not re-scanned yet.
            'govpub: the re-scan after a wording-list change was cut short by the stop; the next start runs it again'
          : `govpub: the re-scan after a wording-list change failed: ${(error as Error).message}`,
      ),
    ...options,
  });
  // The load in progress: a stop waits for it, since the re-scan it may start is not registered yet.
  let looking: Promise<void> = Promise.resolve();
  const look = () =>
    void (looking = gate.deps.wording.current().then(
      () => {
        const problem = gate.deps.wording.lastProblem;
        if (problem) log(`govpub: the edited wording list is not used (the previous one stays in force): ${problem.message}`);
      },
      (error: unknown) => log(`govpub: the wording list cannot be loaded: ${(error as Error).message}`),
    ));
  look();
  const timer = setInterval(look, options.pollMs ?? WORDING_POLL_MS);
  timer.unref();
  return {
    gate,
    stop: async (waitMs = RESCAN_STOP_WAIT_MS) => {
      clearInterval(timer);
      stopping = true;
      const state = rescans.get(gate);
      let timeout: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timeout = setTimeout(resolve, waitMs)));
      // A stop right after start-up finds the first load still reading the list: let it register its re-scan.
      await Promise.race([looking, waited]);
      if (state) state.closed = true;
      const running = [...(state?.running ?? [])];
      if (running.length > 0) await Promise.race([Promise.allSettled(running), waited]);
      clearTimeout(timeout);
    },
  };
}
