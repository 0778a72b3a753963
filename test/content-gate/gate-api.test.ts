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
