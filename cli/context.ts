import { loadSettings, type Settings } from '../config/settings.js';
import type { Database } from '../db/connect.js';
import type { Opened } from '../runtime/app.js';
import type { AppContext } from '../services/context.js';
import { printable, say } from './output.js';

/**
 * Run `body` with the database (and registry), closing them afterwards whatever happens. The
 * embedded database is migrated first; PostgreSQL must have been (`govpub db migrate`), as for
 * `govpub api` and `govpub worker`: a newer CLI must not change the schema under running processes.
 */
export async function withDatabase<T>(body: (opened: Opened) => Promise<T>, options: { migrate: boolean | 'embedded' } = { migrate: 'embedded' }): Promise<T> {
  const { openRegistryAndDatabase } = await import('../runtime/app.js');
  const settings = loadSettings();
  const opened = await openRegistryAndDatabase(settings, options);
  noteNewDatabase(opened.database, settings);
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
}

/**
 * Run `body` with the database alone, no registry (a command that touches neither channels nor
 * units), closing it afterwards whatever happens. Unmigrated unless `migrate` says, as withDatabase
 * has it (`users …` commands migrate the embedded database; `db status` must see it as it is).
 */
export async function withDatabaseOnly<T>(body: (database: Database) => Promise<T>, options: { migrate?: 'embedded' } = {}): Promise<T> {
  const settings = loadSettings();
  const { openMigratedDatabase, openSettingsDatabase } = await import('../runtime/app.js');
  const database = options.migrate ? await openMigratedDatabase(settings, { migrate: options.migrate }) : await openSettingsDatabase(settings);
  noteNewDatabase(database, settings);
  try {
    return await body(database);
  } finally {
    await database.close();
  }
}

export async function withApp<T>(body: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { openAppContext } = await import('../runtime/app.js');
  const settings = loadSettings();
  const { ctx, close, opened } = await openAppContext(settings, { migrate: false });
  noteNewDatabase(opened.database, settings);
  try {
    return await body(ctx);
  } finally {
    await close();
  }
}

/**
 * A local command that found no database in the data directory made one, and acted on it. That is
 * right before the first `govpub start` (`users add` first), and the classic slip otherwise: govpub
 * runs with GOVPUB_DATA_DIR or DATABASE_URL set in its own terminal, and a command typed in another
 * gets a user, a token or a package into a database nobody serves. Said on stderr, every time.
 */
function noteNewDatabase(database: Database, settings: Settings): void {
  if (!database.created) return;
  process.stderr.write(
    `${say(
      `govpub: ${printable(settings.dataDir)} held no database yet: this command made a new, empty embedded one there, and what it does goes into that one. If govpub runs with another data directory or on PostgreSQL, set GOVPUB_DATA_DIR (or DATABASE_URL) here as it is set there.`,
      `govpub：${printable(settings.dataDir)} 中还没有数据库，本命令在此新建了一个空的内置数据库，所做的操作都写入这个数据库。若 govpub 运行时使用了其他数据目录或 PostgreSQL，请在此设置与之相同的 GOVPUB_DATA_DIR（或 DATABASE_URL）。`,
    )}\n`,
  );
}
