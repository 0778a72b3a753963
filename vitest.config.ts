import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    pool: 'forks',
    // A fork runs file after file with its modules loaded once: about 1.5 CPU-s a file of importing
    // and transforming less (84 s summed against 320 s over the suite). A file leaves the process
    // as it found it: servers and workers closed in afterAll, process.env given back
    // (test/support/restore-env.ts), no module state that outlives it.
    isolate: false,
    // file-cpu first: its afterAll runs last, once the file's own processes are stopped and counted.
    setupFiles: ['test/support/file-cpu.ts', 'test/support/restore-env.ts'],
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: two heavy files share two cores; speed is measured by bench/, not by timeouts.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // expect.poll waits for something the system does (a page that re-renders after an API call, a
    // row a worker writes): Vitest's default of 1 s is shorter than a loaded CI machine takes for
    // that, and a poll that passes returns at once, so waiting longer costs nothing.
    expect: { poll: { timeout: 30_000 } },
    // Two cores on CI, busy throughout with two forks: a third only adds contention (the full
    // suite on a slow machine, 2026-12-07: 2,215 s with three forks against 2,131 s with two).
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
