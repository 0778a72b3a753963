/**
 * What the API does with bad, odd, oversized, slow, repeated and failing requests, over a real
 * socket: every bad parameter is a 400 naming it, a 500 carries a request id that is in the log
 * (without tokens), the token is checked before a body is read, notes are capped, bodies are JSON
 * without repeated keys, timeouts hold without breaking streamed uploads, a retried create with an
 * Idempotency-Key makes one package, and the OpenAPI document is the schemas Fastify checks with.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { DecisionBody, PackageInput, routes } from '../../api/schemas.js';
import { buildApi } from '../../api/server.js';
import { check } from '../../api/validation.js';
import { connectPostgres } from '../../db/connect.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
let mediaDir: string;
const logLines: string[] = [];
const tokens = { editor: '', editor2: '', first: '', ops: '' };

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  mediaDir = await mkdtemp(path.join(tmpdir(), 'govpub-bad-input-'));
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(mediaDir) });
  api = await buildApi(app.ctx, {
    logger: { stream: { write: (line: string) => void logLines.push(line) } },
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('bad-editor', 'editor')).token;
  tokens.editor2 = (await app.user('bad-editor-2', 'editor')).token;
  tokens.first = (await app.user('bad-first', 'reviewer', ['初审'])).token;
  tokens.ops = (await app.user('bad-ops', 'ops')).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(method: string, urlPath: string, token?: string, body?: unknown, headers: Record<string, string> = {}, at = base): Promise<Answer> {
  const response = await fetch(`${at}${urlPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

function issuePaths(answer: Answer): string[] {
  return (answer.body?.error?.issues ?? []).map((i: { path: string }) => i.path);
}

/** Sends raw bytes on a fresh connection and resolves with everything the server wrote until it closed or `waitMs` passed. */
function rawExchange(port: number, chunks: (string | Buffer | number)[], waitMs = 5000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    socket.on('connect', async () => {
      try {
        for (const chunk of chunks) {
          if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
          else if (!socket.destroyed) socket.write(chunk);
        }
      } catch (error) {
        reject(error);
      }
    });
  });
}

