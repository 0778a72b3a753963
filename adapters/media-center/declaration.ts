// The district media center's two systems (融媒体中心: the city news site's channel and the app) as platforms.
import type { PlatformDeclaration } from '../platform-declaration.js';
import { newsSitePostLinks } from './post-links.js';

/** Limits of the media center's publishing contract (both systems speak it). */
const CONTRACT_LIMITS = {
  titleChars: 100,
  subtitleChars: 100,
  summaryChars: 300,
  bodyChars: 100_000,
  authorChars: 50,
  sourceChars: 100,
  externalRefChars: 200,
  relatedLinks: 20,
  idempotencyKeyChars: 128,
} as const;

/** What both systems share: one article per document and per interpretation, 16:9 media. */
const mediaCenterSystem = {
  channelKind: 'media_center_column',
  publishing: 'api',
  canDelete: true,
  accepts: ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'],
  coverRequired: false,
  video: 'optional',
  limits: CONTRACT_LIMITS,
  links: 'clickable',
  // `GET /api/v1/articles?ids=` reads up to 100 articles' states at once.
  statusSweep: true,
  // In platforms.yaml: the client govpub is to the system's content push API.
  credentials: { id: 'clientId', secret: 'clientSecret' },
  // 16:9 cover, in-article images, 720p/1080p video.
  renditions: (s) => [
    s.image('cover', `${s.name} cover 16:9`, `${s.localName}列表封面（16:9）`, {
      purpose: 'cover',
      fit: 'cover',
      width: 1280,
      height: 720,
      format: 'jpeg',
      limitSource: 'assumed',
    }),
    s.image('image', `${s.name} in-article image`, `${s.localName}正文配图`, {
      purpose: 'inline',
      fit: 'inside',
      width: 1600,
      height: s.units.TALL,
      format: 'jpeg-or-png',
      watermark: true,
      limitSource: 'assumed',
    }),
    s.landscape(720),
    s.landscape(1080),
    s.poster('poster', `${s.name} video poster 16:9`, `${s.localName}视频封面（16:9）`, 1280, 720, { limitSource: 'assumed' }),
    s.aacAudio(),
  ],
} as const satisfies Omit<PlatformDeclaration, 'id' | 'name' | 'localName'>;

export const newsSiteDeclaration = {
  ...mediaCenterSystem,
  id: 'news_site',
  name: 'the news site channel',
  localName: '西安网碑林频道',
  simulator: { portOffset: 5 },
  posts: newsSitePostLinks,
} as const satisfies PlatformDeclaration;

export const mediaAppDeclaration = {
  ...mediaCenterSystem,
  id: 'media_app',
  name: 'the media-centre app',
  localName: '融媒客户端',
  simulator: { portOffset: 6 },
  // Its articles' public host is the deployment's: platforms.yaml `postHosts`.
} as const satisfies PlatformDeclaration;

export { CONTRACT_LIMITS as MEDIA_CENTER_CONTRACT_LIMITS };
