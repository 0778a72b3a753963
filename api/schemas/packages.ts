/** The package routes' schemas: creating and editing a package, the review and release commands, and what they answer. */
import { Type } from 'typebox';
import { COMMANDS } from '../../domain/commands.js';
import { INTERPRETATION_FORMS, PACKAGE_STATUSES, VALIDITY_STATES } from '../../domain/package-rules.js';
import { MAX_KEYWORD_CHARS, MAX_KEYWORDS } from '../../services/package-input.js';
import { DELIVERY_STATES } from '../../contracts/delivery.js';
import { commandBodies } from './commands.js';
import {
  booleanParam,
  commandRoute,
  cursorParam,
  dateTime,
  webLink,
  idempotencyKeyHeaders,
  idText,
  LIMITS,
  limitParam,
  mediaId,
  NoBody,
  nullable,
  nullableString,
  nullableTimestamp,
  queryText,
  revisionNumber,
  tags,
  timestamp,
} from './common.js';

export const PackageParams = Type.Object({ id: idText('Package id, e.g. pkg-20261125-1a2b3c4d', 100) });

export const PackageListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...PACKAGE_STATUSES])),
    stage: queryText('Stage id or name (first/初审, second/复审, final/终审)'),
    createdBy: queryText('`me`, or a user id: only packages that user created', 100),
    q: queryText('Only packages whose title contains this (case-insensitive)', 200),
    unit: queryText('A unit id (GET /api/units): only packages created in that unit', 100),
    returned: booleanParam('Only drafts a reviewer sent back (已退回): their latest review decision is a rejection and they were not submitted again since'),
    cursor: cursorParam,
    limit: limitParam(LIMITS.page, 50),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = idempotencyKeyHeaders('same id, 201');

const Attachment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.name }),
    url: Type.Optional(webLink('Where the attachment is published')),
    mediaId: Type.Optional(mediaId('An uploaded file')),
  },
  { additionalProperties: false },
);

/** 有效性 of a normative document (行政规范性文件). */
export const Validity = Type.Object(
  {
    state: Type.Enum([...VALIDITY_STATES], { description: 'valid 有效 / expired 失效 / repealed 废止' }),
    effectiveFrom: Type.Optional(nullable(Type.String({ format: 'date', description: '施行日期 YYYY-MM-DD' }))),
    endedAt: Type.Optional(nullable(Type.String({ format: 'date', description: '失效 / 废止日期 YYYY-MM-DD; required for expired and repealed' }))),
  },
  {
    additionalProperties: false,
    description: '有效性: required for documents of a normative catalogue item (GET /api/catalogue `normative: true`), refused for others',
  },
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
    documentNumber: Type.Optional(
      Type.String({
        maxLength: 64,
        examples: ['碑政发〔2026〕3号'],
        description:
          '发文字号 as GB/T 9704 writes it: the organ code, the year (1949–2099) in 六角括号 and the serial without leading zeros, then 号. One typed another way (碑政发[2026]03号) is refused with its standard form named.',
      }),
    ),
    formedAt: Type.Optional(Type.String({ format: 'date' })),
    attachments: Type.Optional(Type.Array(Attachment, { maxItems: LIMITS.attachments })),
    topic: Type.Optional(
      Type.String({ maxLength: 100, description: '主题分类: a topic path from GET /api/topics, e.g. 综合政务\\政务公开', examples: ['综合政务\\政务公开'] }),
    ),
    keywords: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: MAX_KEYWORD_CHARS }), { maxItems: MAX_KEYWORDS, description: '主题词: short terms, one per entry' }),
    ),
    validity: Type.Optional(nullable(Validity)),
  },
  { additionalProperties: false },
);

