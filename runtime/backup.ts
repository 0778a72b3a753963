/**
 * `govpub backup` and `govpub restore`: the embedded default's state in one file, and back.
 *
 * What the embedded default keeps, and what a backup holds of it:
 * - the database: PGlite's `pgdata` (PGlite's own dump, `database/pgdata.tar.gz`);
 * - the media store (`GOVPUB_MEDIA_DIR`, `media/…`), without `tmp/` (uploads in flight);
 * - the Temporal dev server's history (`temporal.sqlite` and its write-ahead log, `temporal/…`)
 *   when `govpub start` runs its own dev server (with TEMPORAL_ADDRESS the history is that server's);
 * - the portal's web root (`GOVPUB_PORTAL_ROOT`, `portal/…`, its symlinks as they are) and the
 *   manual-delivery handoff folders (`handoff/…`);
 * - the development secrets file (`dev-secrets.yaml`) only with `includeSecrets`.
 * Never: `run/` (records of running processes), logs, or other files an operator put there.
 *
 * Both refuse while anything holds the data directory. A backup taken while `govpub start` runs
 * would copy the database, Temporal's history and the media at different moments, while workflows
 * move them on: restored, packages would disagree with their workflows (or name media not copied).
 * Stopping govpub for the minute a backup takes is the price of a copy that is whole.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Settings } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import { chinaDate } from '../domain/working-days.js';
import { findRunningEmbedded } from '../db/embedded.js';
import { devSecretsFile } from './local-platforms.js';
import { claimDataDir, recordedApiUrl } from './runtime-files.js';
import { NotATarError, TarReader, TarWriter, type TarEntry } from './tar.js';
import { completeRestoreMoves, writeRestoreJournal, type RestoreMove } from './restore-journal.js';

export const BACKUP_FORMAT = 'govpub-backup';
export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST_NAME = 'govpub-backup.json';
const DATABASE_ENTRY = 'database/pgdata.tar.gz';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  dataDir: string;
  /** The schema migrations the database had: a release that lacks one of them cannot restore it. */
  migrations: string[];
  /** Rows per table, checked again after a restore. */
  tables: Record<string, number>;
  media: { files: number; bytes: number };
  /** `included`: the dev server's history is in the backup; else the server it lives on. */
  temporal: { history: 'included' } | { history: 'external'; address: string } | { history: 'none' };
  portal: { files: number };
  handoff: { files: number };
  secrets: boolean;
}

/** A component of the data directory: where it lives and under which name it goes into the archive. */
interface Part {
  key: 'media' | 'temporal' | 'portal' | 'handoff' | 'secrets';
  archiveDir: string;
  place: string;
  /** Names (relative, '/'-separated) never copied. */
  skip?: (relative: string) => boolean;
}

function parts(settings: Settings, withSecrets: boolean): Part[] {
  const list: Part[] = [
    { key: 'media', archiveDir: 'media', place: settings.mediaDir, skip: (r) => r === 'tmp' || r.startsWith('tmp/') },
    { key: 'temporal', archiveDir: 'temporal', place: path.join(settings.dataDir, 'temporal') },
    { key: 'portal', archiveDir: 'portal', place: settings.portalRoot },
    { key: 'handoff', archiveDir: 'handoff', place: path.join(settings.dataDir, 'handoff') },
  ];
  if (withSecrets) list.push({ key: 'secrets', archiveDir: 'secrets', place: devSecretsFile(settings.dataDir) });
  return list;
}

/** The dev server's files (the database and its write-ahead log), kept in the data directory itself. */
const TEMPORAL_FILES = ['temporal.sqlite', 'temporal.sqlite-wal', 'temporal.sqlite-shm'];

function refuseWithDatabaseUrl(command: 'backup' | 'restore'): GovpubError {
  return new GovpubError(
    'backup_needs_embedded',
    `govpub ${command} is for the embedded default (PGlite in the data directory), and DATABASE_URL is set: back PostgreSQL up with pg_dump and restore it with pg_restore, and the media store with it (README "Backups and restores"). ` +
      `To ${command} the embedded data directory, run it without DATABASE_URL.`,
    {},
    {
      zh: `govpub ${command === 'backup' ? 'backup' : 'restore'} 针对内置默认部署（数据目录中的 PGlite），而当前设置了 DATABASE_URL：PostgreSQL 请用 pg_dump 备份、pg_restore 恢复，媒体库一并处理（见 README“Backups and restores”）。如要处理内置数据目录，请不设 DATABASE_URL 再运行。`,
    },
  );
}

