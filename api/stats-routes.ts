/**
 * GET /api/stats?year=2026: the annual figures (services/annual-stats.ts) as JSON, or as the CSV a
 * district office pastes into its 年度报告 (`format=csv`, or `Accept: text/csv`). Reviewers,
 * operations and administrators read the district's (or one unit's, `unit=`); editors their own
 * unit's only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { FIRST_YEAR, LAST_YEAR } from '../domain/annual-stats.js';
import { AnnualStatsService } from '../services/annual-stats.js';
import { annualStatsCsv, annualStatsFileName } from '../services/annual-stats-report.js';
import type { AppContext } from '../services/context.js';
import { nullableString, tags, timestamp, UNIT_ID_MESSAGE } from './schemas/common.js';

const AnnualStatsQuery = Type.Object(
  {
    year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, description: 'The Asia/Shanghai calendar year, e.g. 2026' }),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: 'csv: UTF-8 with BOM, one section per table (default json, or csv when Accept is text/csv)',
      }),
    ),
    unit: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_-]{1,64}$',
        'x-message': UNIT_ID_MESSAGE,
        description: 'Only this unit (config/registry/units.yaml); editors always get their own unit',
      }),
    ),
  },
  { additionalProperties: false },
);

const count = Type.Integer({ minimum: 0 });
const seconds = Type.Union([Type.Number(), Type.Null()]);
const counts = { items: count, retractedItems: count };

const annualStatsProperties = {
  year: Type.Integer(),
  timeZone: Type.Literal('Asia/Shanghai'),
  unit: nullableString,
  unitName: nullableString,
  period: Type.Object({
    from: timestamp,
    to: timestamp,
    days: Type.Number({ description: 'Days counted: the year, or up to now for the current year' }),
    begun: Type.Boolean({ description: 'false: the year has not begun (Beijing time); to equals from, no day is counted and the figures are zeros' }),
  }),
  totals: Type.Object({ ...counts, packages: count, retractions: count, interpretations: count }),
  byMonth: Type.Array(Type.Object({ month: Type.Integer({ minimum: 1, maximum: 12 }), ...counts, byKind: Type.Record(Type.String(), count) })),
  byKind: Type.Array(Type.Object({ kind: Type.String(), label: Type.String(), ...counts })),
  byPlatform: Type.Array(Type.Object({ platform: Type.String(), platformName: Type.String(), ...counts })),
  byChannel: Type.Array(
    Type.Object({
      channelId: Type.String(),
      platform: Type.String(),
      platformName: Type.String(),
      kind: Type.String({ description: 'portal_column, new_media_account, media_center_column (unregistered: a channel no longer in the registry)' }),
      name: Type.String(),
      ownerUnit: nullableString,
      ...counts,
    }),
  ),
  byCategory: Type.Array(Type.Object({ category: Type.String(), packages: count, ...counts })),
  interpretations: Type.Array(
    Type.Object({
      form: Type.String(),
      label: Type.String(),
      count: Type.Integer({ minimum: 0, description: 'Interpretations of packages still released' }),
      retracted: Type.Integer({ minimum: 0, description: 'Interpretations of packages retracted since' }),
      packages: Type.Integer({ minimum: 0, description: 'Packages still released with an interpretation of this form (retracted ones left out, as in count)' }),
    }),
  ),
  approvalToLive: Type.Object({
    items: count,
    medianSec: seconds,
    p90Sec: seconds,
    byPlatform: Type.Array(Type.Object({ platform: Type.String(), platformName: Type.String(), items: count, medianSec: seconds, p90Sec: seconds })),
  }),
  accounts: Type.Array(
    Type.Object({
      channelId: Type.String(),
      platform: Type.String(),
      platformName: Type.String(),
      name: Type.String(),
      ownerUnit: nullableString,
      posts: count,
      perMonth: seconds,
      perWeek: seconds,
      byMonth: Type.Array(count, { minItems: 12, maxItems: 12 }),
      longestGap: Type.Union([Type.Object({ days: count, from: timestamp, to: timestamp }), Type.Null()], {
        description: 'The longest run of days without a post; null for a year that has not begun',
      }),
    }),
  ),
  limits: Type.Object(
    {
      accountFailDays: Type.Integer({
        minimum: 1,
        description:
          "An account this many days or more without a post fails the inspectors' 两周内无更新 (config/registry/compliance.yaml accounts.failDays); a longestGap of as many days reached it",
      }),
    },
    { description: 'The configured limits the figures are read against' },
  ),
  generatedAt: timestamp,
};

const ITEM_DEFINITION =
  'An item is one package released to one channel, dated by its first moment live there (Beijing time); a later revision on the same channel is the same item; items of the year taken down since are counted in retractedItems, not in items.';

const AnnualStatsJson = Type.Object(annualStatsProperties, { title: 'AnnualStats', description: ITEM_DEFINITION });

/** JSON (serialized by this schema), or the CSV as text: both described in the OpenAPI document. */
const AnnualStatsResponse = Type.Object(annualStatsProperties, {
  description: ITEM_DEFINITION,
  'x-content': {
    'application/json': { schema: AnnualStatsJson },
    'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM; one section per table: [title], header, rows, blank line' } },
  },
});

export const statsRoutes = {
  annualStats: {
    summary:
      'The annual figures: items per channel, column, platform and catalogue category, interpretations by form, retractions, approval → live, account update frequency',
    tags: tags.operations,
    querystring: AnnualStatsQuery,
    response: { 200: AnnualStatsResponse },
    'x-errors': [400, 403],
  },
};

export function registerStatsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const service = new AnnualStatsService(ctx);
  app.route({
    method: 'GET',
    url: '/api/stats',
    schema: statsRoutes.annualStats,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as { year: number; format?: 'json' | 'csv'; unit?: string };
      const unit = await service.scopeFor(request.actor!, query.unit);
      const stats = await service.forYear(query.year, unit);
      const wantsCsv = query.format ? query.format === 'csv' : /\btext\/csv\b/i.test(request.headers.accept ?? '');
      if (!wantsCsv) return stats;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${annualStatsFileName(stats)}"`)
        .header('cache-control', 'private, no-store')
        .send(annualStatsCsv(stats));
    },
  });
}
