// Reading what a client sent a simulator: request log entries, bodies (JSON, forms, multipart), tokens, media magic bytes and sizes, lengths as platforms count them.
import type { FastifyRequest } from 'fastify';
import type { FaultKind } from './faults.js';

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status?: number;
  fault?: FaultKind;
  dropped?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Body parsing helpers
// ---------------------------------------------------------------------------------------------

export function rawBody(req: FastifyRequest): Buffer {
  const b = req.body;
  return Buffer.isBuffer(b) ? b : Buffer.alloc(0);
}

export function contentType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '').toLowerCase();
}

/** Parses the body as JSON whatever the declared content type (platforms are lenient there). */
export function jsonBody(req: FastifyRequest): { ok: true; value: unknown } | { ok: false; empty: boolean } {
  const buf = rawBody(req);
  const text = buf.toString('utf8').trim();
  if (text === '') return { ok: false, empty: true };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, empty: false };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function formBody(req: FastifyRequest): Record<string, string> {
  if (!contentType(req).startsWith('application/x-www-form-urlencoded')) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawBody(req).toString('utf8'))) out[k] = v;
  return out;
}

/**
 * Query, form and JSON body parameters in one record (later ones win), as Douyin and Bilibili
 * take them anywhere; JSON numbers count as text where the platform accepts them (`numbers`).
 */
export function mergedParams(req: FastifyRequest, numbers = false): Record<string, string> {
  const out: Record<string, string> = { ...queryParams(req), ...formBody(req) };
  const j = jsonBody(req);
  if (j.ok && isRecord(j.value))
    for (const [k, v] of Object.entries(j.value)) if (typeof v === 'string' || (numbers && typeof v === 'number')) out[k] = String(v);
  return out;
}

/** The token Douyin and Bilibili read from the `access-token` header, or `?access_token=`. */
export function accessTokenHeaderOrQuery(req: FastifyRequest): string | undefined {
  const h = req.headers['access-token'];
  return (Array.isArray(h) ? h[0] : h) ?? queryParams(req).access_token;
}

export function queryParams(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const q = req.query as Record<string, unknown> | undefined;
  if (!q) return out;
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

export interface MultipartFile {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: MultipartFile[];
}

/**
 * A small multipart/form-data parser over the buffered body. Returns null when the request is
 * not multipart, 'malformed' when the body cannot be parsed.
 */
export function multipartBody(req: FastifyRequest): MultipartBody | null | 'malformed' {
  const ct = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(ct)) return null;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
  const boundary = m?.[1] ?? m?.[2]?.trim();
  if (!boundary) return 'malformed';
  const body = rawBody(req);
  const delim = Buffer.from(`--${boundary}`);
  const out: MultipartBody = { fields: {}, files: [] };
  let pos = body.indexOf(delim);
  if (pos < 0) return 'malformed';
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return 'malformed';
    const headerText = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headerEnd + 4);
    if (next < 0) return 'malformed';
    const data = body.subarray(headerEnd + 4, next);
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const disp = headers['content-disposition'] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disp)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) {
        out.files.push({ field: name, filename, mimetype: headers['content-type'] ?? 'application/octet-stream', data: Buffer.from(data) });
      } else {
        out.fields[name] = data.toString('utf8');
      }
    }
    pos = next + 2;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Media sniffing (magic bytes, image dimensions) — no decoding libraries
// ---------------------------------------------------------------------------------------------

export type MediaType = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | 'mp4' | 'webm' | 'flv' | 'mp3' | 'wav' | 'amr' | 'wma' | 'unknown';

export function sniffMedia(data: Buffer): MediaType {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data.length >= 6 && (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a')) return 'gif';
  if (data.length >= 2 && data[0] === 0x42 && data[1] === 0x4d) return 'bmp';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WAVE') return 'wav';
  if (data.length >= 8 && data.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4';
  if (data.length >= 4 && data[0] === 0x1a && data[1] === 0x45 && data[2] === 0xdf && data[3] === 0xa3) return 'webm';
  if (data.length >= 3 && data.subarray(0, 3).toString('latin1') === 'FLV') return 'flv';
  if (data.length >= 3 && data.subarray(0, 3).toString('latin1') === 'ID3') return 'mp3';
  if (data.length >= 2 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0) return 'mp3';
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '#!AMR') return 'amr';
  if (data.length >= 4 && data[0] === 0x30 && data[1] === 0x26 && data[2] === 0xb2 && data[3] === 0x75) return 'wma';
  return 'unknown';
}

/** Width and height from a JPEG (SOFn segment), PNG (IHDR) or GIF header; undefined if unreadable. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  const type = sniffMedia(data);
  if (type === 'png') {
    if (data.length < 24 || data.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (type === 'gif') {
    if (data.length < 10) return undefined;
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (type === 'jpeg') {
    let pos = 2;
    while (pos + 4 <= data.length) {
      if (data[pos] !== 0xff) return undefined;
      let marker = data[pos + 1]!;
      while (marker === 0xff && pos + 2 < data.length) {
        pos++;
        marker = data[pos + 1]!;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        pos += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return undefined;
      const len = data.readUInt16BE(pos + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (pos + 9 > data.length) return undefined;
        return { height: data.readUInt16BE(pos + 5), width: data.readUInt16BE(pos + 7) };
      }
      pos += 2 + len;
    }
  }
  return undefined;
}

/** Length in characters (code points), the way the platforms count titles. */
export function charLength(s: string): number {
  return [...s].length;
}

/** Seconds a client declared for a media file (simulator extension; see README). */
export function declaredDuration(req: FastifyRequest, fields: Record<string, string> = {}): number | undefined {
  const raw = req.headers['x-media-duration'] ?? fields['duration'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