function inUse(dataDir: string, who: string, command: 'backup' | 'restore' | 'db copy-embedded'): GovpubError {
  const why =
    command === 'restore'
      ? 'A restore replaces what the running processes have open.'
      : 'A copy of the database must be taken while nothing changes it; while govpub runs, workflows change the database, Temporal’s history and the media at different moments, and copies taken one after the other would disagree.';
  return new GovpubError(
    'data_dir_in_use',
    `${who} holds the data directory ${dataDir}: nothing was ${command === 'restore' ? 'changed' : 'copied'}. ${why} Stop it first (Ctrl+C in its terminal, or kill the process), then run govpub ${command} again.`,
    { dataDir },
    {
      zh: `${who} 正在使用数据目录 ${dataDir}，本次未做任何${command === 'restore' ? '改动' : '复制'}。${command === 'restore' ? '恢复会替换正在运行的进程打开着的文件。' : '复制数据库时不能有人改动它；govpub 运行时工作流会在不同时刻改动数据库、Temporal 历史和媒体文件，先后复制出的内容彼此不符。'}请先将其停止（在其终端按 Ctrl+C，或结束该进程），再运行 govpub ${command}。`,
    },
  );
}

/**
 * Holds the data directory for a backup or restore: no `govpub start` may start meanwhile (it finds
 * this process's claim), and none, nor a topology or a command serving the embedded database, may be running.
 */
export function holdDataDir(settings: Settings, command: 'backup' | 'restore' | 'db copy-embedded'): { release: () => void } {
  if (settings.databaseUrl && command !== 'db copy-embedded') throw refuseWithDatabaseUrl(command);
  const claim = claimDataDir(settings.dataDir);
  if ('heldBy' in claim)
    throw inUse(settings.dataDir, `govpub start (process ${claim.heldBy.pid}${claim.heldBy.apiUrl ? `, API at ${claim.heldBy.apiUrl}` : ''})`, command);
  const lockFile = path.join(settings.dataDir, 'run', 'pglite.lock');
  try {
    const api = recordedApiUrl(settings.dataDir);
    if (api) throw inUse(settings.dataDir, `govpub (API at ${api})`, command);
    const served = findRunningEmbedded(settings.dataDir);
    if (served) throw inUse(settings.dataDir, `A process serving the embedded database (${served})`, command);
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    } catch {
      throw inUse(settings.dataDir, `A govpub command opening the embedded database (${lockFile})`, command);
    }
  } catch (error) {
    claim.release();
    throw error;
  }
  return {
    release: () => {
      fs.rmSync(lockFile, { force: true });
      claim.release();
    },
  };
}

export async function tableCounts(db: PGlite): Promise<{ migrations: string[]; tables: Record<string, number> }> {
  const names = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const tables: Record<string, number> = {};
  for (const { table_name } of names.rows) {
    const counted = await db.query<{ n: number }>(`select count(*)::int as n from "${table_name.replace(/"/g, '""')}"`);
    tables[table_name] = counted.rows[0]!.n;
  }
  const migrations =
    tables.govpub_migrations === undefined
      ? []
      : (await db.query<{ name: string }>('select name from govpub_migrations order by name')).rows.map((r) => r.name);
  return { migrations, tables };
}

/** Files and symlinks under `dir` (relative, '/'-separated), sorted; nothing when it does not exist. */
function walk(dir: string, skip: (relative: string) => boolean = () => false): { relative: string; kind: 'file' | 'symlink' }[] {
  const found: { relative: string; kind: 'file' | 'symlink' }[] = [];
  const visit = (relative: string) => {
    const full = relative ? path.join(dir, relative) : dir;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(full);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (relative && skip(relative)) return;
    if (stat.isSymbolicLink()) found.push({ relative, kind: 'symlink' });
    else if (stat.isFile()) found.push({ relative, kind: 'file' });
    else if (stat.isDirectory()) for (const name of fs.readdirSync(full).sort()) visit(relative ? `${relative}/${name}` : name);
  };
  visit('');
  return found;
}

export interface BackupReport {
  file: string;
  bytes: number;
  manifest: BackupManifest;
}

