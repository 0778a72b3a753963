// WeChat errcodes with the errmsg the platform spells for each, and the error body it sends (HTTP 200, {errcode, errmsg}).
import { randomId } from '../common.js';

/** errcode → errmsg, as the platform spells them. */
const ERR: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  40010: 'invalid voice size',
  40011: 'invalid video size',
  40012: 'invalid thumb size',
  40013: 'invalid appid',
  40066: 'invalid url',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  44002: 'empty post data',
  44003: 'empty news data',
  44004: 'empty content',
  45001: 'multimedia file size out of limit',
  45002: 'content size out of limit',
  45003: 'title size out of limit',
  45004: 'description size out of limit',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  45110: 'author size out of limit',
  47001: 'data format error',
  53600: 'Article ID 无效',
};

export function err(code: number, hint?: string) {
  const rid = `${randomId(8).toLowerCase()}-${randomId(8).toLowerCase()}`;
  return { errcode: code, errmsg: `${ERR[code] ?? 'error'}${hint ? ` hint: [${hint}]` : ''} rid: ${rid}` };
}
