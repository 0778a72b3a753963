/**
 * WeChat Official Account (公众号) adapter: a package goes out as ONE push — a multi-article draft
 * (document first, then each interpretation) submitted to free publishing (发布).
 *
 *   format    pure: articles, cover, in-article pictures, every documented limit (BRIEF §7)
 *   transmit  stable access token → cover material (add_material) → in-article pictures
 *             (media/uploadimg) → draft/add → freepublish/submit; the draft media_id and the
 *             publish_id are checkpointed right after each call succeeds
 *   confirm   freepublish/get: 1 publishing, 0 live (article_id, first article URL), 2–6 rejected
 *   reconcile finds what an unanswered attempt created: the checkpointed draft (still in the draft
 *             box = not submitted), a draft carrying this delivery's marker (draft/batchget), or a
 *             published push carrying it (freepublish/batchget)
 *   takeDown  freepublish/delete, index 0 (every article); already gone (53600) is success
 *
 * The marker: every article's 阅读原文 link (content_source_url) is the portal page plus the
 * fragment `#gp-<16 hex of sha256(businessKey)>`. A fragment never reaches the portal server, so
 * the link works as before, and it lets reconcile recognise this delivery's draft or push.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import axios, { type AxiosResponse } from 'axios';
import type { Channel } from '../domain/registry.js';
import { DeliveryError, classifyTransportError, rejectedContent, type ContentProblem } from './errors.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, mediaIdFromSrc, replaceImageSources, summaryOf } from './text.js';
import { stillValid } from './tokens.js';
import type { ChannelAdapter, ConfirmResult, Formatted, ReleaseUnit, RenditionNeed, TransmitContext, TransmitResult } from './types.js';

// ── Limits (BRIEF §7; developers.weixin.qq.com draft/add, material, uploadimg) ─────────────────

export const WECHAT_OA_LIMITS = {
  titleChars: 32,
  authorChars: 16,
  digestChars: 128,
  /** content: fewer than 20,000 characters (the HTML, as the platform counts it). */
  contentCharsBelow: 20_000,
  /** content: under 1 MB (decimal, the safe reading). */
  contentBytesBelow: 1_000_000,
  articlesPerPush: 8,
  thumbBytes: 64 * 1024,
  inlineImageBytesBelow: 1024 * 1024,
} as const;

/**
 * Room kept per in-article picture when counting content at format time: govpub's
 * `/api/media/<sha256>` source is replaced by the platform's image URL (about 120–180 characters)
 * only at transmit, where the content is counted again.
 */
const IMAGE_URL_RESERVE = 256;
/** Digest of a single-article push (multi-article pushes have none: the platform empties it). */
const DIGEST_CHARS = 120;

const PLATFORM_NAME = 'WeChat Official Account';
const TOKEN_NAME = 'wechat_oa.stable_access_token';

// ── Payload and checkpoint ────────────────────────────────────────────────────────────────────

export interface WechatArticle {
  role: 'document' | 'interpretation';
  /** Where it comes from in the package, for messages: `document`, `interpretations[1]`. */
  field: string;
  title: string;
  author: string;
  /** Empty for a multi-article push (the platform empties it anyway). */
  digest: string;
  /** Article HTML; govpub pictures still point at `/api/media/<sha256>` until transmit. */
  content: string;
  /** The portal page behind 阅读原文 ('' when the package has no portal page). */
  sourceUrl: string;
}

export interface WechatPayload {
  articles: WechatArticle[];
  /** The cover of every article: a rendition uploaded as permanent material. */
  cover: { mediaId: string; spec: string; materialType: 'thumb' | 'image' };
  /** Originals (sha256) of the in-article pictures, uploaded through media/uploadimg. */
  images: string[];
}

export interface WechatCheckpoint {
  /** `${mediaId}|${spec}` of the uploaded cover and its material media_id. */
  coverKey: string;
  coverMaterialId: string;
  /** In-article pictures already uploaded: original sha256 → platform image URL. */
  imageUrls: Record<string, string>;
  /** The draft (draft/add) holding the push. */
  draftMediaId: string;
  /** The publish job (freepublish/submit); '' after it failed and before it is submitted again. */
  publishId: string;
}

export interface WechatOaAdapterOptions {
  /** Per HTTP request (default 30 s). */
  timeoutMs?: number;
  /** Clock for token expiry and quota waits (default Date.now). */
  now?: () => number;
}

// ── Error codes ───────────────────────────────────────────────────────────────────────────────

const RECONNECT_CODES: Record<number, string> = {
  40013: "the appId is not a valid WeChat app id (40013 invalid appid): check the account's appId in the registry",
  40125: 'the app secret (开发者密码 AppSecret) is wrong or was reset (40125 invalid appsecret): update the configured appSecret',
  40164: "this server's IP address is not on the account's IP whitelist (40164): add it under 设置与开发 › 基本配置 › IP白名单",
  41002: 'no appId is configured (41002)',
  41004: 'no app secret is configured (41004)',
  48001: 'the account is not authorized for this API (48001 api unauthorized — e.g. not verified 未认证, or the permission was withdrawn)',
  48004: "the account's API access is banned (48004)",
  50001: 'the account is not authorized for this API (50001)',
  50002: 'the account is restricted (50002), e.g. banned or frozen',
};

