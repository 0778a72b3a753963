/**
 * The API as a script writer meets it, held to the document it serves: a whole flow (upload a
 * picture, create, submit, three decisions, release, deliveries, retract, channels, stats,
 * compliance, audit, and the refusals along the way) is called over a real socket, and every answer
 * is checked against GET /api/openapi.json: the route and status are documented, and the JSON body
 * matches the documented schema (an error: the Error schema, whatever the route).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { buildApi } from '../../api/server.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { until } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
let mediaDir: string;
const tokens: Record<string, string> = {};

type Json = Record<string, any>;
let doc: Json;

/** Every answer the flow got, checked against the document in the last test. */
interface Seen {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}
const seen: Seen[] = [];

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  mediaDir = await mkdtemp(path.join(tmpdir(), 'govpub-contract-'));
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(mediaDir) });
  api = await buildApi(app.ctx, {
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('contract-editor', 'editor')).token;
  tokens.初审 = (await app.user('contract-first', 'reviewer', ['初审'])).token;
  tokens.复审 = (await app.user('contract-second', 'reviewer', ['复审'])).token;
  tokens.终审 = (await app.user('contract-final', 'reviewer', ['终审'])).token;
  tokens.ops = (await app.user('contract-ops', 'ops')).token;
  tokens.admin = (await app.user('contract-admin', 'admin')).token;
  doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as Json;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
});

/** Calls the API and keeps the answer for the contract check. */
async function call(method: string, urlPath: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: body instanceof FormData || typeof body === 'string' ? body : JSON.stringify(body) }),
  };
  const response = await fetch(`${base}${urlPath}`, init);
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const parsed: any = contentType.includes('json') && text ? JSON.parse(text) : text;
  seen.push({ method, path: urlPath.split('?')[0]!, status: response.status, contentType, body: parsed });
  return { status: response.status, body: parsed, headers: response.headers };
}

// ── The document as a checker ───────────────────────────────────────────────────────────────

// ajv-formats is CommonJS: its default export is the plugin function itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, logger: false });
addFormats(ajv);
const validators = new Map<object, ValidateFunction>();

/** The schema with every `#/components/schemas/…` reference replaced by what it names. */
/**
 * The schema with every `#/components/schemas/…` reference replaced by what it names, and every
 * object that lists its properties (outside allOf/anyOf/oneOf, whose branches each list a part)
 * closed to others: a field the API sends that the document never names is a contract problem too.
 */
function inline(schema: unknown, closable = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inline(item, closable));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string') return inline(doc.components.schemas[ref.replace('#/components/schemas/', '')], closable);
  const out: Json = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, closable && !['allOf', 'anyOf', 'oneOf'].includes(k))]));
  if (closable && out.properties && out.additionalProperties === undefined && !out.patternProperties) out.additionalProperties = false;
  return out;
}

/** The documented path template a concrete path is an instance of. */
function templateOf(method: string, concrete: string): string | undefined {
  return Object.keys(doc.paths).find((template) => {
    if (!doc.paths[template][method.toLowerCase()]) return false;
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(concrete);
  });
}

/** What is wrong with one answer against the document ([] when it is as documented). */
function contractProblems(answer: Seen): string[] {
  const template = templateOf(answer.method, answer.path);
  if (!template) return answer.status === 404 ? [] : [`${answer.method} ${answer.path} is not documented`];
  const operation = doc.paths[template][answer.method.toLowerCase()];
  const where = `${answer.method} ${template} ${answer.status}`;
  let response = operation.responses[String(answer.status)];
  if (!response) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
  if (response.$ref) response = doc.components.responses[String(response.$ref).split('/').pop()!];
  const schema = response.content?.['application/json']?.schema;
  if (!answer.contentType.includes('json')) return [];
  if (!schema) return answer.status >= 400 ? [`${where}: a JSON error body with no documented schema`] : [];
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(inline(schema) as object);
    validators.set(schema, validate);
  }
  if (validate(answer.body)) return [];
  // One line per place in the body (items of an array alike), however many items show it.
  return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*') || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
}

// ── The flow ────────────────────────────────────────────────────────────────────────────────

let packageId = '';
let coverId = '';

