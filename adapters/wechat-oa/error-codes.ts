// WeChat Official Accounts' error codes by what they mean (the table its client stands on) and its publish-failure statuses.
import type { ErrorCodeTable } from '../platform-client.js';

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

export const PUBLISH_FAILED: Record<number, string> = {
  2: 'WeChat did not publish the push: the originality check failed (原创失败). Articles declared original must pass it; remove the originality claim or change the text, then publish again.',
  3: 'WeChat could not publish the push (常规失败 — a general failure with no reason given). Publish it again; if it keeps failing, check the account in the WeChat console.',
  4: "WeChat's platform review rejected the push (平台审核不通过). Check the articles against the platform's content rules before publishing a changed version.",
  5: 'The push was published, but every article was later deleted from the account (成功后用户删除所有文章).',
  6: 'The push was published, but WeChat later banned every article (成功后系统封禁所有文章).',
};

/** The table the WeChat client classifies answers with (adapters/platform-client.ts). */
export const WECHAT_ERROR_CODES: ErrorCodeTable = { reconnect: RECONNECT_CODES, content: CONTENT_REFUSED, request: REQUEST_REFUSED };