describe('bad query and path parameters: 400 naming the parameter, never 500', () => {
  it('refuses limit=-1, limit=abc, an out-of-range limit and a repeated limit', async () => {
    for (const query of ['limit=-1', 'limit=abc', 'limit=100000', 'limit=1&limit=2', 'limit=1.5']) {
      const answer = await call('GET', `/api/packages?${query}`, tokens.editor);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('invalid_query');
      expect(issuePaths(answer)).toEqual(['limit']);
      expect(answer.body.error.message).toMatch(/^limit: /);
    }
    expect((await call('GET', '/api/packages?limit=abc', tokens.editor)).body.error.issues[0].message).toBe('expected an integer, got "abc"');
    expect((await call('GET', '/api/packages?limit=-1', tokens.editor)).body.error.issues[0].message).toBe('must be at least 1, got -1');
    expect((await call('GET', '/api/packages?limit=2', tokens.editor)).status).toBe(200);
  });

  it('refuses after=abc on the audit trail, and pages with a numeric after', async () => {
    const bad = await call('GET', '/api/audit?after=abc', tokens.ops);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_query', issues: [{ path: 'after' }] });
    expect((await call('GET', '/api/audit?limit=0', tokens.ops)).status).toBe(400);
    // order is oldest | newest: the refusal names both, not only the first literal of the union.
    const sideways = await call('GET', '/api/audit?order=sideways', tokens.ops);
    expect(sideways.status).toBe(400);
    expect(sideways.body.error.issues).toEqual([
      { path: 'order', message: 'expected one of oldest, newest, got "sideways"', messageZh: '应为以下之一：oldest, newest；实际为 "sideways"' },
    ]);
    const good = await call('GET', '/api/audit?after=1&limit=5', tokens.ops);
    expect(good.status).toBe(200);
    expect(Array.isArray(good.body.entries)).toBe(true);
  });

  it('refuses unknown states, platforms and booleans on the lists', async () => {
    const cases: [string, string][] = [
      ['/api/deliveries?state=nope', 'state'],
      ['/api/deliveries?needsAction=maybe', 'needsAction'],
      ['/api/deliveries?limit=0', 'limit'],
      ['/api/deliveries?platform=myspace', 'platform'],
      ['/api/channels?paused=yes', 'paused'],
      ['/api/packages?status=lost', 'status'],
      ['/api/media?kind=pdf', 'kind'],
    ];
    for (const [url, param] of cases) {
      const answer = await call('GET', url, tokens.ops);
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe('invalid_query');
      expect(issuePaths(answer), url).toEqual([param]);
    }
    const paused = await call('GET', '/api/channels?paused=false&platform=weibo', tokens.ops);
    expect(paused.status).toBe(200);
    expect(paused.body.channels.length).toBeGreaterThan(0);
    expect(paused.body.channels.every((c: { platform: string; paused: boolean }) => c.platform === 'weibo' && !c.paused)).toBe(true);
  });

  it('refuses unknown query parameters (a misspelt filter is not silently ignored)', async () => {
    const misspelt = await call('GET', '/api/packages?staus=draft', tokens.editor);
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.error).toMatchObject({ code: 'invalid_query', issues: [{ path: 'staus', message: 'unknown query parameter' }] });
    expect((await call('GET', '/api/catalogue?x=1', tokens.editor)).status).toBe(400);
    // The token is checked first (an original keeps its GPS): without it 401, with it the unknown parameter.
    expect((await call('GET', `/api/media/${'a'.repeat(64)}/content?download=1`)).status).toBe(401);
    expect((await call('GET', `/api/media/${'a'.repeat(64)}/content?download=1`, tokens.editor)).status).toBe(400);
  });

  it('decodes path parameters once: %25 and other odd ids are 404 or 400, never 500', async () => {
    const pause = await call('POST', '/api/channels/%25/pause', tokens.ops, { reason: '测试' });
    expect(pause.status).toBe(404);
    expect(pause.body.error.code).toBe('not_found');
    expect((await call('POST', '/api/channels/%25/resume', tokens.ops)).status).toBe(404);
    expect((await call('POST', '/api/channels/%25%25%2F/resume', tokens.ops)).status).toBe(404);
    expect((await call('GET', '/api/packages/%25', tokens.editor)).status).toBe(404);
    expect((await call('GET', '/api/deliveries/%25', tokens.ops)).status).toBe(404);
    expect((await call('POST', '/api/deliveries/%25/retry', tokens.ops)).status).toBe(404);
    const nul = await call('GET', '/api/packages/%00', tokens.editor);
    expect(nul.status).toBe(400);
    expect(nul.body.error).toMatchObject({ code: 'invalid_params', issues: [{ path: 'id' }] });
    // C1 controls, a direction override and the non-characters too (the text rule's set): quoted back, they reached the answer raw.
    for (const encoded of ['%C2%85', '%E2%80%AE', '%EF%BF%BF']) {
      const odd = await call('GET', `/api/packages/${encoded}`, tokens.editor);
      expect(odd.status, encoded).toBe(400);
      expect(odd.body.error, encoded).toMatchObject({ code: 'invalid_params', issues: [{ path: 'id' }] });
    }
    const badEncoding = await call('GET', '/api/packages/%E0%A4%A', tokens.editor);
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.error.code).toBe('bad_url');
    expect(badEncoding.headers.get('x-request-id')).toBeTruthy();
    const long = await call('GET', `/api/packages/${'p'.repeat(150)}`, tokens.editor);
    expect(long.status).toBe(400);
    expect(long.body.error.issues[0]).toMatchObject({ path: 'id', message: 'is 150 characters; at most 100 allowed' });
    // An encoded colon is still a channel id: the channel is found (it is not paused, so there is nothing to resume).
    const decoded = await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/resume`, tokens.ops);
    expect(decoded.status).toBe(409);
    expect(decoded.body.error.code).toBe('channel_not_paused');
  });
});

describe('request bodies: JSON only, each field once, shapes and lengths from the schema', () => {
  it('answers 415 for a body that is not JSON, and 400 for malformed JSON', async () => {
    const asText = await call('POST', '/api/packages', tokens.editor, JSON.stringify(policyPackage(app.registry)), { 'content-type': 'text/plain' });
    expect(asText.status).toBe(415);
    expect(asText.body.error.code).toBe('unsupported_media_type');
    expect(asText.body.error.message).toMatch(/application\/json/);
    expect(
      (await call('POST', '/api/channels/weibo%3Ablfb-wb/pause', tokens.ops, 'reason=x', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    const noType = await fetch(`${base}/api/channels/weibo%3Ablfb-wb/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ops}` },
      body: new Uint8Array(Buffer.from('{"reason":"x"}')),
    });
    expect(noType.status).toBe(415);
    // A compressed body is refused as such (it was read as its compressed bytes: "not JSON", an upload stored as gzip).
    const before = (
      await app.db
        .selectFrom('packages')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const gzipped = await fetch(`${base}/api/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.editor}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(JSON.stringify(policyPackage(app.registry)))),
    });
    expect(gzipped.status).toBe(415);
    expect(gzipped.headers.get('accept-encoding')).toBe('identity');
    expect(((await gzipped.json()) as { error: { message: string } }).error.message).toBe(
      'Send the body uncompressed: this request says Content-Encoding: gzip, which the API does not take.',
    );
    const upload = new FormData();
    upload.append('file', new Blob([new Uint8Array(gzipSync(Buffer.from('GIF89a')))], { type: 'image/gif' }), 'a.gif');
    const gzippedUpload = await fetch(`${base}/api/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.editor}`, 'content-encoding': 'gzip' },
      body: upload,
    });
    expect(gzippedUpload.status).toBe(415);
    expect(
      (
        await app.db
          .selectFrom('packages')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ).toBe(before);
    const malformed = await call('POST', '/api/packages', tokens.editor, '{"title": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    expect(
      (await call('POST', '/api/packages', tokens.editor, JSON.stringify(policyPackage(app.registry)), { 'content-type': 'application/json; charset=utf-8' }))
        .status,
    ).toBe(201);
  });

  it('holds every JSON body of every route to the one text rule, before any service reads it', async () => {
    // A route added later without its own text check is covered too: the list comes from the OpenAPI document.
    const doc = (await call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: object } }>> };
    const jsonRoutes = Object.entries(doc.paths).flatMap(([route, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.requestBody && 'application/json' in op.requestBody.content)
        .map(([method]) => ({ method: method.toUpperCase(), route })),
    );
    expect(jsonRoutes.length).toBeGreaterThanOrEqual(14);
    for (const { method, route } of jsonRoutes) {
      const url = route.replace(/\{[^}]+\}/g, 'x-1');
      const answer = await call(method, url, tokens.ops, { '备注\u202e反转': 'x', nested: { note: '原因\u0085' } });
      if (route === '/api/preflight') {
        // Preflight answers a form as it is typed: the same rule, as blocking problems.
        expect(answer.status, url).toBe(200);
        expect(JSON.stringify(answer.body.package.blocking), url).toContain('direction override');
        continue;
      }
      expect(answer.status, `${method} ${url}`).toBe(400);
      expect(answer.body.error.code).toBe('invalid_body');
      const messages = answer.body.error.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
      expect(messages, `${method} ${url}`).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^备注\u202e反转: field name contains the direction override \\u202e at position 3/),
          'nested.note: contains the control character \\u0085 at position 3; remove it',
        ]),
      );
    }
  });

  it('refuses a field given twice in one object, naming it, and stores nothing', async () => {
    const before = await app.db.selectFrom('packages').select('id').execute();
    const input = policyPackage(app.registry);
    const json = JSON.stringify(input);
    const twiceAtTop = json.replace('"title":', '"title":"先看到的标题","title":');
    const top = await call('POST', '/api/packages', tokens.editor, twiceAtTop);
    expect(top.status).toBe(400);
    expect(top.body.error).toMatchObject({ code: 'invalid_body', issues: [{ path: 'title', message: expect.stringMatching(/twice/) }] });
    const nested = await call('POST', '/api/packages', tokens.editor, json.replace('"issuingUnit":', '"issuingUnit":"甲","issuingUnit":'));
    expect(nested.status).toBe(400);
    expect(issuePaths(nested)).toEqual(['document.issuingUnit']);
    const inArray = await call('POST', '/api/packages', tokens.editor, json.replace('"form":"text"', '"form":"text","form":"video"'));
    expect(issuePaths(inArray)).toEqual(['interpretations[0].form']);
    // The same key in two different objects is fine.
    expect(json.match(/"title":/g)!.length).toBeGreaterThan(1);
    expect((await app.db.selectFrom('packages').select('id').execute()).length).toBe(before.length);
  });

  it('refuses __proto__ as a field name', async () => {
    const answer = await call('POST', '/api/packages/pkg-nope/decisions', tokens.first, '{"revision":1,"decision":"approve","__proto__":{"admin":true}}');
    expect(answer.status).toBe(400);
    expect(issuePaths(answer)).toEqual(['__proto__']);
  });

  it('lists schema and registry problems of a package body together, with field paths', async () => {
    const input = policyPackage(app.registry) as Record<string, any>;
    const answer = await call('POST', '/api/packages', tokens.editor, {
      ...input,
      title: 5,
      document: { ...input.document, title: '长'.repeat(201), color: 'red' },
      interpretations: [{ form: 'poem', title: '解读', body: 'x' }],
      targets: ['portal:does-not-exist'],
      extra: true,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_body');
    const issues = Object.fromEntries(answer.body.error.issues.map((i: { path: string; message: string }) => [i.path, i.message]));
    expect(issues).toMatchObject({
      title: expect.stringMatching(/string/),
      'document.title': 'is 201 characters; at most 200 allowed',
      'document.color': 'unknown field',
      'interpretations[0].form': expect.stringMatching(/text/),
      'targets[0]': expect.stringMatching(/unknown channel/),
      extra: 'unknown field',
    });
    const notAnObject = await call('POST', '/api/packages', tokens.editor, [1, 2]);
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.error.issues[0]).toEqual({ path: '', message: 'expected a JSON object', messageZh: '应为 JSON 对象' });
  });

  it('caps comments, reasons and notes at 2,000 characters, naming the field', async () => {
    const long = '长'.repeat(2001);
    const cases: [string, string, string, unknown][] = [
      ['/api/packages/pkg-nope/decisions', tokens.first, 'comment', { revision: 1, decision: 'reject', comment: long }],
      ['/api/packages/pkg-nope/retract', tokens.ops, 'reason', { reason: long }],
      ['/api/packages/pkg-nope/withdraw', tokens.editor, 'reason', { reason: long }],
      ['/api/channels/weibo%3Ablfb-wb/pause', tokens.ops, 'reason', { reason: long }],
      ['/api/deliveries/00000000/skip', tokens.ops, 'reason', { reason: long }],
      ['/api/deliveries/00000000/confirm', tokens.ops, 'note', { note: long }],
    ];
    for (const [url, token, field, body] of cases) {
      const answer = await call('POST', url, token, body);
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe('invalid_body');
      expect(answer.body.error.issues, url).toEqual([
        { path: field, message: 'is 2001 characters; at most 2000 allowed', messageZh: '共 2001 个字符，最多允许 2000 个' },
      ]);
    }
    // Exactly 2,000 is accepted (the channel is paused with it, then resumed).
    const atLimit = await call('POST', '/api/channels/weibo%3Ablfb-wb/pause', tokens.ops, { reason: '停'.repeat(2000) });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.reason).toHaveLength(2000);
    expect((await call('POST', '/api/channels/weibo%3Ablfb-wb/resume', tokens.ops)).status).toBe(200);
  });

  it('names required fields when the body is missing, blank or of the wrong type', async () => {
    const none = await call('POST', '/api/channels/weibo%3Ablfb-wb/pause', tokens.ops);
    expect(none.status).toBe(400);
    expect(none.body.error.issues).toEqual([{ path: 'reason', message: 'required', messageZh: '必填' }]);
    const blank = await call('POST', '/api/deliveries/00000000/skip', tokens.ops, { reason: '   ' });
    expect(blank.body.error.issues).toEqual([{ path: 'reason', message: 'must not be blank', messageZh: '不能为空白' }]);
    const decision = await call('POST', '/api/packages/pkg-nope/decisions', tokens.first, { revision: '1', decision: 'maybe', note: 'x' });
    expect(decision.status).toBe(400);
    expect(issuePaths(decision).sort()).toEqual(['decision', 'note', 'revision']);
    const schedule = await call('PUT', '/api/packages/pkg-nope/schedule', tokens.editor, { releaseAt: 'tomorrow' });
    expect(schedule.body.error.issues).toEqual([
      { path: 'releaseAt', message: expect.stringMatching(/ISO 8601/), messageZh: expect.stringMatching(/^应为带时区的 ISO 8601 时间/) },
    ]);
    const submitWithBody = await call('POST', '/api/packages/pkg-nope/submit', tokens.editor, { force: true });
    expect(submitWithBody.status).toBe(400);
    expect(issuePaths(submitWithBody)).toEqual(['force']);
  });
});