export async function createBackup(settings: Settings, file: string, options: { includeSecrets?: boolean } = {}): Promise<BackupReport> {
  const target = path.resolve(file);
  if (isDirectory(target)) {
    const suggestion = path.join(target, `govpub-${chinaDate(new Date())}.tar`);
    throw new GovpubError(
      'backup_file_exists',
      `${target} is a directory: name the backup file itself, e.g. govpub backup ${suggestion}.`,
      { file: target, suggestion },
      { zh: `${target} 是目录：请写出备份文件本身的名字，例如 govpub backup ${suggestion}。` },
    );
  }
  if (fs.existsSync(target))
    throw new GovpubError(
      'backup_file_exists',
      `${target} exists already: govpub backup never overwrites a file. Name another file, or move that one away first.`,
      { file: target },
      {
        zh: `${target} 已存在，govpub backup 不会覆盖已有文件。请另选文件名，或先移走该文件。`,
      },
    );
  try {
    fs.accessSync(path.dirname(target), fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new GovpubError(
      'backup_unwritable',
      `The backup cannot be written to ${target}: its folder ${path.dirname(target)} ${code === 'ENOENT' ? 'does not exist' : `cannot be written (${code})`}. Create it, or name a file in a folder you may write.`,
      { file: target, errno: code },
      {
        zh: `无法写入备份文件 ${target}：所在目录 ${path.dirname(target)} ${code === 'ENOENT' ? '不存在' : `不可写（${code}）`}。请先创建该目录，或换到可写的目录。`,
      },
    );
  }
  const pgdata = path.join(settings.dataDir, 'pgdata');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION')))
    throw new GovpubError(
      'backup_nothing',
      `There is no embedded database in ${settings.dataDir} (no ${pgdata}): nothing to back up. Check GOVPUB_DATA_DIR.`,
      { dataDir: settings.dataDir },
      {
        zh: `数据目录 ${settings.dataDir} 中没有内置数据库（没有 ${pgdata}），无可备份的内容。请检查 GOVPUB_DATA_DIR。`,
      },
    );
  const hold = holdDataDir(settings, 'backup');
  // Written aside and renamed when whole: a backup cut short (disk full, Ctrl+C) never looks like one.
  const partial = `${target}.partial-${process.pid}`;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(pgdata);
    let dump: Buffer;
    let counted: Awaited<ReturnType<typeof tableCounts>>;
    try {
      counted = await tableCounts(db);
      dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    } finally {
      await db.close();
    }
    const tar = new TarWriter(partial);
    try {
      const contents: { entries: { part: Part; relative: string; kind: 'file' | 'symlink'; source: string }[] } = { entries: [] };
      for (const part of parts(settings, options.includeSecrets === true)) {
        if (part.key === 'temporal') {
          for (const name of TEMPORAL_FILES) {
            const source = path.join(settings.dataDir, name);
            if (fs.existsSync(source)) contents.entries.push({ part, relative: name, kind: 'file', source });
          }
        } else if (part.key === 'secrets') {
          if (fs.existsSync(part.place)) contents.entries.push({ part, relative: path.basename(part.place), kind: 'file', source: part.place });
        } else {
          for (const found of walk(part.place, part.skip)) contents.entries.push({ part, ...found, source: path.join(part.place, found.relative) });
        }
      }
      const count = (key: Part['key']) => contents.entries.filter((e) => e.part.key === key && e.kind === 'file');
      const media = count('media');
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        createdAt: new Date().toISOString(),
        dataDir: settings.dataDir,
        migrations: counted.migrations,
        tables: counted.tables,
        media: { files: media.length, bytes: media.reduce((n, e) => n + fs.statSync(e.source).size, 0) },
        temporal:
          count('temporal').length > 0
            ? { history: 'included' }
            : settings.temporal.address
              ? { history: 'external', address: settings.temporal.address }
              : { history: 'none' },
        portal: { files: count('portal').length },
        handoff: { files: count('handoff').length },
        secrets: count('secrets').length > 0,
      };
      tar.addBuffer(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      tar.addBuffer(DATABASE_ENTRY, dump, 0o600);
      for (const entry of contents.entries) {
        const name = `${entry.part.archiveDir}/${entry.relative}`;
        if (entry.kind === 'symlink') tar.addSymlink(name, fs.readlinkSync(entry.source));
        else tar.addFile(name, entry.source);
      }
      tar.close();
      fs.renameSync(partial, target);
      return { file: target, bytes: fs.statSync(target).size, manifest };
    } catch (error) {
      tar.abandon();
      throw error;
    }
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    hold.release();
  }
}

function notABackup(file: string, why: string): GovpubError {
  return new GovpubError(
    'backup_invalid',
    `${file} is not a govpub backup, or is damaged (${why}): nothing was changed. Give a file written by govpub backup.`,
    { file },
    { zh: `${file} 不是 govpub 备份或已损坏（${why}），未做任何改动。请指定由 govpub backup 生成的文件。` },
  );
}

