/**
 * Every route's request and response shapes, declared once with TypeBox. Fastify validates
 * requests with these schemas (api/validation.ts), handlers take their types from them
 * (`Static<typeof …>`), and GET /api/openapi.json is generated from them (api/openapi.ts): there
 * is no second description to drift.
 *
 * The package body's registry-aware rules (catalogue items, channels, 三同步, document numbers)
 * stay in services/package-input.ts; the schema here gives shape, types, lengths and unknown fields.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { FastifySchema } from 'fastify';
import { INTERPRETATION_FORMS, PACKAGE_STATUSES } from '../domain/package-rules.js';
import { PLATFORMS } from '../domain/registry.js';
import { DELIVERY_STATES } from '../contracts/delivery.js';
import { RETENTION_HOURS } from './idempotency.js';
import { MAX_NOTE_CHARS } from '../domain/text.js';

/** Request limits (characters, items). Notes are comments, reasons and notes: they go into workflow history. */
export const LIMITS = {
  note: MAX_NOTE_CHARS,
  title: 200,
  body: 200_000,
  name: 200,
  url: 2000,
  interpretations: 20,
  attachments: 50,
  targets: 400,
  list: 1000,
  audit: 5000,
  idempotencyKey: 255,
} as const;

/** A route's schema: Fastify's parts plus the OpenAPI words that describe it. */
export interface RouteSchema extends FastifySchema {
  summary: string;
  description?: string;
  tags?: string[];
  /** Request body described for OpenAPI only (a multipart upload is not validated as JSON). */
  'x-requestBody'?: Record<string, unknown>;
  /** Status codes (besides the defaults) the route answers with an error. */
  'x-errors'?: number[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** No control characters (NUL cannot be stored in PostgreSQL text; the others are invisible). */
const SAFE_TEXT = '^[^\\u0000-\\u001f\\u007f]*$';
const SAFE_MESSAGE = 'contains a control character (such as NUL); remove it';

function idText(description: string, maxLength: number, examples?: string[]) {
  return Type.String({ minLength: 1, maxLength, pattern: SAFE_TEXT, 'x-message': SAFE_MESSAGE, description, ...(examples ? { examples } : {}) });
}

function queryText(description: string, maxLength = 200) {
  return Type.Optional(Type.String({ minLength: 1, maxLength, pattern: SAFE_TEXT, 'x-message': SAFE_MESSAGE, description }));
}

const note = (description: string) => Type.String({ maxLength: LIMITS.note, description: `${description} At most ${LIMITS.note} characters.` });
const requiredNote = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: LIMITS.note,
    pattern: '\\S',
    'x-message': 'must not be blank',
    description: `${description} At most ${LIMITS.note} characters.`,
  });

const MEDIA_ID = '^[0-9a-f]{64}$';
const mediaId = (description: string) =>
  Type.String({ pattern: MEDIA_ID, 'x-message': 'expected the id of an uploaded file (64 hex characters, from POST /api/media)', description });
const httpUrl = (description: string) => Type.String({ maxLength: LIMITS.url, pattern: '^https?://', 'x-message': 'must be an http(s) URL', description });
const dateTime = (description: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });
const limitParam = (max: number, fallback: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: `At most this many (default ${fallback}, at most ${max}).` }));
const booleanParam = (description: string) => Type.Optional(Type.Boolean({ description: `${description} (true or false)` }));
const timestamp = Type.String({ format: 'date-time' });
const nullableTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const nullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * `T or null` as one schema (`type: [T, "null"]`) rather than `anyOf`, so a wrong value gets one
 * issue naming what is expected instead of one per alternative.
 */
function nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: string }).type;
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** Routes that take no request body still accept none but an empty object. */
export const NoBody = Type.Object({}, { additionalProperties: false, description: 'No body (or an empty JSON object).' });
/** Routes without query parameters refuse any (see README: unknown query parameters are a 400). */
export const NoQuery = Type.Object({}, { additionalProperties: false });

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export const Issue = Type.Object({
  path: Type.String({ description: 'Field path such as document.title, interpretations[0].form, limit; empty for the whole body.' }),
  message: Type.String(),
});

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        examples: [
          'invalid_body',
          'invalid_query',
          'invalid_params',
          'unsupported_media_type',
          'idempotency_key_reused',
          'interpretation_required',
          'stale_revision',
          'self_approval',
          'wrong_stage',
          'content_locked',
          'internal',
        ],
      }),
      message: Type.String({ description: 'What is wrong and what to do, in a sentence.' }),
      issues: Type.Optional(Type.Array(Issue, { description: '400: one entry per field.' })),
      problems: Type.Optional(Type.Unknown({ description: 'Rule refusals with details (e.g. specs a rendition request cannot serve).' })),
      requestId: Type.String({ description: 'Also the X-Request-Id header; quote it when reporting a problem (500s are logged with it).' }),
    }),
  },
  { title: 'Error', description: 'Error' },
);

// ---------------------------------------------------------------------------------------------
// Path parameters
// ---------------------------------------------------------------------------------------------

export const PackageParams = Type.Object({ id: idText('Package id, e.g. pkg-20261125-1a2b3c4d', 100) });
export const ChannelParams = Type.Object({ id: idText('Channel id, URL-encoded, e.g. wechat_oa%3Ablfb', 200, ['wechat_oa:blfb', 'portal:zwgk-zcwj']) });
export const DeliveryParams = Type.Object({ id: idText('Delivery id, a unique prefix of 8+ characters of it, or its business key', 300) });
export const MediaParams = Type.Object({ id: idText('Media id: the SHA-256 of the original (hex), or a unique prefix of it', 64) });
export const MediaRenditionParams = Type.Object({
  id: idText('Media id (SHA-256 of the original)', 64),
  spec: idText('Rendition key, e.g. wechat_oa.thumb', 100),
});
export const MediaJobParams = Type.Object({ jobId: idText('Rendition job id', 100) });

// ---------------------------------------------------------------------------------------------
// Query strings
// ---------------------------------------------------------------------------------------------

export const PackageListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...PACKAGE_STATUSES])),
    stage: queryText('Stage id or name (first/初审, second/复审, final/终审)'),
    limit: limitParam(LIMITS.list, 200),
  },
  { additionalProperties: false },
);

export const ChannelListQuery = Type.Object(
  {
    platform: Type.Optional(Type.Enum([...PLATFORMS])),
    paused: booleanParam('Only paused channels, or only channels that are not paused'),
  },
  { additionalProperties: false },
);

export const DeliveryListQuery = Type.Object(
  {
    state: Type.Optional(Type.Enum([...DELIVERY_STATES])),
    channel: queryText('Channel id, e.g. wechat_oa:blfb'),
    platform: Type.Optional(Type.Enum([...PLATFORMS])),
    package: queryText('Package id', 100),
    needsAction: booleanParam('Only deliveries waiting for operations (failed, needs_reconnect, awaiting_manual, unconfirmed, open tasks)'),
    limit: limitParam(LIMITS.list, 200),
  },
  { additionalProperties: false },
);

export const AuditQuery = Type.Object(
  {
    package: queryText('Package id', 100),
    action: queryText('Action, e.g. create, approve, retract_requested, channel_paused', 100),
    after: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,18}$',
        'x-message': 'expected the id of an audit entry (digits), from the last page',
        description: 'Entries after this id (paging)',
      }),
    ),
    limit: limitParam(LIMITS.audit, 500),
  },
  { additionalProperties: false },
);

export const MediaListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Enum(['image', 'video', 'audio'])),
    limit: limitParam(LIMITS.list, 100),
  },
  { additionalProperties: false },
);

export const RenditionFileQuery = Type.Object(
  { channel: queryText('Prefer the rendition made for this channel (its watermark)') },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      // A token or a quoted string (draft-ietf-httpapi-idempotency-key-header): printable ASCII.
      pattern: `^(?:[!#-~]{1,${LIMITS.idempotencyKey}}|"[!#-~]{1,${LIMITS.idempotencyKey}}")$`,
      'x-message': `expected 1 to ${LIMITS.idempotencyKey} printable ASCII characters without spaces, e.g. a UUID`,
      description: `Makes the request safe to retry: the same key from the same user with the same body answers with the first response (same id, 201, header Idempotent-Replayed: true); with a different body 409 idempotency_key_reused. Keys are kept ${RETENTION_HOURS} hours.`,
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

const Attachment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.name }),
    url: Type.Optional(httpUrl('Where the attachment is published')),
    mediaId: Type.Optional(mediaId('An uploaded file')),
  },
  { additionalProperties: false },
);

