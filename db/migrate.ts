/** Brings the schema up to date with the numbered migrations in db/migrations/, and reports their status. */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { GovpubError } from '../domain/errors.js';
import * as foundation from './migrations/0001_foundation.js';
import * as delivery from './migrations/0002_delivery.js';
import * as media from './migrations/0003_media.js';
import * as idempotencyKeys from './migrations/0004_idempotency_keys.js';
import * as userTokens from './migrations/0005_user_tokens.js';
import * as consoleIndexes from './migrations/0006_console_indexes.js';
import * as accountsUnitsPaging from './migrations/0007_accounts_units_paging.js';
import * as indexNumbersValidity from './migrations/0008_index_numbers_validity.js';
import * as compliance from './migrations/0009_compliance.js';
import * as userEmail from './migrations/0010_user_email.js';
import * as siteProbeOnce from './migrations/0011_site_probe_once.js';
import * as externalReleaseNumber from './migrations/0012_external_release_number.js';
import * as auditChannelIndex from './migrations/0013_audit_channel_index.js';
import * as deliveryRenditionsIndex from './migrations/0014_delivery_renditions_index.js';
import * as renditionWarningsZh from './migrations/0015_rendition_warnings_zh.js';

/** Every migration, in order. Names are permanent: never rename one that has shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_delivery': delivery,
  '0003_media': media,
  '0004_idempotency_keys': idempotencyKeys,
  '0005_user_tokens': userTokens,
  '0006_console_indexes': consoleIndexes,
  '0007_accounts_units_paging': accountsUnitsPaging,
  '0008_index_numbers_validity': indexNumbersValidity,
  '0009_compliance': compliance,
  '0010_user_email': userEmail,
  '0011_site_probe_once': siteProbeOnce,
  '0012_external_release_number': externalReleaseNumber,
  '0013_audit_channel_index': auditChannelIndex,
  '0014_delivery_renditions_index': deliveryRenditionsIndex,
  '0015_rendition_warnings_zh': renditionWarningsZh,
};

/** The names of every migration this release knows, in order (a backup from a newer schema has others). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Brings the schema up to date. Kysely runs the whole batch in one transaction on PostgreSQL
 * (transactional DDL), so a failing migration leaves nothing half-applied.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'govpub_migrations',
    migrationLockTableName: 'govpub_migrations_lock',
  });
  const before = new Set((await migrator.getMigrations()).filter((m) => m.executedAt).map((m) => m.name));
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new GovpubError(
      'migration_failed',
      `Database migration ${failed?.migrationName ?? ''} failed: ${cause}. Nothing was applied (the batch runs in one transaction); fix the cause and run \`govpub db migrate\` again.`,
    );
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    alreadyApplied: [...before],
  };
}

export async function migrationStatus(db: Kysely<any>): Promise<{ name: string; executedAt: Date | null }[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'govpub_migrations',
    migrationLockTableName: 'govpub_migrations_lock',
  });
  return (await migrator.getMigrations()).map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}

/**
 * Refuses a database whose schema this release has not brought up to date: `govpub api` and
 * `govpub worker` never migrate (one `govpub db migrate` per release does), and one started first
 * used to die on "relation "channels" does not exist", which named neither the cause nor the fix.
 */
export async function assertMigrated(db: Kysely<any>, description: string, kind: 'postgres' | 'pglite' = 'postgres'): Promise<void> {
  const pending = (await migrationStatus(db)).filter((m) => !m.executedAt).map((m) => m.name);
  if (pending.length === 0) return;
  const total = Object.keys(MIGRATIONS).length;
  const which = pending.length === total ? 'has no govpub schema yet' : `is behind this release`;
  const names = pending.length > 3 ? `${pending[0]} … ${pending[pending.length - 1]}` : pending.join(', ');
  throw new GovpubError(
    'schema_not_migrated',
    `The database at ${description} ${which}: ${pending.length} of ${total} migrations not applied (${names}). ` +
      (kind === 'pglite'
        ? // No DATABASE_URL: "the same DATABASE_URL" told a user who forgot to set it to run with none.
          'DATABASE_URL is not set, so this is the embedded database of the data directory: for production, set DATABASE_URL to your PostgreSQL database (README "Production"); to run on the embedded one, run `govpub db migrate` once with the same GOVPUB_DATA_DIR (or `govpub start`, which runs everything on it), then start this process again.'
        : 'Run `govpub db migrate` once with the same DATABASE_URL, then start this process again.'),
  );
}
