/**
 * `govpub --version`: the first line of a bug report. It names govpub's own version (package.json),
 * and the Node.js and Temporal SDK it runs on, and exits 0 without touching a database.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { runCli } from '../support/cli.js';

describe('govpub --version', () => {
  it('prints govpub’s version with Node.js’s and the Temporal SDK’s, and exits 0; -V says the same', async () => {
    const own = (JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
    const sdk = (JSON.parse(readFileSync(path.join(ROOT_DIR, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8')) as { version: string }).version;
    // No database, Temporal or data directory is needed to say it.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', GOVPUB_DATA_DIR: '/nonexistent/govpub' };
    const long = await runCli(['--version'], env);
    expect(long.code, long.stderr).toBe(0);
    expect(long.stdout.trim()).toBe(`govpub ${own} (Node.js ${process.version}, Temporal SDK ${sdk})`);
    const short = await runCli(['-V'], env);
    expect(short.stdout).toBe(long.stdout);
    expect((await runCli(['--help'], env)).stdout).toContain('-V, --version');
  });
});