const PackageDocument = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
    body: Type.String({
      minLength: 1,
      maxLength: LIMITS.body,
      description: 'HTML; sanitized on input. Images are <img src="/api/media/<id>/content" alt="…">.',
    }),
    issuingUnit: Type.Optional(Type.String({ maxLength: 100, description: 'Required for policy documents.' })),
    documentNumber: Type.Optional(Type.String({ maxLength: 64, examples: ['碑政发〔2026〕3号'] })),
    formedAt: Type.Optional(Type.String({ format: 'date' })),
    attachments: Type.Optional(Type.Array(Attachment, { maxItems: LIMITS.attachments })),
  },
  { additionalProperties: false },
);

const PackageInterpretation = Type.Object(
  {
    form: Type.Enum([...INTERPRETATION_FORMS]),
    title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
    body: Type.Optional(Type.String({ maxLength: LIMITS.body, description: 'HTML; required for text and leader_interview.' })),
    mediaId: Type.Optional(mediaId('The uploaded video, audio or image (POST /api/media)')),
    url: Type.Optional(httpUrl('The H5 page, or where a video/audio is hosted')),
    interpreter: Type.Optional(Type.String({ maxLength: 100, description: 'Required for leader_interview (主要负责人解读).' })),
  },
  { additionalProperties: false },
);

export const PackageInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
    catalogueItem: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Id from GET /api/catalogue; decides review stages and whether interpretation is required.',
    }),
    document: PackageDocument,
    interpretations: Type.Optional(nullable(Type.Array(PackageInterpretation, { maxItems: LIMITS.interpretations }))),
    targets: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      minItems: 1,
      maxItems: LIMITS.targets,
      description: 'Channel ids from GET /api/channels, e.g. portal:zwgk-zcwj, wechat_oa:blwhly.',
    }),
    releaseAt: Type.Optional(dateTime('When to release once approved (with its offset); null: as soon as approved.')),
    cover: Type.Optional(
      nullable(
        Type.Object(
          { mediaId: mediaId('An uploaded image'), alt: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false, description: 'The cover: an uploaded image with its alt text' },
        ),
      ),
    ),
  },
  { additionalProperties: false, title: 'PackageInput' },
);

export const DecisionBody = Type.Object(
  {
    revision: Type.Integer({ minimum: 1, description: 'The revision you reviewed' }),
    decision: Type.Enum(['approve', 'reject']),
    comment: Type.Optional(note('What the reviewer says (required in practice for a rejection).')),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object({ reason: requiredNote('Why: it goes to the audit trail.') }, { additionalProperties: false });
export const OptionalReasonBody = Type.Object({ reason: Type.Optional(note('Why (optional); it goes to the audit trail.')) }, { additionalProperties: false });
export const ScheduleBody = Type.Object(
  { releaseAt: dateTime('The new release time (with its offset); null releases as soon as approved.') },
  { additionalProperties: false },
);
export const ConfirmBody = Type.Object(
  {
    url: Type.Optional(httpUrl('The address of the manual post on the platform (checked against the platform)')),
    note: Type.Optional(note('What was done by hand.')),
  },
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

// ---------------------------------------------------------------------------------------------
// Responses (documentation and contract tests; responses are serialized as they are)
// ---------------------------------------------------------------------------------------------

const StageRef = Type.Object({ id: Type.String(), name: Type.String() });

export const PackageSummary = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum([...PACKAGE_STATUSES]),
    revision: Type.Integer(),
    currentStage: nullableString,
    approvals: Type.Array(Type.Unknown()),
    releaseAt: nullableString,
    onHold: Type.Boolean(),
  },
  { title: 'PackageSummary', description: 'The package after the step: status, revision, stage, approvals' },
);

export const CreatedPackage = Type.Object(
  { id: Type.String(), revision: Type.Integer(), status: Type.Literal('draft'), contentHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { description: 'Created: the new package (draft, revision 1)' },
);

export const EditedPackage = Type.Object(
  { id: Type.String(), revision: Type.Integer(), status: Type.String(), contentHash: Type.String(), unchanged: Type.Optional(Type.Boolean()) },
  { description: 'Edited: the new revision (or `unchanged: true` when the content is the same)' },
);

export const DeliveryRef = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  state: Type.Enum([...DELIVERY_STATES]),
  task: nullableString,
  publicUrl: nullableString,
  liveAt: nullableTimestamp,
  attempts: Type.Integer(),
  nextAttemptAt: nullableTimestamp,
  errorClass: nullableString,
  errorMessage: nullableString,
  problems: Type.Array(Type.Unknown()),
  warnings: Type.Array(Type.String()),
  revision: Type.Integer(),
});