/** Reads and checks a backup's manifest: its format, and that this release knows its schema. */
export async function readBackupManifest(file: string): Promise<BackupManifest> {
  if (isDirectory(file)) {
    // The folder the backups are kept in, typed for one of them: name those it holds.
    // The five newest, newest first.
    const backups = fs
      .readdirSync(file)
      .filter((name) => name.endsWith('.tar'))
      .map((name) => ({ name, at: fs.statSync(path.join(file, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at)
      .slice(0, 5)
      .map((b) => b.name);
    const listed = backups.length ? ` (it holds ${backups.join(', ')})` : '';
    const listedZh = backups.length ? `（其中有 ${backups.join('、')}）` : '';
    throw new GovpubError(
      'backup_not_found',
      `${file} is a directory: name the backup file itself${listed}. Nothing was changed.`,
      { file, backups },
      { zh: `${file} 是目录：请写出备份文件本身的名字${listedZh}。未做任何改动。` },
    );
  }
  let reader: TarReader;
  try {
    reader = new TarReader(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A mistyped path is not a damaged backup: say so plainly.
      throw new GovpubError(
        'backup_not_found',
        `There is no file ${file}: nothing was changed. Check the path (govpub backup FILE wrote it).`,
        { file },
        { zh: `找不到文件 ${file}，未做任何改动。请检查路径（备份由 govpub backup FILE 生成）。` },
      );
    }
    throw notABackup(file, `cannot read it: ${code ?? (error as Error).message}`);
  }
  try {
    let manifest: BackupManifest | undefined;
    let hasDatabase = false;
    for (const entry of reader.entries()) {
      if (!manifest) {
        if (entry.name !== MANIFEST_NAME || entry.type !== 'file')
          throw notABackup(file, `a tar archive, but its first entry is ${entry.name}, not ${MANIFEST_NAME}`);
        try {
          manifest = JSON.parse(reader.readData(entry).toString('utf8')) as BackupManifest;
        } catch {
          throw notABackup(file, `${MANIFEST_NAME} is not JSON`);
        }
        if (manifest?.format !== BACKUP_FORMAT) throw notABackup(file, `${MANIFEST_NAME} does not say format "${BACKUP_FORMAT}"`);
      }
      if (entry.name === DATABASE_ENTRY) hasDatabase = true;
    }
    if (!manifest) throw notABackup(file, 'an empty archive');
    if (!hasDatabase) throw notABackup(file, `it holds no ${DATABASE_ENTRY}`);
    const { MIGRATION_NAMES } = await import('../db/migrate.js');
    const unknown = (manifest.migrations ?? []).filter((name) => !MIGRATION_NAMES.includes(name));
    if (manifest.formatVersion > BACKUP_FORMAT_VERSION || unknown.length > 0) {
      const what = unknown.length
        ? `its database has schema migrations this release does not know (${unknown.join(', ')})`
        : `its format version is ${manifest.formatVersion}`;
      throw new GovpubError(
        'backup_newer',
        `${file} was written by a newer govpub: ${what}. Nothing was changed. Restore it with that release of govpub (or a later one).`,
        { file, unknownMigrations: unknown, formatVersion: manifest.formatVersion },
        {
          zh: `${file} 由更新版本的 govpub 生成：${unknown.length ? `其数据库含本版本不认识的迁移（${unknown.join('、')}）` : `其格式版本为 ${manifest.formatVersion}`}。未做任何改动。请用生成它的版本（或更新的版本）恢复。`,
        },
      );
    }
    return manifest;
  } catch (error) {
    if (error instanceof NotATarError) throw notABackup(file, error.message);
    throw error;
  } finally {
    reader.close();
  }
}

export interface RestoreReport {
  file: string;
  dataDir: string;
  manifest: BackupManifest;
  /** Where what was there before went (with --replace), or null. */
  setAside: string[];
}

/** A place exists and holds something (an empty directory counts as nothing). */
function holdsSomething(place: string): boolean {
  try {
    const stat = fs.lstatSync(place);
    return !stat.isDirectory() || fs.readdirSync(place).some((name) => name !== 'tmp' || fs.readdirSync(path.join(place, name)).length > 0);
  } catch {
    return false;
  }
}

/** Safe relative name inside a part: no absolute path, no `..` (a crafted archive must not write elsewhere). */
function safeRelative(name: string): string | null {
  if (name.startsWith('/') || name.split('/').some((piece) => piece === '..' || piece === '')) return null;
  return name;
}

export async function restoreBackup(settings: Settings, file: string, options: { replace?: boolean } = {}): Promise<RestoreReport> {
  const source = path.resolve(file);
  if (settings.databaseUrl) throw refuseWithDatabaseUrl('restore');
  const manifest = await readBackupManifest(source);
  const hold = holdDataDir(settings, 'restore');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staged: { target: string; staging: string }[] = [];
  try {
    // What the restore replaces: each piece of the data directory's state, where this environment keeps it.
    const targets: { label: string; target: string; archiveDir: string | null }[] = [
      { label: 'the embedded database', target: path.join(settings.dataDir, 'pgdata'), archiveDir: null },
      { label: 'the media store', target: settings.mediaDir, archiveDir: 'media' },
      ...TEMPORAL_FILES.map((name) => ({
        label: 'the Temporal dev server’s history',
        target: path.join(settings.dataDir, name),
        archiveDir: `temporal/${name}`,
      })),
      { label: 'the portal web root', target: settings.portalRoot, archiveDir: 'portal' },
      { label: 'the handoff folders', target: path.join(settings.dataDir, 'handoff'), archiveDir: 'handoff' },
      ...(manifest.secrets
        ? [
            {
              label: 'the development secrets',
              target: devSecretsFile(settings.dataDir),
              archiveDir: `secrets/${path.basename(devSecretsFile(settings.dataDir))}`,
            },
          ]
        : []),
    ];
    const occupied = targets.filter((t) => holdsSomething(t.target));
    if (occupied.length > 0 && !options.replace) {
      const list = occupied.map((t) => `${t.label} (${t.target})`).join(', ');
      throw new GovpubError(
        'restore_target_not_empty',
        `The data directory ${settings.dataDir} is not empty: ${list} hold data. Nothing was changed. Restore into an empty data directory (GOVPUB_DATA_DIR), or give --replace to set what is there aside (renamed to <name>.replaced-<time>, next to it) and restore.`,
        { dataDir: settings.dataDir, occupied: occupied.map((t) => t.target) },
        {
          zh: `数据目录 ${settings.dataDir} 不是空的：${occupied.map((t) => t.target).join('、')} 中已有数据。未做任何改动。请恢复到空的数据目录（GOVPUB_DATA_DIR），或加 --replace：原有内容改名为 <原名>.replaced-<时间> 留在原处旁边，再恢复。`,
        },
      );
    }

    // Everything is unpacked next to where it goes and checked before anything is replaced.
    const stagingOf = (target: string) => {
      const staging = `${target}.restoring-${process.pid}`;
      fs.rmSync(staging, { recursive: true, force: true });
      staged.push({ target, staging });
      return staging;
    };
    const reader = new TarReader(source);
    let loaded: Awaited<ReturnType<typeof tableCounts>> | undefined;
    try {
      const stagingByTarget = new Map<string, string>();
      for (const entry of reader.entries()) {
        if (entry.name === MANIFEST_NAME) continue;
        if (entry.name === DATABASE_ENTRY && entry.type === 'file') {
          const staging = stagingOf(path.join(settings.dataDir, 'pgdata'));
          fs.mkdirSync(staging, { recursive: true });
          const { PGlite } = await import('@electric-sql/pglite');
          const db = await PGlite.create(staging, { loadDataDir: new Blob([reader.readData(entry)]) });
          try {
            loaded = await tableCounts(db);
          } finally {
            await db.close();
          }
          continue;
        }
        const target = targets.find((t) => t.archiveDir && (entry.name === t.archiveDir || entry.name.startsWith(`${t.archiveDir}/`)));
        const relative = target && entry.name !== target.archiveDir ? safeRelative(entry.name.slice(target.archiveDir!.length + 1)) : '';
        if (!target || relative === null) throw notABackup(source, `it holds ${entry.name}, which no govpub backup holds`);
        let staging = stagingByTarget.get(target.target);
        if (!staging) stagingByTarget.set(target.target, (staging = stagingOf(target.target)));
        const place = relative ? path.join(staging, relative) : staging;
        const escape = escapeThroughLinks(staging, relative, entry);
        if (escape) throw notABackup(source, `its entry ${entry.name} ${escape}, which no govpub backup holds`);
        fs.mkdirSync(path.dirname(place), { recursive: true });
        writeEntry(reader, entry, place, target.archiveDir === 'media' ? path.basename(relative) : null, source);
      }
    } catch (error) {
      // A damaged archive fails deep inside (zlib's "incorrect data check" unpacking the database):
      // it is the backup that is bad, and the staged copies go (finally, below) with nothing replaced.
      if (error instanceof GovpubError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS') throw error;
      throw notABackup(source, `it does not unpack: ${(error as Error).message}`);
    } finally {
      reader.close();
    }
    if (!loaded) throw notABackup(source, `it holds no ${DATABASE_ENTRY}`);
    const differing = Object.keys({ ...manifest.tables, ...loaded.tables }).filter((table) => manifest.tables[table] !== loaded!.tables[table]);
    if (differing.length > 0)
      throw new GovpubError(
        'backup_mismatch',
        `The database in ${source} does not hold what its manifest lists (rows differ in ${differing.map((t) => `${t}: ${manifest.tables[t] ?? 'none'} listed, ${loaded!.tables[t] ?? 'none'} found`).join('; ')}). Nothing was changed. Use another backup.`,
        { file: source, differing },
        { zh: `备份 ${source} 中的数据库与其清单不符（${differing.join('、')} 的行数不同），未做任何改动。请改用其他备份。` },
      );

    // The swap: what was there is renamed aside, the staged copy renamed into place; written down
    // first, so that a restore killed between two renames is finished by whatever opens the data
    // directory next (runtime/restore-journal.ts), never left half done.
    const moves: RestoreMove[] = targets.map(({ target }) => ({
      target,
      aside: fs.existsSync(target) || isSymlink(target) ? `${target}.replaced-${stamp}` : null,
      staging: staged.find((s) => s.target === target)?.staging ?? null,
    }));
    writeRestoreJournal(settings.dataDir, moves);
    // From here the staged copies belong to the journal: an error stops the moves, it does not remove them.
    staged.length = 0;
    completeRestoreMoves(settings.dataDir, moves);
    const setAside = moves.flatMap((m) => (m.aside ? [m.aside] : []));
    return { file: source, dataDir: settings.dataDir, manifest, setAside };
  } finally {
    for (const { staging } of staged) fs.rmSync(staging, { recursive: true, force: true });
    hold.release();
  }
}

/**
 * Why an entry would reach outside its part through a symbolic link, or null. A crafted archive can
 * hold a link to elsewhere (`handoff/x` → `/home/govpub/.ssh`) and then a file under it
 * (`handoff/x/authorized_keys`): refusing `..` in names does not stop that, following no link does.
 * A govpub backup holds only the portal's links to its own generations (relative, one level).
 */
function escapeThroughLinks(staging: string, relative: string, entry: TarEntry): string | null {
  if (entry.type === 'symlink') {
    if (!relative) return `is a symbolic link where a file belongs`;
    const target = entry.target;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(relative), target));
    if (target === '' || target.startsWith('/') || resolved === '..' || resolved.startsWith('../'))
      return `is a symbolic link to ${JSON.stringify(target)}, outside its part of the data directory`;
  }
  // Neither the place nor any folder above it (inside the part) may already be a link.
  let place = staging;
  for (const piece of relative ? relative.split('/') : []) {
    place = path.join(place, piece);
    if (isSymlink(place)) return `would be written through the symbolic link ${path.relative(staging, place)}`;
  }
  return null;
}

function isDirectory(place: string): boolean {
  try {
    return fs.statSync(place).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(place: string): boolean {
  try {
    return fs.lstatSync(place).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Writes one archive entry; a media blob (named by its SHA-256) must hash to its name. */
function writeEntry(reader: TarReader, entry: TarEntry & { offset: number }, place: string, blobName: string | null, source: string): void {
  if (entry.type === 'symlink') {
    fs.symlinkSync(entry.target, place);
    return;
  }
  reader.copyTo(entry, place);
  if (blobName && /^[0-9a-f]{64}$/.test(blobName)) {
    const hash = createHash('sha256');
    const fd = fs.openSync(place, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (let read; (read = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, read));
    } finally {
      fs.closeSync(fd);
    }
    if (hash.digest('hex') !== blobName)
      throw new GovpubError(
        'backup_mismatch',
        `The media file ${entry.name} in ${source} does not hash to its name: the backup is damaged. Nothing was changed. Use another backup.`,
        { file: source, entry: entry.name },
        { zh: `备份 ${source} 中的媒体文件 ${entry.name} 与其哈希不符，备份已损坏，未做任何改动。请改用其他备份。` },
      );
  }
}
