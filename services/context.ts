/** What the application services need from the running process, shared by the HTTP API and the CLI. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Registry } from '../domain/registry.js';

/** What the application services need: shared by the HTTP API and the CLI. */
export interface AppContext {
  db: Kysely<DB>;
  registry: Registry;
  temporal: Client;
  taskQueue: string;
}
