/**
 * Test helpers for the simulator suite: media fixtures built by hand (only the headers the
 * simulators read), an axios client that never throws on HTTP status, multipart forms.
 */
import axios, { type AxiosInstance } from 'axios';
import type { PublicationView } from '../../simulators/common.js';

export function client(baseURL: string, timeout = 10_000): AxiosInstance {
  return axios.create({ baseURL, timeout, validateStatus: () => true, maxBodyLength: Infinity, maxContentLength: Infinity });
}

function pad(head: Buffer, total: number, tail: Buffer = Buffer.alloc(0)): Buffer {
  const size = Math.max(total, head.length + tail.length);
  const out = Buffer.alloc(size);
  head.copy(out, 0);
  tail.copy(out, size - tail.length);
  return out;
}

/** A JPEG with an SOF0 segment declaring width × height, padded to `bytes`. */
export function jpeg(width = 1146, height = 717, bytes = 2048): Buffer {
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ]);
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  return pad(Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]), bytes, Buffer.from([0xff, 0xd9]));
}

/** A PNG with an IHDR chunk declaring width × height, padded to `bytes`. */
export function png(width = 1146, height = 717, bytes = 2048): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8;
  ihdr[17] = 2;
  return pad(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]), bytes);
}

export function gif(bytes = 1024): Buffer {
  const head = Buffer.from('GIF89a', 'latin1');
  const dims = Buffer.from([0x40, 0x01, 0xf0, 0x00]);
  return pad(Buffer.concat([head, dims]), bytes);
}

export function bmp(bytes = 1024): Buffer {
  return pad(Buffer.from('BM', 'latin1'), bytes);
}

export function mp4(bytes = 4096): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypisom', 4, 'latin1');
  box.write('isomiso2', 16, 'latin1');
  return pad(box, bytes);
}

export function webm(bytes = 4096): Buffer {
  return pad(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), bytes);
}

export function flv(bytes = 4096): Buffer {
  return pad(Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09]), bytes);
}

export function mp3(bytes = 4096): Buffer {
  return pad(Buffer.from('ID3\x03\x00', 'latin1'), bytes);
}

/** Bytes that match no known media type (e.g. an AVI-like RIFF). */
export function junk(bytes = 4096): Buffer {
  return pad(Buffer.from('RIFF\x00\x00\x00\x00AVI LIST', 'latin1'), bytes);
}

export function form(fields: Record<string, string | { data: Buffer; filename: string; type?: string }>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') fd.append(k, v);
    else fd.append(k, new Blob([new Uint8Array(v.data)], { type: v.type ?? 'application/octet-stream' }), v.filename);
  }
  return fd;
}

export async function publications(baseURL: string): Promise<PublicationView[]> {
  const r = await client(baseURL).get('/__sim/publications');
  return r.data.publications as PublicationView[];
}

export async function advance(baseURL: string, seconds: number): Promise<void> {
  await client(baseURL).post('/__sim/clock', { advanceSeconds: seconds });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Error code of a failed axios call (e.g. ECONNRESET, ECONNABORTED). */
export async function networkError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no-error';
  } catch (e) {
    return (e as { code?: string }).code ?? 'unknown';
  }
}
