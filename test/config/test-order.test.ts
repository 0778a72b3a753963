import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { longestFirst, recordedDurations } from '../support/sequencer.js';

describe('the test order', () => {
  it('records times only for test files that exist (a renamed slow file would silently lose its early start)', () => {
    const recorded = Object.keys(recordedDurations());
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((file) => !fs.existsSync(path.join(ROOT_DIR, file)))).toEqual([]);
  });

  it('starts the longest recorded files first and counts an unrecorded file as the median', () => {
    const seconds = { 'test/a.test.ts': 5, 'test/b.test.ts': 300, 'test/c.test.ts': 40, 'test/d.test.ts': 20 };
    const files = ['/clone/test/a.test.ts', '/clone/test/new.test.ts', '/clone/test/c.test.ts', '/clone/test/b.test.ts', '/clone/test/d.test.ts'];
    expect(longestFirst(files, (file) => file, seconds)).toEqual([
      '/clone/test/b.test.ts',
      '/clone/test/c.test.ts',
      '/clone/test/new.test.ts', // the median of 5, 20, 40, 300 (the lower middle): 20, before d by the order it came in
      '/clone/test/d.test.ts',
      '/clone/test/a.test.ts',
    ]);
  });

  it('matches a recorded name only as a whole path segment (test/x.test.ts is not test/max.test.ts)', () => {
    const seconds = { 'test/x.test.ts': 100, 'test/y.test.ts': 1 };
    expect(longestFirst(['/r/test/max.test.ts', '/r/test/x.test.ts', '/r/test/y.test.ts'], (file) => file, seconds)).toEqual([
      '/r/test/x.test.ts',
      '/r/test/max.test.ts',
      '/r/test/y.test.ts',
    ]);
  });
});