/** Refusals that mean govpub sent something the platform's contract does not allow: never retried as is. */
const REQUEST_REFUSED: Record<number, string> = {
  40002: 'invalid grant_type',
  40004: 'invalid media type',
  40066: 'invalid URL',
  40097: 'invalid arguments',
  41001: 'access_token missing',
  41005: 'no file in the upload',
  43002: 'the API requires POST',
  44002: 'empty request body',
  47001: 'malformed request (JSON)',
};

/** Content refusals `format` should have prevented, in an editor's words. */
const CONTENT_REFUSED: Record<number, string> = {
  40005: 'a picture is not in a file type WeChat accepts (jpg/png for in-article pictures, jpg for the cover)',
  40009: 'a picture is too large (in-article pictures must be under 1 MB)',
  40010: 'an audio file is too large (2 MB / 60 s)',
  40011: 'a video is too large (10 MB)',
  40012: 'the cover is too large (cover material must be a JPG of at most 64 KB)',
  44003: 'the push has no articles',
  44004: 'an article has no content',
  45001: 'a media file is over the size limit',
  45002: 'an article is too long (content must be under 20,000 characters and 1 MB)',
  45003: 'an article title is too long (at most 32 characters)',
  45004: 'an article summary is too long (at most 128 characters)',
  45008: 'the push has too many articles (at most 8)',
  45110: 'an author name is too long (at most 16 characters)',
};

const PUBLISH_FAILED: Record<number, string> = {
  2: 'WeChat did not publish the push: the originality check failed (原创失败). Articles declared original must pass it; remove the originality claim or change the text, then publish again.',
  3: 'WeChat could not publish the push (常规失败 — a general failure with no reason given). Publish it again; if it keeps failing, check the account in the WeChat console.',
  4: "WeChat's platform review rejected the push (平台审核不通过). Check the articles against the platform's content rules before publishing a changed version.",
  5: 'The push was published, but every article was later deleted from the account (成功后用户删除所有文章).',
  6: 'The push was published, but WeChat later banned every article (成功后系统封禁所有文章).',
};

// ── format (pure) ─────────────────────────────────────────────────────────────────────────────

