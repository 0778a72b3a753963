/**
 * An upload whose record cannot be written (the database refuses or goes away after the file was
 * stored): no file stays in the store without its row, a file stored before stays, and sending
 * the upload again stores it whole.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMedia } from '../../db/media.js';
import { startMediaHarness, type MediaHarness } from './media-harness.js';

let h: MediaHarness;

beforeAll(async () => {
  h = await startMediaHarness();
});

afterAll(async () => {
  await h?.close();
});

/** A small PNG of its own colour, so each test stores new bytes. */
async function png(red: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: red, g: 80, b: 160 } } })
    .png()
    .toBuffer();
}

async function refusingMediaRows<T>(work: () => Promise<T>): Promise<T> {
  await sql`create function refuse_media_row() returns trigger language plpgsql as $$
    begin raise exception 'media row refused by the test'; end $$`.execute(h.db);
  await sql`create trigger refuse_media_row before insert on media for each row execute function refuse_media_row()`.execute(h.db);
  try {
    return await work();
  } finally {
    await sql`drop trigger refuse_media_row on media`.execute(h.db);
    await sql`drop function refuse_media_row()`.execute(h.db);
  }
}

describe('an upload whose record cannot be written', () => {
  it('leaves no file without its row, and the same upload sent again is stored whole', async () => {
    const bytes = await png(30);
    const failed = await refusingMediaRows(() =>
      h.media.ingest(Readable.from([bytes]), { uploadName: 'cover.png', createdBy: h.editor.actor }).then(
        () => null,
        (e: unknown) => e as Error,
      ),
    );
    expect(failed?.message).toContain('media row refused by the test');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await findMedia(h.db, sha256)).toBeUndefined();
    expect(await h.store.has(sha256)).toBe(false);

    const again = await h.media.ingest(Readable.from([bytes]), { uploadName: 'cover.png', createdBy: h.editor.actor });
    expect(again.created).toBe(true);
    expect(again.media.id).toBe(sha256);
    expect(await h.store.has(sha256)).toBe(true);
  });

  it('keeps a file that was stored before (another record may stand on it)', async () => {
    const bytes = await png(90);
    const first = await h.media.ingest(Readable.from([bytes]), { uploadName: 'first.png', createdBy: h.editor.actor });
    // The row goes (as if never written), the file stays: a second upload of the bytes fails to record.
    await h.db.deleteFrom('media').where('id', '=', first.media.id).execute();
    await refusingMediaRows(() => h.media.ingest(Readable.from([bytes]), { uploadName: 'second.png', createdBy: h.editor.actor }).catch(() => undefined));
    expect(await h.store.has(first.media.id)).toBe(true);
  });
});
