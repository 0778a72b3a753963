/**
 * `govpub start` outside the default layout (issue 9, point 10): PostgreSQL from DATABASE_URL
 * and a data directory that does not exist yet, as in
 * `DATABASE_URL=postgres://… GOVPUB_DATA_DIR=/tmp/new/dir npm start`. It used to crash with
 * ENOENT on run/temporal.json: nothing created run/ when the embedded database was not used.
 * Acting commands in another terminal, without its PORT, find its API through run/api.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort, startGovpub, type RunningGovpub, simulatorPortBase } from '../support/running.js';
import { freshDatabase } from '../support/services.js';

let govpub: RunningGovpub;
let database: Awaited<ReturnType<typeof freshDatabase>>;
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-elsewhere-'));
const dataDir = path.join(parent, 'new', 'dir');

beforeAll(async () => {
  database = await freshDatabase();
  expect(fs.existsSync(path.join(parent, 'new'))).toBe(false);
  govpub = await startGovpub({
    DATABASE_URL: database.url,
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    // Its own Temporal dev server: the one whose address goes to run/temporal.json.
    TEMPORAL_ADDRESS: '',
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_SECRETS_FILE: '',
  });
}, 200_000);

afterAll(async () => {
  await govpub?.stop();
  await database?.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

describe('govpub start with DATABASE_URL and a new data directory', () => {
  it('comes up, creating the directories it writes to, and records where Temporal is', async () => {
    expect(govpub.output()).toContain(`database: ${database.url}`);
    expect(govpub.output()).toContain(`data           ${dataDir}`);
    const health = (await (await fetch(`${govpub.api}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', database: 'ok', temporal: 'ok' });
    const temporal = JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'temporal.json'), 'utf8')) as { pid: number; address: string };
    expect(temporal).toEqual({ pid: govpub.child.pid, address: `127.0.0.1:${govpub.env.GOVPUB_TEMPORAL_PORT}` });
    expect(fs.existsSync(path.join(dataDir, 'run', 'simulators.json'))).toBe(true);
    // Nothing half-written is left next to the records.
    expect(fs.readdirSync(path.join(dataDir, 'run')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // No embedded database was made: PostgreSQL holds the data.
    expect(fs.existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
  });

  it('CLI commands find its Temporal server through run/temporal.json, and its API', async () => {
    // Without TEMPORAL_ADDRESS the CLI would try 127.0.0.1:7233; the record says where the dev server is.
    const env = { DATABASE_URL: database.url, GOVPUB_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', GOVPUB_TEMPORAL_PORT: '1', PORT: govpub.env.PORT! };
    const added = await runCli(['users', 'add', 'wang', '--role', 'editor'], env);
    expect(added.code, added.stderr).toBe(0);
    // Local administration talks to Temporal itself.
    const repaired = await runCli(['packages', 'repair', '--all', '--json'], env);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(JSON.parse(repaired.stdout)).toEqual([]);
    // Acting commands go through the running API with the token.
    const listed = await runCli(['packages', 'list', '--json'], { ...env, GOVPUB_TOKEN: added.stdout.trim().split('\n').at(-1)! });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('an acting command in another terminal, without the PORT govpub start was given, finds its API through run/api.json', async () => {
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'api.json'), 'utf8'))).toEqual({ pid: govpub.child.pid, url: govpub.api });
    const env = { DATABASE_URL: database.url, GOVPUB_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', PORT: '', HOST: '', GOVPUB_API_URL: '' };
    const added = await runCli(['users', 'add', 'li.na', '--role', 'editor'], env);
    expect(added.code, added.stderr).toBe(0);
    const listed = await runCli(['packages', 'list', '--json'], { ...env, GOVPUB_TOKEN: added.stdout.trim().split('\n').at(-1)! });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
