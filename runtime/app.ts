/**
 * Assembling govpub from its parts, for the all-in-one start, the separate production
 * processes and the CLI: settings → registry → database → Temporal → services.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ApiMetrics } from '../api/metrics.js';
import { loadRegistry, registryDigest } from '../config/registry.js';
import type { Settings } from '../config/settings.js';
import { openDatabase, type Database, type QueryTimer } from '../db/connect.js';
import { assertMigrated, migrateToLatest } from '../db/migrate.js';
import type { Registry } from '../domain/registry.js';
import { syncChannels } from '../services/channels.js';
import type { AppContext } from '../services/context.js';
import { missingSecrets } from '../config/secrets.js';
import { missingPlatformSecrets, type PlatformConfigs } from '../config/platforms.js';
import { GovpubError } from '../domain/errors.js';

/**
 * A production worker publishes with real credentials: refuse to start when any is missing,
 * listing each secret, who needs it and how to provide it. (The all-in-one start publishes to
 * simulated channels and needs none.)
 */
export function assertSecretsPresent(registry: Registry, platforms: PlatformConfigs, env: NodeJS.ProcessEnv = process.env): void {
  const sources = { env, secretsFile: env.GOVPUB_SECRETS_FILE || undefined };
  const missing = [...missingSecrets(registry, sources), ...missingPlatformSecrets(platforms, sources)];
  if (missing.length === 0) return;
  throw new GovpubError(
    'secrets_missing',
    `${missing.length} platform secret${missing.length === 1 ? ' is' : 's are'} missing, so the worker cannot publish:\n` +
      missing.map((m) => `  - ${m.message}`).join('\n'),
    { missing: missing.map((m) => m.name) },
  );
}
import { connectClient } from '../worker/temporal-connection.js';

/** Where the all-in-one start records its local Temporal address for CLI commands to find. */
export function temporalRuntimeFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'temporal.json');
}

export { writeRuntimeRecord } from './runtime-files.js';

/** TEMPORAL_ADDRESS, else the dev server a running `govpub start` recorded, else the default. */
export function temporalAddress(settings: Settings): string {
  if (settings.temporal.address) return settings.temporal.address;
  try {
    const record = JSON.parse(fs.readFileSync(temporalRuntimeFile(settings.dataDir), 'utf8')) as { address: string };
    return record.address;
  } catch {
    return `127.0.0.1:${settings.temporal.devServerPort}`;
  }
}

export interface Opened {
  settings: Settings;
  registry: Registry;
  database: Database;
  close(): Promise<void>;
}

/** The database the settings name (PostgreSQL by URL, or the embedded one in the data directory). */
export function openSettingsDatabase(settings: Settings, onQuery?: QueryTimer): Promise<Database> {
  return openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    pglitePort: settings.pglitePort,
    pgliteIdleTxTimeoutSec: settings.pgliteIdleTxTimeoutSec,
    onQuery,
    cacheDir: settings.cacheDir,
  });
}

/**
 * `migrate`: true migrates; false refuses a database this release has not migrated; 'embedded'
 * migrates only the embedded database (the CLI's administrative commands: nothing else shares it),
 * never PostgreSQL, where `govpub db migrate` runs once per release while older processes may run.
 */
export async function openRegistryAndDatabase(settings: Settings, options: { migrate: boolean | 'embedded'; onQuery?: QueryTimer }): Promise<Opened> {
  const registry = await loadRegistry(path.join(settings.configDir, 'registry'));
  const database = await openMigratedDatabase(settings, options);
  try {
    await syncChannels(database.db, registry, registryDigest(registry));
  } catch (error) {
    await database.close();
    throw error;
  }
  return { settings, registry, database, close: () => database.close() };
}

/**
 * The database, migrated as `migrate` says (see openRegistryAndDatabase), without the registry:
 * for commands that touch neither channels nor units (`users list`, `users set-password`, …),
 * which then neither parse the registry's YAML nor depend on it being valid.
 */
export async function openMigratedDatabase(settings: Settings, options: { migrate: boolean | 'embedded'; onQuery?: QueryTimer }): Promise<Database> {
  const database = await openSettingsDatabase(settings, options.onQuery);
  try {
    if (options.migrate === true || (options.migrate === 'embedded' && database.kind === 'pglite')) await migrateToLatest(database.db);
    else await assertMigrated(database.db, database.description, database.kind);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

export async function openAppContext(
  settings: Settings,
  options: { migrate: boolean; address?: string; metrics?: ApiMetrics },
): Promise<{ ctx: AppContext; close(): Promise<void>; opened: Opened }> {
  const { metrics } = options;
  const opened = await openRegistryAndDatabase(settings, { migrate: options.migrate, onQuery: metrics?.observeDbQuery });
  try {
    const connection = await connectClient(settings.temporal, options.address ?? temporalAddress(settings));
    const { Client } = await import('@temporalio/client');
    const temporal = new Client({
      connection,
      namespace: settings.temporal.namespace,
      ...(metrics ? { interceptors: { workflow: [metrics.temporalInterceptor()] } } : {}),
    });
    return {
      opened,
      ctx: { db: opened.database.db, registry: opened.registry, temporal, taskQueue: settings.temporal.taskQueue },
      async close() {
        await connection.close();
        await opened.close();
      },
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