describe('a whole package through the API, every answer as documented', () => {
  it('uploads a picture and creates a package with it as the cover', async () => {
    const png = await sharp({ create: { width: 900, height: 500, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), '封面.png');
    const uploaded = await call('POST', '/api/media', tokens.editor, form);
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    coverId = uploaded.body.id;
    await call('GET', `/api/media/${coverId}`, tokens.editor);
    await call('GET', '/api/media', tokens.editor);
    await call('GET', `/api/media/${coverId}/content`, tokens.editor);
    const job = await call('POST', `/api/media/${coverId}/renditions`, tokens.editor, { platforms: ['wechat_oa'] });
    if (job.status === 202) {
      await call('GET', `/api/media/jobs/${job.body.id}`, tokens.editor);
      await call('DELETE', `/api/media/jobs/${job.body.id}`, tokens.editor);
    }
    await call('POST', `/api/media/${coverId}/renditions`, tokens.editor, { specs: ['douyin.video_720', 'wechat_oa.nope'] });
    await call('GET', `/api/media/${coverId}/renditions/wechat_oa.nope`, tokens.editor);
    const created = await call(
      'POST',
      '/api/packages',
      tokens.editor,
      policyPackage(app.registry, { title: '契约检查：封面', cover: { mediaId: coverId, alt: '封面图' } }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    packageId = created.body.id;
    await call('GET', `/api/packages/${packageId}/preflight`, tokens.editor);
    await call('POST', '/api/preflight', tokens.editor, policyPackage(app.registry));
  });

  it('submits, decides three times and releases', async () => {
    expect((await call('POST', `/api/packages/${packageId}/submit`, tokens.editor)).status).toBe(200);
    // A decision by the wrong stage's reviewer and the author's own are refused with their rule.
    await call('POST', `/api/packages/${packageId}/decisions`, tokens.复审, { decision: 'approve', revision: 1, comment: '' });
    await call('POST', `/api/packages/${packageId}/decisions`, tokens.editor, { decision: 'approve', revision: 1, comment: '' });
    await call('GET', '/api/inbox', tokens.初审);
    for (const stage of ['初审', '复审', '终审']) {
      const decided = await call('POST', `/api/packages/${packageId}/decisions`, tokens[stage], { decision: 'approve', revision: 1, comment: '同意' });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    }
    await call('POST', `/api/packages/${packageId}/release`, tokens.editor);
    await until('the package released', async () => {
      const shown = await call('GET', `/api/packages/${packageId}`, tokens.editor);
      return shown.body.status === 'released' ? shown : undefined;
    });
  });

  it('lists deliveries, revisions, the audit trail, channels, stats and compliance', async () => {
    const deliveries = await call('GET', `/api/deliveries?package=${packageId}`, tokens.ops);
    expect(deliveries.body.items.length).toBeGreaterThan(0);
    for (const delivery of deliveries.body.items) {
      await call('GET', `/api/deliveries/${delivery.id}`, tokens.ops);
      await call('GET', `/api/deliveries/${delivery.id}/bundle`, tokens.ops);
      await call('POST', `/api/deliveries/${delivery.id}/retry`, tokens.ops);
      await call('POST', `/api/deliveries/${delivery.id}/skip`, tokens.ops, { reason: '契约检查' });
      await call('POST', `/api/deliveries/${delivery.id}/confirm`, tokens.ops, {});
    }
    await call('GET', '/api/deliveries?needsAction=true', tokens.ops);
    await call('GET', `/api/packages/${packageId}/revisions`, tokens.editor);
    await call('GET', `/api/packages/${packageId}/revisions/1`, tokens.editor);
    await call('GET', `/api/packages/${packageId}/diff?from=1&to=1`, tokens.editor);
    await call('GET', `/api/audit?package=${packageId}`, tokens.ops);
    await call('GET', `/api/audit?order=newest&limit=5`, tokens.ops);
    await call('GET', '/api/packages?limit=2', tokens.editor);
    await call('GET', '/api/packages?status=released&createdBy=me', tokens.editor);
    await call('GET', '/api/channels', tokens.ops);
    await call('GET', '/api/channels?scope=mine', tokens.editor);
    await call('GET', '/api/units', tokens.ops);
    await call('GET', '/api/catalogue', tokens.ops);
    await call('GET', '/api/topics', tokens.ops);
    await call('GET', '/api/stats/deliveries?days=7', tokens.ops);
    await call('GET', '/api/stats', tokens.ops);
    await call('GET', '/api/compliance', tokens.ops);
    await call('GET', '/api/compliance/history', tokens.ops);
    await call('GET', '/api/session', tokens.ops);
    await call('GET', '/healthz');
    const channel = `weibo:${app.registry.accounts.find((a) => a.platform === 'weibo')!.id}`;
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/pause`, tokens.ops, { reason: '契约检查' });
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/pause`, tokens.ops, { reason: '契约检查' });
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops);
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops);
  });

  it('changes the validity of the released document', async () => {
    await call('POST', `/api/packages/${packageId}/validity`, tokens.初审, { state: 'expired', endedAt: '2026-12-01', reason: '契约检查' });
    await call('POST', `/api/packages/${packageId}/validity`, tokens.初审, { state: 'expired', reason: '' });
  });

  it('withdraws, reschedules and rejects a second package', async () => {
    const releaseAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { title: '契约检查：定时', releaseAt }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await call('POST', `/api/packages/${id}/submit`, tokens.editor);
    await call('POST', `/api/packages/${id}/withdraw`, tokens.editor);
    await call('POST', `/api/packages/${id}/submit`, tokens.editor);
    for (const stage of ['初审', '复审', '终审'])
      await call('POST', `/api/packages/${id}/decisions`, tokens[stage], { decision: 'approve', revision: 1, comment: '' });
    await call('PUT', `/api/packages/${id}/schedule`, tokens.editor, { releaseAt: new Date(Date.now() + 40 * 86_400_000).toISOString() });
    await call('PUT', `/api/packages/${id}/schedule`, tokens.editor, { releaseAt: '2020-01-01T00:00:00+08:00' });
    await call('DELETE', `/api/packages/${id}/schedule`, tokens.editor);
    await call('GET', `/api/packages/${id}`, tokens.editor);
    const edited = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, policyPackage(app.registry, { title: '契约检查：改后' }));
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, policyPackage(app.registry, { title: '契约检查：旧稿' }));
    await call('POST', `/api/packages/${id}/submit`, tokens.editor);
    await call('POST', `/api/packages/${id}/decisions`, tokens.初审, { decision: 'reject', revision: 2, comment: '' });
    await call('POST', `/api/packages/${id}/decisions`, tokens.初审, { decision: 'reject', revision: 2, comment: '请补充' });
    await call('GET', '/api/packages?returned=true', tokens.editor);
    await call('GET', `/api/packages/${id}/diff?from=1&to=2`, tokens.editor);
    await call('GET', '/api/inbox', tokens.editor);
  });

  it('retracts, and refuses a second retraction and an edit with their rules', async () => {
    const retracted = await call('POST', `/api/packages/${packageId}/retract`, tokens.ops, { reason: '契约检查：撤回' });
    expect(retracted.status, JSON.stringify(retracted.body)).toBe(200);
    await call('POST', `/api/packages/${packageId}/retract`, tokens.ops, { reason: '再次撤回' });
    await call('PUT', `/api/packages/${packageId}`, tokens.editor, policyPackage(app.registry));
  });

  it('refuses bad requests in the documented error shape', async () => {
    await call('GET', '/api/packages');
    await call('GET', '/api/packages', 'gp_wrong');
    await call('POST', '/api/packages', tokens.ops, policyPackage(app.registry));
    await call('POST', '/api/packages', tokens.editor, 'not json');
    await call('POST', '/api/packages', tokens.editor, '', { 'content-type': 'application/json' });
    await call('POST', '/api/packages', tokens.editor, 'title=x', { 'content-type': 'application/x-www-form-urlencoded' });
    await call('POST', '/api/packages', tokens.editor, { ...policyPackage(app.registry), title: 5, extra: true });
    await call('GET', '/api/packages/does-not-exist', tokens.editor);
    await call('GET', '/api/packages/bad%01id', tokens.editor);
    await call('GET', '/api/packages?cursor=tampered', tokens.editor);
    await call('GET', '/api/packages?limit=abc', tokens.editor);
    await call('GET', '/api/deliveries/does-not-exist', tokens.ops);
    await call('GET', '/api/media/does-not-exist', tokens.editor);
    await call('POST', '/api/channels/nothing%3Ahere/pause', tokens.ops, { reason: 'x' });
    await call('POST', `/api/packages/${packageId}/decisions`, tokens.初审, { decision: 'maybe', revision: 'one' });
    await call('GET', '/api/compliance/runs/nothing', tokens.ops);
    await call('PUT', '/api/compliance/external-releases/ext-1', tokens.ops, { title: '外部发布', url: 'not a url' });
    await call('POST', '/api/compliance/runs', tokens.editor, {});
    await call('POST', '/api/session', undefined, { name: 'contract-editor', password: 'wrong password' });
    await call('POST', '/api/session', undefined, { name: 5 });
    await call('DELETE', '/api/session');
    await call('GET', '/api/stats?year=2026', tokens.ops);
    await call('GET', '/api/stats?year=abc', tokens.ops);
    await call('GET', '/api/platform-events/wechat-oa/nothing');
    await call('GET', '/api/openapi.json');
    // The same refusals in Chinese.
    const zh = { 'accept-language': 'zh-CN,zh;q=0.9' };
    await call('GET', '/api/packages?limit=0', tokens.editor, undefined, zh);
    await call('POST', '/api/packages', tokens.editor, '{"title":', zh);
    await call('GET', '/api/packages/nothing', tokens.editor, undefined, zh);
  });

  it('says in Chinese which package, revision, delivery, channel, file, job or run it did not find', async () => {
    const zh = { 'accept-language': 'zh-CN' };
    const unknownMedia = '0'.repeat(64);
    const cases: [string, string, string][] = [
      ['GET', '/api/packages/pkg-20260101-nothing', 'pkg-20260101-nothing'],
      ['GET', `/api/packages/${packageId}/revisions/99`, '99'],
      ['GET', '/api/packages/pkg-20260101-nothing/preflight', 'pkg-20260101-nothing'],
      ['GET', '/api/deliveries/0badc0de-nothing', '0badc0de-nothing'],
      ['POST', '/api/channels/weibo%3Anothing/pause', 'weibo:nothing'],
      ['GET', `/api/media/${unknownMedia}/content`, unknownMedia],
      ['GET', '/api/media/not-a-media-id', 'not-a-media-id'],
      ['GET', '/api/media/jobs/mj-20260101-nothing', 'mj-20260101-nothing'],
      ['GET', `/api/media/${coverId}/renditions/wechat_oa.nope`, 'wechat_oa.nope'],
      ['GET', '/api/compliance/runs/compliance-nothing', 'compliance-nothing'],
    ];
    for (const [method, urlPath, named] of cases) {
      const answer = await call(method, urlPath, tokens.ops, method === 'POST' ? { reason: '检查' } : undefined, zh);
      const where = `${method} ${urlPath}`;
      expect(answer.status, where).toBe(404);
      expect(answer.body.error.code, where).toBe('not_found');
      expect(answer.body.error.message, where).toMatch(/[\u4e00-\u9fff]/);
      expect(answer.body.error.message, where).toContain(named);
      expect(answer.body.error.messageEn, where).toContain(named);
    }
  });

  it('refuses bad bodies on the routes the bad-input corpus does not cover, by field path, storing nothing', async () => {
    const counts = async () => {
      const { rows } = await sql<Record<string, string>>`select
        (select count(*) from external_releases)::text as external_releases,
        -- What a request could write, not the workflows' progress, which goes on meanwhile: the package
        -- released earlier may still have deliveries settling, the one retracted its retraction taken up
        -- ('retracting', recorded with the asker's name) and finished (two such entries came in once under the full suite).
        (select count(*) from audit_log where actor <> 'system' and action <> 'retracting')::text as audit_log,
        (select count(*) from sessions)::text as sessions,
        (select md5(coalesce(string_agg(id || ':' || coalesce(validity::text, '-'), ',' order by id), '')) from packages) as validity`.execute(app.db);
      return rows[0]!;
    };
    const validExternal = { title: '外部发布的文件', documentLiveAt: '2026-11-01T09:00:00+08:00', url: 'https://www.beilin.gov.cn/a.html', note: '说明' };
    const validValidity = { state: 'repealed', endedAt: '2026-12-01', reason: '契约检查' };
    const routes: [string, string, string, Record<string, unknown>][] = [
      ['PUT', '/api/compliance/external-releases/ext-probe', tokens.ops!, validExternal],
      ['POST', `/api/packages/${packageId}/validity`, tokens.初审!, validValidity],
      ['POST', '/api/session', '', { name: 'contract-editor', password: 'secret-password' }],
    ];
    const values: [string, unknown][] = [
      ['a number', 5],
      ['a lone surrogate', 'a\ud800b'],
      ['a NUL', 'a\u0000b'],
      ['a control character', 'a\u0007b'],
      ['a direction override', 'a\u202eb'],
      ['an object', { a: 1 }],
    ];
    const before = await counts();
    const wrong: string[] = [];
    for (const [method, urlPath, token, valid] of routes) {
      for (const field of Object.keys(valid)) {
        for (const [label, value] of values) {
          const answer = await call(method, urlPath, token || undefined, { ...valid, [field]: value });
          const issue = (answer.body?.error?.issues ?? []).find((i: { path: string }) => i.path === field);
          if (answer.status !== 400 || !issue || !/[\u4e00-\u9fff]/.test(issue.messageZh ?? ''))
            wrong.push(`${method} ${urlPath} ${field}=${label}: ${answer.status} ${JSON.stringify(answer.body?.error)}`);
        }
      }
      const unknown = await call(method, urlPath, token || undefined, { ...valid, extra: 1 });
      if (unknown.status !== 400 || unknown.body.error.issues?.[0]?.path !== 'extra') wrong.push(`${method} ${urlPath} extra: ${unknown.status}`);
      for (const [label, raw, contentType, status] of [
        ['not JSON', '{"title": ', 'application/json', 400],
        ['a form', 'a=1', 'application/x-www-form-urlencoded', 415],
        ['an array', '[]', 'application/json', 400],
        ['too big', JSON.stringify({ ...valid, note: 'x'.repeat(9 * 1024 * 1024) }), 'application/json', 413],
      ] as const) {
        const answer = await call(method, urlPath, token || undefined, raw, { 'content-type': contentType });
        if (answer.status !== status) wrong.push(`${method} ${urlPath} ${label}: ${answer.status} ${JSON.stringify(answer.body?.error)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a tampered cursor or event id (a day no calendar has, a number past bigint) as a 400 naming it, never a 500', async () => {
    const tampered = ['2026-02-30T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z'].map((at) =>
      Buffer.from(JSON.stringify([at, 'pkg-20260101-00000000'])).toString('base64url'),
    );
    const wrong: string[] = [];
    for (const cursor of tampered) {
      for (const list of ['/api/packages', '/api/deliveries', '/api/media', '/api/compliance']) {
        const answer = await call('GET', `${list}?cursor=${cursor}`, tokens.ops);
        if (answer.status !== 400 || answer.body.error.code !== 'bad_cursor' || answer.body.error.issues?.[0]?.path !== 'cursor')
          wrong.push(`${list} ${Buffer.from(cursor, 'base64url').toString()}: ${answer.status} ${JSON.stringify(answer.body?.error)}`);
      }
    }
    // Ids past PostgreSQL's bigint: a 400 naming the parameter, not a failed query.
    const history = await call('GET', '/api/compliance/history?cursor=9999999999999999999', tokens.ops);
    if (history.status !== 400 || history.body.error.issues?.[0]?.path !== 'cursor')
      wrong.push(`history cursor: ${history.status} ${JSON.stringify(history.body?.error)}`);
    const events = await call('GET', '/api/events', tokens.ops, undefined, { 'last-event-id': '9999999999999999999' });
    if (events.status !== 400 || events.body.error.issues?.[0]?.path?.toLowerCase() !== 'last-event-id')
      wrong.push(`Last-Event-ID: ${events.status} ${JSON.stringify(events.body?.error)}`);
    expect(wrong).toEqual([]);
  });

  it('answers odd values of every documented query and path parameter with a 4xx or its page, never a 5xx', async () => {
    const odd = [
      '2026-02-30',
      '2026-02-30T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999999999999999999',
      '-9999999999999999999',
      '1e400',
      '-1',
      '0',
      'x'.repeat(3000),
      '%E4%B8%AD',
      'null',
      '[]',
      '9999-12-31T23:59:59Z',
      '+275760-09-13T00:00:00Z',
    ];
    const failed: string[] = [];
    const fill = (template: string, id: string) =>
      template
        .replace('{id}', id)
        .replace('{n}', '1')
        .replace('{spec}', 'wechat_oa.thumb')
        .replace('{jobId}', 'mj-1')
        .replace('{workflowId}', 'x')
        .replace('{account}', 'x');
    for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      const get = item.get;
      if (!get || template === '/api/events') continue;
      const id = template.startsWith('/api/media') ? coverId : template.startsWith('/api/packages') ? packageId : 'x';
      for (const parameter of (get.parameters ?? []) as { name: string; in: string }[]) {
        for (const value of odd) {
          const urlPath =
            parameter.in === 'query'
              ? `${fill(template, id)}?${parameter.name}=${encodeURIComponent(value)}`
              : parameter.in === 'path'
                ? template.replace(`{${parameter.name}}`, encodeURIComponent(value)).replace(/\{[^}]+\}/g, (m) => fill(m, id))
                : '';
          if (!urlPath) continue;
          const response = await fetch(`${base}${urlPath}`, { headers: { authorization: `Bearer ${tokens.admin}` } });
          await response.arrayBuffer();
          if (response.status >= 500) failed.push(`${urlPath.slice(0, 120)}: ${response.status}`);
        }
      }
    }
    expect(failed).toEqual([]);
  });

  it('says in both languages where a body stops being JSON or UTF-8', async () => {
    const zh = { 'accept-language': 'zh-CN' };
    const broken = await call('POST', '/api/packages', tokens.editor, '{\n  "title": "关于",\n  "catalogueItem" "x"\n}', zh);
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    expect(broken.body.error.messageEn).toMatch(/at line 3, column 19/);
    expect(broken.body.error.message).toContain('第 3 行第 19 列');
    const cut = await call('POST', '/api/packages', tokens.editor, '{"title": "关于"', zh);
    expect(cut.body.error.messageEn).toMatch(/at line 1, column 15/);
    expect(cut.body.error.message).toBe('请求内容不是有效的 JSON：第 1 行第 15 列：内容在 JSON 结束之前就结束了（缺少右花括号、右方括号或引号）。');
    const ended = await call('POST', '/api/packages', tokens.editor, '{"title":\n', zh);
    expect(ended.body.error.message).toMatch(/第 2 行第 1 列：内容在 JSON 结束之前就结束了/);
    // What is wrong, in Chinese too (it said only 有误。请检查格式 for every fault but the end).
    expect(broken.body.error.message).toBe('请求内容不是有效的 JSON：第 3 行第 19 列：字段名之后应为“:”，实际为“"”。');
    // The place and what was expected, with one character at most: never a stretch of the body
    // (JSON.parse's own message quoted the text around the fault, a password with it).
    const password = await call('POST', '/api/session', undefined, '{"name":"ed","password":my-secret-pw}');
    expect(password.status).toBe(400);
    expect(password.body.error.message).toBe(
      'The body is not valid JSON at line 1, column 25: expected a value (a string in double quotes, a number, true, false, null, an object or an array), found "m".',
    );
    // A comma after the last field or element (JavaScript allows it) is named as such.
    const trailing = await call('POST', '/api/packages', tokens.editor, '{"title": "关于", }');
    expect(trailing.body.error.message).toBe(
      'The body is not valid JSON at line 1, column 17: a comma stands before "}": JSON allows none after the last field; remove it.',
    );
    const trailingElement = await call('POST', '/api/packages', tokens.editor, '{"targets": ["portal:xwdt-blyw",]}', zh);
    expect(trailingElement.body.error.message).toBe(
      '请求内容不是有效的 JSON：第 1 行第 33 列：“]”之前多了一个逗号：JSON 的最后一个元素之后不能有逗号，请删除。',
    );
    const singleQuoted = await call('POST', '/api/packages', tokens.editor, "{'title': '关于'}");
    expect(singleQuoted.body.error.message).toMatch(/column 2: expected a field name in double quotes, found "'" \(JSON quotes with " only\)\.$/);
    // A byte-order mark, which RFC 8259 forbids sending, is named as such (JSON.parse said "Unexpected token '﻿'").
    const marked = await call('POST', '/api/packages', tokens.editor, '\ufeff{"title": "关于"}');
    expect(marked.body.error.message).toBe(
      'The body is not valid JSON at line 1, column 1: a byte-order mark (U+FEFF) stands before the JSON; send the JSON without it.',
    );
    const gbk = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xb9, 0xd8, 0xd3, 0xda]), Buffer.from('"}')]);
    const response = await fetch(`${base}/api/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.editor}`, 'content-type': 'application/json', ...zh },
      body: gbk,
    });
    const answer = (await response.json()) as { error: { code: string; message: string; messageEn: string } };
    expect(response.status).toBe(400);
    expect(answer.error.messageEn).toMatch(/byte 10 \(line 1\)/);
    expect(answer.error.message).toContain('第 10 个字节（第 1 行）');
    // UTF-16, as Windows PowerShell 5 and Notepad's "Unicode" write it, with and without its byte-order mark.
    for (const [body, begins] of [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"title":"关于"}', 'utf16le')]), 'ff fe 7b 00'],
      [Buffer.from('{"title":"关于"}', 'utf16le'), '7b 00 22 00'],
    ] as const) {
      const sixteen = await fetch(`${base}/api/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.editor}`, 'content-type': 'application/json', ...zh },
        body,
      });
      const said = (await sixteen.json()) as { error: { code: string; message: string; messageEn: string } };
      expect(sixteen.status).toBe(400);
      expect(said.error.code).toBe('invalid_json');
      expect(said.error.messageEn).toBe(
        `The body is UTF-16 (it begins ${begins}), not UTF-8: send the JSON encoded in UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8).`,
      );
      expect(said.error.message).toContain(`请求内容是 UTF-16 编码（开头为 ${begins}），不是 UTF-8`);
    }
  });

  it('says the rule of every pattern a request is checked against in words, never as the pattern', async () => {
    // Request parts only (parameters, bodies): a pattern in an answer's schema is never quoted back.
    const unsaid: string[] = [];
    const walk = (schema: unknown, where: string, seen = new Set<unknown>()): void => {
      if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
      seen.add(schema);
      const s = schema as Json;
      if (typeof s.$ref === 'string') return walk(doc.components.schemas[s.$ref.split('/').pop()!], where, seen);
      if (typeof s.pattern === 'string' && typeof s['x-message'] !== 'string') unsaid.push(`${where} (${s.pattern})`);
      for (const [key, value] of Object.entries(s)) if (typeof value === 'object') walk(value, `${where}/${key}`, seen);
    };
    for (const [template, operations] of Object.entries(doc.paths as Json))
      for (const [method, operation] of Object.entries(operations as Json)) {
        for (const parameter of (operation as Json).parameters ?? [])
          walk(parameter.schema, `${method.toUpperCase()} ${template} ${parameter.in} ${parameter.name}`);
        for (const [type, content] of Object.entries(((operation as Json).requestBody?.content ?? {}) as Json))
          walk((content as Json).schema, `${method.toUpperCase()} ${template} body (${type})`);
      }
    expect(unsaid).toEqual([]);
    // As a person meets it: a unit typed in Chinese.
    const refused = await call('GET', `/api/stats?year=2026&unit=${encodeURIComponent('教育局')}`, tokens.admin);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('unit: expected a unit id such as jyj (lowercase letters, digits, _ and -): GET /api/units lists them');
    expect(refused.body.error.messageZh).toBe('unit：应为单位编号，如 jyj（小写字母、数字、_ 和 -），单位列表见 GET /api/units');
  });

  it('answered everything as the OpenAPI document says', () => {
    const problems = [...new Set(seen.flatMap(contractProblems))];
    expect(problems).toEqual([]);
    expect(seen.length).toBeGreaterThan(60);
  });
});
