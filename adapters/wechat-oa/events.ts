/**
 * WeChat's pushes to an account's server URL (公众平台 → 设置与开发 → 基本配置 → 服务器配置), pure
 * parts: the signature both sides compute, and the one event govpub listens for,
 * PUBLISHJOBFINISH ("发布结果的事件推送": a freepublish/submit job has ended).
 *
 * The signature is sha1 of the token, timestamp and nonce sorted and joined. It proves the sender
 * knows the token; it does not cover the body (plaintext mode), so govpub never takes a push's word
 * for the outcome: the push only makes the delivery ask freepublish/get now instead of at its next
 * poll (contracts/delivery.ts, platformReportedSignal).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { wechatOaDeclaration } from './declaration.js';

/** The credential (platforms.yaml, as `{ secret: NAME }`) holding the server-configuration Token (its declaration's pushCredential). */
export const WECHAT_EVENT_TOKEN_CREDENTIAL = wechatOaDeclaration.pushCredential;

export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

/** True when `signature` is what `token` signs `timestamp` and `nonce` to (compared in constant time). */
export function wechatSignatureMatches(token: string, query: { signature?: unknown; timestamp?: unknown; nonce?: unknown }): boolean {
  const { signature, timestamp, nonce } = query;
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || typeof nonce !== 'string') return false;
  if (!/^[0-9a-f]{40}$/i.test(signature)) return false;
  const expected = Buffer.from(wechatSignature(token, timestamp, nonce), 'hex');
  return timingSafeEqual(Buffer.from(signature.toLowerCase(), 'hex'), expected);
}

/** What govpub reads of a pushed message: a finished publishing job, something else, or an encrypted one it cannot read. */
export type WechatPush =
  { kind: 'publish_job_finished'; publishId: string; publishStatus: number | null } | { kind: 'other'; msgType: string; event: string } | { kind: 'encrypted' };

/**
 * Reads a pushed XML message. Only flat elements are looked at (MsgType, Event, publish_id,
 * publish_status); anything else in the message is ignored. Null when it is not such a message.
 */
export function readWechatPush(xml: string): WechatPush | null {
  if (!/^\s*<xml>[\s\S]*<\/xml>\s*$/.test(xml)) return null;
  const msgType = elementText(xml, 'MsgType');
  if (msgType === undefined) return elementText(xml, 'Encrypt') !== undefined ? { kind: 'encrypted' } : null;
  const event = elementText(xml, 'Event') ?? '';
  if (msgType !== 'event' || event !== 'PUBLISHJOBFINISH') return { kind: 'other', msgType, event };
  const publishId = elementText(xml, 'publish_id');
  if (publishId === undefined || !/^\d{1,20}$/.test(publishId)) return null;
  const status = elementText(xml, 'publish_status');
  return { kind: 'publish_job_finished', publishId, publishStatus: status !== undefined && /^\d{1,3}$/.test(status) ? Number(status) : null };
}

/** The text of the first `<name>` element (CDATA or plain), trimmed; undefined when there is none. */
function elementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${name}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').trim();
}

/** The XML WeChat pushes when a publishing job ends (as documented; the simulator sends it). */
export function publishJobFinishedXml(m: {
  ghId: string;
  createTime: number;
  publishId: string;
  publishStatus: number;
  articleId?: string;
  articleUrls?: string[];
  failIdx?: number[];
}): string {
  const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  const detail =
    m.publishStatus === 0
      ? `<article_id>${cdata(m.articleId ?? '')}</article_id><article_detail><count>${m.articleUrls?.length ?? 0}</count>${(m.articleUrls ?? [])
          .map((url, i) => `<item><idx>${i + 1}</idx><article_url>${cdata(url)}</article_url></item>`)
          .join('')}</article_detail>`
      : (m.failIdx ?? []).map((i) => `<fail_idx>${i}</fail_idx>`).join('');
  return (
    `<xml><ToUserName>${cdata(m.ghId)}</ToUserName><FromUserName>${cdata('mphelper')}</FromUserName><CreateTime>${m.createTime}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('PUBLISHJOBFINISH')}</Event>` +
    `<PublishEventInfo><publish_id>${m.publishId}</publish_id><publish_status>${m.publishStatus}</publish_status>${detail}</PublishEventInfo></xml>`
  );
}
