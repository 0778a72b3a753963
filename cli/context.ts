import { loadSettings } from '../config/settings.js';
import type { Database } from '../db/connect.js';
import type { Opened } from '../runtime/app.js';
import type { AppContext } from '../services/context.js';

/**
 * Run `body` with the database (and registry), closing them afterwards whatever happens. The
 * embedded database is migrated first; PostgreSQL must have been (`govpub db migrate`), as for
 * `govpub api` and `govpub worker`: a newer CLI must not change the schema under running processes.
 */
export async function withDatabase<T>(body: (opened: Opened) => Promise<T>, options: { migrate: boolean | 'embedded' } = { migrate: 'embedded' }): Promise<T> {
  const { openRegistryAndDatabase } = await import('../runtime/app.js');
  const opened = await openRegistryAndDatabase(loadSettings(), options);
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
  try {
    return await body(database);
  } finally {
    await database.close();
  }
}

export async function withApp<T>(body: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { openAppContext } = await import('../runtime/app.js');
  const { ctx, close } = await openAppContext(loadSettings(), { migrate: false });
  try {
    return await body(ctx);
  } finally {
    await close();
  }
}