interface ArticleSource {
  role: 'document' | 'interpretation';
  field: string;
  title: string;
  body: string;
  authors: string[];
  sourceUrl: string;
  index: number;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const n = (value: number) => value.toLocaleString('en-US');

export function formatWechat(unit: ReleaseUnit, channel: Channel): Formatted<WechatPayload> {
  const problems: ContentProblem[] = [];
  const warnings: string[] = [];
  const L = WECHAT_OA_LIMITS;

  const count = 1 + unit.interpretations.length;
  if (count > L.articlesPerPush) {
    problems.push({
      field: 'interpretations',
      message: `WeChat sends at most ${L.articlesPerPush} articles in one push; this package makes ${count} (the document and ${unit.interpretations.length} interpretations), ${count - L.articlesPerPush} too many. Merge interpretations or release fewer with this package.`,
    });
  }

  const portal = unit.portalLinks;
  if (!portal) warnings.push('The package is not released to a portal column, so the WeChat articles have no 阅读原文 (read the full text) link.');
  const sourceFor = (field: string, url: string | undefined): string => {
    if (!portal) return '';
    if (!url || !isHttpUrl(url)) {
      problems.push({
        field,
        message: `the portal page link "${url ?? ''}" is not an http(s) address, so it cannot be the WeChat 阅读原文 link (a configuration problem: tell operations).`,
      });
      return '';
    }
    return url;
  };

  const sources: ArticleSource[] = [
    {
      role: 'document',
      field: 'document',
      title: unit.document.title,
      body: unit.document.body,
      authors: [unit.document.issuingUnit ?? '', channel.ownerUnit ?? ''].filter((a) => a.trim() !== ''),
      sourceUrl: sourceFor('portalLinks.document', portal?.document),
      index: 0,
    },
    ...unit.interpretations.map((it, i) => ({
      role: 'interpretation' as const,
      field: `interpretations[${i}]`,
      title: it.title,
      body: it.body,
      authors: [it.interpreter ?? '', unit.document.issuingUnit ?? '', channel.ownerUnit ?? ''].filter((a) => a.trim() !== ''),
      sourceUrl: portal ? sourceFor(`portalLinks.interpretations[${i}]`, portal.interpretations[i] ?? portal.document) : '',
      index: i + 1,
    })),
  ];

  const images: string[] = [];
  const articles: WechatArticle[] = [];
  const docTitle = unit.document.title.trim();

  for (const src of sources) {
    const title = src.title.trim();
    const titleChars = charCount(title);
    if (title === '') problems.push({ field: `${src.field}.title`, message: 'WeChat needs a title for every article; this one is empty.' });
    else if (titleChars > L.titleChars) {
      problems.push({
        field: `${src.field}.title`,
        message: `WeChat allows at most ${L.titleChars} characters in an article title; this title has ${titleChars}, ${titleChars - L.titleChars} too many. Shorten it.`,
      });
    }

    // Author: the first candidate that fits; a long one is left out rather than refused.
    let author = '';
    for (const candidate of src.authors.map((a) => a.trim())) {
      const chars = charCount(candidate);
      if (chars <= L.authorChars) {
        author = candidate;
        break;
      }
      warnings.push(
        `${src.field}: WeChat allows at most ${L.authorChars} characters for the author; "${candidate}" has ${chars} (${chars - L.authorChars} too many), so it is not used as the author.`,
      );
    }

    // Pictures: govpub uploads become WeChat copies; anything else WeChat would drop silently.
    const articleImages: string[] = [];
    const dropped: string[] = [];
    let content = src.body.replace(/<img\b[^>]*>/gi, (tag) => {
      const s = imageSources(tag)[0] ?? '';
      const id = mediaIdFromSrc(s);
      const info = id ? unit.media[id] : undefined;
      if (id && (!info || info.kind === 'image')) {
        articleImages.push(id);
        return tag;
      }
      dropped.push(s || '(no address)');
      return '';
    });
    if (dropped.length > 0) {
      warnings.push(
        `${src.field}.body: WeChat shows only pictures uploaded to it, so ${dropped.length} picture${dropped.length > 1 ? 's' : ''} not uploaded to govpub will be left out (${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', …' : ''}). Upload ${dropped.length > 1 ? 'them' : 'it'} as a file in the editor to keep ${dropped.length > 1 ? 'them' : 'it'}.`,
      );
    }
    for (const id of articleImages) if (!images.includes(id)) images.push(id);

    if (src.role === 'document') {
      const no = unit.document.documentNumber?.trim();
      if (no && !htmlToPlainText(content).includes(no)) content = `<p style="text-align:center;">${escapeHtml(no)}</p>${content}`;
      const attachments = unit.document.attachments ?? [];
      if (attachments.length > 0) {
        const names = attachments.map((a, i) => `${i + 1}. ${escapeHtml(a.name)}`).join('<br/>');
        content += `<p>附件（请点击「阅读原文」在政府网站查看下载）：<br/>${names}</p>`;
      }
    } else {
      const it = unit.interpretations[src.index - 1]!;
      const media = it.mediaId ? unit.media[it.mediaId] : undefined;
      if (media && (media.kind === 'video' || media.kind === 'audio')) {
        const what = media.kind === 'video' ? '视频' : '音频';
        content += `<p>本篇为${what}解读，${portal ? '请点击「阅读原文」在政府网站观看收听。' : '请在政府网站观看收听。'}</p>`;
        warnings.push(
          `${src.field}: the ${media.kind} itself is not uploaded to WeChat; the article carries the text and ${portal ? 'links to the portal page' : 'refers readers to the portal'}.`,
        );
      }
    }

    // Document and interpretations point at each other (三同步). Article URLs are unknown until
    // publishing, so the cross-references are plain words naming the articles' places in the push.
    if (src.role === 'document' && unit.interpretations.length > 0) {
      const list = unit.interpretations.map((it, i) => `第${i + 2}篇《${escapeHtml(it.title.trim())}》`).join('、');
      content += `<p>「关联解读」本文的政策解读同步发布，见本次推送${list}。</p>`;
    } else if (src.role === 'interpretation') {
      content += `<p>「政策原文」《${escapeHtml(docTitle)}》同步发布，见本次推送第1篇。</p>`;
    }

    if (htmlToPlainText(src.body).trim() === '' && articleImages.length === 0) {
      problems.push({
        field: `${src.field}.body`,
        message: 'WeChat does not take an article without content; this one is empty. Write the text (or remove the article from the package).',
      });
    }
    const chars = charCount(content) + articleImages.length * IMAGE_URL_RESERVE;
    if (chars >= L.contentCharsBelow) {
      const over = chars - (L.contentCharsBelow - 1);
      problems.push({
        field: `${src.field}.body`,
        message: `WeChat takes fewer than ${n(L.contentCharsBelow)} characters of article content (the HTML counts, and each picture about ${IMAGE_URL_RESERVE}); this article comes to ${n(chars)}, ${n(over)} too many. Shorten the text or split it into two articles.`,
      });
    }
    const bytes = Buffer.byteLength(content, 'utf8') + articleImages.length * IMAGE_URL_RESERVE;
    if (bytes >= L.contentBytesBelow) {
      problems.push({
        field: `${src.field}.body`,
        message: `WeChat takes article content under 1 MB; this article comes to ${n(bytes)} bytes, ${n(bytes - L.contentBytesBelow + 1)} too many.`,
      });
    }

    articles.push({
      role: src.role,
      field: src.field,
      title,
      author,
      digest: count === 1 ? summaryOf(src.body, DIGEST_CHARS) : '',
      content,
      sourceUrl: src.sourceUrl,
    });
  }

  // The cover: the package's cover, else the first picture, else a video's poster frame.
  let cover: WechatPayload['cover'] | undefined;
  let coverPurpose = 'cover';
  const imageCover = (mediaId: string): WechatPayload['cover'] => ({ mediaId, spec: 'wechat_oa.thumb', materialType: 'thumb' });
  const videoCover = (mediaId: string): WechatPayload['cover'] => ({ mediaId, spec: 'wechat_oa.video_cover', materialType: 'image' });
  if (unit.cover) {
    const kind = unit.media[unit.cover.mediaId]?.kind ?? 'image';
    if (kind === 'image') cover = imageCover(unit.cover.mediaId);
    else if (kind === 'video') cover = videoCover(unit.cover.mediaId);
    else warnings.push('cover: the chosen cover is an audio file, which cannot be a picture; another picture of the package is used.');
  }
  if (!cover && images.length > 0) {
    cover = imageCover(images[0]!);
    coverPurpose = 'cover (first picture)';
    warnings.push('cover: no cover was chosen, so the first picture of the articles is the WeChat cover.');
  }
  if (!cover) {
    const withMedia = unit.interpretations.map((it) => (it.mediaId ? unit.media[it.mediaId] : undefined)).filter((m) => m !== undefined);
    const picture = withMedia.find((m) => m.kind === 'image');
    const video = withMedia.find((m) => m.kind === 'video');
    if (picture) {
      cover = imageCover(picture.mediaId);
      coverPurpose = 'cover (interpretation picture)';
      warnings.push(`cover: no cover was chosen, so the interpretation picture${picture.name ? ` ${picture.name}` : ''} is the WeChat cover.`);
    } else if (video) {
      cover = videoCover(video.mediaId);
      coverPurpose = 'cover (video frame)';
      warnings.push('cover: no cover was chosen, so a frame of the interpretation video is the WeChat cover.');
    }
  }
  if (!cover) {
    problems.push({
      field: 'cover',
      message:
        'WeChat needs a cover picture for every article, and this package has no picture at all. Choose a cover for the package (or put a picture in the document).',
    });
  }

  if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);

