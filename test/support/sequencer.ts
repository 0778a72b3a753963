/**
 * Test files in an order that keeps both cores busy to the end: longest first, by each file's time in
 * a recorded full run (test/support/file-durations.json). Vitest orders by its own cached timings when
 * it has them, but a fresh clone (CI) has none and falls back to file size: the fault suite (a small
 * file driving minutes of work) then started last and ran alone for minutes, and an hour-long tail of
 * one worker was a tenth of CI's time. With every file's time known, the two workers take the next
 * longest file as they free up and finish within about the shortest file's time of each other.
 *
 * After adding or reshaping slow tests, record the times again from a full run's JSON report:
 *   CI=true npx vitest run --reporter=default --reporter=json --outputFile=/tmp/vitest.json
 *   npx tsx test/support/record-durations.ts /tmp/vitest.json
 * A file missing from the table (a new one) counts as an ordinary one (the table's median).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const DURATIONS_FILE = fileURLToPath(new URL('./file-durations.json', import.meta.url));

/** Seconds per test file (its path from the project's root), as recorded; {} when the table is missing. */
export function recordedDurations(): Record<string, number> {
  try {
    const { seconds } = JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as { seconds: Record<string, number> };
    return seconds;
  } catch {
    return {};
  }
}

/** The order to start files in: the longest recorded first; unrecorded files count as the median (the lower middle). */
export function longestFirst<T>(files: readonly T[], pathOf: (file: T) => string, seconds: Record<string, number>): T[] {
  const known = Object.values(seconds).sort((a, b) => a - b);
  const ordinary = known[Math.floor((known.length - 1) / 2)] ?? 0;
  const timeOf = (file: T) => {
    const path = pathOf(file);
    const recorded = Object.entries(seconds).find(([name]) => path === name || path.endsWith(`/${name}`));
    return recorded === undefined ? ordinary : recorded[1];
  };
  // Array.prototype.sort is stable: files of equal time keep the order they came in.
  return [...files].sort((a, b) => timeOf(b) - timeOf(a));
}

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    return longestFirst(ordered, (spec) => spec.moduleId, recordedDurations());
  }
}
