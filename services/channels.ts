import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { listChannels, type Registry } from '../domain/registry.js';

/**
 * Snapshot the registry's channels into the database (deliveries and operations refer to them),
 * keeping operational state such as a pause. Channels removed from the registry stay, marked by
 * their old digest, so history still resolves.
 */
export async function syncChannels(db: Kysely<DB>, registry: Registry, digest: string): Promise<number> {
  const channels = listChannels(registry);
  const now = new Date();
  for (let i = 0; i < channels.length; i += 200) {
    await db
      .insertInto('channels')
      .values(
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
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          platform: sql`excluded.platform`,
          kind: sql`excluded.kind`,
          name: sql`excluded.name`,
          owner_unit: sql`excluded.owner_unit`,
          publishing: sql`excluded.publishing`,
          ref: sql`excluded.ref`,
          definition: sql`excluded.definition`,
          registry_digest: sql`excluded.registry_digest`,
          synced_at: sql`excluded.synced_at`,
        }),
      )
      .execute();
  }
  return channels.length;
}