export const PackageView = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    catalogueItem: Type.String(),
    contentClass: Type.String(),
    status: Type.Enum([...PACKAGE_STATUSES]),
    currentStage: nullableString,
    currentStageName: nullableString,
    stages: Type.Array(StageRef),
    revision: Type.Integer(),
    contentHash: Type.String(),
    approvedRevision: Type.Union([Type.Integer(), Type.Null()]),
    releaseAt: nullableTimestamp,
    onHold: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: timestamp,
    releasedAt: nullableTimestamp,
    retractedAt: nullableTimestamp,
    lastRejection: Type.Unknown(),
    retraction: Type.Unknown(),
    waitingFor: Type.Union(
      [
        Type.Object({
          step: Type.String({ description: 'The step being recorded, e.g. submit or approve' }),
          since: timestamp,
          attempts: Type.Integer(),
          lastFailure: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed, e.g. the database is unreachable' }),
        }),
        Type.Null(),
      ],
      { description: 'A step that is still being recorded (null when none): what holds the package and why' },
    ),
    stalledDeliveries: Type.Array(Type.String(), {
      description: 'Channels whose delivery workflow failed for good and wait for POST /api/deliveries/:id/retry',
    }),
    approvals: Type.Array(Type.Object({ stage: Type.String(), reviewer: Type.String(), revision: Type.Integer(), at: timestamp, comment: Type.String() })),
    decisions: Type.Array(
      Type.Object({
        stage: Type.String(),
        decision: Type.Enum(['approve', 'reject']),
        reviewer: Type.String(),
        revision: Type.Integer(),
        comment: Type.String(),
        at: timestamp,
        voided: Type.Boolean(),
        voidedReason: nullableString,
      }),
    ),
    deliverySummary: Type.Record(Type.String(), Type.Integer(), { description: 'Deliveries per state' }),
    deliveries: Type.Array(DeliveryRef),
    content: Type.Unknown({ description: 'The current revision as stored (the PackageInput, sanitized and normalized)' }),
    media: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Rendition progress of the media the package uses, by media id' })),
  },
  { title: 'PackageView', description: 'Status, stage, revision, approvals, decisions and per-channel deliveries' },
);

export const PackageList = Type.Object(
  {
    packages: Type.Array(
      Type.Object({
        id: Type.String(),
        title: Type.String(),
        status: Type.String(),
        currentStage: nullableString,
        revision: Type.Integer(),
        catalogueItem: Type.String(),
        releaseAt: nullableTimestamp,
        updatedAt: timestamp,
      }),
    ),
  },
  { description: 'Packages, most recently changed first' },
);

export const ChannelList = Type.Object(
  {
    channels: Type.Array(
      Type.Object({
        id: Type.String(),
        platform: Type.Enum([...PLATFORMS]),
        kind: Type.String(),
        name: Type.String(),
        ownerUnit: Type.Optional(Type.String()),
        publishing: Type.String(),
        ref: Type.String(),
        paused: Type.Boolean(),
        pausedReason: nullableString,
      }),
      { description: 'Each channel, plus its base URL, endpoint health and limits where known (never secrets)' },
    ),
  },
  { description: 'Channels' },
);

export const PauseResult = Type.Object({ channelId: Type.String(), pausedAt: timestamp, reason: Type.String() }, { description: 'Paused' });
export const ResumeResult = Type.Object({ channelId: Type.String(), woken: Type.Integer({ description: 'Deliveries woken' }) }, { description: 'Resumed' });

