/**
 * Weibo (微博) adapter: one post through the share API (`statuses/share.json`) — the document's
 * title, a short summary, a mention of the interpretation and the link to the package's portal
 * page (the share API requires a link to the app's bound "safe" domain), with the cover picture.
 *
 *   format    pure: builds the text within 140 Weibo characters, shortening the summary first
 *   transmit  one share call; Weibo posts synchronously, so the answer is `live` with the post URL
 *   reconcile the account's own timeline (`statuses/user_timeline`): a post with this text
 *   takeDown  `statuses/destroy`; a post that is already gone (20101) is success
 *
 * The access token comes from the channel's credentials (`accessToken`, obtained once through
 * OAuth by operations) or, when present and valid, a newer one in the channel's token store
 * (`WEIBO_TOKEN_NAME`).
 */
import { readFile } from 'node:fs/promises';
import axios, { type AxiosResponse } from 'axios';
import type { Channel } from '../domain/registry.js';
import { DeliveryError, classifyTransportError, rejectedContent, type ContentProblem } from './errors.js';
import { charCount, htmlToPlainText, imageSources, mediaIdFromSrc } from './text.js';
import { stillValid } from './tokens.js';
import type { ChannelAdapter, Formatted, ReleaseUnit, RenditionNeed, TransmitContext, TransmitResult } from './types.js';

export const WEIBO_LIMITS = {
  /** The share API's limit, in Weibo characters (see weiboLength). */
  textChars: 140,
  /** Every link counts as this many characters, whatever its length. */
  linkChars: 10,
  pictureBytes: 5_000_000,
} as const;

/** Name of a newer access token in the channel's token store (written by a re-authorization). */
export const WEIBO_TOKEN_NAME = 'weibo.access_token';

const PLATFORM_NAME = 'Weibo';
const LINK_RE = /https?:\/\/[^\s\u3000-\u303f\uff00-\uffef]+/gi;
/** Below this many characters of room a summary says nothing; it is left out. */
const MIN_SUMMARY_CHARS = 8;

export interface WeiboPayload {
  /** The post, exactly as sent. */
  text: string;
  /** The portal page it links to. */
  link: string;
  picture?: { mediaId: string; spec: string };
}

export interface WeiboCheckpoint {
  /** The post (idstr) once the share call succeeded. */
  statusId: string;
  publicUrl: string | null;
}

export interface WeiboAdapterOptions {
  /** Per HTTP request (default 30 s). */
  timeoutMs?: number;
  /** Clock for token validity (default Date.now). */
  now?: () => number;
}

/**
 * Weibo's count: wide (non-ASCII) characters 1, ASCII characters ½ (the total rounded up), every
 * http(s) link a fixed 10 whatever its length.
 */
export function weiboLength(text: string): number {
  let halves = 0;
  const rest = text.replace(LINK_RE, () => {
    halves += WEIBO_LIMITS.linkChars * 2;
    return '';
  });
  for (const ch of rest) halves += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return Math.ceil(halves / 2);
}

