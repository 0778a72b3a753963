/**
 * A small ZIP writer for downloads: entries stored (no compression: renditions are already JPEG
 * or MP4), UTF-8 names, CRC-32 from node:zlib. Sizes and checksums are worked out first, so the
 * archive's length is known (Content-Length) and file entries stream from disk, never held whole.
 * Without ZIP64: an archive must stay under 4 GiB (refused before anything is sent).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { GovpubError } from '../domain/errors.js';

export type ZipSource = { name: string; content: string | Buffer } | { name: string; path: string };

interface PreparedEntry {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  data: Buffer | string; // bytes, or a file path
}

const ZIP32_LIMIT = 0xffffffff;
const UTF8_NAMES = 0x0800;
const VERSION = 20;

/** DOS date and time fields (2-second precision) of a moment, in UTC+8 like the people who open the bundle. */
function dosDateTime(at: Date): { date: number; time: number } {
  const local = new Date(at.getTime() + 8 * 3600_000);
  const year = Math.max(1980, local.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((local.getUTCMonth() + 1) << 5) | local.getUTCDate(),
    time: (local.getUTCHours() << 11) | (local.getUTCMinutes() << 5) | Math.floor(local.getUTCSeconds() / 2),
  };
}

async function fileCrc(path: string): Promise<{ crc: number; size: number }> {
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    crc = crc32(chunk as Buffer, crc);
    size += (chunk as Buffer).length;
  }
  return { crc, size };
}

function localHeader(entry: PreparedEntry, when: { date: number; time: number }): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(0, 8); // stored
  header.writeUInt16LE(when.time, 10);
  header.writeUInt16LE(when.date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.size, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, entry.name]);
}

function centralHeader(entry: PreparedEntry, when: { date: number; time: number }): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | VERSION, 4); // made on Unix: the mode below applies
  header.writeUInt16LE(VERSION, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(when.time, 12);
  header.writeUInt16LE(when.date, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.size, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt16LE(0, 30); // extra
  header.writeUInt16LE(0, 32); // comment
  header.writeUInt16LE(0, 34); // disk
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  header.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([header, entry.name]);
}

/** A stored ZIP of `sources`, in order: its length and a stream of its bytes. */
export async function storedZip(sources: ZipSource[], at = new Date()): Promise<{ size: number; stream: Readable }> {
  const when = dosDateTime(at);
  const entries: PreparedEntry[] = [];
  let offset = 0;
  for (const source of sources) {
    const name = Buffer.from(source.name, 'utf8');
    let data: Buffer | string;
    let crc: number;
    let size: number;
    if ('content' in source) {
      data = typeof source.content === 'string' ? Buffer.from(source.content, 'utf8') : source.content;
      crc = crc32(data);
      size = data.length;
    } else {
      const expected = (await stat(source.path)).size;
      ({ crc, size } = await fileCrc(source.path));
      if (size !== expected) throw new GovpubError('bundle_changed', `${source.name} changed while the bundle was being made; download it again.`);
      data = source.path;
    }
    entries.push({ name, crc, size, offset, data });
    offset += 30 + name.length + size;
  }
  const central = Buffer.concat(entries.map((e) => centralHeader(e, when)));
  if (offset + central.length > ZIP32_LIMIT || entries.length > 0xffff) {
    throw new GovpubError('bundle_too_large', 'The bundle is larger than 4 GiB; download its files one by one (bundleFiles in GET /api/deliveries/:id).', {
      status: 413,
    });
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);

  async function* bytes(): AsyncGenerator<Buffer> {
    for (const entry of entries) {
      yield localHeader(entry, when);
      if (typeof entry.data === 'string') for await (const chunk of createReadStream(entry.data)) yield chunk as Buffer;
      else yield entry.data;
    }
    yield central;
    yield end;
  }
  return { size: offset + central.length + end.length, stream: Readable.from(bytes(), { objectMode: false }) };
}
