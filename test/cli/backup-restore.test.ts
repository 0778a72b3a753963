/**
 * An operator's month on the embedded default, then a disk failure: `govpub backup` refused while
 * `govpub start` runs, taken once it is stopped (the database, media files, never the secrets
 * unless asked), the data directory wiped, `govpub restore` into it, and govpub started again on
 * it with the packages, the audit trail and the media all there. Restore refuses a non-empty data
 * directory without --replace, a file that is not a backup, and a backup of a newer schema.
 * Then the move off the embedded database: `govpub db copy-embedded` into an empty PostgreSQL
 * database, and govpub started on it (with the same Temporal) finds everything as it was.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { TarReader, TarWriter } from '../../runtime/tar.js';
import { runCli } from '../support/cli.js';
import { withDatabase } from '../support/global-setup.js';
import { freePort, startGovpub, type RunningGovpub, simulatorPortBase } from '../support/running.js';
import { uniqueTaskQueue } from '../support/services.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-backup-'));
const dataDir = path.join(work, 'data');
const backupFile = path.join(work, 'month.govpub-backup.tar');
let govpub: RunningGovpub | undefined;
let env: Record<string, string>;
let token = '';
const before: { packages: Record<string, unknown>[]; audit: unknown[]; media: Record<string, string> } = { packages: [], audit: [], media: {} };

async function start(): Promise<RunningGovpub> {
  govpub = await startGovpub({ ...env, PORT: String(await freePort()), GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()) });
  env = { ...env, ...govpub.env, GOVPUB_API_URL: govpub.api };
  return govpub;
}

async function api(route: string): Promise<any> {
  const res = await fetch(`${govpub!.api}${route}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, route).toBe(200);
  return res.json();
}

async function mediaSha(id: string): Promise<string> {
  const res = await fetch(`${govpub!.api}/api/media/${id}/content`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return createHash('sha256')
    .update(Buffer.from(await res.arrayBuffer()))
    .digest('hex');
}

const entryNames = (file: string) => {
  const reader = new TarReader(file);
  try {
    return [...reader.entries()].map((e) => e.name);
  } finally {
    reader.close();
  }
};

beforeAll(async () => {
  env = {
    GOVPUB_DATA_DIR: dataDir,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: uniqueTaskQueue('govpub-backup'),
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_SECRETS_FILE: '',
    GOVPUB_TOKEN: '',
    GOVPUB_LANG: '',
  };
  await start();
}, 200_000);

afterAll(async () => {
  await govpub?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backing up and restoring the embedded default', () => {
  it('a month of work: an admin, the example packages submitted, their media', async () => {
    const admin = await runCli(['users', 'add', 'admin', '--role', 'admin', '--stages', '初审,复审,终审'], env);
    expect(admin.code, admin.stderr).toBe(0);
    token = admin.stdout.trim().split('\n').at(-1)!;
    const loaded = await runCli(['examples', 'load', '--submit', '--json', '--token', token], env);
    expect(loaded.code, loaded.stderr + loaded.stdout).toBe(0);
    const { media } = JSON.parse(loaded.stdout) as { media: { id: string }[] };
    for (const { id } of media) before.media[id] = await mediaSha(id);
    before.packages = ((await api('/api/packages?limit=100')).packages as { id: string; status: string; title: string }[]).map(({ id, status, title }) => ({
      id,
      status,
      title,
    }));
    expect(before.packages).toHaveLength(2);
    before.audit = (await api('/api/audit?limit=500')).entries;
    expect(before.audit.length).toBeGreaterThan(4);
  }, 120_000);

  it('is refused while govpub start runs, saying why and to stop it first; no file is written', async () => {
    const refused = await runCli(['backup', backupFile], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/govpub start \(process \d+, API at http:\/\/127\.0\.0\.1:\d+\) holds the data directory .*nothing was copied/);
    expect(refused.stderr).toContain('Stop it first');
    expect(fs.existsSync(backupFile)).toBe(false);
    const zh = await runCli(['backup', backupFile, '--json'], { ...env, GOVPUB_LANG: 'zh' });
    expect(JSON.parse(zh.stdout).error).toMatchObject({ code: 'data_dir_in_use', messageZh: expect.stringContaining('请先将其停止') });
  });

  it('once govpub is stopped, holds the database and the media, readable by its owner only, and no secrets unless asked', async () => {
    await govpub!.stop();
    govpub = undefined;
    const backup = await runCli(['backup', backupFile, '--json'], env);
    expect(backup.code, backup.stderr).toBe(0);
    const { manifest } = JSON.parse(backup.stdout) as {
      manifest: { tables: Record<string, number>; media: { files: number }; secrets: boolean; temporal: unknown };
    };
    expect(manifest.tables.packages).toBe(2);
    expect(manifest.tables.audit_log).toBeGreaterThanOrEqual(before.audit.length);
    expect(manifest.secrets).toBe(false);
    expect(manifest.temporal).toEqual({ history: 'external', address: env.TEMPORAL_ADDRESS });
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    const names = entryNames(backupFile);
    expect(names[0]).toBe('govpub-backup.json');
    expect(names).toContain('database/pgdata.tar.gz');
    for (const id of Object.keys(before.media)) expect(names).toContain(`media/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`);
    expect(fs.existsSync(path.join(dataDir, 'dev-secrets.yaml'))).toBe(true);
    expect(names.filter((n) => n.startsWith('secrets/') || n.includes('dev-secrets') || n.startsWith('run/'))).toEqual([]);

    // A file there already is never overwritten; secrets only when asked.
    const again = await runCli(['backup', backupFile], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
    const withSecrets = path.join(work, 'with-secrets.tar');
    const secret = await runCli(['backup', withSecrets, '--include-secrets'], env);
    expect(secret.code, secret.stderr).toBe(0);
    expect(entryNames(withSecrets)).toContain('secrets/dev-secrets.yaml');
  }, 120_000);

  it('restores into a wiped data directory, and govpub starts on it with the packages, the audit trail and the media', async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const restored = await runCli(['restore', backupFile], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('packages 2');
    expect(restored.stdout).toContain('govpub packages repair --all --dry-run');

    await start();
    const packages = ((await api('/api/packages?limit=100')).packages as { id: string; status: string; title: string }[]).map(({ id, status, title }) => ({
      id,
      status,
      title,
    }));
    expect(packages).toEqual(before.packages);
    const audit = (await api('/api/audit?limit=500')).entries as unknown[];
    expect(audit.slice(0, before.audit.length)).toEqual(before.audit);
    for (const [id, sha] of Object.entries(before.media)) expect(await mediaSha(id)).toBe(sha);
    // The rows agree with their workflows (Temporal kept them; the database came back whole).
    const repair = await runCli(['packages', 'repair', '--all', '--dry-run', '--json'], env);
    expect(repair.code, repair.stderr + repair.stdout).toBe(0);
    for (const report of JSON.parse(repair.stdout) as { outcome: string; differences: unknown[] }[]) expect(report.differences).toEqual([]);
  }, 300_000);

  it('refuses a running data directory, a non-empty one without --replace, a file that is not a backup, and a newer schema; nothing changes', async () => {
    const running = await runCli(['restore', backupFile, '--replace'], env);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/holds the data directory .*nothing was changed/);
    await govpub!.stop();
    govpub = undefined;
    const listing = () => fs.readdirSync(dataDir).sort();
    const was = listing();

    const occupied = await runCli(['restore', backupFile, '--json'], env);
    expect(occupied.code).toBe(1);
    expect(JSON.parse(occupied.stdout).error).toMatchObject({ code: 'restore_target_not_empty', message: expect.stringContaining('--replace') });

    const notBackup = await runCli(['restore', path.join(work, '..', path.basename(work), 'data', 'dev-secrets.yaml')], env);
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr).toMatch(/is not a govpub backup, or is damaged \(not a tar archive\): nothing was changed/);

    const cut = path.join(work, 'cut.tar');
    fs.writeFileSync(cut, fs.readFileSync(backupFile).subarray(0, 200_000));
    const cutShort = await runCli(['restore', cut, '--replace'], env);
    expect(cutShort.code).toBe(1);
    expect(cutShort.stderr).toContain('cut short');

    const newer = path.join(work, 'newer.tar');
    const tar = new TarWriter(newer);
    tar.addBuffer(
      'govpub-backup.json',
      Buffer.from(JSON.stringify({ format: 'govpub-backup', formatVersion: 1, migrations: ['0001_foundation', '9999_from_the_future'], tables: {} })),
    );
    tar.addBuffer('database/pgdata.tar.gz', Buffer.from('x'));
    tar.close();
    const fromNewer = await runCli(['restore', newer, '--replace', '--json'], env);
    expect(fromNewer.code).toBe(1);
    expect(JSON.parse(fromNewer.stdout).error).toMatchObject({ code: 'backup_newer', message: expect.stringContaining('9999_from_the_future') });
    expect(listing()).toEqual(was);

    // --replace sets what is there aside and restores.
    const replaced = await runCli(['restore', backupFile, '--replace', '--json'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    const { setAside } = JSON.parse(replaced.stdout) as { setAside: string[] };
    expect(setAside.some((p) => /pgdata\.replaced-/.test(p))).toBe(true);
    for (const aside of setAside) expect(fs.existsSync(aside)).toBe(true);
  }, 300_000);

  it('db copy-embedded copies every row into an empty PostgreSQL database, refuses a non-empty one, and govpub runs on the copy', async () => {
    const name = `${inject('testRunId')}_copy_embedded`;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      await admin.query(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    const url = withDatabase(inject('pgAdminUrl'), name);
    const copied = await runCli(['db', 'copy-embedded', '--json'], { ...env, DATABASE_URL: url });
    expect(copied.code, copied.stderr + copied.stdout).toBe(0);
    const report = JSON.parse(copied.stdout) as { tables: Record<string, number>; mediaFiles: number; migrationsApplied: string[] };
    expect(report.tables.packages).toBe(2);
    expect(report.tables.audit_log).toBeGreaterThanOrEqual(before.audit.length);
    expect(report.migrationsApplied.length).toBeGreaterThan(10);
    expect(report.mediaFiles).toBeGreaterThanOrEqual(Object.keys(before.media).length);

    const twice = await runCli(['db', 'copy-embedded'], { ...env, DATABASE_URL: url });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is not empty \(rows in .*packages.*\): nothing was copied/);

    // The same data directory (media, the Temporal it names), the database now PostgreSQL's.
    env = { ...env, DATABASE_URL: url };
    await start();
    const packages = ((await api('/api/packages?limit=100')).packages as { id: string; status: string; title: string }[]).map(({ id, status, title }) => ({
      id,
      status,
      title,
    }));
    expect(packages).toEqual(before.packages);
    expect(((await api('/api/audit?limit=500')).entries as unknown[]).slice(0, before.audit.length)).toEqual(before.audit);
    for (const [id, sha] of Object.entries(before.media)) expect(await mediaSha(id)).toBe(sha);
    const repair = await runCli(['packages', 'repair', '--all', '--dry-run', '--json'], env);
    expect(repair.code, repair.stderr + repair.stdout).toBe(0);
    // New rows continue after the copied ids (the sequences were set past them).
    const more = await runCli(['users', 'add', 'zhao', '--role', 'reviewer', '--stages', '初审'], env);
    expect(more.code, more.stderr).toBe(0);
  }, 300_000);
});
