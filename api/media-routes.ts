/**
 * Media routes: upload (multipart, streamed into the store, never buffered whole), the media list
 * and records with rendition jobs and their progress, the original and renditions as files (with
 * Range), rendition requests and cancellation. Every /api/media route needs the bearer token:
 * an original keeps the photographer's EXIF (GPS included) and has no watermark, so it is for
 * govpub's users only. Body HTML refers to images as <img src="/api/media/<id>/content"> (the
 * editor's reference); each adapter replaces that with the channel's rendition.
 *
 * What the public may fetch are renditions published by URL (`registerPublicRenditions`):
 * `/media/<rendition sha256>.<ext>`, named by the rendition's own hash, never the original's.
 * Both rendition URLs serve a RenditionFile record (media/published.ts) through one function,
 * `sendRenditionFile`; `/api/media/:id/renditions/:spec` only resolves which file is meant.
 */
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import type { AppContext } from '../services/context.js';
import { findPublishedRendition, type MediaStore, type RenditionFile } from '../media/index.js';
import type { BlobInfo, MediaService, RenditionRequest } from '../services/media.js';

type RangeResult = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=` range (RFC 9110); several ranges or a malformed header: the whole file. */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

async function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  info: BlobInfo,
  open: (range?: { start: number; end: number }) => Promise<NodeJS.ReadableStream>,
  access: 'private' | 'public',
) {
  const etag = `"${info.sha256}"`;
  reply
    .header('content-type', info.mime)
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    // Content-addressed: these bytes never change under this URL. Files behind the token are
    // kept out of shared caches (a proxy must not hand an original to the next visitor).
    .header('cache-control', `${access}, max-age=31536000, immutable`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', contentDisposition(info.fileName));
  const inm = request.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.status(304).send();

  const ifRange = request.headers['if-range'];
  const range = ifRange && ifRange !== etag ? undefined : parseRange(request.headers.range, info.size);
  if (range === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${info.size}`)
      .header('content-type', 'application/json')
      .send({
        error: {
          code: 'range_not_satisfiable',
          message: `The file has ${info.size} bytes; the requested range ${request.headers.range} is outside it.`,
          messageZh: `文件共 ${info.size} 字节，所请求的范围 ${request.headers.range} 超出了文件大小。`,
        },
      });
  }
  if (range) {
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
      .header('content-length', range.end - range.start + 1);
    return reply.send(await open(range));
  }
  reply.header('content-length', info.size);
  return reply.send(await open());
}

/**
 * Reads and discards the rest of a refused upload before answering, so the client (still
 * sending) reads the answer instead of meeting a reset, and the connection stays usable.
 * Past `budget` bytes or `ms` it gives up: a refused 4 GB upload is not read to its end.
 */
function drainRequest(request: FastifyRequest, file: { destroyed: boolean; destroy(): void }, budget = 64 * 1024 * 1024, ms = 30_000): Promise<boolean> {
  const req = request.raw;
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > budget) done(false);
    };
    req.on('data', onData);
    req.once('end', () => done(true));
    req.once('close', () => done(req.complete));
    // The multipart parser stalls once the file part is abandoned (and pauses the request with
    // it): detach it and discard the bytes here.
    req.unpipe();
    if (!file.destroyed) file.destroy();
    req.resume();
  });
}

/**
 * What the multipart parser throws for a body that is not the multipart/form-data it says (no
 * boundary, no parts, cut off before the closing boundary): the client's mistake, a 400.
 */
function malformedMultipart(error: unknown): unknown {
  if (error instanceof GovpubError || ((error as { statusCode?: number }).statusCode ?? 500) < 500) return error;
  return new GovpubError(
    'invalid_multipart',
    `The upload is not valid multipart/form-data (${(error as Error).message}). Send the file as one file part, e.g. curl -F file=@photo.jpg …/api/media.`,
    { status: 400 },
  );
}

/** Bytes of the body's start kept to explain a missing file part (the part headers come first). */
const BODY_HEAD_BYTES = 256 * 1024;

/** Keeps the first bytes of a request body as they pass to the multipart parser; `stop` detaches. */
function keepBodyHead(req: FastifyRequest['raw']): { text: () => string; stop: () => void } {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    if (size >= BODY_HEAD_BYTES) return;
    chunks.push(chunk.subarray(0, BODY_HEAD_BYTES - size));
    size += Math.min(chunk.length, BODY_HEAD_BYTES - size);
  };
  req.on('data', onData);
  return { text: () => Buffer.concat(chunks).toString('utf8'), stop: () => req.off('data', onData) };
}

