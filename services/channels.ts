/** Keeps the database's channel rows in step with the registry (deliveries and operations refer to them). */
import type { Kysely } from 'kysely';
import { upsertChannels } from '../db/channels.js';
import type { DB } from '../db/schema.js';
import { listChannels, type Registry } from '../domain/registry.js';

/**
 * Snapshot the registry's channels into the database, keeping operational state such as a
 * pause. Channels removed from the registry stay, marked by their old digest, so history still
 * resolves.
 */
export async function syncChannels(db: Kysely<DB>, registry: Registry, digest: string): Promise<number> {
  const channels = listChannels(registry);
  const now = new Date();
  for (let i = 0; i < channels.length; i += 200) {
    await upsertChannels(
      db,
      channels.slice(i, i + 200).map((c) => ({
        id: c.id,
        platform: c.platform,
        kind: c.kind,
        name: c.name,
        owner_unit: c.ownerUnit ?? null,
        publishing: c.publishing,
        ref: c.ref,
        definition: JSON.stringify(c),
        registry_digest: digest,
        synced_at: now,
      })),
    );
  }
  return channels.length;
}
