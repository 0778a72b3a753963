/**
 * The content gate over the real API (PostgreSQL, Temporal, uploads): a resident ID number blocks
 * submit with the gate's problem (masked, placed), an attachment's ID number too, a dead link is a
 * warning, and a reviewer's approval over a gate warning is recorded in the audit trail without
 * raw personal data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { buildApi } from '../../api/server.js';
import { idCheckCharacter } from '../../domain/content-gate/personal-data.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

const ID = '61010319900307002' + idCheckCharacter('61010319900307002');
let app: TestApp;
let api: FastifyInstance;
let base: string;
let dir: string;
let links: http.Server;
let linkBase: string;
const tokens: Record<string, string> = {};

/** A mono 16-bit 8 kHz WAV of silence. */
function silentWav(seconds: number): Buffer {
  const data = 8000 * 2 * seconds;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data, 40);
  return Buffer.concat([header, Buffer.alloc(data)]);
}

async function call(method: string, url: string, body?: unknown, token = tokens.editor!) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

beforeAll(async () => {
  links = http.createServer((req, res) => res.writeHead(req.url === '/live' ? 200 : 404).end());
  await new Promise<void>((resolve) => links.listen(0, '127.0.0.1', resolve));
  const linkPort = (links.address() as AddressInfo).port;
  linkBase = `http://127.0.0.1:${linkPort}`;
  dir = await mkdtemp(path.join(tmpdir(), 'govpub-gate-api-'));
  // The gate reads uploads from the store the settings name, as in production.
  process.env.GOVPUB_MEDIA_DIR = path.join(dir, 'store');
  process.env.GOVPUB_LINK_CHECK_ALLOW = `127.0.0.1:${linkPort}`;
  app = await startTestApp();
  await app.startWorker();
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(path.join(dir, 'store')) });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (server, helpers) => registerMediaRoutes(server, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('gate-editor', 'editor')).token;
  tokens.first = (await app.user('gate-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('gate-second', 'reviewer', ['复审'])).token;
  tokens.final = (await app.user('gate-final', 'reviewer', ['终审'])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  links?.closeAllConnections();
  await new Promise((resolve) => links?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
  delete process.env.GOVPUB_MEDIA_DIR;
  delete process.env.GOVPUB_LINK_CHECK_ALLOW;
});

describe('the content gate in preflight, submit and review', () => {
  it('an ID number in the body blocks submit (409 with the masked, placed problem); the unsaved preflight says it as the editor types', async () => {
    const input = policyPackage(app.registry);
    const body = { ...input, document: { ...input.document, body: `<p>经审核，同意发放补贴。</p><p>申请人身份证号：${ID}。</p>` } };
    const unsaved = await call('POST', '/api/preflight', body);
    expect(unsaved.status).toBe(200);
    expect(unsaved.body.package.blocking).toEqual([expect.objectContaining({ code: 'personal_id_number', field: '/document/body' })]);
    // The previews show the editor's own content; the gate's problems never carry the number.
    expect(JSON.stringify(unsaved.body.package)).not.toContain(ID);

    const created = await call('POST', '/api/packages', body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const checked = await call('GET', `/api/packages/${id}/preflight`);
    expect(checked.body.ok).toBe(false);
    const problem = checked.body.package.blocking[0];
    expect(problem).toMatchObject({
      code: 'personal_id_number',
      field: '/document/body',
      place: { field: '/document/body', line: 2 },
      excerpt: expect.stringContaining('610103********'),
    });
    expect(problem.message).toMatch(/政策原文 正文第 2 行含有居民身份证号/);
    expect(JSON.stringify(checked.body.package)).not.toContain(ID);

    const refused = await call('POST', `/api/packages/${id}/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('preflight_blocked');
    expect(refused.body.error.problems).toEqual([expect.objectContaining({ code: 'personal_id_number', excerpt: problem.excerpt })]);
    expect(refused.text).not.toContain(ID);
    expect((await call('GET', `/api/packages/${id}`)).body.status).toBe('draft');
  });

  it('a roster table with the ID number and the phone in adjacent cells blocks submit with both, each on its line', async () => {
    const input = policyPackage(app.registry);
    const roster =
      '<p>拟表彰人员名单公示如下：</p><table><tbody><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>' +
      `<tr><td>1</td><td>张三</td><td>${ID}</td><td>13812345678</td></tr></tbody></table>`;
    const created = await call('POST', '/api/packages', { ...input, document: { ...input.document, body: roster } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const refused = await call('POST', `/api/packages/${id}/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.problems.map((p: { code: string; place: { line: number } }) => [p.code, p.place.line])).toEqual([
      ['personal_id_number', 8],
      ['personal_mobile', 9],
    ]);
    expect(refused.text).not.toContain(ID);
  });

  it('an ID number in an uploaded XLSX attachment blocks, placed by file and sheet', async () => {
    const xlsx = zipSync({
      '[Content_Types].xml': strToU8('<Types/>'),
      'xl/workbook.xml': strToU8('<workbook xmlns:r="r"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
      'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${ID}</t></is></c></row></sheetData></worksheet>`),
    });
    const form = new FormData();
    form.append('file', new Blob([xlsx]), '补贴名单.xlsx');
    const uploaded = await fetch(`${base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${tokens.editor}` }, body: form });
    expect(uploaded.status).toBe(201);
    const mediaId = ((await uploaded.json()) as { id: string }).id;
    const input = policyPackage(app.registry);
    const created = await call('POST', '/api/packages', { ...input, document: { ...input.document, attachments: [{ name: '补贴名单.xlsx', mediaId }] } });
    expect(created.status).toBe(201);
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    expect(checked.body.package.blocking).toEqual([
      expect.objectContaining({
        code: 'personal_id_number',
        field: '/document/attachments/0',
        place: expect.objectContaining({ within: '补贴名单.xlsx 工作表“名单”' }),
      }),
    ]);
    expect(JSON.stringify(checked.body.package)).not.toContain(ID);
  });

  it('what hides from a plain match still blocks: an ID number split by a zero-width space, the issuing unit, a captions file', async () => {
    const form = new FormData();
    const vtt = 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v 主持人>咨询电话 13812345678\n';
    form.append('file', new Blob([vtt]), '字幕.vtt');
    const uploaded = await fetch(`${base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${tokens.editor}` }, body: form });
    expect(uploaded.status).toBe(201);
    const captionsMediaId = ((await uploaded.json()) as { id: string }).id;
    const audio = new FormData();
    audio.append('file', new Blob([silentWav(1)]), '解读.wav');
    const sound = await fetch(`${base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${tokens.editor}` }, body: audio });
    expect(sound.status).toBe(201);
    const audioMediaId = ((await sound.json()) as { id: string }).id;
    const input = policyPackage(app.registry);
    const hidden = `${ID.slice(0, 10)}\u200b${ID.slice(10)}`;
    const created = await call('POST', '/api/packages', {
      ...input,
      document: { ...input.document, body: `<p>申请人身份证号${hidden}。</p>`, issuingUnit: '碑林区人民政付' },
      interpretations: [...input.interpretations, { form: 'audio', title: '音频解读', mediaId: audioMediaId, captionsMediaId }],
    });
    expect(created.status, created.text).toBe(201);
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    const gate = (checked.body.package.blocking as { code: string; field: string }[]).filter((p) => /^(personal|wording)_/.test(p.code));
    expect(gate.map((p) => [p.code, p.field])).toEqual(
      expect.arrayContaining([
        ['personal_id_number', '/document/body'],
        ['wording_blocked', '/document/issuingUnit'],
        ['personal_mobile', '/interpretations/1/captionsMediaId'],
      ]),
    );
    expect(JSON.stringify(checked.body)).not.toContain('13812345678');
    const submitted = await call('POST', `/api/packages/${created.body.id}/submit`);
    expect(submitted.status).toBe(409);
    expect(submitted.body.error.code).toBe('preflight_blocked');
  });

  it('a dead link and a warning-level wording are warnings: submit passes, and the approval over them is audited with codes and places', async () => {
    const input = policyPackage(app.registry);
    const body = {
      ...input,
      document: {
        ...input.document,
        body: `<p>既使遇到困难，也要落实。</p><p>详见<a href="${linkBase}/gone">办事指南</a>和<a href="${linkBase}/live">政策库</a>。</p>`,
      },
    };
    const created = await call('POST', '/api/packages', body);
    const id = created.body.id as string;
    const checked = await call('GET', `/api/packages/${id}/preflight`);
    expect(checked.body.package.blocking).toEqual([]);
    const warnings = checked.body.package.warnings.filter((w: { code: string }) => ['wording_wrong', 'link_dead'].includes(w.code));
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'wording_wrong', field: '/document/body', excerpt: expect.stringContaining('既使') }),
      expect.objectContaining({ code: 'link_dead', field: '/document/body', message: expect.stringMatching(/HTTP 404/) }),
    ]);

    expect((await call('POST', `/api/packages/${id}/submit`, {})).status).toBe(200);
    for (const stage of ['first', 'second', 'final']) {
      const decided = await call('POST', `/api/packages/${id}/decisions`, { revision: 1, decision: 'approve', comment: '已核实' }, tokens[stage]);
      expect(decided.status, stage).toBe(200);
    }
    const audit = await call('GET', `/api/audit?package=${id}&action=approve`);
    expect(audit.body.entries).toHaveLength(3);
    for (const entry of audit.body.entries) {
      expect(entry.details.gateWarnings).toEqual([
        { code: 'wording_wrong', field: '/document/body', line: 1 },
        { code: 'link_dead', field: '/document/body', line: 1 },
      ]);
    }
  });
});
