import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { LONGEST_FILES } from '../support/sequencer.js';

describe('the test order', () => {
  it('names only test files that exist (a renamed file would silently lose its early start)', () => {
    const missing = LONGEST_FILES.filter((file) => !fs.existsSync(path.join(ROOT_DIR, file)));
    expect(missing).toEqual([]);
  });
});
