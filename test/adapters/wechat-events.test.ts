/** WeChat's pushes, pure parts: the signature (a fixed vector), and what is read of a pushed message. */
import { describe, expect, it } from 'vitest';
import { publishJobFinishedXml, readWechatPush, wechatSignature, wechatSignatureMatches } from '../../adapters/wechat-oa/events.js';

// sha1 of the three sorted and joined, computed outside govpub (Python hashlib).
const VECTOR = { token: 'govpub-token', timestamp: '1700000000', nonce: '1234567890', signature: '47fc433be28b3bda7c15feefccbbafa91c871f24' };

// The documented success example (发布结果的事件推送), article_id folded as it is there.
const DOC_SUCCESS = `<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
<publish_id>2247503051</publish_id>
<publish_status>0</publish_status>
<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy
WP4Hq4]]></article_id>
<article_detail>
<count>1</count>
<item>
<idx>1</idx>
<article_url><![CDATA[ARTICLE_URL]]></article_url>
</item>
</article_detail>
</PublishEventInfo>
</xml>`;

describe('WeChat push signature', () => {
  it('is sha1 of the token, timestamp and nonce sorted and joined', () => {
    expect(wechatSignature(VECTOR.token, VECTOR.timestamp, VECTOR.nonce)).toBe(VECTOR.signature);
  });

  it('matches only the right token, timestamp and nonce, in either case', () => {
    expect(wechatSignatureMatches(VECTOR.token, VECTOR)).toBe(true);
    expect(wechatSignatureMatches(VECTOR.token, { ...VECTOR, signature: VECTOR.signature.toUpperCase() })).toBe(true);
    expect(wechatSignatureMatches('another-token', VECTOR)).toBe(false);
    expect(wechatSignatureMatches(VECTOR.token, { ...VECTOR, nonce: '1234567891' })).toBe(false);
    expect(wechatSignatureMatches(VECTOR.token, { ...VECTOR, signature: 'not-hex' })).toBe(false);
    expect(wechatSignatureMatches(VECTOR.token, { timestamp: VECTOR.timestamp, nonce: VECTOR.nonce })).toBe(false);
    expect(wechatSignatureMatches(VECTOR.token, { ...VECTOR, signature: ['a'] })).toBe(false);
  });
});

describe('reading a pushed message', () => {
  it('reads the documented PUBLISHJOBFINISH example', () => {
    expect(readWechatPush(DOC_SUCCESS)).toEqual({ kind: 'publish_job_finished', publishId: '2247503051', publishStatus: 0 });
  });

  it('reads what the simulator sends, success and failure', () => {
    const ok = publishJobFinishedXml({
      ghId: 'gh_1',
      createTime: 1,
      publishId: '2247483648',
      publishStatus: 0,
      articleId: 'a]]>b',
      articleUrls: ['https://x/s/1'],
    });
    expect(readWechatPush(ok)).toEqual({ kind: 'publish_job_finished', publishId: '2247483648', publishStatus: 0 });
    const failed = publishJobFinishedXml({ ghId: 'gh_1', createTime: 1, publishId: '7', publishStatus: 4, failIdx: [1, 2] });
    expect(failed).toContain('<fail_idx>1</fail_idx><fail_idx>2</fail_idx>');
    expect(readWechatPush(failed)).toEqual({ kind: 'publish_job_finished', publishId: '7', publishStatus: 4 });
  });

  it('tells other messages and encrypted ones apart, and refuses what is not a push', () => {
    const subscribe = '<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>';
    expect(readWechatPush(subscribe)).toEqual({ kind: 'other', msgType: 'event', event: 'subscribe' });
    expect(readWechatPush('<xml><MsgType>text</MsgType><Content>你好</Content></xml>')).toEqual({ kind: 'other', msgType: 'text', event: '' });
    expect(readWechatPush('<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>')).toEqual({ kind: 'encrypted' });
    expect(readWechatPush('{"publish_id":1}')).toBeNull();
    expect(readWechatPush('<xml><ToUserName>gh</ToUserName></xml>')).toBeNull();
    // A publish_id that is not WeChat's number is not looked up.
    expect(readWechatPush(DOC_SUCCESS.replace('2247503051', "1' or '1'='1"))).toBeNull();
    expect(readWechatPush(DOC_SUCCESS.replace('2247503051', '22475\u000003051'))).toBeNull();
  });
});