/** `#` pairs make a topic, which the share API refuses: the full-width sign reads the same. */
const noTopics = (text: string) => text.replace(/#/g, '＃');

// ── format (pure) ─────────────────────────────────────────────────────────────────────────────

export function formatWeibo(unit: ReleaseUnit, _channel: Channel): Formatted<WeiboPayload> {
  const problems: ContentProblem[] = [];
  const warnings: string[] = [];
  const limit = WEIBO_LIMITS.textChars;

  const link = unit.portalLinks?.document ?? '';
  if (!unit.portalLinks) {
    problems.push({
      field: 'portalLinks',
      message:
        "A Weibo post from govpub must link to the package's page on the district portal (Weibo only takes posts linking to the app's bound domain), and this package is not released to any portal column. Release it to a portal column as well, or leave Weibo out.",
    });
  } else if (!/^https?:\/\/\S+$/i.test(link)) {
    problems.push({
      field: 'portalLinks.document',
      message: `the portal page link "${link}" is not an http(s) address (a configuration problem: tell operations).`,
    });
  }

  const rawTitle = unit.document.title.trim();
  const title = noTopics(rawTitle).replace(LINK_RE, '').trim();
  if (title !== rawTitle)
    warnings.push('document.title: "#" signs were written as "＃" (Weibo\'s share API refuses #topics#) and links were left out of the post title.');
  if (title === '') problems.push({ field: 'document.title', message: 'the Weibo post starts with the document title, and it is empty.' });

  const head = `【${title}】`;
  const lead = ' 全文：';
  const tail = `${lead}${link}`;
  const fixed = weiboLength(head + tail);
  if (title !== '' && fixed > limit) {
    const room = limit - weiboLength(`【】${tail}`);
    const titleLen = weiboLength(title);
    problems.push({
      field: 'document.title',
      message: `a Weibo post holds ${limit} Weibo characters and the link to the portal page takes ${limit - room} of them, leaving ${room} for the title; this title counts ${titleLen} (${titleLen - room} too many — Latin letters and digits count half). Shorten the title.`,
    });
  }
  if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);

  // The interpretation, released with the document (三同步): named if there is room.
  let mention = '';
  const interps = unit.interpretations;
  if (interps.length > 0) {
    const named = noTopics(interps.length === 1 ? `（同步发布政策解读《${interps[0]!.title.trim()}》）` : `（同步发布${interps.length}篇政策解读）`);
    const short = '（附政策解读）';
    if (weiboLength(head + named + tail) <= limit) mention = named;
    else if (weiboLength(head + short + tail) <= limit) mention = short;
    else warnings.push('Weibo: the title leaves no room to mention the interpretation in the post; readers find it from the portal page.');
  }

  // The summary fills what is left, shortened to fit.
  const room = limit - weiboLength(head + mention + tail);
  const plain = noTopics(htmlToPlainText(unit.document.body).replace(LINK_RE, ' ').replace(/\s+/g, ' ').trim());
  let summary = '';
  if (plain !== '' && room >= MIN_SUMMARY_CHARS) {
    summary = fitWeibo(plain, room);
    if (summary !== plain) {
      warnings.push(
        `Weibo: the summary was shortened to ${charCount(summary)} characters to fit the ${limit}-character post (the title, the interpretation mention and the link take ${limit - room}).`,
      );
    }
  } else if (plain !== '') {
    warnings.push('Weibo: the title leaves no room for a summary; the post is the title and the link.');
  }
  const text = head + summary + mention + tail;

  // The picture: the cover, else the document's first picture.
  let picture: WeiboPayload['picture'];
  const renditions: RenditionNeed[] = [];
  if (unit.cover) {
    const kind = unit.media[unit.cover.mediaId]?.kind ?? 'image';
    if (kind === 'image') picture = { mediaId: unit.cover.mediaId, spec: 'weibo.image' };
    else if (kind === 'video') picture = { mediaId: unit.cover.mediaId, spec: 'weibo.poster' };
  }
  if (!picture) {
    const first = imageSources(unit.document.body)
      .map((s) => mediaIdFromSrc(s))
      .find((id): id is string => id !== null && (unit.media[id]?.kind ?? 'image') === 'image');
    if (first) picture = { mediaId: first, spec: 'weibo.image' };
  }
  if (picture) renditions.push({ mediaId: picture.mediaId, spec: picture.spec, purpose: 'Weibo picture' });

  return { payload: { text, link, ...(picture ? { picture } : {}) }, renditions, warnings };
}

/** The longest start of `text` (with an ellipsis when cut) that counts at most `room`. */
function fitWeibo(text: string, room: number): string {
  if (weiboLength(text) <= room) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (weiboLength(chars.slice(0, mid).join('').trimEnd() + '…') <= room) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : chars.slice(0, lo).join('').trimEnd() + '…';
}

// ── the HTTP side ─────────────────────────────────────────────────────────────────────────────

type ApiContext = Pick<TransmitContext<object>, 'baseUrl' | 'channel' | 'account' | 'credentials' | 'tokens' | 'signal'>;

interface WeiboAnswer {
  error?: string;
  error_code?: number;
  [key: string]: unknown;
}

interface WeiboStatus {
  id?: number;
  idstr?: string;
  text?: string;
  url?: string;
  user?: { idstr?: string; id?: number };
}

