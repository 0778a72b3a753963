/**
 * The bad-input corpus (issue 9): a table of cases generated from a few value generators × every
 * route that takes input (bodies field by field, query strings, path parameters, headers, content
 * types, JSON structure, multipart uploads), sent over a real socket to one API.
 *
 * Every refused case must answer its 4xx within REQUEST_TIMEOUT_MS (never a 5xx, never a hang),
 * with an `error.code` that names the problem (never `internal`), its field path in `issues` where
 * there is one, and `error.requestId`; and it must leave no trace: no row, no state change, no
 * audit entry, no idempotency key, no file in the media store, no workflow (checked per category
 * through Temporal's visibility). Valid but tricky input (emoji, right-to-left text, SQL-looking
 * text, combining characters, HTML in bodies) is accepted and read back exactly as sent, or as the
 * documented sanitizer (services/package-input.ts) leaves it.
 *
 * The count per category is printed at the end.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { buildApi } from '../../api/server.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { expectOnly, expectNoStrayWorkflows as noStrayWorkflows, traces as snapshot } from '../support/traces.js';
import { until } from '../support/http.js';

/** A request that has not answered within this is a hang: the case fails. */
const REQUEST_TIMEOUT_MS = 10_000;

let app: TestApp;
let api: FastifyInstance;
let mediaDir: string;

type Who = 'editor' | 'first' | 'second' | 'final' | 'ops' | 'none';

/** What the cases refer to, made in beforeAll. */
interface Fixtures {
  base: string;
  port: number;
  tokens: Record<Exclude<Who, 'none'>, string>;
  /** A draft package (editor's). */
  draftId: string;
  /** A package in review at 初审, revision 1. */
  reviewId: string;
  /** A released package, its deliveries live. */
  releasedId: string;
  deliveryId: string;
  /** An uploaded image. */
  imageId: string;
  channelId: string;
}
const fx = {} as Fixtures;

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

interface Req {
  method: string;
  /** Already percent-encoded as it goes on the wire. */
  path: string;
  /** Whose token goes in `Authorization: Bearer …` (default editor); `none` sends no header. */
  as?: Who;
  /** Sent as JSON (`Content-Type: application/json`). */
  json?: unknown;
  /** Sent as these bytes, with `Content-Type: application/json` unless `headers` say otherwise. */
  text?: string | Buffer;
  form?: FormData;
  /** Extra headers; `null` removes one (e.g. the content type). */
  headers?: Record<string, string | null>;
  /** A whole HTTP/1.1 request written to a socket as is (`{token}` is the editor's token). */
  raw?: string | Buffer;
}

interface Answer {
  status: number;
  body: any;
  requestIdHeader: string | null;
}

