/**
 * Test files in an order that keeps both cores busy to the end. Vitest runs the longest files first
 * when it has timings from an earlier run, but a fresh clone (CI) has none and falls back to file
 * size: the fault suite (a small file driving minutes of work) then started last and ran alone for
 * about four minutes. The files known to take minutes start first; the rest keep Vitest's order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, by their time on a 2-core machine (seconds, 2026-12-05). */
export const LONGEST_FILES = [
  'test/delivery/fault-suite.test.ts', // ~330
  'test/delivery/fan-out.test.ts', // ~205
  'test/cli/bad-input-cli.test.ts', // ~135
  'test/console/ops-bad-day.test.ts', // ~130
  'test/cli/start.test.ts', // ~120
  'test/delivery/database-outage.test.ts', // ~100
  'test/console/editor-day.test.ts', // ~100
  'test/cli/start-terminal.test.ts', // ~95 (three starts and stops of its own)
  'test/cli/backup-restore.test.ts', // ~80 (three starts of its own, a copy to PostgreSQL)
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return at === -1 ? LONGEST_FILES.length : at;
    };
    // Array.prototype.sort is stable: files outside the list keep Vitest's order.
    return ordered.sort((a, b) => rank(a) - rank(b));
  }
}
