/** The media routes' schemas: uploaded originals, their renditions and rendition jobs. */
import { Type, type TSchema } from 'typebox';
import {
  cursorParam,
  idText,
  LIMITS,
  limitParam,
  MEDIA_ID,
  nullableString,
  queryText,
  tags,
  timestamp,
  nullableTimestamp,
  type RouteSchema,
} from './common.js';

export const MediaParams = Type.Object({ id: idText('Media id: the SHA-256 of the original (hex), or a unique prefix of it', 64) });
export const MediaRenditionParams = Type.Object({
  id: idText('Media id (SHA-256 of the original)', 64),
  spec: idText('Rendition key, e.g. wechat_oa.thumb', 100),
});
export const MediaJobParams = Type.Object({ jobId: idText('Rendition job id', 100) });

export const MediaListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Enum(['image', 'video', 'audio', 'document', 'captions'])),
    limit: limitParam(LIMITS.list, 100),
    cursor: cursorParam,
  },
  { additionalProperties: false },
);

export const RenditionFileQuery = Type.Object(
  { channel: queryText('Prefer the rendition made for this channel (its watermark)') },
  { additionalProperties: false },
);

export const RenditionRequestBody = Type.Object(
  {
    platforms: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20, examples: [['wechat_oa', 'douyin']] })),
    specs: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100, examples: [['douyin.video_720', 'wechat_oa.thumb']] })),
    channel: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Channel id: its watermark applies (config/registry/watermarks.yaml); its platform when no platforms/specs are given',
      }),
    ),
    watermark: Type.Optional(Type.Boolean({ description: 'false: no watermark even where the channel has one' })),
    owner: Type.Optional(
      Type.Object(
        { packageId: Type.Optional(Type.String({ maxLength: 100 })), deliveryKey: Type.Optional(Type.String({ maxLength: 300 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const MediaView = Type.Object(
  {
    id: Type.String({ pattern: MEDIA_ID }),
    kind: Type.Enum(['image', 'video', 'audio', 'document', 'captions'], { description: 'document: an attachment (PDF, Word, Excel, OFD); captions: WebVTT' }),
    mime: Type.String(),
    format: Type.String(),
    sizeBytes: Type.Integer(),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    durationSec: Type.Union([Type.Number(), Type.Null()]),
    uploadName: nullableString,
    createdBy: Type.String(),
    createdByName: Type.Optional(nullableString),
    createdAt: timestamp,
    contentUrl: Type.String(),
    probe: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'MediaView' },
);

export const Rendition = Type.Object(
  {
    specKey: Type.String({ description: 'The rendition spec, e.g. wechat_oa.thumb' }),
    label: Type.Optional(Type.String({ description: 'What the spec is, in English; absent for a spec no longer declared' })),
    labelZh: Type.Optional(
      Type.String({ description: 'What editors call it, e.g. 微信公众号缩略图素材（2.35:1，不超过 64 KB）; absent for a spec no longer declared' }),
    ),
    sha256: Type.String(),
    mime: Type.String(),
    sizeBytes: Type.Integer(),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    durationSec: Type.Union([Type.Number(), Type.Null()]),
    watermarked: Type.Boolean(),
    channelId: Type.Union([Type.String(), Type.Null()], { description: 'The channel whose watermark it carries, if any' }),
    warnings: Type.Array(Type.String(), { description: 'What making it noted (enlarged, no watermark, …)' }),
    warningsZh: Type.Array(Type.String(), { description: 'The same notes in Chinese, in the same order' }),
    url: Type.String({ description: 'Where to fetch the file (needs the token)' }),
    createdAt: timestamp,
  },
  { title: 'Rendition' },
);

export const MediaJob = Type.Object(
  {
    id: Type.String(),
    mediaId: Type.String(),
    state: Type.Enum(['queued', 'running', 'done', 'failed', 'canceled']),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    currentSpec: nullableString,
    specs: Type.Array(Type.String()),
    specNames: Type.Record(Type.String(), Type.Object({ label: Type.String(), labelZh: Type.String() }), {
      description: 'Per spec key of the job: what editors call it, in English and in Chinese (e.g. 微信公众号封面（2.35:1）)',
    }),
    problems: Type.Array(Type.Object({ spec: Type.String(), code: Type.String(), message: Type.String(), messageZh: Type.Optional(Type.String()) }), {
      description: 'Specs refused before any work, with the reason',
    }),
    specProgress: Type.Record(Type.String(), Type.Number(), { description: 'Per spec: its progress 0–100' }),
    channelId: Type.Union([Type.String(), Type.Null()], { description: 'The channel whose watermark applies, if any' }),
    results: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Per spec: the rendition made ({ok: true, sha256, …}) or why not ({ok: false, code, message, messageZh})',
    }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why the job failed' }),
    workflowId: Type.Union([Type.String(), Type.Null()], { description: 'The Temporal workflow making the renditions' }),
    owner: Type.Object(
      { packageId: Type.Optional(Type.String()), deliveryKey: Type.Optional(Type.String()) },
      { description: 'The package or delivery it was asked for, if any' },
    ),
    requestedBy: Type.String({ description: 'Who asked' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: nullableTimestamp,
  },
  { title: 'MediaJob', description: 'A rendition job (state, progress 0–100, current spec, per-spec results)' },
);

const fileResponse = (what: string) =>
  Type.Unknown({
    description: `${what}, with ETag (the SHA-256), Accept-Ranges and an immutable Cache-Control`,
    'x-content': { '*/*': { schema: { type: 'string', format: 'binary' } } },
  });

/** A file download (no token needed): the file, a byte range of it (Range), or "not modified" (If-None-Match). */
function fileRoute<P extends TSchema>(summary: string, what: string, parts: { params: P; querystring?: TSchema; range: string; notModified: string }) {
  return {
    summary,
    tags: tags.media,
    params: parts.params,
    ...(parts.querystring ? { querystring: parts.querystring } : {}),
    response: {
      200: fileResponse(what),
      206: Type.Unknown({ description: parts.range }),
      304: Type.Unknown({ description: parts.notModified }),
    },
    'x-errors': [404, 416],
  };
}

/** An upload's answer: the media record, new (201) or already stored (200). */
function uploaded(created: boolean, description: string) {
  return Type.Intersect(
    [
      MediaView,
      Type.Object({
        created: Type.Literal(created),
        warnings: Type.Array(Type.String()),
        warningsZh: Type.Array(Type.String(), { description: 'The same notes in Chinese, in the same order' }),
      }),
    ],
    { description },
  );
}

/** A rendition job's answer under another description. */
const jobAs = (description: string) => Type.Intersect([MediaJob], { description });

/**
 * The media routes (api/media-routes.ts registers them), declared here until that file attaches
 * them itself: the API applies each one to the route of the same method and URL when that route
 * brings no schema of its own.
 */
export const mediaRoutes: Record<string, RouteSchema> = {
  'GET /api/media': {
    summary: 'Uploaded originals, newest first',
    tags: tags.media,
    querystring: MediaListQuery,
    response: {
      200: Type.Object(
        {
          media: Type.Array(MediaView),
          nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' }),
        },
        { description: 'Originals, newest first' },
      ),
    },
  },
  'POST /api/media': {
    summary:
      'Upload an original (multipart/form-data, one file part). Streamed into the content-addressed store and probed by content, not name: type, dimensions, duration, codecs. Images, audio and video; attachments (kind document: PDF, Word .doc/.docx, Excel .xls/.xlsx, OFD, checked by their structure, 50 MB by default) and WebVTT captions (kind captions, 2 MB). Refuses empty (400), corrupt or damaged (400), unsupported (415) and oversized (413) files with a message naming the limit and by how much; 503 media_tool_failed when the server ffprobe crashed reading it, 503 ffprobe_not_found when the server has none (not a fault of the file: operations repair or install the tool, then upload again).',
    tags: tags.media,
    'x-requestBody': {
      required: true,
      content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
    },
    response: {
      201: uploaded(true, 'Stored: the media record'),
      200: uploaded(false, 'The same bytes were already stored: the existing record'),
    },
    'x-errors': [400, 413, 415, 503],
  },
  'GET /api/media/:id': {
    summary: 'A media record with its renditions and rendition jobs (state, progress 0–100, current spec, per-spec results)',
    tags: tags.media,
    params: MediaParams,
    response: {
      200: Type.Intersect([MediaView, Type.Object({ renditions: Type.Array(Rendition), jobs: Type.Array(MediaJob) })], { description: 'The record' }),
    },
    'x-errors': [404],
  },
  'GET /api/media/:id/content': fileRoute(
    'The original file, as uploaded (it keeps its EXIF/GPS, so it needs the token like every /api/media route; the public gets renditions only). Range requests supported.',
    'The original',
    {
      params: MediaParams,
      range: 'The requested byte range (Range: bytes=start-end)',
      notModified: 'Not modified (If-None-Match)',
    },
  ),
  'POST /api/media/:id/renditions': {
    summary:
      'Request renditions: a Temporal job makes each one (cached by original × spec × watermark: asking twice costs nothing). Specs the original cannot serve are listed in `problems` before any work.',
    tags: tags.media,
    params: MediaParams,
    body: RenditionRequestBody,
    response: { 202: Type.Intersect([MediaJob, Type.Object({ existing: Type.Unknown() })], { description: 'The job' }) },
    'x-errors': [404, 422],
  },
  'GET /api/media/:id/renditions/:spec': fileRoute(
    'A rendition file, e.g. for manual hand-off bundles (needs the token; published renditions are public at /media/<sha256>.<ext>). Range requests supported.',
    'The rendition',
    { params: MediaRenditionParams, querystring: RenditionFileQuery, range: 'The requested byte range', notModified: 'Not modified' },
  ),
  'GET /api/media/jobs/:jobId': {
    summary: 'One rendition job: state (queued, running, done, failed, canceled), progress, current spec, results',
    tags: tags.media,
    params: MediaJobParams,
    response: { 200: MediaJob },
    'x-errors': [404],
  },
  'DELETE /api/media/jobs/:jobId': {
    summary: 'Cancel a rendition job: the running transcode is stopped (ffmpeg killed)',
    tags: tags.media,
    params: MediaJobParams,
    response: {
      200: jobAs('Canceled'),
      202: jobAs('Cancel requested; still stopping'),
    },
    'x-errors': [404, 409],
  },
};
