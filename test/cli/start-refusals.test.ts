/**
 * `govpub start` refuses a configuration file it cannot use before it starts anything: with a
 * malformed secrets file it used to open the database, start the Temporal dev server, and only then
 * refuse (and stop them again), leaving a new user to wonder what had started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort, simulatorPortBase } from '../support/running.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('govpub start with a malformed secrets file', () => {
  it('refuses with the file, line and what to change, before the database or Temporal start', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-start-refused-'));
    dirs.push(dir);
    const secrets = path.join(dir, 'secrets.yaml');
    fs.writeFileSync(secrets, 'WECHAT_OA_BLFB_APP_SECRET: "a-value-3c1d"\n\tWEIBO_BLFB_WB_APP_SECRET: other\n', { mode: 0o600 });
    const dataDir = path.join(dir, 'data');
    const result = await runCli(
      ['start'],
      {
        GOVPUB_DATA_DIR: dataDir,
        GOVPUB_SECRETS_FILE: secrets,
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
        PORT: String(await freePort()),
        GOVPUB_TEMPORAL_PORT: String(await freePort()),
        GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
        GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
      },
      undefined,
      { timeoutMs: 100_000 },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${secrets}:2: a tab indents this line: YAML indents with spaces`);
    expect(result.stderr + result.stdout).not.toContain('a-value-3c1d');
    // Nothing was started: no database opened, no dev server, no data written.
    expect(result.stdout).not.toMatch(/^(database|temporal):/m);
    expect(fs.existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(false);
  });
});

describe('govpub api without DATABASE_URL on a new data directory', () => {
  it('says DATABASE_URL is not set and how to go on either way (it said to migrate "with the same DATABASE_URL")', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-api-embedded-'));
    dirs.push(dir);
    const result = await runCli(['api'], { GOVPUB_DATA_DIR: dir, DATABASE_URL: '', PORT: String(await freePort()) }, undefined, { timeoutMs: 100_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no govpub schema yet');
    expect(result.stderr).toContain(
      'DATABASE_URL is not set, so this is the embedded database of the data directory: for production, set DATABASE_URL to your PostgreSQL database (README "Production"); to run on the embedded one, run `govpub db migrate` once with the same GOVPUB_DATA_DIR',
    );
    expect(result.stderr).not.toContain('with the same DATABASE_URL');
  });
});

describe('govpub topology with a malformed secrets file', () => {
  it('refuses before Temporal, the simulators or the migrations start', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-topology-refused-'));
    dirs.push(dir);
    const secrets = path.join(dir, 'secrets.yaml');
    fs.writeFileSync(secrets, 'WECHAT_OA_BLFB_APP_SECRET: one\nWECHAT_OA_BLFB_APP_SECRET: "twice-5e0a"\n', { mode: 0o600 });
    const result = await runCli(
      ['topology', '--workers', '1', '--port', String(await freePort()), '--metrics-base-port', String(await freePort())],
      {
        GOVPUB_DATA_DIR: path.join(dir, 'data'),
        GOVPUB_SECRETS_FILE: secrets,
        // Never reached: the configuration is refused first.
        DATABASE_URL: 'postgres://govpub@127.0.0.1:1/never',
        TEMPORAL_ADDRESS: '',
        GOVPUB_TEMPORAL_PORT: String(await freePort()),
        GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
        GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
      },
      undefined,
      { timeoutMs: 100_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${secrets}:2: WECHAT_OA_BLFB_APP_SECRET is given twice (also on line 1)`);
    expect(result.stderr + result.stdout).not.toContain('twice-5e0a');
    // Nothing was started.
    expect(result.stdout + result.stderr).not.toMatch(/\[(topology|simulators|migrate|bundle)\]/);
    expect(fs.existsSync(path.join(dir, 'data', 'temporal.sqlite'))).toBe(false);
  });
});