export const DeliveryView = Type.Object(
  {
    id: Type.String(),
    businessKey: Type.String(),
    packageId: Type.String(),
    revision: Type.Integer(),
    channelId: Type.String(),
    channelName: nullableString,
    platform: nullableString,
    state: Type.Enum([...DELIVERY_STATES]),
    task: nullableString,
    attempts: Type.Integer(),
    nextAttemptAt: nullableTimestamp,
    errorClass: nullableString,
    errorMessage: nullableString,
    platformCode: nullableString,
    problems: Type.Array(Type.Unknown()),
    warnings: Type.Array(Type.String()),
    externalId: nullableString,
    publicUrl: nullableString,
    liveAt: nullableTimestamp,
    submittedAt: nullableTimestamp,
    remindedAt: nullableTimestamp,
    skippedReason: nullableString,
    takenDownAt: nullableTimestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
    waitingFor: Type.Optional(Type.Unknown({ description: 'What the delivery waits for (one delivery only)' })),
    payload: Type.Optional(Type.Unknown({ description: 'The payload snapshot every attempt sends (one delivery only)' })),
    renditions: Type.Optional(Type.Array(Type.Unknown())),
    bundleFiles: Type.Optional(
      Type.Array(Type.Object({ name: Type.String(), mediaId: Type.String(), spec: Type.String(), purpose: Type.String(), url: Type.String() })),
    ),
  },
  { title: 'DeliveryView', description: 'One delivery (package revision × channel)' },
);

export const DeliveryList = Type.Object(
  {
    items: Type.Array(DeliveryView),
    counts: Type.Record(Type.String(), Type.Integer(), { description: 'Deliveries per state (all states, same filters but state)' }),
  },
  { description: 'Deliveries, most recently changed first' },
);

export const Catalogue = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        contentClass: Type.String(),
        requiresInterpretation: Type.Boolean(),
        stages: Type.Array(Type.String()),
      }),
    ),
  },
  { description: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required' },
);

