/** The OpenAPI 3.1 description of the HTTP API, served at GET /api/openapi.json. */

const error = { $ref: '#/components/responses/Error' };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Package id, e.g. pkg-20261125-1a2b3c4d' };
const secured = [{ bearer: [] }];
const channelParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Channel id, URL-encoded, e.g. wechat_oa%3Ablfb' };
const deliveryParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Delivery id (or a unique prefix of 8+ characters, or the business key)' };

function op(summary: string, extra: Record<string, unknown> = {}, ok: Record<string, unknown> = { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }) {
  return {
    summary,
    security: secured,
    ...extra,
    responses: { '200': ok, '400': error, '401': error, '403': error, '404': error, '409': error },
  };
}

const mediaIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' }, description: 'Media id: the SHA-256 of the original (hex)' };
const fileResponses = (what: string) => ({
  '200': { description: `${what}, with ETag (the SHA-256), Accept-Ranges and an immutable Cache-Control`, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
  '206': { description: 'The requested byte range (Range: bytes=start-end)' },
  '304': { description: 'Not modified (If-None-Match)' },
  '404': error,
  '416': error,
});

/** Media: uploads, rendition jobs with progress, originals and renditions as files. */
function mediaPaths() {
  return {
    '/api/media': {
      get: op('Uploaded originals, newest first', {
        parameters: [
          { name: 'kind', in: 'query', schema: { enum: ['image', 'video', 'audio'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 1000 } },
        ],
      }),
      post: {
        ...op('Upload an original (multipart/form-data, one file part). Streamed into the content-addressed store and probed by content, not name: type, dimensions, duration, codecs. Refuses empty (400), corrupt (400), unsupported (415) and oversized (413) files with a message naming the limit and by how much.', {
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } } },
        }),
        responses: {
          '201': { description: 'Stored: the media record ({id, kind, mime, width, height, durationSec, contentUrl, warnings, …})' },
          '200': { description: 'The same bytes were already stored: the existing record (created: false)' },
          '400': error,
          '401': error,
          '403': error,
          '413': error,
          '415': error,
        },
      },
    },
    '/api/media/{id}': { get: op('A media record with its renditions and rendition jobs (state, progress 0–100, current spec, per-spec results)', { parameters: [mediaIdParam] }) },
    '/api/media/{id}/content': {
      get: { summary: 'The original file, for govpub users only (it keeps its EXIF/GPS; published pages and posts carry renditions). Range requests supported.', security: secured, parameters: [mediaIdParam], responses: { ...fileResponses('The original'), '401': error } },
    },
    '/api/media/{id}/renditions': {
      post: {
        ...op('Request renditions: a Temporal job makes each one (cached by original × spec × watermark: asking twice costs nothing). Specs the original cannot serve are listed in `problems` before any work.', {
          parameters: [mediaIdParam],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    platforms: { type: 'array', items: { type: 'string' }, examples: [['wechat_oa', 'douyin']] },
                    specs: { type: 'array', items: { type: 'string' }, examples: [['douyin.video_720', 'wechat_oa.thumb']] },
                    channel: { type: 'string', description: 'Channel id: its watermark applies (config/registry/watermarks.yaml); its platform when no platforms/specs are given' },
                    watermark: { type: 'boolean', description: 'false: no watermark even where the channel has one' },
                    owner: { type: 'object', properties: { packageId: { type: 'string' }, deliveryKey: { type: 'string' } } },
                  },
                },
              },
            },
          },
        }),
        responses: { '202': { description: 'The job ({id, state, progress, specs, problems, existing})' }, '400': error, '401': error, '403': error, '404': error, '422': error },
      },
    },
    '/api/media/{id}/renditions/{spec}': {
      get: {
        summary: 'A rendition file, e.g. for manual hand-off bundles (also the ones a delivery prepared). Range requests supported. The public copies of published renditions are at /media/<rendition sha256>.<ext>.',
        security: secured,
        parameters: [
          mediaIdParam,
          { name: 'spec', in: 'path', required: true, schema: { type: 'string' }, description: 'Rendition key, e.g. wechat_oa.thumb' },
          { name: 'channel', in: 'query', schema: { type: 'string' }, description: "Prefer the rendition made for this channel (its watermark)" },
        ],
        responses: { ...fileResponses('The rendition'), '401': error },
      },
    },
    '/api/media/jobs/{jobId}': {
      get: op('One rendition job: state (queued, running, done, failed, canceled), progress, current spec, results', { parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }] }),
      delete: {
        ...op('Cancel a rendition job: the running transcode is stopped (ffmpeg killed)', { parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }] }),
        responses: { '200': { description: 'Canceled' }, '202': { description: 'Cancel requested; still stopping' }, '401': error, '403': error, '404': error, '409': error },
      },
    },
  };
}

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'govpub API',
      version: '0.1.0',
      description:
        'Release packages (a policy document with its interpretations) move through organize → review (初审/复审/终审) → release → retract, enforcing the three synchronizations (三同步). Errors are `{error: {code, message, issues?}}`: 400 carries field paths in `issues`, 409 a rule code and a sentence a person can act on.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token printed by `govpub users add`.' } },
      responses: {
        Error: {
          description: 'Error',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    required: ['code', 'message'],
                    properties: {
                      code: { type: 'string', examples: ['invalid_body', 'interpretation_required', 'stale_revision', 'self_approval', 'wrong_stage', 'content_locked'] },
                      message: { type: 'string' },
                      issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
      schemas: {
        PackageInput: {
          type: 'object',
          required: ['title', 'catalogueItem', 'document', 'targets'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', maxLength: 200 },
            catalogueItem: { type: 'string', description: 'Id from GET /api/catalogue; decides review stages and whether interpretation is required.' },
            document: {
              type: 'object',
              required: ['title', 'body'],
              properties: {
                title: { type: 'string' },
                body: { type: 'string', description: 'HTML; sanitized on input.' },
                issuingUnit: { type: 'string', description: 'Required for policy documents.' },
                documentNumber: { type: 'string', examples: ['碑政发〔2026〕3号'] },
                formedAt: { type: 'string', format: 'date' },
                attachments: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, url: { type: 'string' }, mediaId: { type: 'string' } } } },
              },
            },
            interpretations: {
              type: 'array',
              items: {
                type: 'object',
                required: ['form', 'title'],
                properties: {
                  form: { enum: ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'] },
                  title: { type: 'string' },
                  body: { type: 'string' },
                  mediaId: { type: 'string' },
                  url: { type: 'string' },
                  interpreter: { type: 'string', description: 'Required for leader_interview (主要负责人解读).' },
                },
              },
            },
            targets: { type: 'array', items: { type: 'string' }, description: 'Channel ids from GET /api/channels, e.g. portal:zwgk-zcwj, wechat_oa:blwhly.' },
            releaseAt: { type: ['string', 'null'], format: 'date-time' },
            cover: { type: 'object', required: ['mediaId', 'alt'], properties: { mediaId: { type: 'string', pattern: '^[0-9a-f]{64}$' }, alt: { type: 'string', maxLength: 200 } } },
          },
        },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Health of the API, database and Temporal', responses: { '200': { description: 'OK' } } } },
      '/api/channels': {
        get: op('Every channel: portal columns, new-media accounts, media-center columns, with platform, base URL, endpoint health, pause state and limits (never secrets)', {
          parameters: [
            { name: 'platform', in: 'query', schema: { type: 'string' } },
            { name: 'paused', in: 'query', schema: { enum: ['true', 'false'] } },
          ],
        }),
      },
      '/api/channels/{id}/pause': {
        post: op('Hold every delivery to the channel (ops/admin; audited)', {
          parameters: [channelParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } },
        }),
      },
      '/api/channels/{id}/resume': { post: op('Lift a pause or the hold after refused credentials and wake the waiting deliveries (ops/admin; audited)', { parameters: [channelParam] }) },
      '/api/deliveries': {
        get: op('Deliveries (one per package revision × channel), newest change first, with counts per state', {
          parameters: [
            { name: 'state', in: 'query', schema: { enum: ['pending', 'transmitting', 'unconfirmed', 'live', 'failed', 'needs_reconnect', 'rate_limited', 'awaiting_manual', 'retracting', 'retracted', 'canceled'] } },
            { name: 'channel', in: 'query', schema: { type: 'string' }, description: 'Channel id, e.g. wechat_oa:blfb' },
            { name: 'platform', in: 'query', schema: { type: 'string' } },
            { name: 'package', in: 'query', schema: { type: 'string' } },
            { name: 'needsAction', in: 'query', schema: { enum: ['true', 'false'] }, description: 'Only deliveries waiting for operations (failed, needs_reconnect, awaiting_manual, unconfirmed, open tasks)' },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 1000 } },
          ],
        }),
      },
      '/api/deliveries/{id}': { get: op('One delivery: state, task, attempts, next attempt, error class and message, problems for the editor, payload snapshot, what it waits for', { parameters: [deliveryParam] }) },
      '/api/deliveries/{id}/retry': { post: op('Try a failed, held or waiting delivery again now (ops/admin; audited)', { parameters: [deliveryParam] }) },
      '/api/deliveries/{id}/skip': {
        post: op('Give up on a delivery, with the reason (ops/admin; audited)', {
          parameters: [deliveryParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } },
        }),
      },
      '/api/deliveries/{id}/confirm': {
        post: op('Confirm by hand: a manual post with its URL (checked against the platform), an unconfirmed post seen live, or a manual take-down (ops/admin; audited)', {
          parameters: [deliveryParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { url: { type: 'string', format: 'uri' }, note: { type: 'string' } } } } } },
        }),
      },
      '/api/catalogue': { get: op('The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required') },
      '/api/packages': {
        get: op('Queues: packages by status and stage', {
          parameters: [
            { name: 'status', in: 'query', schema: { enum: ['draft', 'in_review', 'approved', 'scheduled', 'releasing', 'released', 'retracting', 'retracted'] } },
            { name: 'stage', in: 'query', schema: { type: 'string' }, description: 'Stage id or name (first/初审, second/复审, final/终审)' },
          ],
        }),
        post: {
          ...op('Create a release package (draft, revision 1)', { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PackageInput' } } } } }),
          responses: { '201': { description: 'Created: {id, revision, status}' }, '400': error, '401': error, '403': error },
        },
      },
      '/api/packages/{id}': {
        get: op('Status, stage, revision, approvals, decisions and per-channel deliveries', { parameters: [idParam] }),
        put: op('Edit: a new revision. Voids approvals; an approved package restarts review at the first stage. Locked while in review.', {
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PackageInput' } } } },
        }),
      },
      '/api/packages/{id}/submit': { post: op('Submit a draft for review (refused without a required interpretation)', { parameters: [idParam] }) },
      '/api/packages/{id}/withdraw': { post: op('Withdraw from review; voids approvals', { parameters: [idParam] }) },
      '/api/packages/{id}/decisions': {
        post: op('Approve or reject the whole package at the current stage and revision', {
          parameters: [idParam],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['revision', 'decision'], properties: { revision: { type: 'integer' }, decision: { enum: ['approve', 'reject'] }, comment: { type: 'string' } } } } },
          },
        }),
      },
      '/api/packages/{id}/schedule': {
        put: op('Change the release time (keeps approvals); null releases as soon as approved', {
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { releaseAt: { type: ['string', 'null'], format: 'date-time' } } } } } },
        }),
        delete: op('Cancel the scheduled release (keeps approvals; the package waits until rescheduled or released)', { parameters: [idParam] }),
      },
      '/api/packages/{id}/release': { post: op('Release an approved package now', { parameters: [idParam] }) },
      '/api/packages/{id}/retract': {
        post: op('Retract (撤稿) a released package from every channel that received it', {
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } },
        }),
      },
      ...mediaPaths(),
      '/api/audit': {
        get: op('The append-only audit trail', {
          parameters: [
            { name: 'package', in: 'query', schema: { type: 'string' } },
            { name: 'action', in: 'query', schema: { type: 'string' } },
            { name: 'after', in: 'query', schema: { type: 'string' }, description: 'Entries after this id (paging)' },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 5000 } },
          ],
        }),
      },
    },
  };
}