async function send(r: Req): Promise<Answer> {
  if (r.raw !== undefined) return sendRaw(r.raw);
  const headers: Record<string, string> = {};
  const who = r.as ?? 'editor';
  if (who !== 'none') headers.authorization = `Bearer ${fx.tokens[who]}`;
  let body: string | Uint8Array | FormData | undefined;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    headers['content-type'] = 'application/json';
  } else if (r.text !== undefined) {
    body = typeof r.text === 'string' ? r.text : new Uint8Array(r.text);
    headers['content-type'] = 'application/json';
  } else if (r.form) {
    body = r.form;
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  // Uint8Array bodies get no Content-Type from fetch; strings would get text/plain.
  if (typeof body === 'string' && headers['content-type'] === undefined) body = new Uint8Array(Buffer.from(body));
  const response = await fetch(`${fx.base}${r.path}`, { method: r.method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // kept as text: the assertions say what was expected
  }
  return { status: response.status, body: parsed, requestIdHeader: response.headers.get('x-request-id') };
}

/** Writes a raw request and reads the answer until the server closes the connection. */
function sendRaw(request: string | Buffer): Promise<Answer> {
  const bytes = typeof request === 'string' ? Buffer.from(request.replaceAll('{token}', fx.tokens.editor), 'latin1') : request;
  return new Promise((resolve, reject) => {
    const socket = net.connect(fx.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${REQUEST_TIMEOUT_MS} ms (a hang)`));
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const bodyText = rest.join('\r\n\r\n');
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // not JSON
      }
      resolve({ status, body, requestIdHeader: /^x-request-id: (.*)$/im.exec(head)?.[1]?.trim() ?? null });
    });
    // Not half-closed: the server answers and closes (Connection: close, or the parser's refusal).
    socket.on('connect', () => socket.write(bytes));
  });
}

const traces = () => snapshot(app.db, mediaDir);
const expectNoStrayWorkflows = () => noStrayWorkflows(app.db, app.client, app.taskQueue);

interface Refusal {
  status: number;
  code: string;
  /** A field path that `issues` must name (itself, or a path inside it). */
  issue?: string;
  /** What the English message must say. */
  message?: RegExp;
}

interface Case {
  category: string;
  name: string;
  req: (f: Fixtures) => Req;
  refuse: Refusal;
  /** Extra checks on the answer. */
  also?: (answer: Answer) => void;
}

const casesByCategory = new Map<string, number>();
function count(category: string, n = 1): void {
  casesByCategory.set(category, (casesByCategory.get(category) ?? 0) + n);
}

function describeAnswer(answer: Answer): string {
  return JSON.stringify(answer.body)?.slice(0, 600) ?? String(answer.body);
}

/**
 * The traces after the last refused case: the next refused case starts from them (nothing else
 * runs in between), so each case costs one snapshot. Anything else that runs clears it.
 */
let lastTraces: Record<string, string> | undefined;

async function expectRefused(c: Case): Promise<void> {
  const before = lastTraces ?? (await traces());
  lastTraces = undefined;
  const answer = await send(c.req(fx));
  const after = await traces();
  lastTraces = after;
  const detail = `${c.name} → ${answer.status} ${describeAnswer(answer)}`;
  expect(answer.status, detail).toBeGreaterThanOrEqual(400);
  expect(answer.status, detail).toBeLessThan(500);
  expect(answer.status, detail).toBe(c.refuse.status);
  expect(answer.body?.error?.code, detail).toBe(c.refuse.code);
  if (c.refuse.message) expect(answer.body?.error?.message, detail).toMatch(c.refuse.message);
  // The console shows the Chinese sentence: every refusal has one.
  expect(answer.body?.error?.messageZh, detail).toMatch(/[\u4e00-\u9fff]/);
  // …and says it in Chinese: the translation's fallback (an English sentence after 不符合要求：) marks one nobody translated.
  for (const zh of [answer.body.error.messageZh, ...(answer.body.error.issues ?? []).map((i: { messageZh?: string }) => i.messageZh)])
    expect(zh ?? '', detail).not.toMatch(/不符合要求：[A-Za-z(]/);
  expect(typeof answer.body.error.message, detail).toBe('string');
  expect(answer.body.error.requestId, detail).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  if (answer.requestIdHeader !== null) expect(answer.requestIdHeader, detail).toBe(answer.body.error.requestId);
  if (c.refuse.issue !== undefined) {
    const want = c.refuse.issue;
    const paths: string[] = (answer.body.error.issues ?? []).map((i: { path: string }) => i.path);
    expect(
      paths.some((p) => p === want || p.startsWith(`${want}.`) || p.startsWith(`${want}[`)),
      `${detail}\nexpected an issue at ${want}`,
    ).toBe(true);
  }
  c.also?.(answer);
  expect(after, `${c.name} left a trace`).toEqual(before);
}

/** Registers the cases of one category as tests, then one test that no workflow was started. */
function refusals(category: string, cases: Omit<Case, 'category'>[]): void {
  describe(category, () => {
    count(category, cases.length);
    const names = new Set<string>();
    for (const c of cases) {
      let name = c.name;
      for (let n = 2; names.has(name); n++) name = `${c.name} (${n})`;
      names.add(name);
      it(name, async () => expectRefused({ ...c, name, category }));
    }
    it('started no workflow', async () => {
      lastTraces = undefined;
      await expectNoStrayWorkflows();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

async function call(method: string, urlPath: string, who: Who, body?: unknown): Promise<Answer> {
  return send({ method, path: urlPath, as: who, ...(body !== undefined ? { json: body } : {}) });
}

async function png(width: number, height: number, background = '#2a6f97'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

function multipart(name: string, bytes: Buffer, type = 'application/octet-stream', field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  return form;
}

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  mediaDir = await mkdtemp(path.join(tmpdir(), 'govpub-corpus-media-'));
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(mediaDir) });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  fx.port = (api.server.address() as { port: number }).port;
  fx.base = `http://127.0.0.1:${fx.port}`;
  fx.tokens = {
    editor: (await app.user('corpus-editor', 'editor')).token,
    first: (await app.user('corpus-first', 'reviewer', ['初审'])).token,
    second: (await app.user('corpus-second', 'reviewer', ['复审'])).token,
    final: (await app.user('corpus-final', 'reviewer', ['终审'])).token,
    ops: (await app.user('corpus-ops', 'ops')).token,
  };
  fx.channelId = 'weibo:blfb-wb';

  const uploaded = await send({ method: 'POST', path: '/api/media', form: multipart('封面.png', await png(320, 200), 'image/png') });
  expect(uploaded.status, describeAnswer(uploaded)).toBe(201);
  fx.imageId = uploaded.body.id;

  const create = async (title: string) => {
    const created = await call('POST', '/api/packages', 'editor', policyPackage(app.registry, { title }));
    expect(created.status, describeAnswer(created)).toBe(201);
    return created.body.id as string;
  };
  fx.draftId = await create('语料库：草稿');
  fx.reviewId = await create('语料库：审核中');
  expect((await call('POST', `/api/packages/${fx.reviewId}/submit`, 'editor')).status).toBe(200);
  fx.releasedId = await create('语料库：已发布');
  expect((await call('POST', `/api/packages/${fx.releasedId}/submit`, 'editor')).status).toBe(200);
  for (const who of ['first', 'second', 'final'] as const) {
    const decided = await call('POST', `/api/packages/${fx.releasedId}/decisions`, who, { revision: 1, decision: 'approve', comment: '同意' });
    expect(decided.status, describeAnswer(decided)).toBe(200);
  }
  const live = await until('the released package to be live on every channel', async () => {
    const view = await call('GET', `/api/packages/${fx.releasedId}`, 'editor');
    const ds = view.body.deliveries as { id: string; state: string }[];
    return view.body.status === 'released' && ds.length > 0 && ds.every((d) => d.state === 'live') ? ds : undefined;
  });
  fx.deliveryId = live[0]!.id;
  // Nothing may still be writing when the cases start comparing traces.
  let last = JSON.stringify(await traces());
  await until('the fixtures to settle', async () => {
    await new Promise((r) => setTimeout(r, 400));
    const now = JSON.stringify(await traces());
    const settled = now === last;
    last = now;
    return settled ? true : undefined;
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  const total = [...casesByCategory.values()].reduce((a, b) => a + b, 0);
  const width = Math.max(...[...casesByCategory.keys()].map((k) => k.length));
  console.log(
    [`bad-input corpus (API): ${total} cases`, ...[...casesByCategory].map(([category, n]) => `  ${category.padEnd(width)}  ${String(n).padStart(4)}`)].join(
      '\n',
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// Value generators
// ---------------------------------------------------------------------------------------------

/** Delete the field instead of setting it. */
const MISSING = Symbol('missing');
type Gen = [label: string, value: (max: number) => unknown];

/** Wrong types, characters that cannot be stored, and lengths over the limit: for any text field. */
const BAD_TEXT: Gen[] = [
  ['a number', () => 42],
  ['a huge number', () => 1e308],
  ['true', () => true],
  ['an object', () => ({ zh: '标题' })],
  ['an array', () => ['标题']],
  ['NUL', () => '标题\u0000后缀'],
  ['an ANSI escape', () => '标题\u001b[31m红'],
  ['a C1 control (U+0085)', () => '标题\u0085'],
  ['a lone high surrogate', () => '标题\ud800'],
  ['a lone low surrogate', () => '\udc00标题'],
  ['a reversed surrogate pair', () => '标题\ude00\ud83d'],
  ['the non-character U+FFFF', () => '标题\uffff'],
  ['a right-to-left override (U+202E)', () => '标题\u202e反转'],
  ['one character over the limit', (max) => '长'.repeat(max + 1)],
  ['a million characters', () => 'x'.repeat(1_000_000)],
];
const NOT_NULLABLE: Gen[] = [['null', () => null]];
const REQUIRED_TEXT: Gen[] = [
  ['missing', () => MISSING],
  ['empty', () => ''],
  ['blank', () => '  \t '],
];
const BAD_URL: Gen[] = [
  ['a javascript: URL', () => 'javascript:alert(document.cookie)'],
  ['an upper-case JAVASCRIPT: URL', () => 'JAVASCRIPT:alert(1)'],
  ['a data: URL', () => 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['a vbscript: URL', () => 'vbscript:msgbox(1)'],
  ['an ftp: URL', () => 'ftp://files.example/a.pdf'],
  ['a protocol-relative URL', () => '//evil.example/a.pdf'],
  ['a relative path with traversal', () => '../../../etc/passwd'],
  ['a leading space', () => ' https://www.beilin.gov.cn/a.pdf'],
  ['a URL over 2,000 characters', () => `https://www.beilin.gov.cn/${'a'.repeat(2000)}`],
  ['NUL inside a URL', () => 'https://www.beilin.gov.cn/a\u0000.pdf'],
  ['a number', () => 80],
];
const BAD_MEDIA_ID: Gen[] = [
  ['path traversal', () => '../../../../etc/passwd'],
  ['63 hex digits', () => 'a'.repeat(63)],
  ['upper-case hex', () => 'A'.repeat(64)],
  ['SQL', () => "' OR '1'='1' --"],
  ['an id no upload has', () => 'f'.repeat(64)],
  ['NUL', () => `${'a'.repeat(63)}\u0000`],
  ['a number', () => 1234],
];
const BAD_DATE: Gen[] = [
  ['month 13', () => '2026-13-45'],
  ['a word', () => 'yesterday'],
  ['a date-time', () => '2026-11-20T00:00:00Z'],
  ['no dashes', () => '20261120'],
  ['empty', () => ''],
  ['a number', () => 20261120],
];
const BAD_DATETIME: Gen[] = [
  ['a word', () => 'tomorrow'],
  ['a date without time', () => '2026-12-01'],
  ['no offset', () => '2026-12-01T09:00:00'],
  ['month 13', () => '2026-13-01T09:00:00+08:00'],
  ['February 30', () => '2026-02-30T09:00:00+08:00'],
  ['an hour-only offset', () => '2026-12-01T09:00:00+08'],
  ['a leap second', () => '2026-12-31T23:59:60Z'],
  ['empty', () => ''],
  ['a number (epoch ms)', () => 1796115600000],
  ['true', () => true],
  ['an object', () => ({ at: '2026-12-01T09:00:00+08:00' })],
];

// ---------------------------------------------------------------------------------------------
// The package body, field by field
// ---------------------------------------------------------------------------------------------

/** A valid release time: to come (a past one is refused), within the five years a time may be ahead. */
const A_RELEASE_TIME_TO_COME = `${new Date().getUTCFullYear() + 1}-12-01T09:00:00+08:00`;

/** A complete, valid package body with every optional part (attachment, cover, release time). */
function fullPackage(f: Fixtures): Record<string, any> {
  const base = policyPackage(app.registry) as Record<string, any>;
  return {
    ...base,
    title: '语料库：字段检查',
    document: { ...base.document, attachments: [{ name: '附件1：实施细则.pdf', url: 'https://www.beilin.gov.cn/files/a.pdf' }] },
    releaseAt: A_RELEASE_TIME_TO_COME,
    cover: { mediaId: f.imageId, alt: '封面图' },
  };
}

/** Sets (or with MISSING deletes) the value at a path such as `interpretations[0].title`. */
function withValue(body: Record<string, any>, fieldPath: string, value: unknown): Record<string, any> {
  const copy = structuredClone(body);
  const keys = fieldPath.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let target: any = copy;
  for (const key of keys.slice(0, -1)) target = target[key];
  const last = keys.at(-1)!;
  if (value === MISSING) {
    if (Array.isArray(target)) target.splice(Number(last), 1);
    else delete target[last];
  } else target[last] = value;
  return copy;
}

interface FieldSpec {
  path: string;
  gens: Gen[];
  max?: number;
  /** The issue path expected (default: the field). */
  issue?: string;
}

const text = (required: boolean): Gen[] => [...BAD_TEXT, ...NOT_NULLABLE, ...(required ? REQUIRED_TEXT : [])];
/** What a body may hold but a one-line field (a title, a name) may not. */
const BAD_LINE: Gen[] = [
  ['a line break inside', () => '标题\n第二行'],
  ['a tab inside', () => '标题\t后缀'],
  ['a zero-width space inside (search would index a word it splits as two)', () => '碑林\u200b区'],
  ['a byte-order mark inside', () => '碑林\ufeff区'],
];
const line = (required: boolean): Gen[] => [...text(required), ...BAD_LINE];
const PACKAGE_FIELDS: FieldSpec[] = [
  { path: 'title', max: 200, gens: line(true) },
  {
    path: 'catalogueItem',
    max: 100,
    gens: [
      ...text(true),
      ['an unknown item', () => 'no-such-item'],
      ['SQL', () => "qzf-gfxwj' OR '1'='1"],
      ['path traversal', () => '../../config/registry/catalogue.yaml'],
    ],
  },
  {
    path: 'document',
    gens: [
      ['missing', () => MISSING],
      ['null', () => null],
      ['a string', () => '碑政发〔2026〕3号'],
      ['an array', () => []],
      ['a number', () => 3],
      ['an empty object', () => ({})],
    ],
  },
  { path: 'document.title', max: 200, gens: line(true) },
  { path: 'document.body', max: 200_000, gens: text(true) },
  { path: 'document.issuingUnit', max: 100, gens: line(true) },
  {
    path: 'document.documentNumber',
    max: 64,
    gens: [
      ...text(false),
      ['not a document number', () => '第3号'],
      ['a number with a script', () => '碑政发〔2026〕3号<script>alert(1)</script>'],
      ['a serial with a leading zero (虚位)', () => '碑政发〔2026〕03号'],
      ['the year 0000', () => '碑政发〔0000〕1号'],
      ['square brackets for the year', () => '碑政发[2026]7号'],
    ],
  },
  { path: 'document.formedAt', gens: [...BAD_DATE, ...NOT_NULLABLE] },
  {
    path: 'document.attachments',
    gens: [
      ['a string', () => 'a.pdf'],
      ['an object', () => ({ name: 'a.pdf' })],
      ['null', () => null],
      ['51 attachments', () => Array.from({ length: 51 }, (_, i) => ({ name: `附件${i}`, url: `https://www.beilin.gov.cn/${i}.pdf` }))],
      ['an attachment without url or mediaId', () => [{ name: '附件' }]],
      ['null in the list', () => [null]],
    ],
  },
  { path: 'document.attachments[0].name', max: 200, gens: line(true) },
  { path: 'document.attachments[0].url', gens: [...BAD_URL, ...NOT_NULLABLE] },
  { path: 'document.attachments[0].mediaId', gens: [...BAD_MEDIA_ID, ...NOT_NULLABLE] },
  {
    path: 'interpretations',
    gens: [
      ['a string', () => 'text'],
      ['an object', () => ({ form: 'text', title: '解读', body: '<p>x</p>' })],
      ['21 interpretations', () => Array.from({ length: 21 }, (_, i) => ({ form: 'text', title: `解读${i}`, body: '<p>x</p>' }))],
      ['null in the list', () => [null]],
      ['a list in the list', () => [[]]],
    ],
  },
  {
    path: 'interpretations[0].form',
    gens: [
      ['an unknown form', () => 'poem'],
      ['upper case', () => 'TEXT'],
      ['a trailing space', () => 'text '],
      ['empty', () => ''],
      ['missing', () => MISSING],
      ['a number', () => 1],
      ['null', () => null],
    ],
  },
  { path: 'interpretations[0].title', max: 200, gens: line(true) },
  { path: 'interpretations[0].body', max: 200_000, gens: text(true) },
  { path: 'interpretations[0].mediaId', gens: [...BAD_MEDIA_ID, ...NOT_NULLABLE] },
  { path: 'interpretations[0].url', gens: [...BAD_URL, ...NOT_NULLABLE] },
  { path: 'interpretations[0].interpreter', max: 100, gens: line(false) },
  {
    path: 'targets',
    gens: [
      ['missing', () => MISSING],
      ['null', () => null],
      ['empty', () => []],
      ['a string', () => 'portal:zwgk-zcwj'],
      ['401 channels', () => Array.from({ length: 401 }, (_, i) => `portal:none-${i}`)],
      ['a channel twice', () => ['weibo:blfb-wb', 'weibo:blfb-wb']],
      ['an object', () => [{ id: 'weibo:blfb-wb' }]],
    ],
  },
  {
    path: 'targets[0]',
    max: 200,
    gens: [
      ...text(true),
      ['path traversal', () => '../../../etc/passwd'],
      ['SQL', () => "weibo:blfb-wb' OR '1'='1"],
      ['an unknown channel', () => 'portal:does-not-exist'],
      ['an upper-case channel', () => 'WEIBO:BLFB-WB'],
    ],
  },
  { path: 'releaseAt', gens: BAD_DATETIME },
  {
    path: 'cover',
    gens: [
      ['a string', () => 'cover.png'],
      ['an array', () => []],
      ['a number', () => 1],
      ['an empty object', () => ({})],
      ['no alt', () => ({ mediaId: 'f'.repeat(64) })],
    ],
  },
  { path: 'cover.mediaId', gens: [...BAD_MEDIA_ID, ...NOT_NULLABLE, ['missing', () => MISSING]] },
  { path: 'cover.alt', max: 200, gens: line(true) },
];
/** An unknown field in each object of the body. */
const UNKNOWN_FIELDS = ['extra', 'document.color', 'document.attachments[0].size', 'interpretations[0].color', 'cover.width', 'constructor', 'prototype'];

/** The generators the edit route gets for each field (besides each field's first). */
const PUT_GENERATORS = new Set(['NUL', 'a lone high surrogate', 'one character over the limit', 'missing', 'a javascript: URL', 'path traversal', 'no offset']);

function packageFieldCases(method: 'POST' | 'PUT'): Omit<Case, 'category'>[] {
  const url = (f: Fixtures) => (method === 'POST' ? '/api/packages' : `/api/packages/${f.draftId}`);
  const cases: Omit<Case, 'category'>[] = [];
  for (const field of PACKAGE_FIELDS) {
    // Removing a list item leaves a shorter, valid list: "missing" is for object fields.
    let gens = field.gens.filter(([label]) => !(label === 'missing' && field.path.endsWith(']')));
    // The edit takes the same body through the same checks: a few generators per field suffice there.
    if (method === 'PUT') gens = gens.filter(([label], i) => i === 0 || PUT_GENERATORS.has(label));
    for (const [label, value] of gens) {
      cases.push({
        name: `${field.path}: ${label}`,
        req: (f) => ({ method, path: url(f), json: withValue(fullPackage(f), field.path, value(field.max ?? 0)) }),
        refuse: { status: 400, code: 'invalid_body', issue: field.issue ?? field.path },
      });
    }
  }
  for (const fieldPath of UNKNOWN_FIELDS) {
    cases.push({
      name: `${fieldPath}: an unknown field`,
      req: (f) => ({ method, path: url(f), json: withValue(fullPackage(f), fieldPath, 'x') }),
      refuse: { status: 400, code: 'invalid_body', issue: fieldPath },
    });
  }
  return cases;
}

refusals('POST /api/packages: every field', packageFieldCases('POST'));
refusals('PUT /api/packages/:id: every field', packageFieldCases('PUT'));

// ---------------------------------------------------------------------------------------------
// The other bodies: review, schedule, release, retraction, deliveries, channels, renditions
// ---------------------------------------------------------------------------------------------

interface Route {
  name: string;
  method: string;
  path: (f: Fixtures) => string;
  as: Who;
  /** A valid body (for the routes that take one). */
  body?: (f: Fixtures) => Record<string, unknown>;
}

const R = {
  createPackage: { name: 'POST /api/packages', method: 'POST', path: () => '/api/packages', as: 'editor', body: fullPackage },
  editPackage: { name: 'PUT /api/packages/:id', method: 'PUT', path: (f) => `/api/packages/${f.draftId}`, as: 'editor', body: fullPackage },
  submit: { name: 'POST /api/packages/:id/submit', method: 'POST', path: (f) => `/api/packages/${f.draftId}/submit`, as: 'editor' },
  withdraw: {
    name: 'POST /api/packages/:id/withdraw',
    method: 'POST',
    path: (f) => `/api/packages/${f.reviewId}/withdraw`,
    as: 'editor',
    body: () => ({ reason: '需要补充材料' }),
  },
  decide: {
    name: 'POST /api/packages/:id/decisions',
    method: 'POST',
    path: (f) => `/api/packages/${f.reviewId}/decisions`,
    as: 'first',
    body: () => ({ revision: 1, decision: 'approve', comment: '同意' }),
  },
  schedule: {
    name: 'PUT /api/packages/:id/schedule',
    method: 'PUT',
    path: (f) => `/api/packages/${f.reviewId}/schedule`,
    as: 'editor',
    body: () => ({ releaseAt: A_RELEASE_TIME_TO_COME }),
  },
  unschedule: { name: 'DELETE /api/packages/:id/schedule', method: 'DELETE', path: (f) => `/api/packages/${f.reviewId}/schedule`, as: 'editor' },
  release: { name: 'POST /api/packages/:id/release', method: 'POST', path: (f) => `/api/packages/${f.reviewId}/release`, as: 'editor' },
  retract: {
    name: 'POST /api/packages/:id/retract',
    method: 'POST',
    path: (f) => `/api/packages/${f.releasedId}/retract`,
    as: 'ops',
    body: () => ({ reason: '信息有误' }),
  },
  retry: { name: 'POST /api/deliveries/:id/retry', method: 'POST', path: (f) => `/api/deliveries/${f.deliveryId}/retry`, as: 'ops' },
  skip: {
    name: 'POST /api/deliveries/:id/skip',
    method: 'POST',
    path: (f) => `/api/deliveries/${f.deliveryId}/skip`,
    as: 'ops',
    body: () => ({ reason: '平台维护' }),
  },
  confirm: {
    name: 'POST /api/deliveries/:id/confirm',
    method: 'POST',
    path: (f) => `/api/deliveries/${f.deliveryId}/confirm`,
    as: 'ops',
    body: () => ({ url: 'https://weibo.com/1234567890/abcdef', note: '人工发布' }),
  },
  pause: {
    name: 'POST /api/channels/:id/pause',
    method: 'POST',
    path: (f) => `/api/channels/${encodeURIComponent(f.channelId)}/pause`,
    as: 'ops',
    body: () => ({ reason: '账号维护' }),
  },
  resume: { name: 'POST /api/channels/:id/resume', method: 'POST', path: (f) => `/api/channels/${encodeURIComponent(f.channelId)}/resume`, as: 'ops' },
  renditions: {
    name: 'POST /api/media/:id/renditions',
    method: 'POST',
    path: (f) => `/api/media/${f.imageId}/renditions`,
    as: 'editor',
    body: () => ({ platforms: ['wechat_oa'] }),
  },
} satisfies Record<string, Route>;

/** Cases for one route: [label, body or raw JSON text, expected refusal]. */
type BodyCase = [label: string, body: (f: Fixtures) => unknown, refusal: Refusal];
const RAW = Symbol('raw JSON text');
const rawJson = (text: string) => ({ [RAW]: text });

function bodyCases(route: Route, list: BodyCase[]): Omit<Case, 'category'>[] {
  return list.map(([label, body, refuse]) => ({
    name: `${route.name}: ${label}`,
    req: (f) => {
      const value = body(f) as Record<symbol, string> | unknown;
      const raw = value && typeof value === 'object' && RAW in (value as object) ? (value as Record<symbol, string>)[RAW] : undefined;
      return { method: route.method, path: route.path(f), as: route.as, ...(raw !== undefined ? { text: raw } : { json: value }) };
    },
    refuse,
  }));
}

const invalid = (issue?: string): Refusal => ({ status: 400, code: 'invalid_body', ...(issue !== undefined ? { issue } : {}) });

/** A route that takes no body: anything but none or {} is refused. */
const NO_BODY: BodyCase[] = [
  ['an unknown field', () => ({ force: true }), invalid('force')],
  ['__proto__', () => rawJson('{"__proto__":{"admin":true}}'), invalid('__proto__')],
  ['an array', () => [], invalid('')],
  ['a string', () => 'now', invalid('')],
  ['a number', () => 1, invalid('')],
  ['true', () => true, invalid('')],
];

/** A text field of a small body (reason, comment, note): wrong types, unstorable characters, too long. */
function noteCases(field: string, base: Record<string, unknown>, required: boolean): BodyCase[] {
  const set = (value: unknown) => () =>
    value === MISSING ? Object.fromEntries(Object.entries(base).filter(([k]) => k !== field)) : { ...base, [field]: value };
  return [
    ...(required
      ? ([
          ['missing', set(MISSING), invalid(field)],
          ['empty', set(''), invalid(field)],
          ['blank', set(' \t\n '), invalid(field)],
        ] as BodyCase[])
      : []),
    ['a number', set(42), invalid(field)],
    ['null', set(null), invalid(field)],
    ['an array', set(['原因']), invalid(field)],
    ['an object', set({ zh: '原因' }), invalid(field)],
    ['NUL', set('原因\u0000'), invalid(field)],
    ['an ANSI escape', set('原因\u001b[2J'), invalid(field)],
    ['a C1 control (U+009B)', set('原因\u009b'), invalid(field)],
    ['a right-to-left override (U+202E)', set('原因\u202e反转'), invalid(field)],
    ['a lone high surrogate', set('原因\ud83d'), invalid(field)],
    ['a lone low surrogate', set('\ude00原因'), invalid(field)],
    ['the non-character U+FFFE', set('原因\ufffe'), invalid(field)],
    ['2,001 characters', set('长'.repeat(2001)), invalid(field)],
    ['a million characters', set('x'.repeat(1_000_000)), invalid(field)],
  ];
}

function withBase(base: Record<string, unknown>, extra: Record<string, unknown>) {
  return () => ({ ...base, ...extra });
}

const decision = { revision: 1, decision: 'approve', comment: '同意' };
refusals(
  'POST /api/packages/:id/decisions',
  bodyCases(R.decide, [
    ['an empty object', () => ({}), invalid('revision')],
    ['revision as a string', withBase(decision, { revision: '1' }), invalid('revision')],
    ['revision 1.5', withBase(decision, { revision: 1.5 }), invalid('revision')],
    ['revision 0', withBase(decision, { revision: 0 }), invalid('revision')],
    ['revision -1', withBase(decision, { revision: -1 }), invalid('revision')],
    ['revision 1e300 (an integer to JSON, past any package)', withBase(decision, { revision: 1e300 }), invalid('revision')],
    ['revision null', withBase(decision, { revision: null }), invalid('revision')],
    ['revision true', withBase(decision, { revision: true }), invalid('revision')],
    ['revision 1e400 (Infinity)', () => rawJson('{"revision":1e400,"decision":"approve"}'), invalid('revision')],
    ['revision as an array', withBase(decision, { revision: [1] }), invalid('revision')],
    [
      'a revision the package does not have yet',
      withBase(decision, { revision: 2 }),
      { status: 409, code: 'stale_revision', message: /has no revision 2: it is at revision 1/ },
    ],
    ['a revision past 2^53', () => rawJson('{"revision":9007199254740993,"decision":"approve"}'), invalid('revision')],
    ['decision "maybe"', withBase(decision, { decision: 'maybe' }), invalid('decision')],
    ['decision "APPROVE"', withBase(decision, { decision: 'APPROVE' }), invalid('decision')],
    ['decision empty', withBase(decision, { decision: '' }), invalid('decision')],
    ['decision null', withBase(decision, { decision: null }), invalid('decision')],
    ['decision as a list', withBase(decision, { decision: ['approve'] }), invalid('decision')],
    ['decision missing', () => ({ revision: 1 }), invalid('decision')],
    ['a rejection without a comment', () => ({ revision: 1, decision: 'reject' }), { status: 409, code: 'comment_required' }],
    ['a rejection with a blank comment', () => ({ revision: 1, decision: 'reject', comment: '   ' }), { status: 409, code: 'comment_required' }],
    ['an unknown field', withBase(decision, { note: '同意' }), invalid('note')],
    ['SQL as a field name', withBase(decision, { "comment'; DROP TABLE review_decisions; --": 'x' }), invalid("comment'; DROP TABLE review_decisions; --")],
    ['__proto__', () => rawJson('{"revision":1,"decision":"approve","__proto__":{"isAdmin":true}}'), invalid('__proto__')],
    ...noteCases('comment', decision, false),
    ...NO_BODY.slice(2),
  ]),
);

refusals(
  'POST /api/packages/:id/withdraw',
  bodyCases(R.withdraw, [
    ...noteCases('reason', { reason: '需要补充材料' }, false),
    ['an unknown field', () => ({ reason: '撤回', force: true }), invalid('force')],
    ...NO_BODY.slice(1),
  ]),
);

refusals(
  'PUT /api/packages/:id/schedule',
  bodyCases(R.schedule, [
    ...BAD_DATETIME.map(([label, value]): BodyCase => [`releaseAt ${label}`, () => ({ releaseAt: value(0) }), invalid('releaseAt')]),
    ['releaseAt missing', () => ({}), invalid('releaseAt')],
    ['releaseAt a year ago (would release at once)', () => ({ releaseAt: new Date(Date.now() - 365 * 86_400_000).toISOString() }), invalid('releaseAt')],
    ['an unknown field', () => ({ releaseAt: null, hold: true }), invalid('hold')],
    ['releaseAt twice', () => rawJson('{"releaseAt":null,"releaseAt":"2026-12-01T09:00:00+08:00"}'), invalid('releaseAt')],
    ...NO_BODY.slice(2),
  ]),
);

refusals('submit, unschedule, release, retry, resume: no body', [
  ...bodyCases(R.submit, NO_BODY),
  ...bodyCases(R.unschedule, NO_BODY),
  ...bodyCases(R.release, NO_BODY),
  ...bodyCases(R.retry, NO_BODY),
  ...bodyCases(R.resume, NO_BODY),
  // Well-formed, and refused by the state of the package or delivery.
  ...bodyCases(R.release, [['release before approval', () => ({}), { status: 409, code: 'not_approved' }]]),
  ...bodyCases(R.submit, [['submit a package already in review', () => ({}), { status: 409, code: 'not_a_draft' }]]).map((c) => ({
    ...c,
    req: (f: Fixtures) => ({ ...c.req(f), path: `/api/packages/${f.reviewId}/submit` }),
  })),
  ...bodyCases(R.retry, [['retry a live delivery', () => ({}), { status: 409, code: 'delivery_not_running' }]]),
]);

refusals(
  'POST /api/packages/:id/retract',
  bodyCases(R.retract, [
    ...noteCases('reason', { reason: '信息有误' }, true),
    ['an unknown field', () => ({ reason: '信息有误', channels: ['weibo:blfb-wb'] }), invalid('channels')],
    ...NO_BODY.slice(2),
    ['by an editor (role)', () => ({ reason: '信息有误' }), { status: 403, code: 'role_not_allowed' }],
  ]).map((c) => (c.name.endsWith('(role)') ? { ...c, req: (f: Fixtures) => ({ ...c.req(f), as: 'editor' as const }) } : c)),
);

refusals('POST /api/deliveries/:id/skip and /confirm', [
  ...bodyCases(R.skip, [
    ...noteCases('reason', { reason: '平台维护' }, true),
    ['an unknown field', () => ({ reason: '平台维护', force: true }), invalid('force')],
    ...NO_BODY.slice(2),
    ['a live delivery', () => ({ reason: '平台维护' }), { status: 409, code: 'delivery_not_running' }],
  ]),
  ...bodyCases(R.confirm, [
    ...BAD_URL.map(([label, value]): BodyCase => [`url: ${label}`, () => ({ url: value(0) }), invalid('url')]),
    ['url null', () => ({ url: null }), invalid('url')],
    // Past the schema: refused with the field's path (it was a 409 invalid_url from the workflow, or stored).
    ['url: a space in its path', () => ({ url: 'https://www.toutiao.com/a b' }), invalid('url')],
    ['url: a user and password before the host', () => ({ url: 'https://user:pass@www.toutiao.com/a/1' }), invalid('url')],
    ...noteCases('note', { url: 'https://weibo.com/1234567890/abcdef' }, false).map(([label, body, refusal]): BodyCase => [`note: ${label}`, body, refusal]),
    ['an unknown field', () => ({ url: 'https://weibo.com/1234567890/abcdef', by: 'me' }), invalid('by')],
    ['url twice', () => rawJson('{"url":"https://weibo.com/1/a","url":"javascript:alert(1)"}'), invalid('url')],
    ...NO_BODY.slice(2),
    ['a live delivery', () => ({ url: 'https://weibo.com/1234567890/abcdef' }), { status: 409, code: 'delivery_not_running' }],
  ]),
]);

refusals(
  'POST /api/channels/:id/pause',
  bodyCases(R.pause, [
    ...noteCases('reason', { reason: '账号维护' }, true),
    ['an unknown field', () => ({ reason: '账号维护', until: '2026-12-01' }), invalid('until')],
    ['reason twice', () => rawJson('{"reason":"账号维护","reason":"x"}'), invalid('reason')],
    ...NO_BODY.slice(1),
  ]),
);

const rendition = { platforms: ['wechat_oa'] };
refusals(
  'POST /api/media/:id/renditions',
  bodyCases(R.renditions, [
    ['nothing asked for', () => ({}), invalid('platforms')],
    ['platforms as a string', () => ({ platforms: 'wechat_oa' }), invalid('platforms')],
    ['a platform as a number', () => ({ platforms: [1] }), invalid('platforms[0]')],
    ['an unknown platform', () => ({ platforms: ['myspace'] }), invalid('platforms[0]')],
    ['a platform with NUL', () => ({ platforms: ['wechat_oa\u0000'] }), invalid('platforms[0]')],
    ['a platform name of 51 characters', () => ({ platforms: ['p'.repeat(51)] }), invalid('platforms[0]')],
    ['21 platforms', () => ({ platforms: Array.from({ length: 21 }, () => 'wechat_oa') }), invalid('platforms')],
    ['an unknown spec', () => ({ specs: ['wechat_oa.poster_8k'] }), invalid('specs[0]')],
    ['a spec with path traversal', () => ({ specs: ['../../../etc/passwd'] }), invalid('specs[0]')],
    ['101 specs', () => ({ specs: Array.from({ length: 101 }, () => 'wechat_oa.thumb') }), invalid('specs')],
    ['specs as an object', () => ({ specs: { 'wechat_oa.thumb': true } }), invalid('specs')],
    ['channel as a number', () => ({ ...rendition, channel: 5 }), invalid('channel')],
    ['an unknown channel', () => ({ ...rendition, channel: 'weibo:nobody' }), invalid('channel')],
    ['a channel in SQL', () => ({ ...rendition, channel: "weibo:blfb-wb' OR '1'='1" }), invalid('channel')],
    ['a channel of 201 characters', () => ({ ...rendition, channel: 'c'.repeat(201) }), invalid('channel')],
    ['watermark "no"', () => ({ ...rendition, watermark: 'no' }), invalid('watermark')],
    ['owner as a string', () => ({ ...rendition, owner: 'pkg-1' }), invalid('owner')],
    ['an unknown owner field', () => ({ ...rendition, owner: { userId: 'x' } }), invalid('owner.userId')],
    ['an unknown field', () => ({ ...rendition, priority: 'high' }), invalid('priority')],
    ['platforms twice', () => rawJson('{"platforms":["wechat_oa"],"platforms":["douyin"]}'), invalid('platforms')],
    ...NO_BODY.slice(1),
  ]),
);

// ---------------------------------------------------------------------------------------------
// Content types and JSON structure, on every route that takes a JSON body
// ---------------------------------------------------------------------------------------------

const JSON_ROUTES: (Route & { body: (f: Fixtures) => Record<string, unknown>; key: string })[] = [
  { ...R.createPackage, key: 'title' },
  { ...R.editPackage, key: 'title' },
  { ...R.decide, key: 'decision' },
  { ...R.withdraw, key: 'reason' },
  { ...R.schedule, key: 'releaseAt' },
  { ...R.retract, key: 'reason' },
  { ...R.skip, key: 'reason' },
  { ...R.confirm, key: 'url' },
  { ...R.pause, key: 'reason' },
  { ...R.renditions, key: 'platforms' },
];

const unsupported: Refusal = { status: 415, code: 'unsupported_media_type' };
/** Content types other than JSON in UTF-8 (the body is the route's valid JSON body). */
const OTHER_CONTENT_TYPES: [label: string, type: string | null][] = [
  ['text/plain', 'text/plain'],
  ['form-urlencoded', 'application/x-www-form-urlencoded'],
  ['no Content-Type', null],
  ['JSON declared as UTF-16', 'application/json; charset=utf-16'],
];
const MORE_CONTENT_TYPES: [label: string, type: string | null][] = [
  ['text/plain with a charset', 'text/plain; charset=utf-8'],
  ['multipart/form-data', 'multipart/form-data; boundary=corpus'],
  ['application/xml', 'application/xml'],
  ['text/json', 'text/json'],
  ['application/jsonx', 'application/jsonx'],
  ['application/json-patch+json', 'application/json-patch+json'],
  ['a list of types', 'application/json, text/plain'],
  ['JSON declared as ISO-8859-1', 'application/json; charset=iso-8859-1'],
  ['JSON declared as GBK', 'application/json; charset=gbk'],
];

refusals(
  'content types',
  JSON_ROUTES.flatMap((route) =>
    [...OTHER_CONTENT_TYPES, ...(route === JSON_ROUTES[0] ? MORE_CONTENT_TYPES : [])].map(([label, type]): Omit<Case, 'category'> => ({
      name: `${route.name}: ${label}`,
      req: (f) => ({ method: route.method, path: route.path(f), as: route.as, text: JSON.stringify(route.body(f)), headers: { 'content-type': type } }),
      refuse: unsupported,
    })),
  ),
);

const invalidJson: Refusal = { status: 400, code: 'invalid_json' };
/** Edits of the route's valid JSON text. */
const STRUCTURE: [label: string, edit: (json: string, key: string) => string, refusal: (key: string) => Refusal][] = [
  ['a field given twice', (json, key) => json.replace(`"${key}":`, `"${key}":"先看到的值","${key}":`), (key) => invalid(key)],
  [
    'a field given twice, once spelt with an escape',
    (json, key) => json.replace(`"${key}":`, `"\\u00${key.charCodeAt(0).toString(16)}${key.slice(1)}":"先看到的值","${key}":`),
    (key) => invalid(key),
  ],
  ['__proto__ at the top', (json) => json.replace('{', '{"__proto__":{"isAdmin":true},'), () => invalid('__proto__')],
  ['nesting 65 levels deep', (json) => json.replace('{', `{"deep":${'['.repeat(65)}${']'.repeat(65)},`), () => invalid('deep')],
  ['nesting 100,000 levels deep', (json) => json.replace('{', `{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`), () => invalid('deep')],
  ['truncated', (json) => json.slice(0, -5), () => invalidJson],
  ['a trailing comma', (json) => json.replace(/}$/, ',}'), () => invalidJson],
  ['single quotes', (json) => json.replaceAll('"', "'"), () => invalidJson],
  ['NaN', (json) => json.replace('{', '{"n":NaN,'), () => invalidJson],
  ['a comment', (json) => json.replace('{', '{/* 注释 */'), () => invalidJson],
  ['a byte-order mark', (json) => `\ufeff${json}`, () => invalidJson],
  ['a raw control character in a string', (json, key) => json.replace(`"${key}":"`, `"${key}":"\u0007`), () => invalidJson],
  ['a raw NUL byte', (json) => json.replace('{', '{\u0000'), () => invalidJson],
  ['two JSON documents', (json) => `${json}${json}`, () => invalidJson],
  ['HTML instead of JSON', () => '<html><script>alert(1)</script></html>', () => invalidJson],
  ['a form-encoded body labelled JSON', () => 'reason=x&title=y', () => invalidJson],
];

refusals(
  'JSON structure',
  JSON_ROUTES.flatMap((route) =>
    STRUCTURE.filter(([label]) => route === JSON_ROUTES[0] || !label.includes('100,000'))
      .filter(([label], i) => route === JSON_ROUTES[0] || i < 6 || label === 'a raw NUL byte')
      .map(([label, edit, refusal]): Omit<Case, 'category'> => ({
        name: `${route.name}: ${label}`,
        req: (f) => ({ method: route.method, path: route.path(f), as: route.as, text: edit(JSON.stringify(route.body(f)), route.key) }),
        refuse: refusal(route.key),
      })),
  ),
);

/** Bytes that are not UTF-8 inside a valid body: refused with where they are, never stored as U+FFFD. */
refusals(
  'text encoding',
  JSON_ROUTES.map((route): Omit<Case, 'category'> => ({
    name: `${route.name}: GBK bytes in a string`,
    req: (f) => {
      const json = JSON.stringify(route.body(f));
      // 测试 in GBK (b2 e2 ca d4) inside a string value of the body.
      const bytes = Buffer.concat([Buffer.from(`{"note":"`), Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), Buffer.from(`",`), Buffer.from(json.slice(1))]);
      return { method: route.method, path: route.path(f), as: route.as, text: bytes, headers: { 'content-type': 'application/json' } };
    },
    refuse: { ...invalidJson, message: /not UTF-8: byte 9 \(line 1\)/ },
  })),
);

refusals('huge bodies', [
  ...[R.createPackage, R.pause, R.decide].map((route): Omit<Case, 'category'> => ({
    name: `${route.name}: a 9 MB body`,
    req: (f) => ({ method: route.method, path: route.path(f), as: route.as, text: `{"x":"${'x'.repeat(9 * 1024 * 1024)}"}` }),
    refuse: { status: 413, code: 'body_too_large' },
  })),
  {
    name: 'POST /api/packages: 100,000 targets (under 8 MB)',
    req: (f) => ({ method: 'POST', path: '/api/packages', json: { ...fullPackage(f), targets: Array.from({ length: 100_000 }, (_, i) => `p:${i}`) } }),
    refuse: invalid('targets'),
  },
  {
    name: 'POST /api/packages: 10,000 unknown fields (issues capped)',
    req: (f) => ({
      method: 'POST',
      path: '/api/packages',
      json: { ...fullPackage(f), ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i])) },
    }),
    refuse: invalid('f0'),
    also: (answer) => expect(answer.body.error.issues.length).toBeLessThanOrEqual(50),
  },
  {
    name: 'POST /api/packages: a body of 7 MB in one title',
    req: (f) => ({ method: 'POST', path: '/api/packages', json: { ...fullPackage(f), title: '长'.repeat(2_000_000) } }),
    refuse: invalid('title'),
  },
]);

// ---------------------------------------------------------------------------------------------
// Query strings of every list route (and of routes that take none)
// ---------------------------------------------------------------------------------------------

type ParamKind = 'enum' | 'text200' | 'text100' | 'limit1000' | 'limit5000' | 'bool' | 'after' | 'cursor';
const LIST_ROUTES: { label: string; path: (f: Fixtures) => string; as: Who; params: Record<string, ParamKind> }[] = [
  {
    label: 'GET /api/packages',
    path: () => '/api/packages',
    as: 'editor',
    params: { status: 'enum', stage: 'text200', createdBy: 'text100', q: 'text200', unit: 'text100', cursor: 'cursor', limit: 'limit1000' },
  },
  { label: 'GET /api/channels', path: () => '/api/channels', as: 'ops', params: { platform: 'enum', paused: 'bool', scope: 'enum' } },
  {
    label: 'GET /api/deliveries',
    path: () => '/api/deliveries',
    as: 'ops',
    params: {
      state: 'enum',
      channel: 'text200',
      platform: 'enum',
      package: 'text100',
      needsAction: 'bool',
      unit: 'text100',
      cursor: 'cursor',
      limit: 'limit1000',
    },
  },
  {
    label: 'GET /api/audit',
    path: () => '/api/audit',
    as: 'ops',
    params: { package: 'text100', action: 'text100', after: 'after', before: 'after', order: 'enum', limit: 'limit5000' },
  },
  { label: 'GET /api/media', path: () => '/api/media', as: 'editor', params: { kind: 'enum', limit: 'limit1000' } },
  { label: 'GET /api/catalogue', path: () => '/api/catalogue', as: 'editor', params: {} },
  { label: 'GET /api/openapi.json', path: () => '/api/openapi.json', as: 'none', params: {} },
  {
    label: 'GET /api/media/:id/renditions/:spec',
    path: (f) => `/api/media/${f.imageId}/renditions/wechat_oa.thumb`,
    as: 'editor',
    params: { channel: 'text200' },
  },
];

const QUERY_VALUES: Record<ParamKind, [label: string, value: string][]> = {
  enum: [
    ['an unknown value', 'nope'],
    ['upper case', 'DRAFT'],
    ['empty', ''],
    ['NUL', '%00'],
    ['SQL', "draft'%20OR%20'1'%3D'1"],
  ],
  text200: [
    ['empty', ''],
    ['NUL', 'a%00b'],
    ['an ANSI escape', '%1B%5B31m'],
    ['201 characters', 'c'.repeat(201)],
  ],
  text100: [
    ['empty', ''],
    ['NUL', 'a%00b'],
    ['a line feed', 'a%0Ab'],
    ['101 characters', 'c'.repeat(101)],
  ],
  limit1000: [
    ['0', '0'],
    ['-1', '-1'],
    ['abc', 'abc'],
    ['1.5', '1.5'],
    ['1001', '1001'],
    ['1e3', '1e3'],
    ['hex 0x10', '0x10'],
    ['a leading space', '%205'],
    ['empty', ''],
    ['SQL', '1%20OR%201%3D1'],
  ],
  limit5000: [
    ['0', '0'],
    ['5001', '5001'],
    ['abc', 'abc'],
    ['2^64', '18446744073709551616'],
  ],
  bool: [
    ['yes', 'yes'],
    ['1', '1'],
    ['TRUE', 'TRUE'],
    ['empty', ''],
  ],
  // A cursor that is not one the list gave out: 400 bad_cursor (not invalid_query: any text passes the schema).
  cursor: [
    ['abc', 'abc'],
    ['empty', ''],
    ['NUL', 'a%00b'],
    ['base64 of {}', 'e30'],
    ['SQL', "1'%20OR%20'1'%3D'1"],
  ],
  after: [
    ['abc', 'abc'],
    ['-1', '-1'],
    ['1.5', '1.5'],
    ['19 digits', '1'.repeat(19)],
    ['empty', ''],
    ['SQL', '1%20OR%201%3D1'],
  ],
};

const badQuery = (issue: string): Refusal => ({ status: 400, code: 'invalid_query', issue });
const badUrl: Refusal = { status: 400, code: 'bad_url' };

refusals('query strings', [
  ...LIST_ROUTES.flatMap((route) => {
    const at = (f: Fixtures, query: string): Req => ({ method: 'GET', path: `${route.path(f)}?${query}`, as: route.as });
    const firstParam = Object.keys(route.params)[0];
    return [
      ...Object.entries(route.params).flatMap(([param, kind]) =>
        QUERY_VALUES[kind].map(([label, value]): Omit<Case, 'category'> => ({
          name: `${route.label} ${param}: ${label}`,
          req: (f) => at(f, `${param}=${value}`),
          refuse: kind === 'cursor' ? { status: 400, code: 'bad_cursor', issue: 'cursor' } : badQuery(param),
        })),
      ),
      ...(firstParam
        ? ([
            {
              name: `${route.label} ${firstParam}: given twice`,
              req: (f: Fixtures) => at(f, `${firstParam}=${firstParam === 'paused' ? 'true' : 'x'}&${firstParam}=y`),
              refuse: badQuery(firstParam),
            },
            { name: `${route.label} ${firstParam}: not validly percent-encoded`, req: (f: Fixtures) => at(f, `${firstParam}=%E0%A4%A`), refuse: badUrl },
            { name: `${route.label} ${firstParam}: an encoded lone surrogate`, req: (f: Fixtures) => at(f, `${firstParam}=%ED%A0%80`), refuse: badUrl },
          ] satisfies Omit<Case, 'category'>[])
        : []),
      { name: `${route.label}: an unknown parameter`, req: (f: Fixtures) => at(f, 'staus=draft'), refuse: badQuery('staus') },
      { name: `${route.label}: __proto__`, req: (f: Fixtures) => at(f, '__proto__[isAdmin]=true'), refuse: badQuery('__proto__[isAdmin]') },
      {
        name: `${route.label}: constructor`,
        req: (f: Fixtures) => at(f, 'constructor[prototype][isAdmin]=true'),
        refuse: badQuery('constructor[prototype][isAdmin]'),
      },
      { name: `${route.label}: a NUL parameter name`, req: (f: Fixtures) => at(f, '%00=1'), refuse: badQuery('\u0000') },
    ];
  }),
  // Routes that change something take no query: a refused one changes nothing.
  ...[R.createPackage, R.editPackage, R.decide, R.pause, R.skip, R.renditions].map((route): Omit<Case, 'category'> => ({
    name: `${route.name}?dryRun=1`,
    req: (f) => ({ method: route.method, path: `${route.path(f)}?dryRun=1`, as: route.as, json: route.body(f) }),
    refuse: badQuery('dryRun'),
  })),
  {
    name: 'POST /api/media?name=x (multipart)',
    req: () => ({ method: 'POST', path: '/api/media?name=x', form: multipart('q.png', Buffer.from('not read')) }),
    refuse: badQuery('name'),
  },
  {
    name: 'GET /api/packages: a 20 kB query string',
    req: () => ({ method: 'GET', path: `/api/packages?stage=${'x'.repeat(20_000)}` }),
    refuse: { status: 431, code: 'headers_too_large' },
  },
]);

// ---------------------------------------------------------------------------------------------
// Path parameters of every :id route
// ---------------------------------------------------------------------------------------------

const ID_ROUTES: (Route & { max: number; encode?: (id: string) => string })[] = [
  { name: 'GET /api/packages/:id', method: 'GET', path: () => '/api/packages/{id}', as: 'editor', max: 100 },
  { ...R.editPackage, path: () => '/api/packages/{id}', max: 100 },
  { ...R.submit, path: () => '/api/packages/{id}/submit', max: 100 },
  { ...R.withdraw, path: () => '/api/packages/{id}/withdraw', max: 100 },
  { ...R.decide, path: () => '/api/packages/{id}/decisions', max: 100 },
  { ...R.schedule, path: () => '/api/packages/{id}/schedule', max: 100 },
  { ...R.unschedule, path: () => '/api/packages/{id}/schedule', max: 100 },
  { ...R.release, path: () => '/api/packages/{id}/release', max: 100 },
  { ...R.retract, path: () => '/api/packages/{id}/retract', max: 100 },
  { name: 'GET /api/deliveries/:id', method: 'GET', path: () => '/api/deliveries/{id}', as: 'ops', max: 300 },
  { ...R.retry, path: () => '/api/deliveries/{id}/retry', max: 300 },
  { ...R.skip, path: () => '/api/deliveries/{id}/skip', max: 300 },
  { ...R.confirm, path: () => '/api/deliveries/{id}/confirm', max: 300 },
  { ...R.pause, path: () => '/api/channels/{id}/pause', max: 200 },
  { ...R.resume, path: () => '/api/channels/{id}/resume', max: 200 },
  { name: 'GET /api/media/:id', method: 'GET', path: () => '/api/media/{id}', as: 'editor', max: 64 },
  { ...R.renditions, path: () => '/api/media/{id}/renditions', max: 64 },
  { name: 'GET /api/media/:id/content', method: 'GET', path: () => '/api/media/{id}/content', as: 'editor', max: 64 },
  { name: 'GET /api/media/:id/renditions/:spec', method: 'GET', path: () => '/api/media/{id}/renditions/wechat_oa.thumb', as: 'editor', max: 64 },
  { name: 'GET /api/media/:id/renditions/:spec (spec)', method: 'GET', path: (f) => `/api/media/${f.imageId}/renditions/{id}`, as: 'editor', max: 100 },
  { name: 'GET /api/media/jobs/:jobId', method: 'GET', path: () => '/api/media/jobs/{id}', as: 'editor', max: 100 },
  { name: 'DELETE /api/media/jobs/:jobId', method: 'DELETE', path: () => '/api/media/jobs/{id}', as: 'editor', max: 100 },
];

const notFound: Refusal = { status: 404, code: 'not_found' };
const badParam = (issue: string): Refusal => ({ status: 400, code: 'invalid_params', issue });
const PATH_VALUES: [label: string, segment: (max: number) => string, refusal: (param: string) => Refusal][] = [
  ['path traversal', () => '..%2F..%2F..%2Fetc%2Fpasswd', () => notFound],
  ['encoded dots', () => '%2E%2E%2F%2E%2E', () => notFound],
  ['NUL', () => '%00', (p) => badParam(p)],
  ['NUL after an id', () => 'pkg-1%00.json', (p) => badParam(p)],
  ['an ANSI escape', () => '%1B%5B2J', (p) => badParam(p)],
  ['one over its length', (max) => 'i'.repeat(max + 1), (p) => badParam(p)],
  ['over the router limit', () => 'i'.repeat(301), () => ({ status: 414, code: 'uri_too_long' })],
  ['SQL', () => "1'%20OR%20'1'%3D'1", () => notFound],
  ['a percent sign', () => '%25', () => notFound],
  ['LIKE wildcards', () => '%25%25%25%25%25%25%25%25', () => notFound],
  ['not validly percent-encoded', () => '%E0%A4%A', () => badUrl],
  ['an encoded lone surrogate', () => '%ED%A0%80', () => badUrl],
  ['emoji', () => '%F0%9F%98%80', () => notFound],
  ['right-to-left text', () => encodeURIComponent('ملف'), () => notFound],
  ['a direction override', () => encodeURIComponent('\u202eملف'), (p) => badParam(p)],
  ['a C1 control', () => '%C2%85', (p) => badParam(p)],
];

refusals(
  'path parameters',
  ID_ROUTES.flatMap((route) =>
    PATH_VALUES.filter(([label]) => !(label === 'one over its length' && route.max >= 300)).map(([label, segment, refusal]): Omit<Case, 'category'> => ({
      name: `${route.name}: ${label}`,
      req: (f) => ({
        method: route.method,
        path: route.path(f).replace('{id}', segment(route.max)),
        as: route.as,
        ...(route.body ? { json: route.body(f) } : {}),
      }),
      refuse: refusal(route.name.endsWith('(spec)') ? 'spec' : route.name.includes('jobs') ? 'jobId' : 'id'),
    })),
  ),
);

// ---------------------------------------------------------------------------------------------
// Headers: Authorization, Idempotency-Key, X-Request-Id, and what the HTTP layer itself refuses
// ---------------------------------------------------------------------------------------------

const unauthorized: Refusal = { status: 401, code: 'unauthorized' };
const AUTHORIZATIONS: [label: string, header: (token: string) => string | null][] = [
  ['no Authorization header', () => null],
  ['"Bearer" alone', () => 'Bearer'],
  ['Basic credentials', () => `Basic ${Buffer.from('corpus-editor:secret').toString('base64')}`],
  ['another scheme', (t) => `Token ${t}`],
  ['the token without a scheme', (t) => t],
  ['two tokens', (t) => `Bearer ${t} ${t}`],
  ['a comma-joined pair', (t) => `Bearer ${t}, Bearer ${t}`],
  ['the token with one more character', (t) => `Bearer ${t}x`],
  ['the token cut short', (t) => `Bearer ${t.slice(0, -1)}`],
  ['an 8 kB token', () => `Bearer ${'t'.repeat(8000)}`],
  ['SQL', () => "Bearer ' OR '1'='1"],
  ['SQL without spaces', () => "Bearer 'OR'1'='1'--"],
  ['path traversal', () => 'Bearer ../../../etc/passwd'],
  ['a JWT-looking value', () => 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.'],
];
const AUTH_ROUTES = [R.createPackage, R.pause, R.decide];

const badHeader: Refusal = { status: 400, code: 'invalid_header', issue: 'Idempotency-Key' };
const badRequest: Refusal = { status: 400, code: 'bad_request' };
const IDEMPOTENCY_KEYS: [label: string, key: string][] = [
  ['with a space', 'key with space'],
  ['256 characters', 'k'.repeat(256)],
  ['empty', ''],
  ['a lone double quote', '"'],
  ['empty quotes', '""'],
  ['an unterminated quote', '"abc'],
  ['a tab inside', 'abc\tdef'],
];

/** A raw request to the API (`{token}` is the editor's token); the body is JSON text. */
function rawRequest(head: string, body = ''): string {
  return `${head}\r\nHost: corpus\r\nConnection: close\r\n\r\n${body}`;
}
refusals('headers', [
  ...AUTH_ROUTES.flatMap((route) =>
    AUTHORIZATIONS.map(([label, header]): Omit<Case, 'category'> => ({
      name: `${route.name}: ${label}`,
      req: (f) => {
        const value = header(f.tokens[route.as as Exclude<Who, 'none'>]);
        const headers: Record<string, string> = value === null ? {} : { authorization: value };
        return { method: route.method, path: route.path(f), as: 'none', json: route.body(f), headers };
      },
      refuse: unauthorized,
    })),
  ),
  { name: 'GET /api/packages: no token', req: () => ({ method: 'GET', path: '/api/packages', as: 'none' }), refuse: unauthorized },
  {
    name: 'GET /api/audit: a Basic header',
    req: () => ({ method: 'GET', path: '/api/audit', as: 'none', headers: { authorization: 'Basic YTpi' } }),
    refuse: unauthorized,
  },
  {
    name: 'POST /api/media: no token',
    req: () => ({ method: 'POST', path: '/api/media', as: 'none', form: multipart('a.png', Buffer.from('x')) }),
    refuse: unauthorized,
  },
  {
    name: 'POST /api/packages: a Latin-1 token (raw)',
    req: () => ({
      method: 'POST',
      path: '',
      raw: rawRequest('POST /api/packages HTTP/1.1\r\nAuthorization: Bearer \u00e9\u00ff\r\nContent-Type: application/json\r\nContent-Length: 2', '{}'),
    }),
    refuse: unauthorized,
  },
  // Roles: a valid token of someone who may not.
  {
    name: 'POST /api/packages: an ops token',
    req: (f) => ({ method: 'POST', path: '/api/packages', as: 'ops', json: fullPackage(f) }),
    refuse: { status: 403, code: 'forbidden' },
  },
  {
    name: 'POST /api/channels/:id/pause: an editor token',
    req: (f) => ({ method: 'POST', path: R.pause.path(f), as: 'editor', json: { reason: '维护' } }),
    refuse: { status: 403, code: 'forbidden' },
  },
  {
    name: 'POST /api/packages/:id/decisions: an editor token',
    req: (f) => ({ method: 'POST', path: R.decide.path(f), as: 'editor', json: decision }),
    refuse: { status: 403, code: 'role_not_allowed' },
  },
  {
    name: 'POST /api/packages/:id/decisions: the reviewer of another stage',
    req: (f) => ({ method: 'POST', path: R.decide.path(f), as: 'final', json: decision }),
    refuse: { status: 403, code: 'wrong_stage' },
  },

  ...IDEMPOTENCY_KEYS.map(([label, key]): Omit<Case, 'category'> => ({
    name: `Idempotency-Key ${label}`,
    req: (f) => ({ method: 'POST', path: '/api/packages', json: fullPackage(f), headers: { 'idempotency-key': key } }),
    refuse: badHeader,
  })),
  ...[
    ['non-ASCII (UTF-8)', Buffer.from('键-ключ', 'utf8').toString('latin1')],
    ['Latin-1', '\u00e9t\u00e9'],
    ['given twice', 'first-key-1\r\nIdempotency-Key: second-key-2'],
    // Node's parser refuses this one itself (bad_request, below).
    ['with a DEL character', 'abc\u007fdef'],
  ].map(([label, key]): Omit<Case, 'category'> => ({
    name: `Idempotency-Key ${label} (raw)`,
    req: (f) => {
      const body = JSON.stringify(fullPackage(f));
      return {
        method: 'POST',
        path: '',
        raw: Buffer.concat([
          Buffer.from(
            `POST /api/packages HTTP/1.1\r\nHost: corpus\r\nConnection: close\r\nAuthorization: Bearer ${f.tokens.editor}\r\nIdempotency-Key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
            'latin1',
          ),
          Buffer.from(body),
        ]),
      };
    },
    refuse: label!.includes('DEL') ? badRequest : badHeader,
  })),
  {
    name: 'Idempotency-Key: a good key on a refused body stores no key',
    req: (f) => ({
      method: 'POST',
      path: '/api/packages',
      json: { ...fullPackage(f), targets: ['portal:does-not-exist'] },
      headers: { 'idempotency-key': 'corpus-refused-1' },
    }),
    refuse: invalid('targets[0]'),
  },

  ...[
    ['markup', '<script>alert(1)</script>'],
    ['too short', 'short'],
    ['129 characters', 'r'.repeat(129)],
    ['spaces', 'request id with spaces'],
    ['SQL', "';DROP TABLE audit_log;--"],
  ].map(([label, id]): Omit<Case, 'category'> => ({
    name: `X-Request-Id ${label} is replaced, not echoed`,
    req: () => ({ method: 'POST', path: '/api/packages', json: {}, headers: { 'x-request-id': id! } }),
    refuse: invalid('title'),
    also: (answer) => {
      expect(answer.body.error.requestId).not.toBe(id);
      expect(answer.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    },
  })),

  // The HTTP layer itself (Node's parser): still the API's error shape, with a request id.
  {
    name: 'Content-Length that is not a number',
    req: () => ({
      method: 'POST',
      path: '',
      raw: rawRequest('POST /api/packages HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: abc', '{}'),
    }),
    refuse: badRequest,
  },
  {
    name: 'two different Content-Lengths',
    req: () => ({
      method: 'POST',
      path: '',
      raw: rawRequest(
        'POST /api/packages HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3',
        '{}',
      ),
    }),
    refuse: badRequest,
  },
  {
    name: 'Content-Length and chunked together',
    req: () => ({
      method: 'POST',
      path: '',
      raw: rawRequest(
        'POST /api/packages HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked',
        '2\r\n{}\r\n0\r\n\r\n',
      ),
    }),
    refuse: badRequest,
  },
  {
    name: 'a malformed chunk',
    req: () => ({
      method: 'POST',
      path: '',
      raw: rawRequest(
        'POST /api/packages HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
    }),
    refuse: badRequest,
  },
  {
    name: 'NUL in a header',
    req: () => ({ method: 'GET', path: '', raw: rawRequest('GET /api/packages HTTP/1.1\r\nAuthorization: Bearer {token}\u0000') }),
    refuse: badRequest,
  },
  {
    name: 'a space in the path',
    req: () => ({ method: 'GET', path: '', raw: rawRequest('GET /api/packages/a b HTTP/1.1\r\nAuthorization: Bearer {token}') }),
    refuse: badRequest,
  },
  {
    name: 'raw UTF-8 in the path',
    req: () => ({
      method: 'GET',
      path: '',
      raw: rawRequest(`GET /api/packages/${Buffer.from('草稿', 'utf8').toString('latin1')} HTTP/1.1\r\nAuthorization: Bearer {token}`),
    }),
    refuse: badRequest,
  },
  { name: 'a garbage request line', req: () => ({ method: 'GET', path: '', raw: 'HELLO govpub\r\n\r\n' }), refuse: badRequest },
  {
    name: 'a 20 kB header',
    req: () => ({ method: 'GET', path: '/api/packages', headers: { 'x-padding': 'p'.repeat(20_000) } }),
    refuse: { status: 431, code: 'headers_too_large' },
  },
]);

// ---------------------------------------------------------------------------------------------
// Media uploads (multipart)
// ---------------------------------------------------------------------------------------------

const boundary = 'corpusBoundary42';
const multipartHead = (name: string, type = 'image/png') =>
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`;

/** Uploads made in beforeAll of this block, so each case can refer to their bytes. */
const upload: { png: Buffer } = { png: Buffer.alloc(0) };

refusals('POST /api/media (uploads)', [
  { name: 'JSON instead of multipart', req: () => ({ method: 'POST', path: '/api/media', json: { file: 'aGVsbG8=' } }), refuse: unsupported },
  { name: 'no body and no Content-Type', req: () => ({ method: 'POST', path: '/api/media' }), refuse: unsupported },
  { name: 'text/plain', req: () => ({ method: 'POST', path: '/api/media', text: 'hello', headers: { 'content-type': 'text/plain' } }), refuse: unsupported },
  {
    name: 'form-urlencoded',
    req: () => ({ method: 'POST', path: '/api/media', text: 'file=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    refuse: unsupported,
  },
  {
    name: 'image/png as the request body',
    req: () => ({ method: 'POST', path: '/api/media', text: upload.png, headers: { 'content-type': 'image/png' } }),
    refuse: unsupported,
  },
  {
    name: 'multipart without a boundary',
    req: () => ({ method: 'POST', path: '/api/media', text: 'abc', headers: { 'content-type': 'multipart/form-data' } }),
    refuse: { status: 400, code: 'invalid_multipart' },
  },
  {
    name: 'multipart that is not multipart',
    req: () => ({ method: 'POST', path: '/api/media', text: 'abc', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }),
    refuse: { status: 400, code: 'invalid_multipart' },
  },
  {
    name: 'a file part cut off (no closing boundary)',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      text: Buffer.concat([Buffer.from(multipartHead('cut.png')), upload.png.subarray(0, 60)]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    }),
    refuse: { status: 400, code: 'invalid_multipart' },
  },
  {
    name: 'a part without headers',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      text: `--${boundary}\r\n\r\nxyz\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    }),
    refuse: { status: 400, code: 'invalid_body', issue: 'file' },
  },
  {
    name: 'only a text field, no file',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: (() => {
        const f = new FormData();
        f.append('title', '封面');
        return f;
      })(),
    }),
    refuse: { status: 400, code: 'invalid_body', issue: 'file' },
  },
  {
    name: 'an empty file',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('empty.png', Buffer.alloc(0), 'image/png') }),
    refuse: { status: 400, code: 'media_empty' },
  },
  {
    name: 'text named .png',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('notes.png', Buffer.from('关于进一步优化营商环境的若干措施\n'.repeat(50)), 'image/png'),
    }),
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    name: 'an HTML page with a script named .jpg',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('x.jpg', Buffer.from('<!doctype html><script>alert(1)</script>'), 'image/jpeg') }),
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    name: 'an SVG with a script',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'), 'image/svg+xml'),
    }),
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    // PDFs are attachments now (issue 12); one cut off before its end marker is refused as damaged.
    name: 'a truncated PDF',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('a.pdf', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'.repeat(20)), 'application/pdf'),
    }),
    refuse: { status: 400, code: 'media_document_invalid' },
  },
  {
    name: 'a Windows executable named .mp4',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('video.mp4', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4000, 0x90)]), 'video/mp4'),
    }),
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    name: 'a ZIP named .jpg',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('photo.jpg', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000, 1)]), 'image/jpeg'),
    }),
    // A ZIP may be an attachment (DOCX, XLSX, OFD): one without a readable directory is damaged.
    refuse: { status: 400, code: 'media_document_invalid' },
  },
  {
    name: 'NUL bytes',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('zeros.png', Buffer.alloc(5000), 'image/png') }),
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    name: 'a corrupt PNG',
    req: () => ({
      method: 'POST',
      path: '/api/media',
      form: multipart('broken.png', Buffer.concat([upload.png.subarray(0, 40), Buffer.alloc(400, 7)]), 'image/png'),
    }),
    refuse: { status: 400, code: 'media_corrupt' },
  },
  {
    name: 'two text files',
    req: () => {
      const form = multipart('a.txt', Buffer.from('aaa'.repeat(100)));
      form.append('second', new Blob([Buffer.from('bbb'.repeat(100))]), 'b.txt');
      return { method: 'POST', path: '/api/media', form };
    },
    refuse: { status: 415, code: 'media_unsupported' },
  },
  {
    name: 'a file name with NUL',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('cover\u0000.png', upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'a file name with an ANSI escape',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('cover\u001b[31m.png', upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'a file name with a C1 control',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('cover\u0085.png', upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    // What the multipart parser makes of bytes that are no UTF-8: the name was stored as "a��b.png".
    name: 'a file name that was not UTF-8',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('a\ufffd\ufffdb.png', upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'a file name of 300 characters (a longer one was cut, its extension lost)',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart(`${'封'.repeat(296)}.png`, upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'a file name that shows nothing before its extension',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart('\u200b\u200b.png', upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'a file name that is an API token',
    req: () => ({ method: 'POST', path: '/api/media', form: multipart(`gp_${'A'.repeat(32)}.png`, upload.png, 'image/png') }),
    refuse: { status: 400, code: 'invalid_file_name', issue: 'file' },
  },
  {
    name: 'an editor-only route for a reviewer',
    req: () => ({ method: 'POST', path: '/api/media', as: 'first', form: multipart('r.png', upload.png, 'image/png') }),
    refuse: { status: 403, code: 'forbidden' },
  },
]);

// Made once for the upload cases (a PNG that is not stored yet).
beforeAll(async () => {
  upload.png = await png(97, 61, '#b5179e');
});

// ---------------------------------------------------------------------------------------------
// Valid but tricky: accepted, and read back exactly as sent (or as the sanitizer leaves it)
// ---------------------------------------------------------------------------------------------

/** Text that must survive the round trip unchanged. */
const TRICKY_TEXT: [label: string, text: string][] = [
  ['emoji', '政务公开 😀🎉🇨🇳'],
  ['emoji ZWJ sequences and skin tones', '家庭 👨‍👩‍👧‍👦 👍🏽 🏳️‍🌈 🧑🏻‍💻'],
  ['Arabic (right-to-left)', 'سياسة الحكومة المحلية ٢٠٢٦'],
  ['Hebrew mixed with left-to-right text', 'מדיניות 2026 policy גרסה'],
  ['bidi embeddings and isolates (overrides are refused: domain/text.ts)', 'abc\u202bفارسی\u202c def \u2067عربي\u2069 中文'],
  ['SQL', "'; DROP TABLE packages; -- 1' OR '1'='1"],
  ['Chinese punctuation', '关于《碑林区政务公开工作要点》的通知——“十四五”规划（2026年）：第一、二条；附件！？……'],
  ['combining characters', 'Z̷̢͎a̶l̵g̸o̴ e\u0301 n\u0303 한\u1100\u1161'],
  ['joiners inside (emoji and Persian are built with them)', 'zero\u200cwidth\u200dnon-joiner 👨\u200d👩\u200d👧'],
  ['astral CJK and full-width', '𠮷野家 ＡＢＣ１２３ 𪚥'],
  ['markup in a title (titles are text, not HTML)', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
  ['200 emoji (the limit counts characters)', '😀'.repeat(200)],
];

/** Body HTML in, what the sanitizer leaves (services/package-input.ts: no script, no javascript:/data: URLs). */
const SANITIZED: [label: string, input: string, stored: string][] = [
  ['a script', '<p>正文</p><script>alert(1)</script>', '<p>正文</p>'],
  ['a javascript: link', '<p><a href="javascript:alert(1)">点击</a></p>', '<p><a>点击</a></p>'],
  ['a mixed-case JaVaScRiPt: link', '<p><a href="JaVaScRiPt:alert(1)">x</a></p>', '<p><a>x</a></p>'],
  ['a javascript: link hidden by a tab entity', '<p><a href="jav&#x09;ascript:alert(1)">x</a></p>', '<p><a>x</a></p>'],
  ['a javascript: link spelt with an entity', '<p><a href="&#106;avascript:alert(1)">x</a></p>', '<p><a>x</a></p>'],
  ['a data: image', '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="图"></p>', '<p><img alt="图" /></p>'],
  ['a data: link', '<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></p>', '<p><a>x</a></p>'],
  ['a vbscript: link', '<p><a href="vbscript:msgbox(1)">x</a></p>', '<p><a>x</a></p>'],
  ['a protocol-relative link', '<p><a href="//evil.example/x">x</a></p>', '<p><a>x</a></p>'],
  ['event handlers and styles', '<p onclick="alert(1)" style="color:red;text-align:center">x</p>', '<p style="text-align:center">x</p>'],
  ['an iframe', '<iframe src="https://evil.example"></iframe><p>x</p>', '<p>x</p>'],
  ['an SVG with a script', '<svg><script>alert(1)</script></svg><p>x</p>', '<p>x</p>'],
  ['a style element', '<style>body{display:none}</style><p>x</p>', '<p>x</p>'],
  ['object and embed', '<object data="x.swf"></object><embed src="x.swf"><p>x</p>', '<p>x</p>'],
  ['a base and a meta refresh', '<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>x</p>', '<p>x</p>'],
  ['a commented-out script', '<!--<script>alert(1)</script>--><p>x</p>', '<p>x</p>'],
  [
    'srcset and a style URL',
    '<p><img src="https://www.beilin.gov.cn/x.png" srcset="javascript:alert(1)"><a href="https://www.beilin.gov.cn/" style="background:url(javascript:alert(1))" target="_blank">x</a></p>',
    '<p><img src="https://www.beilin.gov.cn/x.png" /><a href="https://www.beilin.gov.cn/">x</a></p>',
  ],
  ['a mailto link (kept)', '<p><a href="mailto:gk@beilin.gov.cn">信箱</a></p>', '<p><a href="mailto:gk@beilin.gov.cn">信箱</a></p>'],
  [
    'SQL, emoji, RTL and entities in text (kept)',
    '<p>\'; DROP TABLE packages; -- 😀 مرحبا "引号" &amp; &lt;b&gt;</p>',
    '<p>\'; DROP TABLE packages; -- 😀 مرحبا "引号" &amp; &lt;b&gt;</p>',
  ],
  ['bare ampersands and angle brackets (escaped)', '<p>a & b < c > d</p>', '<p>a &amp; b &lt; c &gt; d</p>'],
];

describe('accepted as sent (valid but tricky)', () => {
  count('accepted as sent', TRICKY_TEXT.length + SANITIZED.length + 19);
  beforeEach(() => {
    lastTraces = undefined;
  });

  for (const [label, text] of TRICKY_TEXT) {
    it(`a package whose texts are ${label}`, async () => {
      const before = await traces();
      const body = fullPackage(fx);
      body.title = text;
      body.document.title = text;
      body.document.issuingUnit = [...text].slice(0, 100).join('');
      body.document.attachments[0].name = text;
      body.interpretations[0].title = text;
      body.interpretations[0].interpreter = [...text].slice(0, 100).join('');
      body.cover.alt = text;
      const htmlSafe = !/[<>&"]/.test(text);
      if (htmlSafe) body.document.body = `<p>${text}</p>`;
      const created = await call('POST', '/api/packages', 'editor', body);
      expect(created.status, describeAnswer(created)).toBe(201);
      const view = (await call('GET', `/api/packages/${created.body.id}`, 'editor')).body;
      expect(view.title).toBe(text);
      expect(view.content.title).toBe(text);
      expect(view.content.document.title).toBe(text);
      expect(view.content.document.issuingUnit).toBe(body.document.issuingUnit);
      expect(view.content.document.attachments[0].name).toBe(text);
      expect(view.content.interpretations[0].title).toBe(text);
      expect(view.content.interpretations[0].interpreter).toBe(body.interpretations[0].interpreter);
      expect(view.content.cover.alt).toBe(text);
      if (htmlSafe) expect(view.content.document.body).toBe(`<p>${text}</p>`);
      expectOnly(before, await traces(), { packages: 1, package_revisions: 1, audit_log: 1 }, ['package_states']);
    });
  }

  for (const [label, input, stored] of SANITIZED) {
    it(`body HTML with ${label}: stored as the sanitizer leaves it`, async () => {
      const before = await traces();
      const body = fullPackage(fx);
      body.document.body = input;
      body.interpretations[0].body = input;
      const created = await call('POST', '/api/packages', 'editor', body);
      expect(created.status, describeAnswer(created)).toBe(201);
      const { content } = (await call('GET', `/api/packages/${created.body.id}`, 'editor')).body;
      expect(content.document.body).toBe(stored);
      expect(content.interpretations[0].body).toBe(stored);
      expectOnly(before, await traces(), { packages: 1, package_revisions: 1, audit_log: 1 }, ['package_states']);
    });
  }

  it('an edit with tricky text makes a revision with that text', async () => {
    const text = "修订 😀 👨‍👩‍👧‍👦 سياسة \u202babc\u202c 《通知》 e\u0301 zero\u200dwidth '; DROP TABLE package_revisions; --";
    const before = await traces();
    const body = policyPackage(app.registry, { title: text }) as Record<string, any>;
    const edited = await call('PUT', `/api/packages/${fx.draftId}`, 'editor', body);
    expect(edited.status, describeAnswer(edited)).toBe(200);
    expect((await call('GET', `/api/packages/${fx.draftId}`, 'editor')).body.content.title).toBe(text);
    expectOnly(before, await traces(), { package_revisions: 1, audit_log: 1 }, ['package_states']);
  });

  it('a pause reason with emoji, right-to-left text and SQL is shown exactly; resuming clears it', async () => {
    const reason = "维护 🛠️ صيانة ‏'; UPDATE channels SET paused_at = NULL; --";
    const before = await traces();
    const paused = await call('POST', R.pause.path(fx), 'ops', { reason });
    expect(paused.status, describeAnswer(paused)).toBe(200);
    expect(paused.body.reason).toBe(reason);
    const listed = await call('GET', '/api/channels?paused=true', 'ops');
    expect(listed.body.channels.find((c: { id: string }) => c.id === fx.channelId)?.pausedReason).toBe(reason);
    expect((await call('POST', R.resume.path(fx), 'ops')).status).toBe(200);
    expectOnly(before, await traces(), { audit_log: 2 });
  });

  it('a review comment with emoji, RTL text and SQL is kept exactly', async () => {
    const comment = "同意 👍🏽 ‫مراجعة‬ '); DELETE FROM review_decisions; --\n第二行";
    const created = await call('POST', '/api/packages', 'editor', policyPackage(app.registry, { title: '语料库：评论' }));
    expect((await call('POST', `/api/packages/${created.body.id}/submit`, 'editor')).status).toBe(200);
    const decided = await call('POST', `/api/packages/${created.body.id}/decisions`, 'first', { revision: 1, decision: 'approve', comment });
    expect(decided.status, describeAnswer(decided)).toBe(200);
    const view = (await call('GET', `/api/packages/${created.body.id}`, 'editor')).body;
    expect(view.decisions.map((d: { comment: string }) => d.comment)).toEqual([comment]);
  });

  it('a stage or unit filter that names no stage or unit is refused (400 naming it), not answered with an empty page', async () => {
    for (const [url, path] of [
      [`/api/packages?stage=${encodeURIComponent("first' OR '1'='1")}`, 'stage'],
      ['/api/packages?stage=bogus', 'stage'],
      ['/api/packages?unit=nope', 'unit'],
      ['/api/deliveries?unit=nope', 'unit'],
    ] as const) {
      const answer = await call('GET', url, 'ops');
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe('invalid_query');
      expect(answer.body.error.issues[0].path, url).toBe(path);
    }
    expect((await call('GET', `/api/packages?stage=${encodeURIComponent('初审')}&unit=jyj`, 'ops')).status).toBe(200);
  });

  it('SQL-looking and emoji filters are just filters: 200 and nothing matches (a channel that is none: 400, naming it)', async () => {
    // A channel filter names a channel govpub has: a mistyped one answered an empty list, as if the channel had none.
    for (const channel of ["weibo:blfb-wb' OR 1=1 --", 'wechat_oa:nope', 'weibo:blfb-wbb']) {
      const answer = await call('GET', `/api/deliveries?channel=${encodeURIComponent(channel)}`, 'ops');
      expect(answer.status, channel).toBe(400);
      expect(answer.body.error.code, channel).toBe('invalid_query');
      expect(answer.body.error.issues[0].path, channel).toBe('channel');
      expect(answer.body.error.message, channel).toContain(`channel "${channel}" is not a channel of this registry`);
    }
    const near = await call('GET', `/api/deliveries?channel=${encodeURIComponent('weibo:blfb-wbb')}`, 'ops');
    expect(near.body.error.messageZh).toBe('没有编号为「weibo:blfb-wbb」的渠道（是否要查「weibo:blfb-wb」？），渠道编号见渠道列表（GET /api/channels）。');
    for (const url of [
      `/api/deliveries?package=${encodeURIComponent('pkg-1; DROP TABLE deliveries')}`,
      `/api/audit?action=${encodeURIComponent("create' UNION SELECT token_hash FROM users --")}`,
      `/api/audit?package=${encodeURIComponent('😀')}`,
    ]) {
      const answer = await call('GET', url, 'ops');
      expect(answer.status, url).toBe(200);
      expect(Object.values(answer.body as Record<string, unknown[]>)[0], url).toEqual([]);
    }
  });

  it('an upload named with path traversal is stored by its hash under its base name, nowhere else', async () => {
    const before = await traces();
    const escaped = path.join(tmpdir(), 'govpub-corpus-escaped.png');
    const name = `../../../../../../..${escaped}`;
    const answer = await send({ method: 'POST', path: '/api/media', form: multipart(name, await png(73, 41, '#0b6e4f'), 'image/png') });
    expect(answer.status, describeAnswer(answer)).toBe(201);
    expect(answer.body.uploadName).toBe('govpub-corpus-escaped.png');
    expect(await readdir(tmpdir())).not.toContain('govpub-corpus-escaped.png');
    const after = await traces();
    expect(after.mediaFiles!.split('\n').every((f) => f.startsWith(mediaDir))).toBe(true);
    expectOnly(before, after, { media: 1 }, ['mediaFiles']);
  });

  it('an upload named with emoji and right-to-left text keeps its name', async () => {
    const name = '封面 😀 ‏صورة‏ 𠮷.png';
    const answer = await send({ method: 'POST', path: '/api/media', form: multipart(name, await png(71, 43, '#ffb703'), 'image/png') });
    expect(answer.status, describeAnswer(answer)).toBe(201);
    expect(answer.body.uploadName).toBe(name);
    expect((await call('GET', `/api/media/${answer.body.id}`, 'editor')).body.uploadName).toBe(name);
  });

  it('an Idempotency-Key that looks like SQL is just a key: the retry gets the first answer', async () => {
    const key = "';DROP_TABLE_idempotency_keys;--<script>";
    const body = policyPackage(app.registry, { title: '语料库：幂等键' });
    const first = await send({ method: 'POST', path: '/api/packages', json: body, headers: { 'idempotency-key': key } });
    expect(first.status, describeAnswer(first)).toBe(201);
    const again = await send({ method: 'POST', path: '/api/packages', json: body, headers: { 'idempotency-key': key } });
    expect(again.body.id).toBe(first.body.id);
  });

  it('JSON with charset=utf-8 in any spelling, and an upper-case media type, is JSON', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/json; charset="utf-8"']) {
      const answer = await send({
        method: 'POST',
        path: '/api/packages',
        text: JSON.stringify(policyPackage(app.registry, { title: `语料库：${type}` })),
        headers: { 'content-type': type },
      });
      expect(answer.status, `${type}: ${describeAnswer(answer)}`).toBe(201);
    }
  });

  it('exactly 2,000 characters of emoji in a reason is at the limit, not over it', async () => {
    const reason = '🛠'.repeat(2000);
    const paused = await call('POST', R.pause.path(fx), 'ops', { reason });
    expect(paused.status, describeAnswer(paused)).toBe(200);
    expect(paused.body.reason).toBe(reason);
    expect((await call('POST', R.resume.path(fx), 'ops')).status).toBe(200);
  });

  it('a release time with any offset or fraction is stored as the instant it names', async () => {
    const year = new Date().getUTCFullYear() + 1;
    for (const [sent, stored] of [
      [`${year}-12-01T09:00:00+08:00`, `${year}-12-01T01:00:00.000Z`],
      [`${year}-12-01T09:00:00.123456789-05:30`, `${year}-12-01T14:30:00.123Z`],
      [`${year}-12-01t09:00:00z`, `${year}-12-01T09:00:00.000Z`],
    ]) {
      const created = await call('POST', '/api/packages', 'editor', policyPackage(app.registry, { releaseAt: sent }));
      expect(created.status, describeAnswer(created)).toBe(201);
      expect((await call('GET', `/api/packages/${created.body.id}`, 'editor')).body.releaseAt).toBe(stored);
    }
  });

  it('started exactly one workflow per package created', expectNoStrayWorkflows);
});

describe('the OpenAPI document tells the same', () => {
  it('the media file routes need the token, and the upload lists its refusals', async () => {
    const openapi = (await call('GET', '/api/openapi.json', 'none')).body as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    for (const route of ['/api/media/{id}/content', '/api/media/{id}/renditions/{spec}']) {
      expect(openapi.paths[route]!.get!.security, route).toEqual([{ bearer: [] }]);
      expect(Object.keys(openapi.paths[route]!.get!.responses), route).toContain('401');
    }
    expect(Object.keys(openapi.paths['/api/media']!.post!.responses)).toEqual(expect.arrayContaining(['400', '401', '413', '415']));
  });
});