  const renditions: RenditionNeed[] = [
    { mediaId: cover!.mediaId, spec: cover!.spec, purpose: coverPurpose },
    ...images.map((mediaId) => ({ mediaId, spec: 'wechat_oa.inline', purpose: 'in-article picture' })),
  ];
  return { payload: { articles, cover: cover!, images }, renditions, warnings };
}

// ── the HTTP side ─────────────────────────────────────────────────────────────────────────────

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** This delivery's marker (see the header comment). */
export function wechatMarker(businessKey: string): string {
  return `gp-${createHash('sha256').update(businessKey).digest('hex').slice(0, 16)}`;
}

function withMarker(url: string, marker: string): string {
  if (url === '') return '';
  return `${url.split('#')[0]}#${marker}`;
}

/** Replaces every configured credential value in a text (platform messages are echoed to people). */
function scrub(text: string, credentials: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(credentials)) if (value && value.length >= 4) out = out.split(value).join('***');
  return out;
}

/** A transport error, classified, with a cause that carries no request data (tokens, secrets). */
function transportError(error: unknown, what: string, sideEffect: boolean): DeliveryError {
  const d = classifyTransportError(error, what, { sideEffect });
  if (d === error) return d;
  const cause = axios.isAxiosError(error)
    ? Object.assign(new Error(`${error.code ?? 'HTTP'}${error.response ? ` ${error.response.status}` : ''}: ${error.message}`), { code: error.code })
    : error;
  return new DeliveryError(d.errorClass, d.message, { retryAfterMs: d.retryAfterMs, platformCode: d.platformCode, problems: d.problems, cause });
}

/** What the HTTP side needs of a transmit context. */
type ApiContext = Pick<TransmitContext<object>, 'baseUrl' | 'channel' | 'account' | 'credentials' | 'tokens' | 'signal'>;

function accountLabel(ctx: ApiContext): string {
  const name = ctx.account?.name ?? ctx.channel.name;
  const appId = ctx.credentials.appId;
  return `"${name}" (${ctx.channel.id}${appId ? `, appId ${appId}` : ''})`;
}

/** Milliseconds until the next midnight in Beijing (UTC+8), when WeChat's daily quotas reset. */
function untilBeijingMidnight(nowMs: number): number {
  const day = 86_400_000;
  const beijing = nowMs + 8 * 3_600_000;
  return day - (beijing % day) + 1000;
}

interface CallOptions {
  what: string;
  sideEffect: boolean;
  query?: Record<string, string>;
  /** Error codes the caller handles itself (returned instead of thrown). */
  accept?: number[];
}

class WechatClient {
  private token: string | null = null;
  constructor(
    private readonly ctx: ApiContext,
    private readonly opts: Required<WechatOaAdapterOptions>,
  ) {}

  private http(): ReturnType<typeof axios.create> {
    return axios.create({
      baseURL: this.ctx.baseUrl.replace(/\/+$/, ''),
      timeout: this.opts.timeoutMs,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      signal: this.ctx.signal,
    });
  }