/**
 * The refusal for a file part the multipart parser dropped because its file name holds a raw line
 * break (CR or LF: busboy skips such a part without a word, which left only "no file part"); null
 * when the body has no such part.
 */
function lineBreakInFileName(bodyHead: string): GovpubError | null {
  for (const m of bodyHead.matchAll(/content-disposition:([^\r\n]*?)\bfilename="([^"]*)"([^\r\n]*)/gi)) {
    const fileName = m[2]!;
    if (!/[\r\n]/.test(fileName)) continue;
    const partName = /\bname="([^"\r\n]*)"/i.exec(`${m[1]!} ${m[3]!}`)?.[1] ?? '';
    const shown = fileName.replace(/\r\n|\r|\n/g, '⏎');
    const message = `the file name "${shown}" of part "${partName}" contains a line break (⏎ marks where)`;
    const zhIssue = `文件字段「${partName}」的文件名「${shown}」中含有换行符（⏎ 处）`;
    return new GovpubError(
      'invalid_file_name',
      `The file name "${shown}" of part "${partName}" contains a line break (⏎ marks where), so the file could not be received and nothing was stored. Rename the file without the line break and upload it again.`,
      { status: 400, part: partName, issues: [{ path: 'file', message, messageZh: `${zhIssue}，文件未能接收。请把文件重命名为不含换行的名称后重新上传。` }] },
      { zh: `${zhIssue}，文件未能接收，未保存任何内容。请把文件重命名为不含换行的名称后重新上传。` },
    );
  }
  return null;
}

/**
 * Registers the media routes in their own encapsulated scope (multipart parsing applies only
 * there). `requireActor` is the API's bearer-token check.
 */