describe('text that shows nothing, and a 成文日期 no document has', () => {
  const INVISIBLE_ZH = '只含不可见字符（零宽空格之类），各渠道都会显示为空白，请填写内容';
  const EMPTY_BODY_ZH = '清理后没有任何可显示的内容（没有文字也没有图片：只有空段落，或只有会被删除的脚本、样式），请填写正文';

  it('refuses titles of zero-width characters, a body with nothing to show, an empty text interpretation and a year like 9999, by field, storing nothing', async () => {
    const input = policyPackage(app.registry) as Record<string, any>;
    const before = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const answer = await call(
      'POST',
      '/api/packages',
      tokens.editor,
      {
        ...input,
        title: '\u200b\u200b',
        document: {
          ...input.document,
          title: '\u200d\u2060',
          body: '<p>\u200b</p><p> </p><script>alert(1)</script>',
          issuingUnit: '\ufeff\u200b',
          formedAt: '9999-12-31',
        },
        interpretations: [{ form: 'text', title: '\u3164', body: '<p><br></p><style>p{}</style>' }],
        cover: { mediaId: 'a'.repeat(64), alt: '\u200b' },
      },
      { 'accept-language': 'zh-CN' },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_body');
    const zh = Object.fromEntries(answer.body.error.issues.map((i: { path: string; messageZh: string }) => [i.path, i.messageZh]));
    expect(zh).toEqual({
      title: INVISIBLE_ZH,
      'document.title': INVISIBLE_ZH,
      'document.body': EMPTY_BODY_ZH,
      'document.issuingUnit': INVISIBLE_ZH,
      'document.formedAt': '9999-12-31 不像是文件的成文日期（应在 1949 年至 2099 年之间），请核对年份',
      'interpretations[0].title': INVISIBLE_ZH,
      'interpretations[0].body': EMPTY_BODY_ZH,
      'cover.alt': INVISIBLE_ZH,
    });
    const after = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    // The form's preflight says the same as it is typed: blocking problems naming the fields in Chinese.
    const preflight = await call('POST', '/api/preflight', tokens.editor, {
      ...input,
      document: { ...input.document, formedAt: '0202-11-20' },
      interpretations: [{ form: 'text', title: '解读', body: '<p></p>' }],
    });
    expect(preflight.status).toBe(200);
    expect(preflight.body.ok).toBe(false);
    expect(preflight.body.package.blocking.map((p: { field: string; message: string }) => [p.field, p.message])).toEqual([
      ['/document/formedAt', '成文日期填写有误：0202-11-20 不像是文件的成文日期（应在 1949 年至 2099 年之间），请核对年份。请改正后再试。'],
      ['/interpretations/0/body', `解读 1 正文填写有误：${EMPTY_BODY_ZH}。请改正后再试。`],
    ]);

    // A zero-width space inside visible text is named where it stands: readers do not see it, and
    // the site's search indexes 关于 and 优化 apart across it (its Chinese bigrams lose 于优).
    const split = await call('POST', '/api/packages', tokens.editor, { ...input, title: '关于\u200b优化营商环境的若干措施' }, { 'accept-language': 'zh-CN' });
    expect(split.status).toBe(400);
    expect(split.body.error.issues).toEqual([
      expect.objectContaining({
        path: 'title',
        messageZh: '第 3 个字符是不可见的零宽空格（\\u200b），多为从网页或聊天中复制时带入：读者看不到它，但站内搜索会把被它隔开的词当作两个词，请删除',
      }),
    ]);

    // Joiners inside visible text (emoji are built with them), a picture-only body and a real date stay accepted.
    const fine = await call('POST', '/api/packages', tokens.editor, {
      ...input,
      title: '关于优化营商环境的若干措施 👨\u200d👩\u200d👧',
      document: { ...input.document, body: '<p><img src="https://www.beilin.gov.cn/a.png" alt="措施一览"></p>', formedAt: '1990-02-28' },
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
  });
});

describe('web addresses an H5 interpretation or an attachment links to', () => {
  it('refuses http://, https://, an address without a host, with spaces or a newline, and javascript:, by field in Chinese, storing nothing', async () => {
    const input = policyPackage(app.registry) as Record<string, any>;
    const count = async () =>
      (
        await app.db
          .selectFrom('packages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const h5 = (url: string) => ({ form: 'h5', title: 'H5 解读', body: '<p>一图看懂</p>', url });
    const answer = await call(
      'POST',
      '/api/packages',
      tokens.editor,
      {
        ...input,
        document: { ...input.document, attachments: [{ name: '附件一', url: 'https://' }] },
        interpretations: [
          h5('http://'),
          h5('https://'),
          h5('http:///h5/index.html'),
          h5('https://www.beilin.gov.cn/h5 page.html'),
          h5('https://www.beilin.gov.cn/\nh5'),
          h5('javascript:alert(1)'),
        ],
      },
      { 'accept-language': 'zh-CN' },
    );
    expect(answer.status).toBe(400);
    const zh = Object.fromEntries(answer.body.error.issues.map((i: { path: string; messageZh: string }) => [i.path, i.messageZh]));
    const noHost = '在 http(s):// 之后缺少网站地址（主机名），请填写完整网址，例如 https://www.beilin.gov.cn/…';
    const spaces = '含有空格或控制字符，网址中不能有，请删除（路径中的空格请写作 %20）';
    expect(zh).toEqual({
      'document.attachments[0].url': noHost,
      'interpretations[0].url': noHost,
      'interpretations[1].url': noHost,
      'interpretations[2].url': noHost,
      'interpretations[3].url': spaces,
      'interpretations[4].url': spaces,
      'interpretations[5].url': '须为 http(s) 网址',
    });
    expect(answer.body.error.messageEn).toMatch(/interpretations\[0\]\.url: has no host after http\(s\):\/\//);
    expect(await count()).toBe(before);

    // A whole address (a path with %20, a port, a query) stays accepted.
    const fine = await call('POST', '/api/packages', tokens.editor, {
      ...input,
      interpretations: [h5('https://www.beilin.gov.cn:8443/h5/a%20b/index.html?from=wx')],
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
  });
});

describe('the token is checked before the body is read', () => {
  it('answers 401 to an unauthenticated 8 MB body without parsing it', async () => {
    const notJson = Buffer.alloc(8 * 1024 * 1024 - 100, 'x');
    const answer = await call('POST', '/api/packages', undefined, notJson, { 'content-type': 'application/json' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
    // With a token the same bytes are parsed, and refused as the malformed JSON they are.
    expect((await call('POST', '/api/packages', tokens.editor, notJson, { 'content-type': 'application/json' })).body.error.code).toBe('invalid_json');
  });

  it('answers 401 (not 413) to an unauthenticated body over the limit; 413 with a token', async () => {
    const huge = Buffer.alloc(9 * 1024 * 1024, ' ');
    const anonymous = await call('POST', '/api/packages', undefined, huge, { 'content-type': 'application/json' });
    expect(anonymous.status).toBe(401);
    const signedIn = await call('POST', '/api/packages', tokens.editor, huge, { 'content-type': 'application/json' });
    expect(signedIn.status).toBe(413);
    expect(signedIn.body.error.code).toBe('body_too_large');
  });

  it('answers 404 for unknown routes before reading their bodies, and 401 for uploads without a token', async () => {
    const unknown = await call('POST', '/api/nothing-here', undefined, Buffer.alloc(1024, 'x'), { 'content-type': 'application/json' });
    expect(unknown.status).toBe(404);
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(10)]), 'x.png');
    expect((await fetch(`${base}/api/media`, { method: 'POST', body: form })).status).toBe(401);
  });
});

describe('errors carry a request id; 500s are logged with it, without tokens or secrets', () => {
  it('puts X-Request-Id on every answer, keeping a well-formed one the client sent', async () => {
    const ok = await call('GET', '/api/catalogue', tokens.editor);
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const mine = await call('GET', '/api/packages?limit=abc', tokens.editor, undefined, { 'x-request-id': 'client-trace-0001' });
    expect(mine.headers.get('x-request-id')).toBe('client-trace-0001');
    expect(mine.body.error.requestId).toBe('client-trace-0001');
    const forged = await call('GET', '/api/catalogue', tokens.editor, undefined, { 'x-request-id': 'bad id\twith spaces' });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a failed request with its request id, error and stack, but not the Authorization header or the token (an unreachable database: 503)', async () => {
    const lines: string[] = [];
    const broken = connectPostgres('postgres://postgres:db-password-7@127.0.0.1:1/nowhere', 1);
    const failing = await buildApi({ ...app.ctx, db: broken }, { logger: { stream: { write: (l: string) => void lines.push(l) } } });
    await failing.listen({ port: 0, host: '127.0.0.1' });
    try {
      const at = `http://127.0.0.1:${(failing.server.address() as { port: number }).port}`;
      const answer = await call('GET', '/api/packages?limit=5', tokens.editor, undefined, { 'x-request-id': 'trace-500-abcdef' }, at);
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatchObject({ code: 'database_unavailable', requestId: 'trace-500-abcdef' });
      expect(answer.body.error.message).toContain('trace-500-abcdef');
      expect(answer.headers.get('x-request-id')).toBe('trace-500-abcdef');
      const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.requestId === 'trace-500-abcdef');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 40, msg: 'database unreachable', method: 'GET' });
      expect(logged[0].err.message).toMatch(/ECONNREFUSED|connect/);
      expect(logged[0].err.stack).toMatch(/\n\s+at /);
      const all = lines.join('\n');
      expect(all).not.toContain(tokens.editor);
      expect(all.toLowerCase()).not.toContain('authorization');
      expect(all).not.toContain('db-password-7');
    } finally {
      await failing.close();
      await broken.destroy();
    }
  });

  it('scrubs tokens and secrets that an error carries in its message or properties', async () => {
    const lines: string[] = [];
    const noisy = await buildApi(app.ctx, {
      logger: { stream: { write: (l: string) => void lines.push(l) } },
      register: async (instance) => {
        instance.get('/api/explode', async () => {
          throw Object.assign(
            new Error(
              'GET https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=TOPSECRET42 failed; sent Bearer gp_abcdefghijklmnop',
            ),
            {
              config: { headers: { Authorization: 'Bearer PLATFORMTOKEN99' } },
              response: { data: { access_token: 'ACCESS77' } },
            },
          );
        });
      },
    });
    await noisy.listen({ port: 0, host: '127.0.0.1' });
    try {
      const at = `http://127.0.0.1:${(noisy.server.address() as { port: number }).port}`;
      const answer = await call('GET', '/api/explode', tokens.ops, undefined, {}, at);
      expect(answer.status).toBe(500);
      const entry = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === answer.body.error.requestId);
      expect(entry.err.message).toContain('secret=[redacted]');
      const all = lines.join('\n');
      for (const secret of ['TOPSECRET42', 'PLATFORMTOKEN99', 'ACCESS77', 'gp_abcdefghijklmnop', tokens.ops]) expect(all).not.toContain(secret);
    } finally {
      await noisy.close();
    }
  });
});

describe('Idempotency-Key on POST /api/packages', () => {
  const titled = (title: string) => ({ ...policyPackage(app.registry), title });
  const countTitled = async (title: string) => (await app.db.selectFrom('packages').select('id').where('title', '=', title).execute()).length;

  it('answers a retry with the first answer (same id, 201, Idempotent-Replayed) and creates one package', async () => {
    const key = randomUUID();
    const body = titled('幂等创建一');
    const first = await call('POST', '/api/packages', tokens.editor, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same body with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await call('POST', '/api/packages', tokens.editor, reordered, { 'idempotency-key': `"${key}"` });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countTitled('幂等创建一')).toBe(1);
    // Without a key, a retry is a new package (as before).
    expect((await call('POST', '/api/packages', tokens.editor, body)).status).toBe(201);
    expect(await countTitled('幂等创建一')).toBe(2);
  });

  it('refuses the same key with a different body: 409 idempotency_key_reused', async () => {
    const key = randomUUID();
    expect((await call('POST', '/api/packages', tokens.editor, titled('幂等创建二'), { 'idempotency-key': key })).status).toBe(201);
    const reused = await call('POST', '/api/packages', tokens.editor, titled('幂等创建二（改）'), { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    // When the key was first used, in Beijing time as every sentence for a person says it; the Chinese names it too.
    expect(reused.body.error.message).toMatch(/ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\)\. Use a new key/);
    expect(reused.body.error.messageZh).toMatch(
      new RegExp(
        `^该幂等键（Idempotency-Key）"${key}" 已于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d（北京时间）用于另一个请求（POST /api/packages，请求内容不同）`,
      ),
    );
    expect(await countTitled('幂等创建二（改）')).toBe(0);
  });

  it('keeps keys per user, and forgets a key whose request failed', async () => {
    const key = randomUUID();
    const mine = await call('POST', '/api/packages', tokens.editor, titled('幂等创建三'), { 'idempotency-key': key });
    const theirs = await call('POST', '/api/packages', tokens.editor2, titled('幂等创建三'), { 'idempotency-key': key });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);

    const failed = await call(
      'POST',
      '/api/packages',
      tokens.editor,
      { ...titled('幂等创建四'), targets: ['portal:does-not-exist'] },
      { 'idempotency-key': 'retry-after-fix-1' },
    );
    expect(failed.status).toBe(400);
    const fixed = await call('POST', '/api/packages', tokens.editor, titled('幂等创建四'), { 'idempotency-key': 'retry-after-fix-1' });
    expect(fixed.status).toBe(201);
    const replayed = await call('POST', '/api/packages', tokens.editor, titled('幂等创建四'), { 'idempotency-key': 'retry-after-fix-1' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(fixed.body.id);
  });

  it('makes one package when the same request arrives twice at once', async () => {
    const key = randomUUID();
    const body = titled('幂等并发');
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', '/api/packages', tokens.editor, body, { 'idempotency-key': key })));
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'idempotency_request_in_progress')).toBe(true);
    expect(await countTitled('幂等并发')).toBe(1);
  });

  it('forgets keys after the 24-hour retention window', async () => {
    const editor = await app.db.selectFrom('users').select('id').where('name', '=', 'bad-editor').executeTakeFirstOrThrow();
    await sql`insert into idempotency_keys (user_id, key, route, fingerprint, status_code, response, created_at, completed_at)
      values (${editor.id}, 'old-key-1', 'POST /api/packages', 'other-request', 201, '{"id":"pkg-old"}', now() - interval '25 hours', now() - interval '25 hours')`.execute(
      app.db,
    );
    const answer = await call('POST', '/api/packages', tokens.editor, titled('幂等过期'), { 'idempotency-key': 'old-key-1' });
    expect(answer.status).toBe(201);
    expect(answer.body.id).not.toBe('pkg-old');
    // The key now stands for the new request.
    const again = await call('POST', '/api/packages', tokens.editor, titled('幂等过期'), { 'idempotency-key': 'old-key-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(answer.body.id);
    expect(await countTitled('幂等过期')).toBe(1);
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    for (const key of ['has space', 'k'.repeat(256)]) {
      const answer = await call('POST', '/api/packages', tokens.editor, titled('幂等坏键'), { 'idempotency-key': key });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalid_header', issues: [{ path: 'Idempotency-Key' }] });
    }
    expect(await countTitled('幂等坏键')).toBe(0);
  });
});

describe('timeouts', () => {
  let slow: FastifyInstance;
  let port: number;
  let slowMediaDir: string;

  beforeAll(async () => {
    slowMediaDir = await mkdtemp(path.join(tmpdir(), 'govpub-slow-'));
    const media = new MediaService(app.ctx, { store: new LocalMediaStore(slowMediaDir) });
    slow = await buildApi(app.ctx, {
      logger: false,
      timeouts: { bodyMs: 400, idleMs: 1500, handlerMs: 500 },
      register: async (instance, helpers) => {
        registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor);
        instance.get('/api/slow-operation', async () => {
          await new Promise((r) => setTimeout(r, 1500));
          return { done: true };
        });
      },
    });
    await slow.listen({ port: 0, host: '127.0.0.1' });
    port = (slow.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await slow?.close();
    if (slowMediaDir) await rm(slowMediaDir, { recursive: true, force: true });
  });

  it('answers 408 when a JSON body does not arrive in time', async () => {
    const head = `POST /api/channels/weibo%3Ablfb-wb/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.ops}\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"reason":`;
    const { text, closed } = await rawExchange(port, [head], 4000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"code":"request_timeout"');
    expect(closed).toBe(true);
  });

  it('closes a connection that stays silent', async () => {
    const started = Date.now();
    const { text, closed } = await rawExchange(port, [], 6000);
    expect(closed).toBe(true);
    expect(text).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers 503 timeout when an operation takes too long', async () => {
    const answer = await call('GET', '/api/slow-operation', tokens.ops, undefined, {}, `http://127.0.0.1:${port}`);
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('timeout');
  });

  it('still takes a slow streamed upload, paused longer than the JSON body deadline', async () => {
    const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#aa3322' } })
      .png()
      .toBuffer();
    const boundary = 'govpubBoundary7';
    const pre = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`);
    const post = Buffer.from(`\r\n--${boundary}--\r\n`);
    const length = pre.length + png.length + post.length;
    const head = `POST /api/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.editor}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
    const half = Math.floor(png.length / 2);
    const { text } = await rawExchange(port, [head, pre, png.subarray(0, half), 900, png.subarray(half), post], 8000);
    expect(text).toMatch(/^HTTP\/1\.1 201 /);
    expect(text).toContain('"kind":"image"');
  });
});

describe('one schema per route: validation and OpenAPI come from the same declarations', () => {
  it('serves the OpenAPI document generated from the route schemas', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const decisions = doc.paths['/api/packages/{id}/decisions'].post;
    expect(decisions.requestBody.content['application/json'].schema).toEqual(JSON.parse(JSON.stringify(DecisionBody)));
    expect(decisions.requestBody.content['application/json'].schema.properties.comment.maxLength).toBe(2000);
    expect(decisions.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(decisions.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '415', '500']));
    expect(doc.paths['/api/packages'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PackageInput' });
    const { title: _title, ...packageInput } = doc.components.schemas.PackageInput;
    const { title: _t, ...declared } = JSON.parse(JSON.stringify(PackageInput));
    expect(packageInput).toEqual(declared);
    expect(doc.paths['/api/packages'].post.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
    const list = doc.paths['/api/packages'].get.parameters;
    expect(list.find((p: { name: string }) => p.name === 'limit')).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } });
    expect(doc.paths['/api/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['package', 'action', 'after', 'before', 'order', 'limit']);
    // Media routes, registered by api/media-routes.ts, are described too; the original's file needs the token like the rest.
    expect(doc.paths['/api/media'].post.requestBody.content).toHaveProperty('multipart/form-data');
    expect(doc.paths['/api/media/{id}/content'].get.security).toEqual([{ bearer: [] }]);
    // Every route Fastify knows (but HEAD, the portal's pages) is in the document, and nothing else.
    const known = api.printRoutes({ commonPrefix: false });
    const methods = [...known.matchAll(/\(([A-Z, ]+)\)/g)].flatMap((m) => m[1]!.split(', ')).filter((m) => m !== 'HEAD');
    const operations = Object.values(doc.paths as Record<string, Record<string, unknown>>).flatMap((item) => Object.keys(item));
    expect(operations).toHaveLength(methods.length);
    for (const [method, url] of [
      ['POST', '/api/packages/:id/retract'],
      ['POST', '/api/deliveries/:id/confirm'],
      ['POST', '/api/channels/:id/pause'],
      ['DELETE', '/api/media/jobs/:jobId'],
    ] as const) {
      expect(api.hasRoute({ method, url })).toBe(true);
      expect(doc.paths[url.replace(/:(\w+)/g, '{$1}')]).toHaveProperty(method.toLowerCase());
    }
  });

  it('answers in the shapes it declares (responses checked against the route schemas)', async () => {
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { title: '契约检查' }));
    expect(check(routes.createPackage.response[201], created.body)).toEqual([]);
    const id = created.body.id as string;
    const samples: [object, Answer][] = [
      [routes.getPackage.response[200], await call('GET', `/api/packages/${id}`, tokens.editor)],
      [routes.listPackages.response[200], await call('GET', '/api/packages?limit=5', tokens.editor)],
      [routes.listChannels.response[200], await call('GET', '/api/channels?platform=wechat_oa', tokens.editor)],
      [routes.listDeliveries.response[200], await call('GET', '/api/deliveries', tokens.ops)],
      [routes.catalogue.response[200], await call('GET', '/api/catalogue', tokens.editor)],
      [routes.audit.response[200], await call('GET', `/api/audit?package=${id}`, tokens.ops)],
      [routes.pauseChannel.response[200], await call('POST', '/api/channels/douyin%3Ablfb-dy/pause', tokens.ops, { reason: '检查' })],
      [routes.resumeChannel.response[200], await call('POST', '/api/channels/douyin%3Ablfb-dy/resume', tokens.ops)],
    ];
    for (const [schema, answer] of samples) {
      expect(answer.status).toBe(200);
      expect(check(schema, answer.body)).toEqual([]);
    }
    const error = await call('GET', '/api/packages?limit=abc', tokens.editor);
    expect(check(routes.listPackages.response[200], error.body)).not.toEqual([]);
  });
});