const RECONNECT: Record<number, string> = {
  10006: 'the app key is missing (10006)',
  10014: 'the app lacks the permission for this API (10014 insufficient app permissions)',
  21301: 'authorization failed (21301)',
  21314: 'the access token was already used (21314)',
  21315: 'the access token expired (21315)',
  21316: 'the access token was revoked (21316)',
  21317: 'the access token is not accepted (21317)',
  21319: 'the user cancelled the authorization (21319)',
  21327: 'the access token expired (21327 expired_token)',
  21332: 'the access token is not valid (21332 invalid_access_token)',
  21501: 'the access token is not valid (21501)',
};

const CONTENT: Record<number, string> = {
  10008: 'a parameter was not accepted',
  10016: 'a required parameter is missing',
  10017: 'a parameter value was not accepted',
  20005: 'the picture is not a JPG, GIF or PNG',
  20006: 'the picture is larger than 5 MB',
  20007: 'the upload carried no picture',
  20008: 'the post is empty',
  20012: 'the post is longer than 140 Weibo characters',
};

function transportError(error: unknown, what: string, sideEffect: boolean): DeliveryError {
  const d = classifyTransportError(error, what, { sideEffect });
  if (d === error) return d;
  const cause = axios.isAxiosError(error)
    ? Object.assign(new Error(`${error.code ?? 'HTTP'}${error.response ? ` ${error.response.status}` : ''}: ${error.message}`), { code: error.code })
    : error;
  return new DeliveryError(d.errorClass, d.message, { retryAfterMs: d.retryAfterMs, platformCode: d.platformCode, problems: d.problems, cause });
}

/** Replaces every configured credential value in a text (platform messages are echoed to people). */
function scrub(text: string, credentials: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(credentials)) if (value && value.length >= 4) out = out.split(value).join('***');
  return out;
}

function accountLabel(ctx: ApiContext): string {
  return `"${ctx.account?.name ?? ctx.channel.name}" (${ctx.channel.id})`;
}

class WeiboClient {
  private tokens: string[] | null = null;
  constructor(
    private readonly ctx: ApiContext,
    private readonly opts: Required<WeiboAdapterOptions>,
  ) {}

  /** Usable tokens, best first: a valid newer one from the token store, then the configured one. */
  async candidates(): Promise<string[]> {
    if (this.tokens) return this.tokens;
    const out: string[] = [];
    const stored = await this.ctx.tokens.get(WEIBO_TOKEN_NAME);
    if (stored && stillValid(stored, this.opts.now(), 0)) out.push(stored.value);
    const configured = this.ctx.credentials.accessToken;
    if (configured && !out.includes(configured)) out.push(configured);
    if (out.length === 0) {
      throw new DeliveryError(
        'needs_reconnect',
        `Weibo account ${accountLabel(this.ctx)} has no access token: operations must authorize the app once (OAuth) and configure accessToken.`,
      );
    }
    this.tokens = out;
    return out;
  }

