/** The operations routes' schemas: channels (pause, resume), deliveries (retry, skip, confirm by hand) and the audit trail. */
import { Type } from 'typebox';
import { PLATFORMS } from '../../domain/registry.js';
import { DELIVERY_STATES } from '../../contracts/delivery.js';
import { commandBodies } from './commands.js';
import { ChannelHealth } from './channel-health.js';
import {
  booleanParam,
  commandRoute,
  cursorParam,
  idempotencyKeyHeaders,
  idText,
  LIMITS,
  limitParam,
  NoBody,
  nullableString,
  nullableTimestamp,
  queryText,
  tags,
  timestamp,
} from './common.js';

export const ChannelParams = Type.Object({ id: idText('Channel id, URL-encoded, e.g. wechat_oa%3Ablfb', 200, ['wechat_oa:blfb', 'portal:zwgk-zcwj']) });
export const DeliveryParams = Type.Object({ id: idText('Delivery id, a unique prefix of 8+ characters of it, or its business key', 300) });

export const ChannelListQuery = Type.Object(
  {
    scope: Type.Optional(Type.Enum(['mine', 'all'], { description: "`mine`: only the channels you may target (your unit's, for an editor with a unit)" })),
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
    unit: queryText("A unit id (GET /api/units): only deliveries to that unit's channels", 100),
    cursor: cursorParam,
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
        description: 'Entries after this id (paging oldest first)',
      }),
    ),
    before: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,18}$',
        'x-message': 'expected the id of an audit entry (digits), from the last page',
        description: 'Entries before this id (paging newest first)',
      }),
    ),
    order: Type.Optional(
      Type.Union([Type.Literal('oldest'), Type.Literal('newest')], { description: 'oldest (default) or newest first; page newest first with before' }),
    ),
    limit: limitParam(LIMITS.audit, 500),
  },
  { additionalProperties: false },
);

export const ChannelList = Type.Object(
  {
    channels: Type.Array(
      Type.Object({
        id: Type.String(),
        platform: Type.Enum([...PLATFORMS]),
        kind: Type.String(),
        name: Type.String(),
        ownerUnit: Type.Union([Type.String(), Type.Null()], {
          description: "The unit the channel belongs to: an account's owner, the unit maintaining a portal column, 区融媒体中心 for media-center columns",
        }),
        publishing: Type.String(),
        ref: Type.String(),
        hasSubColumns: Type.Optional(
          Type.Boolean({
            description: 'A portal column with sub-columns: its page lists theirs; a package targets one of them, never it (400 naming the target)',
          }),
        ),
        paused: Type.Boolean(),
        pausedReason: nullableString,
        pausedAt: Type.Union([timestamp, Type.Null()], { description: 'When the channel was paused; null when it is not paused' }),
        pausedBy: Type.Union([Type.String(), Type.Null()], {
          description:
            'Who paused it: a user name, or `system` (govpub itself, after the platform refused the credentials); null when it is not paused or the audit trail does not name anyone',
        }),
        health: Type.Optional(ChannelHealth),
      }),
      { description: 'Each channel, plus its base URL, endpoint health and limits where known (never secrets)' },
    ),
  },
  { description: 'Channels' },
);

export const PauseResult = Type.Object({ channelId: Type.String(), pausedAt: timestamp, reason: Type.String() }, { description: 'Paused' });
export const ResumeResult = Type.Object(
  {
    channelId: Type.String(),
    woken: Type.Integer({ description: 'Deliveries woken' }),
    credentialCheck: Type.Union([Type.Literal('not_needed'), Type.Literal('accepted'), Type.Literal('unchecked')], {
      description:
        'After a hold for refused credentials the platform is asked first: accepted, or unchecked (it could not be asked: no such call, no answer; the hold is lifted, and a delivery refused again holds the channel again). not_needed: an ordinary pause.',
    }),
    note: Type.Union([Type.String(), Type.Null()], { description: 'What the check found, in English' }),
    noteZh: Type.Union([Type.String(), Type.Null()], { description: 'The same in Chinese, for the console' }),
  },
  { description: 'Resumed' },
);

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
    errorMessageZh: Type.Union([Type.String(), Type.Null()], { description: 'The failure in Simplified Chinese: what happened and what to do.' }),
    platformCode: nullableString,
    problems: Type.Array(Type.Unknown(), { description: 'Content problems: {field, fieldZh (the field named in Chinese), message (Chinese), messageEn}.' }),
    warnings: Type.Array(Type.String()),
    warningsZh: Type.Array(Type.String(), { description: 'The warnings in Simplified Chinese.' }),
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
    channelHold: Type.Optional(
      Type.Object(
        {
          channelId: Type.String(),
          pausedAt: timestamp,
          reason: nullableString,
          by: Type.Union([Type.String(), Type.Null()], {
            description: 'Who paused it: a user name, or `system` (govpub, after the platform refused the credentials)',
          }),
          credentialsRefused: Type.Boolean(),
          message: Type.String(),
          messageZh: Type.String(),
        },
        {
          description:
            'The list (GET /api/deliveries), one delivery (GET /api/deliveries/:id) and the answer to a retry: the delivery waits for this pause of its channel and is not sent until the channel is resumed (message and messageZh say so and why). Absent when the channel is not paused, and for deliveries a pause does not hold (finished, failed (its retry names the pause), a hand-off, a take-down, a post whose status is being asked). The list decides by state alone: an unconfirmed delivery the pause holds carries it only in GET /api/deliveries/:id',
        },
      ),
    ),
  },
  { title: 'DeliveryView', description: 'One delivery (package revision × channel)' },
);

