/** The console's read routes: revisions and their diff, the inbox, the change stream, delivery figures, a hand-off bundle, channel health. */
import { Type } from 'typebox';
import { PLATFORMS } from '../../domain/registry.js';
import { INBOX_KINDS } from '../../services/inbox.js';
import { nullableString, revisionNumber, tags, timestamp } from './common.js';
import { DeliveryParams } from './operations.js';
import { PackageParams } from './packages.js';

export const RevisionParams = Type.Object({ id: PackageParams.properties.id, n: revisionNumber('Revision number (1 is the first)') });

export const DiffQuery = Type.Object(
  {
    from: Type.Optional(
      revisionNumber(
        'Compare from this revision (default: the revision you last decided on; else the last one reviewed or rejected by anyone; else the previous one)',
      ),
    ),
    to: Type.Optional(revisionNumber('Compare to this revision (default: the current one)')),
  },
  { additionalProperties: false },
);

export const StatsQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Asia/Shanghai calendar days ending today (default 30, at most 366)' })),
    platform: Type.Optional(Type.Enum([...PLATFORMS])),
  },
  { additionalProperties: false },
);

export const EventHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      // 18 digits at most: an id is microseconds since 1970 (16 digits now), and a 19-digit one may overflow PostgreSQL's bigint.
      pattern: '^[0-9]{1,18}$',
      'x-message': 'expected the id of an event this stream sent (digits)',
      description: 'Resume: what changed after this event is sent first (browsers send it by themselves when they reconnect)',
    }),
  ),
});

export const RevisionList = Type.Object(
  {
    revisions: Type.Array(
      Type.Object({ revision: Type.Integer(), contentHash: Type.String(), createdBy: Type.String(), createdByName: nullableString, createdAt: timestamp }),
    ),
  },
  { description: 'Every revision of the package, oldest first' },
);

export const RevisionView = Type.Object(
  {
    revision: Type.Integer(),
    contentHash: Type.String(),
    content: Type.Unknown({ description: 'The package body of that revision' }),
    createdBy: Type.String(),
    createdAt: timestamp,
  },
  { description: 'One revision with its content' },
);

export const RevisionDiff = Type.Object(
  {
    from: Type.Integer(),
    to: Type.Integer(),
    changes: Type.Array(
      Type.Object({
        path: Type.String({ description: 'JSON pointer into the package body, e.g. /interpretations/1/body' }),
        label: Type.String({ description: 'The field in Chinese, e.g. 解读 2 正文' }),
        before: Type.Unknown(),
        after: Type.Unknown(),
        kind: Type.Enum(['added', 'removed', 'changed']),
        valueText: Type.Optional(Type.String({ description: 'For a channel added or removed: the channel as people call it (微博 · 碑林发布)' })),
      }),
    ),
  },
  { description: 'Fields that differ (HTML compared as text with its markup); targets compared as a set' },
);

export const Inbox = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        kind: Type.Enum([...INBOX_KINDS]),
        packageId: Type.String(),
        packageTitle: Type.String(),
        deliveryId: Type.Optional(Type.String()),
        channelId: Type.Optional(Type.String()),
        stage: Type.Optional(Type.String()),
        message: Type.String({ description: 'What waits, in Chinese' }),
        at: timestamp,
        urgency: Type.Optional(
          Type.Integer({
            description:
              "Deliveries and manual tasks: how urgent, 0 first (0 a manual take-down after a retraction, 1 refused credentials, 2 failed, 3 not confirmed, 4 a hand-off to post); operations' items come most urgent first, then the one waiting longest",
          }),
        ),
      }),
    ),
    counts: Type.Record(Type.String(), Type.Integer(), { description: 'Items per kind' }),
  },
  { description: 'What waits for the caller' },
);

const Percentiles = Type.Object({ p50Sec: Type.Union([Type.Number(), Type.Null()]), p90Sec: Type.Union([Type.Number(), Type.Null()]) });