  /** One call; an authorization refusal moves on to the next token (nothing was done). */
  async call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string> | (() => FormData),
    what: string,
    sideEffect: boolean,
  ): Promise<{ status: number; data: WeiboAnswer }> {
    const tokens = await this.candidates();
    for (let i = 0; ; i++) {
      const token = tokens[i]!;
      let res: AxiosResponse;
      try {
        res = await axios.request({
          method,
          baseURL: this.ctx.baseUrl.replace(/\/+$/, ''),
          url: path,
          headers: { Authorization: `OAuth2 ${token}` },
          ...(method === 'GET' ? { params } : { data: typeof params === 'function' ? params() : new URLSearchParams(params) }),
          timeout: this.opts.timeoutMs,
          maxBodyLength: Infinity,
          maxContentLength: Infinity,
          signal: this.ctx.signal,
          validateStatus: () => true,
        });
      } catch (error) {
        throw transportError(error, what, sideEffect);
      }
      const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as WeiboAnswer;
      const code = typeof data.error_code === 'number' ? data.error_code : undefined;
      if (code !== undefined && RECONNECT[code] && i + 1 < tokens.length) {
        this.tokens = tokens.slice(i + 1);
        continue;
      }
      if (code === undefined && res.status >= 400) {
        // Not a Weibo error body (a proxy, an outage page): classify by HTTP status.
        throw transportError(new axios.AxiosError(`HTTP ${res.status}`, undefined, undefined, undefined, res), what, sideEffect);
      }
      return { status: res.status, data };
    }
  }

  error(data: WeiboAnswer, what: string, sideEffect: boolean): DeliveryError {
    const code = data.error_code ?? 0;
    const said = `error ${code}${data.error ? ` "${scrub(String(data.error), this.ctx.credentials)}"` : ''}`;
    if (RECONNECT[code]) {
      return new DeliveryError(
        'needs_reconnect',
        `Weibo refused the access token of account ${accountLabel(this.ctx)}: ${RECONNECT[code]}. Operations must authorize the app again (OAuth) and update the configured accessToken; nothing is posted on this account until then.`,
        {
          platformCode: code,
        },
      );
    }
    if (code === 10022 || code === 10023 || code === 10024) {
      const hourly = code === 10024;
      return new DeliveryError(
        'rate_limited',
        `${what}: Weibo's ${code === 10022 ? 'per-IP' : hourly ? 'hourly posting' : 'per-user'} rate limit was reached (${said}).`,
        {
          platformCode: code,
          retryAfterMs: hourly ? 3_600_000 : 900_000,
        },
      );
    }
    if (code === 10002 || code === 10009)
      return new DeliveryError('retryable', `${what}: Weibo is busy (${said}); trying again shortly.`, { platformCode: code, retryAfterMs: 30_000 });
    if (code === 10001) {
      return new DeliveryError(
        sideEffect ? 'unconfirmed' : 'retryable',
        `${what}: Weibo had a system error (${said})${sideEffect ? '; whether the post was made is checked before anything is sent again' : ''}.`,
        { platformCode: code },
      );
    }
    if (code === 10017 && /bind domain/i.test(String(data.error ?? ''))) {
      return new DeliveryError(
        'rejected',
        `${what}: Weibo only takes posts linking to the app's bound domain (安全域名), and the portal link is not on it (${said}). Operations must make the portal address and the Weibo app's safe domain agree.`,
        {
          platformCode: code,
        },
      );
    }
    if (CONTENT[code]) return new DeliveryError('rejected', `${what}: Weibo refused the post — ${CONTENT[code]} (${said}).`, { platformCode: code });
    return new DeliveryError('retryable', `${what}: Weibo answered ${said}.`, { platformCode: code });
  }
}

const normalized = (text: string) => text.replace(LINK_RE, '').replace(/\s+/g, '');

function publicUrlOf(s: WeiboStatus): string | null {
  if (typeof s.url === 'string' && s.url) return s.url;
  const uid = s.user?.idstr ?? (s.user?.id !== undefined ? String(s.user.id) : undefined);
  const id = s.idstr ?? (s.id !== undefined ? String(s.id) : undefined);
  return uid && id ? `https://weibo.com/${uid}/${id}` : null;
}

// ── the adapter ───────────────────────────────────────────────────────────────────────────────

