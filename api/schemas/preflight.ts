// The preflight routes' shapes: per-channel blocking problems, warnings and previews of a stored revision or an unsaved body.
import { Type } from 'typebox';
import { PackageInput, PackageParams } from './packages.js';
import { revisionNumber, type RouteSchema } from './common.js';

export const PreflightProblem = Type.Object(
  {
    code: Type.String({ description: 'Stable identifier', examples: ['cover_required', 'video_required', 'title_truncated', 'adapted_video_as_link'] }),
    field: Type.String({ description: 'JSON pointer into the package body (/cover, /interpretations/1/body, /targets/4); empty for the whole package' }),
    message: Type.String({ description: 'zh-CN: what is wrong and what to do next' }),
    messageEn: Type.String({ description: 'The same in English' }),
    channelId: Type.Optional(Type.String()),
  },
  { title: 'PreflightProblem' },
);

const Crop = Type.Object({
  spec: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  url: Type.String({ description: 'GET /api/media/:id/renditions/:spec' }),
  ready: Type.Optional(
    Type.Boolean({ description: 'false: the rendition is not made yet and `url` answers 404 until it is; show `originalUrl` or a placeholder' }),
  ),
});

export const PreflightPreview = Type.Object(
  {
    kind: Type.Union(['portal_article', 'wechat_article', 'weibo_post', 'video_post', 'media_center_article', 'handoff_bundle'].map((k) => Type.Literal(k))),
    title: Type.String({ description: 'As the platform shows it (truncated where it truncates)' }),
    titleLimit: Type.Optional(Type.Integer()),
    titleTruncated: Type.Boolean(),
    digest: Type.Optional(Type.String()),
    bodyHtml: Type.Optional(Type.String({ description: 'Sanitized HTML, as sent' })),
    text: Type.Optional(Type.String({ description: 'Plain text, as sent (Weibo post, video text, hand-off description)' })),
    link: Type.Optional(Type.String()),
    cover: Type.Optional(
      Type.Object({
        mediaId: Type.String(),
        originalUrl: Type.Optional(Type.String({ description: 'GET /api/media/:id/content, for an image cover: to show while a crop is not ready' })),
        crops: Type.Array(Crop),
      }),
    ),
    video: Type.Optional(
      Type.Object({
        mediaId: Type.String(),
        posterUrl: Type.Optional(Type.String()),
        posterReady: Type.Optional(Type.Boolean({ description: 'false: the poster frame is not made yet and `posterUrl` answers 404 until it is' })),
        durationSec: Type.Optional(Type.Number()),
      }),
    ),
    notes: Type.Array(Type.String(), { description: 'zh-CN: the adaptations applied' }),
  },
  { title: 'PreflightPreview' },
);

export const PreflightResult = Type.Object(
  {
    ok: Type.Boolean({ description: 'False when any blocking problem exists anywhere' }),
    revision: Type.Union([Type.Integer(), Type.Null()]),
    contentHash: Type.Union([Type.String(), Type.Null()]),
    package: Type.Object({ blocking: Type.Array(PreflightProblem), warnings: Type.Array(PreflightProblem) }),
    channels: Type.Array(
      Type.Object({
        channelId: Type.String(),
        platform: Type.String(),
        platformName: Type.String({ description: 'zh-CN, e.g. 微信公众号' }),
        name: Type.String(),
        ownerUnit: Type.Union([Type.String(), Type.Null()]),
        publishing: Type.Union([Type.Literal('api'), Type.Literal('manual')]),
        canDelete: Type.Boolean(),
        blocking: Type.Array(PreflightProblem),
        warnings: Type.Array(PreflightProblem),
        preview: Type.Union([PreflightPreview, Type.Null()]),
      }),
    ),
  },
  { title: 'PreflightResult' },
);

export const PreflightQuery = Type.Object(
  { revision: Type.Optional(revisionNumber('Another stored revision (default: the current one)')) },
  { additionalProperties: false },
);

const tags = ['packages'];

export const preflightRoutes = {
  packagePreflight: {
    summary: "Channel preflight of a package's revision: per channel, blocking problems, warnings and a preview",
    description:
      'Reads each target platform’s declaration and runs its format step on the revision, as a delivery would. `submit` refuses with 409 `preflight_blocked` while blocking problems remain.',
    tags,
    params: PackageParams,
    querystring: PreflightQuery,
    response: { 200: PreflightResult },
    'x-errors': [404],
  },
  bodyPreflight: {
    summary: 'Channel preflight of an unsaved package body (a body that fails validation answers 200 with its field issues as blocking problems)',
    tags,
    body: PackageInput,
    response: { 200: PreflightResult },
  },
} satisfies Record<string, RouteSchema>;