export function registerMediaRoutes(
  app: FastifyInstance,
  ctx: AppContext & { media: MediaService },
  requireActor: (request: FastifyRequest) => Promise<Actor>,
): void {
  const media = ctx.media;
  const actorOf = (request: FastifyRequest) => request.actor!;
  const auth = {
    preHandler: async (request: FastifyRequest) => {
      request.actor = await requireActor(request);
    },
  };

  app.register(async (scope) => {
    await scope.register(multipart, {
      // The media service enforces the real, per-kind limits while streaming; busboy only guards
      // against absurd field and part counts.
      limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1, fields: 20, parts: 25, fieldSize: 64 * 1024 },
    });

    scope.post('/api/media', auth, async (request, reply) => {
      if (!request.isMultipart()) {
        throw new GovpubError('unsupported_media_type', 'Send the file as multipart/form-data with one file part, e.g. curl -F file=@photo.jpg …/api/media.', {
          status: 415,
        });
      }
      // One file a request: the parts are read in order, and a second file part refuses the upload
      // before its record is written (busboy's `files: 1` would otherwise drop it silently).
      const parts = request.files({ throwFileSizeLimit: false });
      let part: MultipartFile | undefined;
      // Attached in the same tick the parser is piped in (parts.next()), so it sees every byte.
      const bodyHead = keepBodyHead(request.raw);
      try {
        const first = await parts.next();
        part = first.done ? undefined : first.value;
      } catch (error) {
        throw malformedMultipart(error);
      } finally {
        bodyHead.stop();
      }
      if (!part) {
        const lineBreak = lineBreakInFileName(bodyHead.text());
        if (lineBreak) throw lineBreak;
        throw new GovpubError('invalid_body', 'The multipart body has no file part; attach the file, e.g. curl -F file=@photo.jpg.', {
          status: 400,
          issues: [{ path: 'file', message: 'required' }],
        });
      }
      // A client that goes away stops the upload (and nothing half-written is kept).
      const aborted = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished && !request.raw.complete)
          aborted.abort(new GovpubError('media_upload_failed', 'The client closed the connection during the upload.'));
      };
      request.raw.once('close', onClose);
      try {
        const result = await media.ingest(part.file, {
          uploadName: part.filename,
          createdBy: actorOf(request),
          signal: aborted.signal,
          beforeRecord: async () => {
            let more: boolean;
            try {
              more = !(await parts.next()).done;
            } catch (error) {
              if ((error as { code?: string }).code !== 'FST_FILES_LIMIT') throw malformedMultipart(error);
              more = true;
            }
            if (more) {
              throw new GovpubError('too_many_files', 'Send one file per upload: this request carried more than one file part, and none was stored.', {
                status: 400,
                issues: [{ path: 'file', message: 'one file part per request' }],
              });
            }
          },
        });
        return reply
          .status(result.created ? 201 : 200)
          .send({ ...result.media, created: result.created, warnings: result.warnings, warningsZh: result.warningsZh });
      } catch (error) {
        // The parser destroys the file stream with its error when the body breaks off or is not multipart.
        const malformed = error !== undefined && error === part.file.errored;
        // Refused before the whole body arrived (not media, over the limit, no permission).
        if (!(await drainRequest(request, part.file))) reply.header('connection', 'close');
        throw malformed ? malformedMultipart(error) : error;
      } finally {
        request.raw.off('close', onClose);
      }
    });
  });

  app.get('/api/media', auth, async (request) => {
    const q = request.query as { kind?: string; limit?: string; cursor?: string };
    return media.list({ kind: q.kind, limit: q.limit ? Number(q.limit) : undefined, cursor: q.cursor });
  });

  app.get('/api/media/jobs/:jobId', auth, async (request) => media.getJob((request.params as { jobId: string }).jobId));

  app.delete('/api/media/jobs/:jobId', auth, async (request, reply) => {
    const job = await media.cancelJob((request.params as { jobId: string }).jobId, actorOf(request));
    return reply.status(job.state === 'canceled' ? 200 : 202).send(job);
  });

  // An id or a unique prefix of it (what people copy from `govpub media list`).
  app.get('/api/media/:id', auth, async (request) => media.get(await media.resolveId((request.params as { id: string }).id)));

  app.post('/api/media/:id/renditions', auth, async (request, reply) => {
    const body = (request.body ?? {}) as RenditionRequest;
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new GovpubError('invalid_body', 'Expected a JSON object such as {"platforms": ["wechat_oa", "douyin"]}.', { status: 400 });
    }
    const { job, existing } = await media.requestRenditions((request.params as { id: string }).id, body, actorOf(request));
    return reply.status(202).send({ ...job, existing });
  });

  app.get('/api/media/:id/content', auth, async (request, reply) => {
    const info = await media.describeOriginal((request.params as { id: string }).id);
    return sendBlob(request, reply, info, (range) => media.openBlob(info, range), 'private');
  });

  // The editor's address of a rendition: resolved to its file, then served like a published one (behind the token).
  app.get('/api/media/:id/renditions/:spec', auth, async (request, reply) => {
    const { id, spec } = request.params as { id: string; spec: string };
    const { file, fileName } = await media.describeRendition(id, spec, { channel: (request.query as { channel?: string }).channel });
    return sendRenditionFile(request, reply, media.store, file, fileName, 'private');
  });
}

/**
 * GET /media/<rendition sha256>.<ext>: a rendition a delivery published by URL (the media center
 * fetches covers, pictures and videos this way), without a token. Only published renditions are
 * served (media/published.ts): an original's hash, a made-up name, a path with `..` or a wrong
 * extension is a 404, and nothing is rendered on request.
 */
export function registerPublicRenditions(app: FastifyInstance, store: MediaStore): void {
  app.get('/media/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const published = await findPublishedRendition(store, name).catch(() => null);
    if (!published) {
      return reply
        .status(404)
        .header('cache-control', 'no-store')
        .send({ error: { code: 'not_found', message: 'No published file has this name.', messageZh: '没有这个名称的已发布文件。', requestId: request.id } });
    }
    return sendRenditionFile(request, reply, store, published, name, 'public');
  });
}

/**
 * The one way a rendition file is served, by both of its URLs: its bytes from the store by its
 * own hash, with Range, ETag and an immutable cache header (`public` only for published ones).
 */
async function sendRenditionFile(
  request: FastifyRequest,
  reply: FastifyReply,
  store: MediaStore,
  file: RenditionFile,
  fileName: string,
  access: 'private' | 'public',
) {
  const size = (await store.stat(file.sha256))?.size ?? file.sizeBytes;
  const info: BlobInfo = { sha256: file.sha256, size, mime: file.mime, fileName };
  return sendBlob(request, reply, info, (range) => store.createReadStream(file.sha256, range ?? {}), access);
}
