import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: two heavy files share two cores; speed is measured by bench/, not by timeouts.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores on CI: more parallel files only queue behind the shared Temporal server.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