export function createWeiboAdapter(options: WeiboAdapterOptions = {}): ChannelAdapter<WeiboPayload, WeiboCheckpoint> {
  const opts: Required<WeiboAdapterOptions> = { timeoutMs: options.timeoutMs ?? 30_000, now: options.now ?? Date.now };
  type Ctx = TransmitContext<WeiboCheckpoint>;

  const record = async (ctx: Ctx, s: WeiboStatus): Promise<TransmitResult> => {
    const statusId = s.idstr ?? String(s.id);
    const publicUrl = publicUrlOf(s);
    try {
      await ctx.checkpoint({ statusId, publicUrl });
    } catch (error) {
      throw new DeliveryError(
        'unconfirmed',
        `The Weibo post was made but govpub could not save it (${(error as Error).message}); it is looked up before anything is sent again.`,
        { cause: error },
      );
    }
    return { state: 'live', externalId: statusId, publicUrl };
  };

  /** The account's live post carrying this text (links compared loosely: Weibo may shorten them). */
  const findPost = async (api: WeiboClient, payload: WeiboPayload): Promise<WeiboStatus | null> => {
    const want = normalized(payload.text);
    for (let page = 1; page <= 4; page++) {
      const { data } = await api.call(
        'GET',
        '/2/statuses/user_timeline.json',
        { count: '50', page: String(page) },
        'Looking for the post on the Weibo timeline',
        false,
      );
      if (data.error_code) throw api.error(data, 'Looking for the post on the Weibo timeline', false);
      const statuses = Array.isArray(data.statuses) ? (data.statuses as WeiboStatus[]) : [];
      const hit = statuses.find((s) => typeof s.text === 'string' && (s.text === payload.text || (normalized(s.text) === want && s.text.includes('http'))));
      if (hit) return hit;
      if (statuses.length < 50) break;
    }
    return null;
  };

  return {
    platform: 'weibo',
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: { textChars: WEIBO_LIMITS.textChars, linkChars: WEIBO_LIMITS.linkChars, pictureBytes: WEIBO_LIMITS.pictureBytes, pictures: 1 },
    },

    format: formatWeibo,

    async transmit(payload, ctx): Promise<TransmitResult> {
      if (ctx.checkpointed.statusId) return { state: 'live', externalId: ctx.checkpointed.statusId, publicUrl: ctx.checkpointed.publicUrl ?? null };
      const api = new WeiboClient(ctx, opts);
      await api.candidates(); // no token: say so before preparing any picture
      const what = 'Posting to Weibo';
      let body: Record<string, string> | (() => FormData) = { status: payload.text };
      if (payload.picture) {
        const file = await ctx.renditions.get(payload.picture.mediaId, payload.picture.spec);
        if (file.sizeBytes > WEIBO_LIMITS.pictureBytes) {
          throw rejectedContent(PLATFORM_NAME, [
            { field: 'cover', message: `the prepared picture is ${file.sizeBytes.toLocaleString('en-US')} bytes, over Weibo's 5 MB.` },
          ]);
        }
        const data = await readFile(file.path);
        body = () => {
          const form = new FormData();
          form.append('status', payload.text);
          form.append(
            'pic',
            new Blob([new Uint8Array(data)], { type: file.mime }),
            `picture.${file.mime === 'image/png' ? 'png' : file.mime === 'image/gif' ? 'gif' : 'jpg'}`,
          );
          return form;
        };
      }
      const { data } = await api.call('POST', '/2/statuses/share.json', body, what, true);
      ctx.heartbeat();
      if (data.error_code === 20019) {
        // "Repeat content": most likely an earlier attempt posted it and its answer was lost.
        const found = await findPost(api, payload);
        if (found) return record(ctx, found);
        throw new DeliveryError(
          'rejected',
          `${what}: Weibo refuses the same text twice within a day (repeat content, 20019), and the earlier post is not on the account's timeline. Change the text or post again tomorrow.`,
          {
            platformCode: 20019,
          },
        );
      }
      if (data.error_code) throw api.error(data, what, true);
      const status = data as WeiboStatus;
      if (!status.idstr && status.id === undefined)
        throw new DeliveryError('unconfirmed', `${what}: Weibo answered without a post id; the timeline is checked before anything is sent again.`);
      return record(ctx, status);
    },

    async reconcile(payload, ctx): Promise<TransmitResult | null> {
      if (ctx.checkpointed.statusId) return { state: 'live', externalId: ctx.checkpointed.statusId, publicUrl: ctx.checkpointed.publicUrl ?? null };
      const found = await findPost(new WeiboClient(ctx, opts), payload);
      return found ? record(ctx, found) : null;
    },

    async takeDown(externalId, ctx): Promise<void> {
      const api = new WeiboClient(ctx, opts);
      const what = 'Deleting the Weibo post';
      const { data } = await api.call('POST', '/2/statuses/destroy.json', { id: externalId }, what, false);
      if (data.error_code === 20101) return; // already gone
      if (data.error_code === 20102) {
        throw new DeliveryError(
          'rejected',
          `${what}: Weibo says post ${externalId} belongs to another account than ${accountLabel(ctx)} (20102); it was not deleted.`,
          { platformCode: 20102 },
        );
      }
      if (data.error_code) throw api.error(data, what, false);
    },
  };
}