  private async send(path: string, body: unknown | (() => FormData), params: Record<string, string>, what: string, sideEffect: boolean): Promise<WechatAnswer> {
    let res: AxiosResponse;
    try {
      res = await this.http().post(path, typeof body === 'function' ? (body as () => FormData)() : body, { params });
    } catch (error) {
      throw transportError(error, what, sideEffect);
    }
    const data = res.data as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new DeliveryError(sideEffect ? 'unconfirmed' : 'retryable', `${what}: WeChat answered something that is not a JSON object.`);
    }
    return data as WechatAnswer;
  }

  /** The stable access token: from the token store while valid, else from stable_token. */
  async accessToken(force = false): Promise<string> {
    const failed = this.token;
    const now = this.opts.now();
    const stored = await this.ctx.tokens.get(TOKEN_NAME);
    if (stored && stillValid(stored, now) && (!force || stored.value !== failed)) {
      this.token = stored.value;
      return stored.value;
    }
    const appId = this.ctx.credentials.appId;
    const secret = this.ctx.credentials.appSecret;
    if (!appId || !secret) {
      throw new DeliveryError(
        'needs_reconnect',
        `WeChat account ${accountLabel(this.ctx)} has no ${!appId ? 'appId' : 'appSecret'} configured; operations must add it before anything can be published.`,
      );
    }
    const what = `Getting an access token for WeChat account ${accountLabel(this.ctx)}`;
    const data = await this.send('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: appId, secret, force_refresh: force }, {}, what, false);
    if (data.errcode) throw this.error(data, what, '/cgi-bin/stable_token');
    const token = typeof data.access_token === 'string' ? data.access_token : '';
    const expiresIn = typeof data.expires_in === 'number' ? data.expires_in : 7200;
    if (!token) throw new DeliveryError('retryable', `${what}: WeChat answered without an access_token.`);
    await this.ctx.tokens.put(TOKEN_NAME, token, new Date(this.opts.now() + expiresIn * 1000));
    this.token = token;
    return token;
  }

  /** One API call with ?access_token=; an invalid or expired token is refreshed once. */
  async call(path: string, body: unknown | (() => FormData), options: CallOptions): Promise<WechatAnswer> {
    let token = this.token ?? (await this.accessToken());
    for (let attempt = 0; ; attempt++) {
      const data = await this.send(path, body, { ...(options.query ?? {}), access_token: token }, options.what, options.sideEffect);
      const code = data.errcode ?? 0;
      if ((code === 40001 || code === 42001) && attempt === 0) {
        // The platform refused the token before doing anything: safe to repeat the call.
        token = await this.accessToken(true);
        continue;
      }
      if (code === 0 || options.accept?.includes(code)) return data;
      throw this.error(data, options.what, path);
    }
  }

  error(data: WechatAnswer, what: string, path: string): DeliveryError {
    const code = data.errcode ?? -1;
    const platformMsg = scrub(String(data.errmsg ?? '').replace(/\s*rid:.*$/, ''), this.ctx.credentials);
    const said = `errcode ${code}${platformMsg ? ` "${platformMsg}"` : ''}`;
    if (RECONNECT_CODES[code]) {
      return new DeliveryError(
        'needs_reconnect',
        `WeChat refused the credentials of account ${accountLabel(this.ctx)}: ${RECONNECT_CODES[code]}. Nothing is published on this account until operations fix it.`,
        {
          platformCode: code,
        },
      );
    }
    if (code === 40001 || code === 42001) {
      return new DeliveryError(
        'retryable',
        `${what}: WeChat still refused a freshly issued access token (${said}); another system may be refreshing this account's token. Trying again later.`,
        {
          platformCode: code,
          retryAfterMs: 30_000,
        },
      );
    }
    if (code === -1)
      return new DeliveryError('retryable', `${what}: WeChat is busy (${said}); trying again shortly.`, { platformCode: code, retryAfterMs: 10_000 });
    if (code === 45009) {
      const wait = untilBeijingMidnight(this.opts.now());
      const quota = path === '/cgi-bin/stable_token' ? 'the daily limit of forced token refreshes (20 a day)' : `the daily call quota of ${path}`;
      return new DeliveryError(
        'rate_limited',
        `${what}: account ${accountLabel(this.ctx)} reached ${quota} (${said}). It resets at midnight Beijing time; operations can reset it earlier in the WeChat console (clear_quota).`,
        {
          platformCode: code,
          retryAfterMs: wait,
        },
      );
    }
    if (code === 45011)
      return new DeliveryError('rate_limited', `${what}: too many calls this minute (${said}).`, { platformCode: code, retryAfterMs: 60_000 });
    if (CONTENT_REFUSED[code]) return new DeliveryError('rejected', `${what}: WeChat refused it — ${CONTENT_REFUSED[code]} (${said}).`, { platformCode: code });
    if (REQUEST_REFUSED[code] || code === 40007 || code === 53600) {
      return new DeliveryError(
        'rejected',
        `${what}: WeChat refused the request as malformed (${REQUEST_REFUSED[code] ?? 'unknown id'}; ${said}). This is a govpub problem, not the content's: tell operations.`,
        {
          platformCode: code,
        },
      );
    }
    return new DeliveryError('retryable', `${what}: WeChat answered ${said}.`, { platformCode: code });
  }
}

// ── the adapter ───────────────────────────────────────────────────────────────────────────────

interface NewsItem {
  title?: string;
  content_source_url?: string;
  url?: string;
}

function matchesPush(items: NewsItem[], payload: WechatPayload, marker: string): boolean {
  if (items.length !== payload.articles.length) return false;
  if (payload.articles[0]!.sourceUrl !== '') return (items[0]?.content_source_url ?? '').endsWith(`#${marker}`);
  // Without a portal link there is no marker: the same titles in the same order identify the push.
  return items.every((it, i) => it.title === payload.articles[i]!.title);
}

const PAGE = 20;
const MAX_PAGES = 10;

