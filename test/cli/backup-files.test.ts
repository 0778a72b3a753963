/**
 * What `govpub backup` takes from a data directory and `govpub restore` puts back, file by file,
 * without a running govpub: the Temporal dev server's history with its write-ahead log, the portal
 * web root's symlinks as they were, the handoff folders; never `run/`, logs, uploads in flight
 * (`media/tmp`) or files it does not know. A crafted archive naming a place outside the data
 * directory, or a media file that does not hash to its name, is refused with nothing changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTORE_JOURNAL, writeRestoreJournal } from '../../runtime/restore-journal.js';
import { TarReader, TarWriter } from '../../runtime/tar.js';
import { runCli } from '../support/cli.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-backup-files-'));
const dataDir = path.join(work, 'data');
const env = { GOVPUB_DATA_DIR: dataDir, DATABASE_URL: '', TEMPORAL_ADDRESS: '', GOVPUB_MEDIA_DIR: '', GOVPUB_PORTAL_ROOT: '', GOVPUB_LANG: '' };
const blob = Buffer.from('a picture, say');
const sha = createHash('sha256').update(blob).digest('hex');

function write(relative: string, text: string | Buffer): void {
  const file = path.join(dataDir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(async () => {
  // The embedded database, created as any local command creates it.
  const admin = await runCli(['users', 'add', 'admin', '--role', 'admin'], env);
  expect(admin.code, admin.stderr).toBe(0);
  write(`media/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, blob);
  write('media/records/renditions.json', '{}');
  write('media/tmp/upload.part', 'half an upload');
  write('temporal.sqlite', 'SQLite format 3\0history');
  write('temporal.sqlite-wal', 'the last commits');
  write('temporal-server.log', 'a log');
  write('portal/gen-3/index.html', '<h1>碑林区</h1>');
  fs.symlinkSync('gen-3', path.join(dataDir, 'portal', 'current'));
  write('handoff/pkg_1/post.txt', 'for the account manager');
  write('dev-secrets.yaml', 'WECHAT_OA_SECRET: not-for-backups');
  write('token-zhao', 'gp_not-for-backups');
  write('run/api.json', '{}');
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the files of a backup', () => {
  const file = path.join(work, 'b.tar');

  it('holds the history, the portal with its symlinks and the handoff folders; not run/, logs, uploads in flight or unknown files', async () => {
    const backup = await runCli(['backup', file, '--json'], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).manifest.temporal).toEqual({ history: 'included' });
    const reader = new TarReader(file);
    const entries = [...reader.entries()];
    reader.close();
    expect(entries.map((e) => e.name).sort()).toEqual(
      [
        'govpub-backup.json',
        'database/pgdata.tar.gz',
        `media/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`,
        'media/records/renditions.json',
        'temporal/temporal.sqlite',
        'temporal/temporal.sqlite-wal',
        'portal/current',
        'portal/gen-3/index.html',
        'handoff/pkg_1/post.txt',
      ].sort(),
    );
    expect(entries.find((e) => e.name === 'portal/current')).toMatchObject({ type: 'symlink', target: 'gen-3' });
  }, 120_000);

  it('restores them where they were, the symlink a symlink', async () => {
    const other = path.join(work, 'other');
    const restored = await runCli(['restore', file], { ...env, GOVPUB_DATA_DIR: other });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("Temporal dev server's history: included");
    expect(fs.readFileSync(path.join(other, 'temporal.sqlite-wal'), 'utf8')).toBe('the last commits');
    expect(fs.readlinkSync(path.join(other, 'portal', 'current'))).toBe('gen-3');
    expect(fs.readFileSync(path.join(other, 'portal', 'current', 'index.html'), 'utf8')).toBe('<h1>碑林区</h1>');
    expect(fs.readFileSync(path.join(other, 'media', sha.slice(0, 2), sha.slice(2, 4), sha))).toEqual(blob);
    expect(fs.readFileSync(path.join(other, 'handoff', 'pkg_1', 'post.txt'), 'utf8')).toBe('for the account manager');
    for (const absent of ['dev-secrets.yaml', 'token-zhao', 'temporal-server.log', 'media/tmp'])
      expect(fs.existsSync(path.join(other, absent)), absent).toBe(false);
    const users = await runCli(['users', 'list', '--json'], { ...env, GOVPUB_DATA_DIR: other });
    expect(JSON.parse(users.stdout).map((u: { name: string }) => u.name)).toEqual(['admin']);
  }, 120_000);

  it('refuses an archive that names a place outside the data directory, or a damaged media file, and changes nothing', async () => {
    // The real database, then an entry that would climb out of the media store.
    const source = new TarReader(file);
    const database = [...source.entries()].find((e) => e.name === 'database/pgdata.tar.gz')!;
    const manifest = [...source.entries()].find((e) => e.name === 'govpub-backup.json')!;
    const parts = {
      manifest: source.readData(manifest as { offset: number; size: number }),
      database: source.readData(database as { offset: number; size: number }),
    };
    source.close();
    const craft = (name: string, extra: (tar: TarWriter) => void) => {
      const crafted = path.join(work, name);
      const tar = new TarWriter(crafted);
      tar.addBuffer('govpub-backup.json', parts.manifest);
      tar.addBuffer('database/pgdata.tar.gz', parts.database);
      extra(tar);
      tar.close();
      return crafted;
    };
    const target = path.join(work, 'fresh');
    const climbing = craft('climbing.tar', (tar) => tar.addBuffer('media/../../escaped.txt', Buffer.from('x')));
    const refused = await runCli(['restore', climbing], { ...env, GOVPUB_DATA_DIR: target });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('which no govpub backup holds');
    expect(fs.existsSync(path.join(work, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(target, 'pgdata'))).toBe(false);

    // A link out of the data directory, then a file under it (or the link itself written to): refusing
    // `..` in names alone would write ~/.ssh/authorized_keys through it.
    const outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    const throughLinks = [
      craft('link-then-file.tar', (tar) => {
        tar.addSymlink('handoff/pkg_1', outside);
        tar.addBuffer('handoff/pkg_1/authorized_keys', Buffer.from('ssh-ed25519 AAAA intruder'));
      }),
      craft('relative-link.tar', (tar) => {
        tar.addSymlink('portal/current', '../../outside');
        tar.addBuffer('portal/current/index.html', Buffer.from('x'));
      }),
      craft('link-as-history.tar', (tar) => tar.addSymlink('temporal/temporal.sqlite', path.join(outside, 'history'))),
      craft('link-overwritten.tar', (tar) => {
        tar.addSymlink('handoff/note', 'pkg_1');
        tar.addBuffer('handoff/note', Buffer.from('x'));
      }),
    ];
    for (const crafted of throughLinks) {
      const refusedLink = await runCli(['restore', crafted, '--json'], { ...env, GOVPUB_DATA_DIR: target });
      expect(refusedLink.code, crafted).toBe(1);
      expect(JSON.parse(refusedLink.stdout).error, crafted).toMatchObject({
        code: 'backup_invalid',
        message: expect.stringMatching(/symbolic link/),
      });
      expect(fs.readdirSync(outside), crafted).toEqual([]);
      expect(
        fs.readdirSync(target).filter((name) => name !== 'run'),
        crafted,
      ).toEqual([]);
    }

    const damaged = craft('damaged.tar', (tar) => tar.addBuffer(`media/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, Buffer.from('not the picture')));
    const refusedDamaged = await runCli(['restore', damaged, '--json'], { ...env, GOVPUB_DATA_DIR: target });
    expect(refusedDamaged.code).toBe(1);
    expect(JSON.parse(refusedDamaged.stdout).error).toMatchObject({ code: 'backup_mismatch', message: expect.stringContaining('does not hash to its name') });
    expect(fs.readdirSync(target).filter((name) => name !== 'run')).toEqual([]);

    // A database whose compressed bytes were flipped (a bad disk, a broken copy): the backup is named
    // damaged, not "unexpected error: incorrect data check".
    const flipped = Buffer.from(parts.database);
    for (let i = Math.floor(flipped.length / 2); i < Math.floor(flipped.length / 2) + 100; i++) flipped[i] = flipped[i]! ^ 0xff;
    const corrupt = path.join(work, 'corrupt.tar');
    const tar = new TarWriter(corrupt);
    tar.addBuffer('govpub-backup.json', parts.manifest);
    tar.addBuffer('database/pgdata.tar.gz', flipped);
    tar.close();
    const refusedCorrupt = await runCli(['restore', corrupt, '--json'], { ...env, GOVPUB_DATA_DIR: target });
    expect(refusedCorrupt.code).toBe(1);
    expect(JSON.parse(refusedCorrupt.stdout).error).toMatchObject({
      code: 'backup_invalid',
      message: expect.stringMatching(/is not a govpub backup, or is damaged \(it does not unpack: /),
    });
    expect(fs.readdirSync(target).filter((name) => name !== 'run')).toEqual([]);
  }, 120_000);

  it('db copy-embedded into a PostgreSQL nobody answers at names the database and DATABASE_URL, not "unexpected error: connect ECONNREFUSED"', async () => {
    const refused = await runCli(['db', 'copy-embedded'], { ...env, DATABASE_URL: 'postgres://govpub:s3cret-db-pw@127.0.0.1:1/govpub' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Cannot reach the database at .*127\.0\.0\.1:1.* \(ECONNREFUSED\)\. Check that PostgreSQL is running and DATABASE_URL is right/,
    );
    expect(refused.stderr).not.toContain('s3cret-db-pw');
  });

  it('a restore killed between two of its moves is finished by the next command that opens the data directory', async () => {
    // What the restore's last step leaves when killed after its first rename: the checked copies
    // beside their places, the old database moved aside, its journal written. The copies are
    // those a full restore of the backup makes; the old data directory has another user.
    const restored = path.join(work, 'restored-copies');
    expect((await runCli(['restore', file], { ...env, GOVPUB_DATA_DIR: restored })).code).toBe(0);
    const interrupted = path.join(work, 'interrupted');
    const old = await runCli(['users', 'add', 'before-restore', '--role', 'editor'], { ...env, GOVPUB_DATA_DIR: interrupted });
    expect(old.code, old.stderr).toBe(0);
    const place = (name: string) => path.join(interrupted, name);
    fs.renameSync(path.join(restored, 'pgdata'), place('pgdata.restoring-4242'));
    fs.renameSync(path.join(restored, 'portal'), place('portal.restoring-4242'));
    writeRestoreJournal(interrupted, [
      { target: place('pgdata'), aside: place('pgdata.replaced-then'), staging: place('pgdata.restoring-4242') },
      { target: place('portal'), aside: null, staging: place('portal.restoring-4242') },
    ]);
    fs.renameSync(place('pgdata'), place('pgdata.replaced-then'));
    // Killed here. The next command opens the database: it finds the restored one, not a new empty one.
    const users = await runCli(['users', 'list', '--json'], { ...env, GOVPUB_DATA_DIR: interrupted });
    expect(users.code, users.stderr).toBe(0);
    expect(users.stderr).toMatch(/finished the restore interrupted at .*: pgdata, portal moved into place/);
    expect(JSON.parse(users.stdout).map((u: { name: string }) => u.name)).toEqual(['admin']);
    expect(fs.readlinkSync(place('portal/current'))).toBe('gen-3');
    expect(fs.existsSync(place(RESTORE_JOURNAL))).toBe(false);
    expect(fs.existsSync(place('pgdata.replaced-then'))).toBe(true);
    // And only once.
    const again = await runCli(['users', 'list', '--json'], { ...env, GOVPUB_DATA_DIR: interrupted });
    expect(again.stderr).not.toMatch(/finished the restore/);
  }, 120_000);

  it('says when the folder for the backup does not exist, or a folder is given for the file', async () => {
    const missing = await runCli(['backup', path.join(work, 'no-such-folder', 'b.tar')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-folder does not exist. Create it');
    const folder = await runCli(['backup', work], env);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(new RegExp(`is a directory: name the backup file itself, e\\.g\\. govpub backup .*/govpub-\\d{4}-\\d{2}-\\d{2}\\.tar\\.`));
  });

  it('says when the backup to restore is not there (a mistyped path), in both languages', async () => {
    const target = path.join(work, 'restore-into-nothing');
    const typo = path.join(work, 'govpub-2026-12-0l.tar');
    const refused = await runCli(['restore', typo, '--json'], { ...env, GOVPUB_DATA_DIR: target });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'backup_not_found',
      message: `There is no file ${typo}: nothing was changed. Check the path (govpub backup FILE wrote it).`,
    });
    const zh = await runCli(['restore', typo], { ...env, GOVPUB_DATA_DIR: target, GOVPUB_LANG: 'zh' });
    expect(zh.stderr).toContain(`找不到文件 ${typo}，未做任何改动`);
    // The folder of backups given for one of them (it read "unexpected error: EISDIR"): the backups in it are named.
    const folder = await runCli(['restore', work], { ...env, GOVPUB_DATA_DIR: target });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/is a directory: name the backup file itself \(it holds [^)]*\.tar\)\. Nothing was changed\./);
    expect(fs.existsSync(target)).toBe(false);
  });
});