export const DeliveryList = Type.Object(
  {
    items: Type.Array(DeliveryView),
    counts: Type.Record(Type.String(), Type.Integer(), { description: 'Deliveries per state (all states, same filters but state)' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
  },
  { description: "Deliveries, most recently changed first; each one held by its channel's pause carries `channelHold` (who paused the channel, when, why)" },
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
        detailsZh: Type.Record(Type.String(), Type.Unknown(), {
          description:
            "Chinese for the details recorded in English only (a platform failure's `message` as `messageZh`, format `warnings` and `problems`), worked out when read: show these values in place of those in `details`",
        }),
      }),
    ),
  },
  { description: 'Audit entries, oldest first' },
);

/** An operator's command on one delivery: it answers with the delivery after the step. */
const deliveryStep = <B extends typeof NoBody | (typeof commandBodies)[keyof typeof commandBodies]>(summary: string, body: B) =>
  commandRoute(summary, tags.operations, { params: DeliveryParams, body, result: DeliveryView });

export const operationsRoutes = {
  listChannels: {
    summary:
      'Every channel: portal columns, new-media accounts, media-center columns, with platform, base URL, endpoint health, pause state and limits (never secrets)',
    tags: tags.operations,
    querystring: ChannelListQuery,
    response: { 200: ChannelList },
  },
  pauseChannel: {
    ...commandRoute(
      'Hold every delivery to the channel (ops/admin; audited). A channel already paused is refused (409 channel_already_paused, naming who paused it, when and why): resume it first. Safe to retry with an Idempotency-Key header.',
      tags.operations,
      { params: ChannelParams, body: commandBodies.pauseChannel, result: PauseResult },
      [404, 409],
    ),
    headers: idempotencyKeyHeaders('200 with the same pausedAt, not 409 channel_already_paused'),
  },
  resumeChannel: commandRoute(
    'Lift a pause or the hold after refused credentials and wake the waiting deliveries (ops/admin; audited). A channel that is not paused is refused (409 channel_not_paused, naming who last resumed it and when) and nothing is audited. A hold for refused credentials is lifted only when the platform takes them now (an authenticated call that changes nothing, on a worker of the platform): still refused is 409 channel_credentials_refused, the channel stays held and the refused resume is audited',
    tags.operations,
    { params: ChannelParams, body: NoBody, result: ResumeResult },
    [404, 409],
  ),

  listDeliveries: {
    summary:
      "Deliveries (one per package revision × channel), newest change first, with counts per state; a delivery held by its channel's pause carries `channelHold`",
    tags: tags.operations,
    querystring: DeliveryListQuery,
    response: { 200: DeliveryList },
  },
  getDelivery: {
    summary:
      'One delivery: state, task, attempts, next attempt, error class and message, problems for the editor, payload snapshot, what it waits for, and `channelHold` while a pause of its channel holds it (who paused the channel, when, why)',
    tags: tags.operations,
    params: DeliveryParams,
    response: { 200: DeliveryView },
    'x-errors': [404],
  },
  retryDelivery: deliveryStep(
    'Try a failed, held or waiting delivery again now (ops/admin; audited). On a paused channel the retry is accepted and the delivery waits for the resume: the answer carries `channelHold` (who paused the channel, when, why, and a sentence in English and Chinese)',
    NoBody,
  ),
  skipDelivery: deliveryStep('Give up on a delivery, with the reason (ops/admin; audited)', commandBodies.skipDelivery),
  confirmDelivery: deliveryStep(
    'Confirm by hand: a manual post with its URL (checked against the platform), an unconfirmed post seen live, or a manual take-down (ops/admin; audited)',
    commandBodies.confirmDelivery,
  ),

  audit: { summary: 'The append-only audit trail', tags: tags.operations, querystring: AuditQuery, response: { 200: AuditEntries } },
};