export function createWechatOaAdapter(options: WechatOaAdapterOptions = {}): ChannelAdapter<WechatPayload, WechatCheckpoint> {
  const opts: Required<WechatOaAdapterOptions> = { timeoutMs: options.timeoutMs ?? 30_000, now: options.now ?? Date.now };
  type Ctx = TransmitContext<WechatCheckpoint>;

  /**
   * Progress saved through a context, remembered here too: `reconcile` and the `transmit` that
   * follows it share one context, and a context's `checkpointed` may be a snapshot taken when the
   * attempt began.
   */
  const savedThrough = new WeakMap<object, Partial<WechatCheckpoint>>();

  /** The checkpoint as this attempt knows it, and a saver that keeps both in step. */
  const progressOf = (ctx: Ctx) => {
    const later = savedThrough.get(ctx) ?? {};
    const cp: Partial<WechatCheckpoint> = { ...ctx.checkpointed, ...later, imageUrls: { ...(ctx.checkpointed.imageUrls ?? {}), ...(later.imageUrls ?? {}) } };
    const save = async (p: Partial<WechatCheckpoint>, afterSideEffect: boolean) => {
      Object.assign(cp, p);
      savedThrough.set(ctx, { ...(savedThrough.get(ctx) ?? {}), ...p });
      try {
        await ctx.checkpoint(p);
      } catch (error) {
        // The platform did it but govpub could not record it: the outcome must be reconciled.
        if (!afterSideEffect) throw error;
        throw new DeliveryError(
          'unconfirmed',
          `WeChat carried out a step but govpub could not save its progress (${(error as Error).message}); it is looked up before anything is sent again.`,
          { cause: error },
        );
      }
    };
    return { cp, save };
  };

  const upload = async (
    api: WechatClient,
    ctx: Ctx,
    mediaId: string,
    spec: string,
    path: string,
    query: Record<string, string>,
    what: string,
    maxBytes: number,
    below: boolean,
  ) => {
    const file = await ctx.renditions.get(mediaId, spec);
    if (below ? file.sizeBytes >= maxBytes : file.sizeBytes > maxBytes) {
      throw new DeliveryError('rejected', `${what}: the prepared picture is ${n(file.sizeBytes)} bytes, over WeChat's limit of ${n(maxBytes)}.`);
    }
    const data = await readFile(file.path);
    const ext = file.mime === 'image/png' ? 'png' : 'jpg';
    // Repeating an upload whose answer was lost adds at most an unused picture, never a visible
    // post, and its id could not be recovered anyway: so a lost answer here is simply retryable.
    const answer = await api.call(
      path,
      () => {
        const form = new FormData();
        // Named after the rendition: nothing sent out derives from the original's hash.
        form.append('media', new Blob([new Uint8Array(data)], { type: file.mime }), `${file.sha256.slice(0, 16)}.${ext}`);
        return form;
      },
      { what, sideEffect: false, query },
    );
    ctx.heartbeat();
    return answer;
  };

  const ensureCover = async (
    api: WechatClient,
    ctx: Ctx,
    payload: WechatPayload,
    cp: Partial<WechatCheckpoint>,
    save: (p: Partial<WechatCheckpoint>, s: boolean) => Promise<void>,
    fresh = false,
  ): Promise<string> => {
    const key = `${payload.cover.mediaId}|${payload.cover.spec}`;
    if (!fresh && cp.coverKey === key && cp.coverMaterialId) return cp.coverMaterialId;
    const thumb = payload.cover.materialType === 'thumb';
    const answer = await upload(
      api,
      ctx,
      payload.cover.mediaId,
      payload.cover.spec,
      '/cgi-bin/material/add_material',
      { type: payload.cover.materialType },
      'Uploading the cover to WeChat',
      thumb ? WECHAT_OA_LIMITS.thumbBytes : 10 * 1024 * 1024,
      false,
    );
    const id = typeof answer.media_id === 'string' ? answer.media_id : '';
    if (!id) throw new DeliveryError('retryable', 'Uploading the cover to WeChat: the answer had no media_id.');
    await save({ coverKey: key, coverMaterialId: id }, false);
    return id;
  };

  const ensureImages = async (
    api: WechatClient,
    ctx: Ctx,
    payload: WechatPayload,
    cp: Partial<WechatCheckpoint>,
    save: (p: Partial<WechatCheckpoint>, s: boolean) => Promise<void>,
  ) => {
    const urls = cp.imageUrls ?? {};
    for (const [i, mediaId] of payload.images.entries()) {
      if (urls[mediaId]) continue;
      const answer = await upload(
        api,
        ctx,
        mediaId,
        'wechat_oa.inline',
        '/cgi-bin/media/uploadimg',
        {},
        `Uploading in-article picture ${i + 1} of ${payload.images.length} to WeChat`,
        WECHAT_OA_LIMITS.inlineImageBytesBelow,
        true,
      );
      const url = typeof answer.url === 'string' ? answer.url : '';
      if (!url) throw new DeliveryError('retryable', 'Uploading an in-article picture to WeChat: the answer had no url.');
      urls[mediaId] = url;
      await save({ imageUrls: { ...urls } }, false);
    }
    return urls;
  };

  const buildArticles = (payload: WechatPayload, thumbId: string, urls: Record<string, string>, marker: string) => {
    const problems: ContentProblem[] = [];
    const articles = payload.articles.map((a) => {
      const content = replaceImageSources(a.content, (src) => {
        const id = mediaIdFromSrc(src);
        return id ? (urls[id] ?? null) : null;
      });
      const chars = charCount(content);
      if (chars >= WECHAT_OA_LIMITS.contentCharsBelow) {
        problems.push({
          field: `${a.field}.body`,
          message: `with WeChat's picture addresses the article comes to ${n(chars)} characters, ${n(chars - WECHAT_OA_LIMITS.contentCharsBelow + 1)} over WeChat's limit; shorten the text.`,
        });
      }
      return {
        article_type: 'news',
        title: a.title,
        author: a.author,
        digest: a.digest,
        content,
        content_source_url: withMarker(a.sourceUrl, marker),
        thumb_media_id: thumbId,
        show_cover_pic: 0,
        need_open_comment: 0,
        only_fans_can_comment: 0,
      };
    });
    if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);
    return articles;
  };

  /** Drafts in the draft box carrying this delivery's marker, newest first. */
  const findDrafts = async (api: WechatClient, payload: WechatPayload, marker: string): Promise<string[]> => {
    const found: string[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await api.call(
        '/cgi-bin/draft/batchget',
        { offset: page * PAGE, count: PAGE, no_content: 1 },
        { what: 'Looking for the push in the WeChat draft box', sideEffect: false },
      );
      const items = Array.isArray(r.item) ? (r.item as { media_id: string; content?: { news_item?: NewsItem[] } }[]) : [];
      for (const it of items) if (matchesPush(it.content?.news_item ?? [], payload, marker)) found.push(it.media_id);
      if (items.length < PAGE) break;
    }
    return found;
  };

  /** A published push carrying this delivery's marker. */
  const findPublished = async (api: WechatClient, payload: WechatPayload | null, marker: string): Promise<{ articleId: string; url: string | null } | null> => {
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await api.call(
        '/cgi-bin/freepublish/batchget',
        { offset: page * PAGE, count: PAGE, no_content: 1 },
        { what: 'Looking for the push among the published WeChat articles', sideEffect: false },
      );
      const items = Array.isArray(r.item) ? (r.item as { article_id: string; content?: { news_item?: NewsItem[] } }[]) : [];
      for (const it of items) {
        const news = it.content?.news_item ?? [];
        const hit = payload ? matchesPush(news, payload, marker) : (news[0]?.content_source_url ?? '').endsWith(`#${marker}`);
        if (hit) return { articleId: it.article_id, url: news[0]?.url || null };
      }
      if (items.length < PAGE) break;
    }
    return null;
  };

  /**
   * A checkpointed submission: publishing or published (or deleted since) is the answer. A failed
   * one (2/3/4) published nothing and its draft is back in the draft box: the checkpoint forgets
   * it so that a retry submits the draft again.
   */
  const earlierSubmission = async (
    api: WechatClient,
    cp: Partial<WechatCheckpoint>,
    save: (p: Partial<WechatCheckpoint>, s: boolean) => Promise<void>,
  ): Promise<TransmitResult | null> => {
    if (!cp.publishId) return null;
    const r = await api.call(
      '/cgi-bin/freepublish/get',
      { publish_id: cp.publishId },
      { what: 'Asking WeChat about the earlier submission', sideEffect: false },
    );
    if (![2, 3, 4].includes(Number(r.publish_status))) return { state: 'submitted', externalId: cp.publishId };
    await save({ publishId: '' }, false);
    return null;
  };

  /** Whether a draft is (still or again) in the draft box. */
  const draftExists = async (api: WechatClient, mediaId: string): Promise<boolean> => {
    const r = await api.call('/cgi-bin/draft/get', { media_id: mediaId }, { what: 'Checking the WeChat draft', sideEffect: false, accept: [40007] });
    return !r.errcode;
  };

  return {
    platform: 'wechat_oa',
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: {
        titleChars: WECHAT_OA_LIMITS.titleChars,
        authorChars: WECHAT_OA_LIMITS.authorChars,
        digestChars: WECHAT_OA_LIMITS.digestChars,
        contentChars: `< ${WECHAT_OA_LIMITS.contentCharsBelow}`,
        contentBytes: `< ${WECHAT_OA_LIMITS.contentBytesBelow}`,
        articlesPerPush: WECHAT_OA_LIMITS.articlesPerPush,
        coverBytes: WECHAT_OA_LIMITS.thumbBytes,
        inlineImageBytes: `< ${WECHAT_OA_LIMITS.inlineImageBytesBelow}`,
      },
    },

    format: formatWechat,

    async transmit(payload, ctx): Promise<TransmitResult> {
      const { cp, save } = progressOf(ctx);
      const api = new WechatClient(ctx, opts);
      const earlier = await earlierSubmission(api, cp, save);
      if (earlier) return earlier;
      const marker = wechatMarker(ctx.businessKey);

      if (!cp.draftMediaId) {
        let thumbId = await ensureCover(api, ctx, payload, cp, save);
        const urls = await ensureImages(api, ctx, payload, cp, save);
        const what = 'Creating the WeChat draft';
        let answer = await api.call(
          '/cgi-bin/draft/add',
          { articles: buildArticles(payload, thumbId, urls, marker) },
          { what, sideEffect: true, accept: [40007] },
        );
        if (answer.errcode === 40007) {
          // The checkpointed cover material is gone (deleted in the console): upload it again, once.
          thumbId = await ensureCover(api, ctx, payload, cp, save, true);
          answer = await api.call('/cgi-bin/draft/add', { articles: buildArticles(payload, thumbId, urls, marker) }, { what, sideEffect: true });
        }
        const mediaId = typeof answer.media_id === 'string' ? answer.media_id : '';
        if (!mediaId)
          throw new DeliveryError('unconfirmed', `${what}: WeChat answered without a media_id; the draft box is checked before anything is sent again.`);
        await save({ draftMediaId: mediaId }, true);
      }

      const what = 'Submitting the WeChat push for publishing';
      const answer = await api.call('/cgi-bin/freepublish/submit', { media_id: cp.draftMediaId }, { what, sideEffect: true, accept: [40007] });
      if (answer.errcode === 40007) {
        // The draft already left the draft box: an earlier submit went through (its answer lost).
        throw new DeliveryError(
          'unconfirmed',
          `${what}: the draft is no longer in the draft box, so an earlier submit probably went through; it is looked up before anything is sent again.`,
          {
            platformCode: 40007,
          },
        );
      }
      const publishId = answer.publish_id === undefined || answer.publish_id === null ? '' : String(answer.publish_id);
      if (!publishId) throw new DeliveryError('unconfirmed', `${what}: WeChat answered without a publish_id; it is looked up before anything is sent again.`);
      await save({ publishId }, true);
      return { state: 'submitted', externalId: publishId };
    },

    async confirm(externalId, ctx): Promise<ConfirmResult> {
      const api = new WechatClient(ctx, opts);
      if (externalId.startsWith('draft:')) {
        // Submitted, but its publish_id was lost: watch the push appear (or the draft return).
        const found = await findPublished(api, null, wechatMarker(ctx.businessKey));
        if (found) return { state: 'live', externalId: found.articleId, publicUrl: found.url };
        if (await draftExists(api, externalId.slice('draft:'.length))) {
          return {
            state: 'rejected',
            message:
              'WeChat did not publish the push: the draft returned to the draft box, which WeChat does when publishing fails (the reason was not received).',
          };
        }
        return { state: 'pending', note: 'WeChat is still publishing the push (publish id unknown: the submit answer was lost).' };
      }
      const r = await api.call('/cgi-bin/freepublish/get', { publish_id: externalId }, { what: 'Asking WeChat how publishing went', sideEffect: false });
      const status = Number(r.publish_status);
      if (status === 0) {
        const items = ((r.article_detail as { item?: { idx: number; article_url: string }[] } | undefined)?.item ?? []).slice().sort((a, b) => a.idx - b.idx);
        return { state: 'live', externalId: String(r.article_id), publicUrl: items[0]?.article_url ?? null };
      }
      if (status === 1) return { state: 'pending', note: 'WeChat is publishing the push (发布中).' };
      const failed = PUBLISH_FAILED[status];
      if (failed) {
        const idx = Array.isArray(r.fail_idx) ? (r.fail_idx as number[]) : [];
        return { state: 'rejected', message: idx.length > 0 && status <= 4 ? `${failed} (articles ${idx.join(', ')})` : failed };
      }
      return { state: 'pending', note: `WeChat reported publish_status ${status}, which govpub does not know; asking again later.` };
    },

    async reconcile(payload, ctx): Promise<TransmitResult | null> {
      const { cp, save } = progressOf(ctx);
      const api = new WechatClient(ctx, opts);
      const earlier = await earlierSubmission(api, cp, save);
      if (earlier) return earlier;
      const marker = wechatMarker(ctx.businessKey);

      if (cp.draftMediaId) {
        // Still in the draft box: never submitted (or submitted, failed and returned). The retry submits it.
        if (await draftExists(api, cp.draftMediaId)) return null;
        const published = await findPublished(api, payload, marker);
        if (published) return { state: 'live', externalId: published.articleId, publicUrl: published.url };
        // Left the draft box and not (yet) among the published: being published right now.
        return { state: 'submitted', externalId: `draft:${cp.draftMediaId}` };
      }

      const published = await findPublished(api, payload, marker);
      if (published) return { state: 'live', externalId: published.articleId, publicUrl: published.url };
      const drafts = await findDrafts(api, payload, marker);
      if (drafts.length === 0) return null;
      // Keep the newest; drafts are invisible, but a second copy would only confuse editors.
      for (const extra of drafts.slice(1)) {
        await api.call('/cgi-bin/draft/delete', { media_id: extra }, { what: 'Removing a duplicate WeChat draft', sideEffect: false, accept: [40007] });
      }
      await save({ draftMediaId: drafts[0]! }, false);
      return null;
    },

    async takeDown(externalId, ctx): Promise<void> {
      const api = new WechatClient(ctx, opts);
      let articleId = externalId;
      if (externalId.startsWith('draft:')) {
        const found = await findPublished(api, null, wechatMarker(ctx.businessKey));
        if (!found) return; // never published
        articleId = found.articleId;
      } else if (/^\d+$/.test(externalId)) {
        const r = await api.call(
          '/cgi-bin/freepublish/get',
          { publish_id: externalId },
          { what: 'Asking WeChat about the push to take down', sideEffect: false },
        );
        const status = Number(r.publish_status);
        if (status === 1)
          throw new DeliveryError('retryable', 'WeChat is still publishing the push; it can be taken down once publishing finishes.', { retryAfterMs: 60_000 });
        if (status !== 0) return; // failed, deleted or banned: nothing visible to take down
        articleId = String(r.article_id);
      }
      await api.call(
        '/cgi-bin/freepublish/delete',
        { article_id: articleId, index: 0 },
        { what: 'Taking the WeChat push down', sideEffect: false, accept: [53600] },
      );
    },
  };
}