export const DeliveryStats = Type.Object(
  {
    days: Type.Array(
      Type.Object({
        date: Type.String({ description: 'Asia/Shanghai calendar day, e.g. 2026-11-30' }),
        platform: Type.String(),
        live: Type.Integer({ description: 'Went live that day' }),
        failed: Type.Integer({ description: 'Failed (and still failed), by the day of their last change' }),
        skipped: Type.Integer({ description: 'Skipped by operations, by the day of the skip' }),
      }),
    ),
    failureRate: Type.Object({
      overall: Type.Union([Type.Number(), Type.Null()], {
        description: '(failed + skipped) / (live + failed + skipped) in the window; null without deliveries',
      }),
      byPlatform: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
    }),
    approvalToLive: Type.Object({
      p50Sec: Type.Union([Type.Number(), Type.Null()]),
      p90Sec: Type.Union([Type.Number(), Type.Null()]),
      byPlatform: Type.Record(Type.String(), Percentiles),
    }),
    generatedAt: timestamp,
  },
  { description: 'Deliveries per day and platform, failure rate, approval → live time (from the last approval, or the release time when later)' },
);

const eventStream = Type.Unknown({
  description:
    'text/event-stream: `event: delivery` {id, packageId, channelId, platform, state, task, errorClass, errorMessage, publicUrl, updatedAt}, `event: package` {id, status, currentStage, revision, returned (a draft sent back: {stage, at}; else null), updatedAt}, `event: channel` {id, paused, pausedReason, pausedAt, pausedBy} when a channel is paused or resumed (on resuming with Last-Event-ID: every channel as it is then), `event: resync` when more changed than can be replayed (reload the lists), `event: signed-out` {reason} and the end of the stream when the token or session it was opened with stops working (rotated, revoked, signed out, the user disabled; checked before each batch and every 5 s), `: ping` every 15 s. Each event has an id; send it back as Last-Event-ID to resume.',
  'x-content': { 'text/event-stream': { schema: { type: 'string' } } },
});

const zipFile = Type.Unknown({
  description: 'application/zip: 说明.txt, the texts and the renditions of the hand-off, as an attachment',
  'x-content': { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
});

export const consoleRoutes = {
  listRevisions: {
    summary: "A package's revisions with their authors",
    tags: tags.packages,
    params: PackageParams,
    response: { 200: RevisionList },
    'x-errors': [404],
  },
  getRevision: {
    summary: 'One revision of a package with its content',
    tags: tags.packages,
    params: RevisionParams,
    response: { 200: RevisionView },
    'x-errors': [404],
  },
  diffRevisions: {
    summary: 'What changed between two revisions, field by field, with Chinese field names',
    tags: tags.review,
    params: PackageParams,
    querystring: DiffQuery,
    response: { 200: RevisionDiff },
    'x-errors': [404],
  },
  inbox: {
    summary: 'What waits for the caller: reviews at their stages, rejected packages, deliveries needing action, manual tasks',
    tags: tags.packages,
    response: { 200: Inbox },
  },
  events: {
    summary: 'Live changes of deliveries and packages (Server-Sent Events; no deadline; resumes with Last-Event-ID)',
    description: 'At most 50 open streams a user on each API process (a console tab holds one or two): the next is 429 too_many_streams until one closes.',
    'x-errors': [429],
    tags: tags.operations,
    headers: EventHeaders,
    response: { 200: eventStream },
  },
  deliveryStats: {
    summary: 'Deliveries per Asia/Shanghai day and platform, failure rate, approval → live time (p50, p90)',
    tags: tags.operations,
    querystring: StatsQuery,
    response: { 200: DeliveryStats },
  },
  deliveryBundle: {
    summary: 'The manual hand-off bundle of a delivery as one ZIP (texts and renditions); 409 no_bundle for a delivery without one',
    tags: tags.operations,
    params: DeliveryParams,
    response: { 200: zipFile },
    'x-errors': [404, 409],
  },
};
