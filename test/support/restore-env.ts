/**
 * Test files share their fork (vitest.config.ts: isolate false), so a variable one file sets in
 * process.env would reach the files after it. Each file gets the environment back as it found it.
 * Registered before the file's own hooks, this afterAll runs after them (hooks run as a stack).
 */
import { afterAll } from 'vitest';

const atStart = { ...process.env };

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in atStart)) delete process.env[name];
  for (const [name, value] of Object.entries(atStart)) if (process.env[name] !== value) process.env[name] = value;
});
