/**
 * A small POSIX tar (pax) writer and reader for `govpub backup` / `govpub restore`: regular files
 * (streamed, never held whole) and symbolic links (the portal's web root is made of them). A backup
 * is a plain tar so that an operator can look into one with `tar tvf` without govpub; PAX records
 * carry names over 100 bytes and files over 8 GiB.
 */
import fs from 'node:fs';

const BLOCK = 512;

export type TarEntry = { name: string; type: 'file'; size: number; mode: number; mtime: Date } | { name: string; type: 'symlink'; target: string; mtime: Date };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, typeflag: string, size: number, mode: number, mtime: Date, linkname = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(typeflag, 156, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

/** A pax extended header ('x') for the fields a ustar header cannot hold, or nothing. */
function paxRecords(fields: Record<string, string>): Buffer {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
    text += `${length}${body}`;
  }
  const data = Buffer.from(text, 'utf8');
  return Buffer.concat([header('PaxHeader', 'x', data.length, 0o644, new Date()), data, Buffer.alloc(padding(data.length))]);
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;
const USTAR_MAX_SIZE = 0o77777777777;

/** Writes a tar file entry by entry; `close` adds the end-of-archive blocks and syncs it to disk. */
export class TarWriter {
  readonly #fd: number;

  constructor(file: string) {
    // Owner-only: a backup holds the database (password hashes, the platforms' refresh tokens).
    this.#fd = fs.openSync(file, 'wx', 0o600);
  }

  #extended(name: string, size: number, linkname = ''): void {
    const fields: Record<string, string> = {};
    if (Buffer.byteLength(name) > 99) fields.path = name;
    if (Buffer.byteLength(linkname) > 99) fields.linkpath = linkname;
    if (size > USTAR_MAX_SIZE) fields.size = String(size);
    if (Object.keys(fields).length) fs.writeSync(this.#fd, paxRecords(fields));
  }

  addBuffer(name: string, data: Buffer, mode = 0o644): void {
    this.#extended(name, data.length);
    fs.writeSync(this.#fd, header(name, '0', data.length, mode, new Date()));
    fs.writeSync(this.#fd, data);
    fs.writeSync(this.#fd, Buffer.alloc(padding(data.length)));
  }

  /** Copies a file in 1 MiB pieces; the size is the one it had when opened, so a file growing meanwhile cannot corrupt the archive. */
  addFile(name: string, source: string): number {
    const input = fs.openSync(source, 'r');
    try {
      const stat = fs.fstatSync(input);
      this.#extended(name, stat.size);
      fs.writeSync(this.#fd, header(name, '0', Math.min(stat.size, USTAR_MAX_SIZE), stat.mode, stat.mtime));
      const chunk = Buffer.alloc(1 << 20);
      let copied = 0;
      while (copied < stat.size) {
        const read = fs.readSync(input, chunk, 0, Math.min(chunk.length, stat.size - copied), copied);
        if (read === 0) throw new Error(`${source} became shorter while it was copied`);
        fs.writeSync(this.#fd, chunk, 0, read);
        copied += read;
      }
      fs.writeSync(this.#fd, Buffer.alloc(padding(stat.size)));
      return stat.size;
    } finally {
      fs.closeSync(input);
    }
  }

  addSymlink(name: string, target: string, mtime = new Date()): void {
    this.#extended(name, 0, target);
    fs.writeSync(this.#fd, header(name, '2', 0, 0o777, mtime, target));
  }

  close(): void {
    fs.writeSync(this.#fd, Buffer.alloc(BLOCK * 2));
    fs.fsyncSync(this.#fd);
    fs.closeSync(this.#fd);
  }

  /** Closes without the end blocks (the caller removes the file). */
  abandon(): void {
    fs.closeSync(this.#fd);
  }
}

export class NotATarError extends Error {}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function parsePax(data: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new NotATarError('a malformed pax header');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    fields[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return fields;
}

/** Reads a tar file's entries in order; a file's data is read with `readData` or copied with `copyTo` while it is the current entry. */
export class TarReader {
  readonly #fd: number;
  readonly #size: number;

  constructor(file: string) {
    this.#fd = fs.openSync(file, 'r');
    this.#size = fs.fstatSync(this.#fd).size;
  }

  #read(position: number, length: number): Buffer {
    if (position + length > this.#size) throw new NotATarError('the file ends in the middle of an entry (cut short?)');
    const buffer = Buffer.alloc(length);
    fs.readSync(this.#fd, buffer, 0, length, position);
    return buffer;
  }

  /** Every entry with the offset of its data. Throws NotATarError on anything that is not a tar file. */
  *entries(): Generator<TarEntry & { offset: number }> {
    let position = 0;
    let pax: Record<string, string> = {};
    for (;;) {
      if (position + BLOCK > this.#size) throw new NotATarError('the file ends without the end-of-archive blocks (cut short?)');
      const block = this.#read(position, BLOCK);
      if (block.every((b) => b === 0)) return;
      const magic = block.subarray(257, 262).toString('ascii');
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
      if (magic !== 'ustar' || sum !== parseInt(field(block, 148, 8).trim(), 8)) throw new NotATarError('not a tar archive');
      const typeflag = String.fromCharCode(block[156]!);
      const size = pax.size ? Number(pax.size) : parseInt(field(block, 124, 12).trim() || '0', 8);
      const offset = position + BLOCK;
      position = offset + size + padding(size);
      if (typeflag === 'x') {
        pax = parsePax(this.#read(offset, size));
        continue;
      }
      const prefix = field(block, 345, 155);
      const name = pax.path ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
      const mtime = new Date(parseInt(field(block, 136, 12).trim() || '0', 8) * 1000);
      const linkname = pax.linkpath ?? field(block, 157, 100);
      pax = {};
      if (typeflag === '0' || typeflag === '\0') yield { name, type: 'file', size, mode: parseInt(field(block, 100, 8).trim() || '644', 8), mtime, offset };
      else if (typeflag === '2') yield { name, type: 'symlink', target: linkname, mtime, offset };
      // Directories and anything else: directories are made as files need them.
    }
  }

  readData(entry: { offset: number; size: number }): Buffer {
    return this.#read(entry.offset, entry.size);
  }

  copyTo(entry: { offset: number; size: number; mode: number }, target: string): void {
    const out = fs.openSync(target, 'wx', entry.mode & 0o777);
    try {
      const chunk = Buffer.alloc(1 << 20);
      let copied = 0;
      while (copied < entry.size) {
        const length = Math.min(chunk.length, entry.size - copied);
        const read = fs.readSync(this.#fd, chunk, 0, length, entry.offset + copied);
        if (read !== length) throw new NotATarError('the file ends in the middle of an entry (cut short?)');
        fs.writeSync(out, chunk, 0, read);
        copied += read;
      }
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}