const PackageInterpretation = Type.Object(
  {
    form: Type.Enum([...INTERPRETATION_FORMS]),
    title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
    body: Type.Optional(Type.String({ maxLength: LIMITS.body, description: 'HTML; required for text and leader_interview.' })),
    mediaId: Type.Optional(mediaId('The uploaded video, audio or image (POST /api/media); not on a text or H5 interpretation')),
    url: Type.Optional(webLink('The H5 page, or where a video/audio is hosted; not on a text interpretation (its links go in the body)')),
    interpreter: Type.Optional(Type.String({ maxLength: 100, description: 'Required for leader_interview (主要负责人解读).' })),
    captionsMediaId: Type.Optional(mediaId('Video/audio only: the uploaded WebVTT captions (字幕)')),
    transcript: Type.Optional(Type.String({ maxLength: LIMITS.body, description: 'Video/audio only: the transcript (文字实录), HTML; sanitized on input' })),
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
    releaseAt: Type.Optional(dateTime(COMMANDS.create.input.releaseAt.description)),
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

const StageRef = Type.Object({ id: Type.String(), name: Type.String() });
/** Who decided, as people know them: the reviewer's display name (赵审核), else their user name (`reviewer`). */
const REVIEWER_NAME = Type.String({ description: "The reviewer's display name, else their user name (reviewer)" });

export const PackageSummary = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum([...PACKAGE_STATUSES]),
    revision: Type.Integer(),
    currentStage: nullableString,
    currentStageName: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The stage as reviewers know it (初审, 复审, 终审)' })),
    approvals: Type.Array(Type.Unknown()),
    releaseAt: nullableString,
    onHold: Type.Boolean(),
    retraction: Type.Optional(
      Type.Union([Type.Object({ reason: Type.String(), by: Type.String(), at: timestamp }), Type.Null()], {
        description:
          'The retraction (撤稿) under way or done, null when none was asked for. The answer to POST /retract may still show the status before it (released, or releasing when it stopped a release) until the workflow turns to it (retracting, then retracted); this field says it has started.',
      }),
    ),
  },
  { title: 'PackageSummary', description: 'The package after the step: status, revision, stage, approvals, retraction' },
);