export const AuditEntries = Type.Object(
  {
    entries: Type.Array(
      Type.Object({
        id: Type.String({ description: 'Use as `after` for the next page' }),
        at: timestamp,
        actor: Type.String({ description: "The user's name; `system` for the workflow's own steps" }),
        actorId: Type.String(),
        action: Type.String(),
        packageId: nullableString,
        revision: Type.Union([Type.Integer(), Type.Null()]),
        contentHash: nullableString,
        channelId: nullableString,
        details: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
  },
  { description: 'Audit entries, oldest first' },
);

export const Health = Type.Object(
  { status: Type.Enum(['ok', 'degraded']), database: Type.String(), temporal: Type.String() },
  { description: 'Health of the API, database and Temporal (plus extra checks)' },
);

export const OpenApiDocument = Type.Object({ openapi: Type.Literal('3.1.0') }, { description: 'This document' });

const MediaView = Type.Object(
  {
    id: Type.String({ pattern: MEDIA_ID }),
    kind: Type.Enum(['image', 'video', 'audio']),
    mime: Type.String(),
    format: Type.String(),
    sizeBytes: Type.Integer(),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    durationSec: Type.Union([Type.Number(), Type.Null()]),
    uploadName: nullableString,
    createdBy: Type.String(),
    createdAt: timestamp,
    contentUrl: Type.String(),
    probe: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'MediaView' },
);

export const MediaJob = Type.Object(
  {
    id: Type.String(),
    mediaId: Type.String(),
    state: Type.Enum(['queued', 'running', 'done', 'failed', 'canceled']),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    currentSpec: nullableString,
    specs: Type.Array(Type.String()),
    problems: Type.Array(Type.Object({ spec: Type.String(), code: Type.String(), message: Type.String() })),
  },
  { title: 'MediaJob', description: 'A rendition job (state, progress 0–100, current spec, per-spec results)' },
);

const fileResponse = (what: string) =>
  Type.Unknown({
    description: `${what}, with ETag (the SHA-256), Accept-Ranges and an immutable Cache-Control`,
    'x-content': { '*/*': { schema: { type: 'string', format: 'binary' } } },
  });

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const tags = { packages: ['packages'], review: ['review'], operations: ['operations'], registry: ['registry'], media: ['media'], system: ['system'] };

export const routes = {
  health: { summary: 'Health of the API, database and Temporal', tags: tags.system, response: { 200: Health } },
  openapi: { summary: 'This OpenAPI document, generated from the route schemas', tags: tags.system, response: { 200: OpenApiDocument } },

  listChannels: {
    summary:
      'Every channel: portal columns, new-media accounts, media-center columns, with platform, base URL, endpoint health, pause state and limits (never secrets)',
    tags: tags.operations,
    querystring: ChannelListQuery,
    response: { 200: ChannelList },
  },
  pauseChannel: {
    summary: 'Hold every delivery to the channel (ops/admin; audited)',
    tags: tags.operations,
    params: ChannelParams,
    body: ReasonBody,
    response: { 200: PauseResult },
    'x-errors': [404],
  },
  resumeChannel: {
    summary: 'Lift a pause or the hold after refused credentials and wake the waiting deliveries (ops/admin; audited)',
    tags: tags.operations,
    params: ChannelParams,
    body: NoBody,
    response: { 200: ResumeResult },
    'x-errors': [404],
  },

  listDeliveries: {
    summary: 'Deliveries (one per package revision × channel), newest change first, with counts per state',
    tags: tags.operations,
    querystring: DeliveryListQuery,
    response: { 200: DeliveryList },
  },
  getDelivery: {
    summary: 'One delivery: state, task, attempts, next attempt, error class and message, problems for the editor, payload snapshot, what it waits for',
    tags: tags.operations,
    params: DeliveryParams,
    response: { 200: DeliveryView },
    'x-errors': [404],
  },
  retryDelivery: {
    summary: 'Try a failed, held or waiting delivery again now (ops/admin; audited)',
    tags: tags.operations,
    params: DeliveryParams,
    body: NoBody,
    response: { 200: DeliveryView },
    'x-errors': [404, 409],
  },
  skipDelivery: {
    summary: 'Give up on a delivery, with the reason (ops/admin; audited)',
    tags: tags.operations,
    params: DeliveryParams,
    body: ReasonBody,
    response: { 200: DeliveryView },
    'x-errors': [404, 409],
  },
  confirmDelivery: {
    summary:
      'Confirm by hand: a manual post with its URL (checked against the platform), an unconfirmed post seen live, or a manual take-down (ops/admin; audited)',
    tags: tags.operations,
    params: DeliveryParams,
    body: ConfirmBody,
    response: { 200: DeliveryView },
    'x-errors': [404, 409],
  },

  catalogue: {
    summary: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required',
    tags: tags.registry,
    response: { 200: Catalogue },
  },

  createPackage: {
    summary: 'Create a release package (draft, revision 1). Safe to retry with an Idempotency-Key header.',
    tags: tags.packages,
    headers: IdempotencyHeaders,
    body: PackageInput,
    response: { 201: CreatedPackage },
    'x-errors': [409],
  },
  listPackages: { summary: 'Queues: packages by status and stage', tags: tags.packages, querystring: PackageListQuery, response: { 200: PackageList } },
  getPackage: {
    summary: 'Status, stage, revision, approvals, decisions and per-channel deliveries',
    tags: tags.packages,
    params: PackageParams,
    response: { 200: PackageView },
    'x-errors': [404],
  },
  editPackage: {
    summary: 'Edit: a new revision. Voids approvals; an approved package restarts review at the first stage. Locked while in review.',
    tags: tags.packages,
    params: PackageParams,
    body: PackageInput,
    response: { 200: EditedPackage },
    'x-errors': [404, 409],
  },
  submitPackage: {
    summary: 'Submit a draft for review (refused without a required interpretation)',
    tags: tags.review,
    params: PackageParams,
    body: NoBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  withdrawPackage: {
    summary: 'Withdraw from review; voids approvals',
    tags: tags.review,
    params: PackageParams,
    body: OptionalReasonBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  decidePackage: {
    summary: 'Approve or reject the whole package at the current stage and revision',
    tags: tags.review,
    params: PackageParams,
    body: DecisionBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  schedulePackage: {
    summary: 'Change the release time (keeps approvals); null releases as soon as approved',
    tags: tags.packages,
    params: PackageParams,
    body: ScheduleBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  unschedulePackage: {
    summary: 'Cancel the scheduled release (keeps approvals; the package waits until rescheduled or released)',
    tags: tags.packages,
    params: PackageParams,
    body: NoBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  releasePackage: {
    summary: 'Release an approved package now',
    tags: tags.packages,
    params: PackageParams,
    body: NoBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },
  retractPackage: {
    summary: 'Retract (撤稿) a released package from every channel that received it',
    tags: tags.packages,
    params: PackageParams,
    body: ReasonBody,
    response: { 200: PackageSummary },
    'x-errors': [404, 409],
  },

  audit: { summary: 'The append-only audit trail', tags: tags.operations, querystring: AuditQuery, response: { 200: AuditEntries } },
} satisfies Record<string, RouteSchema>;

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
    response: { 200: Type.Object({ media: Type.Array(MediaView) }, { description: 'Originals' }) },
  },
  'POST /api/media': {
    summary:
      'Upload an original (multipart/form-data, one file part). Streamed into the content-addressed store and probed by content, not name: type, dimensions, duration, codecs. Refuses empty (400), corrupt (400), unsupported (415) and oversized (413) files with a message naming the limit and by how much.',
    tags: tags.media,
    'x-requestBody': {
      required: true,
      content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
    },
    response: {
      201: Type.Intersect([MediaView, Type.Object({ created: Type.Literal(true), warnings: Type.Array(Type.String()) })], {
        description: 'Stored: the media record',
      }),
      200: Type.Intersect([MediaView, Type.Object({ created: Type.Literal(false), warnings: Type.Array(Type.String()) })], {
        description: 'The same bytes were already stored: the existing record',
      }),
    },
    'x-errors': [413],
  },
  'GET /api/media/:id': {
    summary: 'A media record with its renditions and rendition jobs (state, progress 0–100, current spec, per-spec results)',
    tags: tags.media,
    params: MediaParams,
    response: {
      200: Type.Intersect([MediaView, Type.Object({ renditions: Type.Array(Type.Unknown()), jobs: Type.Array(MediaJob) })], { description: 'The record' }),
    },
    'x-errors': [404],
  },
  'GET /api/media/:id/content': {
    summary: 'The original file (no token needed: the id is the SHA-256 of the bytes). Range requests supported.',
    tags: tags.media,
    params: MediaParams,
    response: {
      200: fileResponse('The original'),
      206: Type.Unknown({ description: 'The requested byte range (Range: bytes=start-end)' }),
      304: Type.Unknown({ description: 'Not modified (If-None-Match)' }),
    },
    'x-errors': [404, 416],
  },
  'POST /api/media/:id/renditions': {
    summary:
      'Request renditions: a Temporal job makes each one (cached by original × spec × watermark: asking twice costs nothing). Specs the original cannot serve are listed in `problems` before any work.',
    tags: tags.media,
    params: MediaParams,
    body: RenditionRequestBody,
    response: { 202: Type.Intersect([MediaJob, Type.Object({ existing: Type.Unknown() })], { description: 'The job' }) },
    'x-errors': [404, 422],
  },
  'GET /api/media/:id/renditions/:spec': {
    summary: 'A rendition file (no token needed), e.g. for manual hand-off bundles and the portal. Range requests supported.',
    tags: tags.media,
    params: MediaRenditionParams,
    querystring: RenditionFileQuery,
    response: {
      200: fileResponse('The rendition'),
      206: Type.Unknown({ description: 'The requested byte range' }),
      304: Type.Unknown({ description: 'Not modified' }),
    },
    'x-errors': [404, 416],
  },
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
      200: Type.Intersect([MediaJob], { description: 'Canceled' }),
      202: Type.Intersect([MediaJob], { description: 'Cancel requested; still stopping' }),
    },
    'x-errors': [404, 409],
  },
};

/** Routes anyone may call without a token (everything else under /api needs one). */
export const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /api/openapi.json', 'GET /api/media/:id/content', 'GET /api/media/:id/renditions/:spec']);

export type { Static, TSchema };
