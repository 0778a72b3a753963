/**
 * `govpub start` refuses a configuration file it cannot use before it starts anything: with a
 * malformed secrets file it used to open the database, start the Temporal dev server, and only then
 * refuse (and stop them again), leaving a new user to wonder what had started.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort, portAnswers, simulatorPortBase } from '../support/running.js';

/** The unprivileged user `nobody` (uid 65534 on Debian). */
const NOBODY = 65534;

/** A `govpub start` of its own: the embedded database, a dev server and simulators on free ports. */
async function ownStartEnv(): Promise<Record<string, string>> {
  return {
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    PORT: String(await freePort()),
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
  };
}

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
        ...(await ownStartEnv()),
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

describe('a data directory that cannot be written', () => {
  it(
    'is named with why and what to do, by govpub start and by a command that opens the database (it was "unexpected error: ENOENT … mkdir")',
    { timeout: 120_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-data-unwritable-'));
      dirs.push(dir);
      // A file where the directory's parent should be: refused whoever runs the test (root writes anywhere else).
      const file = path.join(dir, 'not-a-directory');
      fs.writeFileSync(file, '');
      const dataDir = path.join(file, 'data');
      const env = {
        GOVPUB_DATA_DIR: dataDir,
        ...(await ownStartEnv()),
      };
      const [start, users, zh] = await Promise.all([
        runCli(['start'], env, undefined, { timeoutMs: 100_000 }),
        runCli(['users', 'list'], env, undefined, { timeoutMs: 100_000 }),
        runCli(['users', 'list'], { ...env, GOVPUB_LANG: 'zh' }, undefined, { timeoutMs: 100_000 }),
      ]);
      const sentence = `govpub: The data directory ${dataDir} (GOVPUB_DATA_DIR) cannot be written: ${file} is a file, not a directory. Set GOVPUB_DATA_DIR to a directory this user may write (it is created), or move that file away.\n`;
      expect(start.code).toBe(1);
      expect(start.stderr).toBe(sentence);
      expect(start.stdout).not.toMatch(/^(database|temporal):/m);
      expect(users.code).toBe(1);
      expect(users.stderr).toBe(sentence);
      expect(zh.code).toBe(1);
      expect(zh.stderr).toBe(
        `govpub: 数据目录 ${dataDir}（GOVPUB_DATA_DIR）无法写入：${file} 是文件而不是目录。请将 GOVPUB_DATA_DIR 设为当前用户可写的目录（不存在时会自动创建），或移走该文件。\n`,
      );
    },
  );

  it('a directory this user may not write: says so', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-data-readonly-'));
    dirs.push(dir);
    fs.chmodSync(dir, 0o555);
    // Root writes anywhere: as root (CI) the command runs as nobody, for whom the folder is read-only too.
    const asUid = process.getuid?.() === 0 ? NOBODY : undefined;
    const result = await runCli(['users', 'list'], { GOVPUB_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' }, undefined, { timeoutMs: 100_000, asUid });
    fs.chmodSync(dir, 0o755);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot be written: ${dir} may not be written by this user. Set GOVPUB_DATA_DIR to a directory this user may write`);
  });

  it("a place under /proc: refused at once (Node's recursive mkdir never returned there)", { timeout: 120_000 }, async () => {
    for (const dataDir of ['/proc/1', '/proc/1/govpub']) {
      const result = await runCli(['users', 'list'], { GOVPUB_DATA_DIR: dataDir, DATABASE_URL: '' }, undefined, { timeoutMs: 30_000 });
      expect(result.code, dataDir).toBe(1);
      expect(result.stderr, dataDir).toMatch(new RegExp(`^govpub: The data directory ${dataDir} \\(GOVPUB_DATA_DIR\\) cannot be written: /proc/1 `));
    }
  });
});

describe('a simulator port in use', () => {
  it(
    'govpub start names GOVPUB_SIMULATOR_PORT and stops what it started; govpub simulators names --base-port (it was "unexpected error")',
    { timeout: 180_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-simulator-port-'));
      dirs.push(dir);
      const base = await simulatorPortBase();
      // The third simulator's port is taken.
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(base + 2, '127.0.0.1', resolve));
      try {
        const temporalPort = await freePort();
        const start = await runCli(
          ['start'],
          {
            GOVPUB_DATA_DIR: path.join(dir, 'data'),
            DATABASE_URL: '',
            TEMPORAL_ADDRESS: '',
            PORT: String(await freePort()),
            GOVPUB_TEMPORAL_PORT: String(temporalPort),
            GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
            GOVPUB_SIMULATOR_PORT: String(base),
          },
          undefined,
          { timeoutMs: 150_000 },
        );
        expect(start.code, start.stderr).toBe(1);
        expect(start.stderr).toBe(
          `govpub: Port ${base + 2} for the douyin simulator is already in use. Stop whatever uses it or set GOVPUB_SIMULATOR_PORT to another first port (the simulators take 7 ports from it, ${base}-${base + 6} now).\n`,
        );
        // What it had started is stopped: the dev server, and the simulators that came up before.
        expect(await portAnswers(temporalPort)).toBe(false);
        expect(await portAnswers(base)).toBe(false);

        const simulators = await runCli(['simulators', '--base-port', String(base)], { GOVPUB_LANG: 'zh' }, undefined, { timeoutMs: 60_000 });
        expect(simulators.code).toBe(1);
        expect(simulators.stderr).toBe(
          `govpub: 模拟器 douyin 所需的端口 ${base + 2} 已被占用。请停止占用该端口的程序，或将 --base-port 改为另一个起始端口（模拟器自该端口起共占用 7 个端口，现为 ${base}-${base + 6}）。\n`,
        );
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
  );
});

describe('a port of govpub start in use', () => {
  it(
    'is refused before the embedded database is migrated or anything starts: the data directory is left as it was (it migrated first, then refused)',
    { timeout: 180_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-start-port-'));
      dirs.push(dir);
      const dataDir = path.join(dir, 'data');
      fs.mkdirSync(dataDir);
      fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'the person’s own file\n');
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const takenPort = (taken.address() as net.AddressInfo).port;
      try {
        // The API's port (8080 by default), then Temporal's web UI.
        const api: Record<string, string> = { ...(await ownStartEnv()), PORT: String(takenPort) };
        const refusedApi = await runCli(['start'], { GOVPUB_DATA_DIR: dataDir, ...api }, undefined, { timeoutMs: 150_000 });
        expect(refusedApi.code, refusedApi.stderr).toBe(1);
        expect(refusedApi.stderr).toBe(`govpub: Port ${takenPort} for the API is already in use. Stop whatever uses it or set PORT to another port.\n`);
        expect(refusedApi.stdout).not.toMatch(/^(database|temporal|simulators):/m);
        expect(fs.readdirSync(dataDir)).toEqual(['notes.txt']);
        expect(await portAnswers(Number(api.GOVPUB_TEMPORAL_PORT))).toBe(false);

        const ui = { ...(await ownStartEnv()), GOVPUB_TEMPORAL_UI_PORT: String(takenPort) };
        const refusedUi = await runCli(['start'], { GOVPUB_DATA_DIR: dataDir, GOVPUB_LANG: 'zh', ...ui }, undefined, { timeoutMs: 150_000 });
        expect(refusedUi.code, refusedUi.stderr).toBe(1);
        expect(refusedUi.stderr).toBe(
          `govpub: Temporal 网页界面所需的端口 ${takenPort} 已被占用。请停止占用该端口的程序，或将 GOVPUB_TEMPORAL_UI_PORT 改为另一个端口。\n`,
        );
        expect(fs.readdirSync(dataDir)).toEqual(['notes.txt']);
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
  );
});