export const CreatedPackage = Type.Object(
  { id: Type.String(), revision: Type.Integer(), status: Type.Literal('draft'), contentHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { description: 'Created: the new package (draft, revision 1)' },
);

export const EditQuery = Type.Object(
  {
    baseRevision: Type.Optional(
      revisionNumber(
        'The revision the edit was made on (the one the form loaded). When the package has a later revision by now (saved meanwhile, in another tab or by someone else), the edit is refused with 409 concurrent_edit instead of replacing those changes. Left out: the edit applies to whatever revision is current.',
      ),
    ),
  },
  { additionalProperties: false },
);

export const SubmitQuery = Type.Object(
  {
    baseRevision: Type.Optional(
      revisionNumber(
        'The revision the editor saw and means to submit (the console always sends it, `govpub packages submit --base-revision N`). When the package has another revision by now (saved meanwhile, in another tab or by someone else), the submit is refused with 409 concurrent_edit and nothing is submitted, instead of sending content the editor never saw into review. Left out: the current revision is submitted.',
      ),
    ),
  },
  { additionalProperties: false },
);

export const EditedPackage = Type.Object(
  {
    id: Type.String(),
    revision: Type.Integer(),
    status: Type.String(),
    contentHash: Type.String(),
    unchanged: Type.Optional(Type.Boolean()),
    releaseAtChanged: Type.Optional(Type.Boolean({ description: 'with `unchanged`: the release time alone changed (approvals kept)' })),
  },
  { description: 'Edited: the new revision (or `unchanged: true` when the content is the same)' },
);

export const DeliveryRef = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  channelName: Type.Union([Type.String(), Type.Null()], {
    description: "The channel's name (碑林发布, 政策解读); null for a channel no longer in the registry",
  }),
  platform: nullableString,
  state: Type.Enum([...DELIVERY_STATES]),
  task: nullableString,
  publicUrl: nullableString,
  liveAt: nullableTimestamp,
  attempts: Type.Integer(),
  nextAttemptAt: nullableTimestamp,
  errorClass: nullableString,
  errorMessage: nullableString,
  errorMessageZh: nullableString,
  problems: Type.Array(Type.Unknown()),
  warnings: Type.Array(Type.String()),
  warningsZh: Type.Array(Type.String()),
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
    indexNumber: Type.Union([Type.String(), Type.Null()], {
      description: '索引号 <organCode>/<year>-<serial>, assigned once at the first release (null before it)',
      examples: ['11610103MB2968XXXX/2026-00012'],
    }),
    validity: Type.Union([Validity, Type.Null()], {
      description: '有效性 now (normative documents): the value the validity command last set, else the one the document was written with',
    }),
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
    approvals: Type.Array(
      Type.Object({
        stage: Type.String(),
        reviewer: Type.String(),
        reviewerName: REVIEWER_NAME,
        revision: Type.Integer(),
        at: timestamp,
        comment: Type.String(),
      }),
    ),
    decisions: Type.Array(
      Type.Object({
        stage: Type.String(),
        decision: Type.Enum(['approve', 'reject']),
        reviewer: Type.String(),
        reviewerName: REVIEWER_NAME,
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

/** The rejection a returned draft (已退回) stands by. */
const ReturnedBy = Type.Object({
  stage: Type.String({ description: 'Stage id of the rejection' }),
  stageName: Type.String({ description: 'The stage as reviewers know it (初审, 复审, 终审)' }),
  at: timestamp,
});

export const PackageList = Type.Object(
  {
    packages: Type.Array(
      Type.Object({
        id: Type.String(),
        title: Type.String(),
        status: Type.String(),
        currentStage: nullableString,
        currentStageName: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The stage as reviewers know it (初审, 复审, 终审)' })),
        revision: Type.Integer(),
        catalogueItem: Type.String(),
        contentClass: Type.String(),
        releaseAt: nullableTimestamp,
        updatedAt: timestamp,
        createdBy: Type.String({ description: 'User id of the creator' }),
        createdByName: nullableString,
        unit: Type.Union([Type.String(), Type.Null()], { description: 'Unit id the package was created in (null: none)' }),
        returned: Type.Union([ReturnedBy, Type.Null()], { description: 'A draft a reviewer sent back (已退回): the rejection; null otherwise' }),
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  },
  { description: 'Packages, most recently changed first (then by id), one page' },
);

export const ValidityChanged = Type.Object(
  {
    id: Type.String(),
    indexNumber: Type.Union([Type.String(), Type.Null()]),
    from: Type.Union([Validity, Type.Null()]),
    validity: Validity,
    unchanged: Type.Optional(
      Type.Boolean({ description: 'true: the validity was already this; nothing was recorded (the portal pages are brought in line again)' }),
    ),
    portal: Type.Object(
      {
        columns: Type.Array(Type.String(), { description: 'Portal channels whose pages are being updated' }),
        workflowId: Type.Union([Type.String(), Type.Null()], { description: 'The Temporal workflow updating them (null: no portal page to update)' }),
      },
      { description: 'How the portal pages follow' },
    ),
  },
  { description: 'The validity now, what it was, and how the portal pages follow' },
);

/** A review or release command on one package: it answers with the package after the step. */
const packageStep = <B extends typeof NoBody | (typeof commandBodies)[keyof typeof commandBodies]>(summary: string, routeTags: string[], body: B) =>
  commandRoute(summary, routeTags, { params: PackageParams, body, result: PackageSummary });

export const packageRoutes = {
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
    ...commandRoute('Edit: a new revision. Voids approvals; an approved package restarts review at the first stage. Locked while in review.', tags.packages, {
      params: PackageParams,
      body: PackageInput,
      result: EditedPackage,
    }),
    querystring: EditQuery,
  },
  submitPackage: {
    ...packageStep(
      'Submit a draft for review (refused without a required interpretation; with ?baseRevision=N, refused with 409 concurrent_edit when the package has another revision by now)',
      tags.review,
      NoBody,
    ),
    querystring: SubmitQuery,
  },
  withdrawPackage: packageStep('Withdraw from review; voids approvals', tags.review, commandBodies.withdraw),
  decidePackage: packageStep('Approve or reject the whole package at the current stage and revision', tags.review, commandBodies.decide),
  schedulePackage: packageStep('Change the release time (keeps approvals); null releases as soon as approved', tags.packages, commandBodies.schedule),
  unschedulePackage: packageStep('Cancel the scheduled release (keeps approvals; the package waits until rescheduled or released)', tags.packages, NoBody),
  releasePackage: packageStep('Release an approved package now', tags.packages, NoBody),
  retractPackage: packageStep('Retract (撤稿) a released package from every channel that received it', tags.packages, commandBodies.retract),
  changeValidity: commandRoute(
    "Change a released normative document's 有效性 (有效 / 失效 / 废止). Reviewers and administrators; audited; no new revision, content unchanged; the portal pages follow.",
    tags.packages,
    { params: PackageParams, body: commandBodies.changeValidity, result: ValidityChanged },
    [403, 404, 409, 422],
  ),
};
