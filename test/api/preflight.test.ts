/** Channel preflight over the real API (PostgreSQL, Temporal, uploads through POST /api/media): what each channel will refuse or adapt, said before review, and the submit gate. */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { preflightRoutes } from '../../api/schemas/preflight.js';
import { buildApi } from '../../api/server.js';
import { check } from '../../api/validation.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { makeClip, makePhoto, mediaToolsForTests } from '../media/fixtures.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';

const tools = await mediaToolsForTests();
let app: TestApp;
let api: FastifyInstance;
let base: string;
let dir: string;
let editor: string;
let coverId: string;
let videoId: string;

async function call(method: string, url: string, body?: unknown, token = editor) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function upload(file: string, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(file), name);
  const response = await fetch(`${base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${editor}` }, body: form });
  const body = (await response.json()) as { id: string };
  expect(response.status).toBe(201);
  return body.id;
}

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  dir = await mkdtemp(path.join(tmpdir(), 'govpub-preflight-'));
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(path.join(dir, 'store')) });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (server, helpers) => registerMediaRoutes(server, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  editor = (await app.user('preflight-editor', 'editor')).token;
  const photo = path.join(dir, 'cover.jpg');
  await makePhoto(photo, 1600, 1000);
  coverId = await upload(photo, '营商环境封面.jpg');
  if (!tools.binaries) throw tools.error ?? new Error('ffmpeg is needed for this test');
  const clip = path.join(dir, 'jiedu.mp4');
  makeClip(tools.binaries.ffmpeg.path, clip, { width: 1280, height: 720, seconds: 2 });
  videoId = await upload(clip, '视频解读.mp4');
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const wechatId = () => `wechat_oa:${app.registry.accounts.find((a) => a.platform === 'wechat_oa')!.id}`;
const douyinId = () => `douyin:${app.registry.accounts.find((a) => a.platform === 'douyin')!.id}`;
/** policyPackage with a WeChat account among its targets. */
const toWechat = (overrides: Record<string, unknown> = {}) => {
  const input = policyPackage(app.registry, overrides);
  return { ...input, targets: [...input.targets, wechatId()] };
};
const channel = (result: { channels: { channelId: string }[] }, id: string) => result.channels.find((c) => c.channelId === id) as any;

describe('GET /api/packages/:id/preflight and the submit gate', () => {
  it('WeChat without a cover: blocked with cover_required, submit 409 preflight_blocked and still a draft; with a cover it passes and submits', async () => {
    const created = await call('POST', '/api/packages', toWechat({ cover: undefined }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const checked = await call('GET', `/api/packages/${id}/preflight`);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ ok: false, revision: 1, contentHash: created.body.contentHash });
    const wechat = channel(checked.body, wechatId());
    expect(wechat).toMatchObject({ platform: 'wechat_oa', platformName: '微信公众号', publishing: 'api', canDelete: true, preview: null });
    expect(wechat.blocking).toEqual([expect.objectContaining({ code: 'cover_required', field: '/cover', channelId: wechatId() })]);
    expect(wechat.blocking[0].message).toMatch(/封面/);
    expect(wechat.blocking[0].messageEn).toMatch(/cover/);

    const refused = await call('POST', `/api/packages/${id}/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('preflight_blocked');
    expect(refused.body.error.problems).toEqual([expect.objectContaining({ code: 'cover_required', field: '/cover' })]);
    // The CLI says the same, one line per problem.
    const cli = await runCli(['packages', 'submit', id], { GOVPUB_API_URL: base, GOVPUB_TOKEN: editor }, undefined, { timeoutMs: 60_000 });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^govpub: The package cannot be submitted: 1 problem would stop its release\. Fix the content/);
    expect(cli.stderr).toContain(`  - ${wechatId()} /cover: `);
    expect(cli.stderr).toMatch(/needs a cover picture.*\(cover_required\)/);
    // The problem is said once: in its line, not also quoted in the sentence above it (the API's message quotes it, for a caller that reads only that).
    expect(refused.body.error.message).toContain(`(first: ${refused.body.error.problems[0].messageEn})`);
    expect(cli.stderr.split(refused.body.error.problems[0].messageEn).length - 1).toBe(1);
    // GOVPUB_LANG=zh: the same problems in Chinese, each once.
    const zh = await runCli(['packages', 'submit', id], { GOVPUB_API_URL: base, GOVPUB_TOKEN: editor, GOVPUB_LANG: 'zh' }, undefined, { timeoutMs: 60_000 });
    expect(zh.stderr).toMatch(/封面.*\(cover_required\)/);
    expect(zh.stderr).toMatch(/（共 1 个问题）/);
    expect(zh.stderr.split(refused.body.error.problems[0].message).length - 1).toBe(1);
    const still = await call('GET', `/api/packages/${id}`);
    expect(still.body).toMatchObject({ status: 'draft', revision: 1, currentStage: null });
    const audit = await call('GET', `/api/audit?package=${id}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).not.toContain('submit');

    // The editor chooses a cover: clean, and the package enters review.
    const fixed = await call('PUT', `/api/packages/${id}`, toWechat({ cover: { mediaId: coverId, alt: '营商环境' } }));
    expect(fixed.status).toBe(200);
    const clean = await call('GET', `/api/packages/${id}/preflight`);
    expect(clean.body).toMatchObject({ ok: true, revision: 2 });
    const preview = channel(clean.body, wechatId()).preview;
    expect(preview).toMatchObject({ kind: 'wechat_article', titleLimit: 32, titleTruncated: false, cover: { mediaId: coverId } });
    expect(preview.cover.crops[0]).toMatchObject({ spec: 'wechat_oa.cover', width: 900, height: 383, url: `/api/media/${coverId}/renditions/wechat_oa.cover` });
    // The earlier revision is still there to compare.
    expect((await call('GET', `/api/packages/${id}/preflight?revision=1`)).body).toMatchObject({ ok: false, revision: 1 });
    const submitted = await call('POST', `/api/packages/${id}/submit`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('in_review');
  });

  it('a text-only package to Douyin: blocked with video_required', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const created = await call('POST', '/api/packages', { ...input, targets: [...input.targets, douyinId()] });
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    expect(checked.body.ok).toBe(false);
    expect(channel(checked.body, douyinId()).blocking).toEqual([expect.objectContaining({ code: 'video_required', field: '/interpretations' })]);
    expect(channel(checked.body, douyinId()).blocking[0].message).toContain('抖音只发布视频');
    expect(channel(checked.body, wechatId()).blocking).toEqual([]);
    const refused = await call('POST', `/api/packages/${created.body.id}/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.problems.map((p: { code: string }) => p.code)).toEqual(['video_required']);
  });

  it('a video interpretation without text to WeChat: not blocked, a warning and its adaptation in the preview; Douyin takes the video', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const created = await call('POST', '/api/packages', {
      ...input,
      interpretations: [...input.interpretations, { form: 'video', title: '三分钟看懂营商环境新政', body: '', mediaId: videoId }],
      targets: [...input.targets, douyinId()],
    });
    expect(created.status).toBe(201);
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    expect(checked.body.ok).toBe(true);
    // The answer has the shape the route declares (and OpenAPI documents).
    expect(check(preflightRoutes.packagePreflight.response[200], checked.body)).toEqual([]);
    const wechat = channel(checked.body, wechatId());
    expect(wechat.blocking).toEqual([]);
    expect(wechat.warnings).toContainEqual(expect.objectContaining({ code: 'adapted_video_as_link', field: '/interpretations/1' }));
    expect(wechat.preview.notes.join('\n')).toMatch(/视频封面、简短说明和门户网站页面链接/);
    const douyin = channel(checked.body, douyinId());
    expect(douyin.preview).toMatchObject({ kind: 'video_post', video: { mediaId: videoId, posterUrl: `/api/media/${videoId}/renditions/douyin.cover` } });
    expect(douyin.preview.text).toContain('三分钟看懂营商环境新政');
  });

  it('every warning names its field: the media center’s about a video interpretation or the document point at them, not at the whole package', async () => {
    const input = policyPackage(app.registry);
    const noVideo = 'news_site:zwdt'; // 政务动态: graphic articles only
    const onlyVideo = 'news_site:spxw'; // 视频新闻: video only
    const answer = await call('POST', '/api/preflight', {
      ...input,
      interpretations: [...input.interpretations, { form: 'video', title: '三分钟看懂营商环境新政', body: '<p>视频解读</p>', mediaId: videoId }],
      targets: [...input.targets, noVideo, onlyVideo],
    });
    expect(answer.status).toBe(200);
    const warnings = (answer.body.channels as { channelId: string; warnings: { code: string; field: string }[] }[]).flatMap((c) =>
      c.warnings.map((w) => ({ ...w, channelId: c.channelId })),
    );
    expect(warnings.filter((w) => w.field === '')).toEqual([]);
    expect(channel(answer.body, noVideo).warnings).toContainEqual(expect.objectContaining({ code: 'platform_note', field: '/interpretations/1' }));
    expect(channel(answer.body, onlyVideo).warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'only_video_posted', field: '/document' }),
        expect.objectContaining({ code: 'platform_note', field: '/interpretations/0' }),
      ]),
    );
  });

  it('a title of 40 characters: a warning for WeChat and the truncated title in its preview', async () => {
    const title = '碑林区人民政府关于进一步深化放管服改革优化营商环境持续激发市场主体活力的若干措施';
    expect([...title]).toHaveLength(40);
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const created = await call('POST', '/api/packages', { ...input, document: { ...input.document, title } });
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    expect(checked.body.ok).toBe(true);
    const wechat = channel(checked.body, wechatId());
    expect(wechat.warnings).toContainEqual(expect.objectContaining({ code: 'title_truncated', field: '/document/title' }));
    expect(wechat.preview).toMatchObject({ titleTruncated: true, titleLimit: 32, title: `${[...title].slice(0, 31).join('')}…` });
    // The portal shows the whole title.
    const portal = checked.body.channels.find((c: { platform: string }) => c.platform === 'portal');
    expect(portal.preview).toMatchObject({ kind: 'portal_article', title, titleTruncated: false });
  });

  it('warns when a policy document goes to another portal column than its catalogue item’s', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const item = app.registry.catalogue.find((i) => i.id === input.catalogueItem)!;
    // Another column items go into (one with sub-columns takes none).
    const other = app.registry.portal.columns.find(
      (c) => c.id !== item.portalColumnId && !item.portalColumnId.startsWith(c.id) && !app.registry.portal.columns.some((s) => s.parentId === c.id),
    )!;
    const created = await call('POST', '/api/packages', { ...input, targets: [`portal:${other.id}`, wechatId()] });
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    // Besides the disclosure metadata the form asks for (this normative document has no 有效性 or 主题分类).
    expect(checked.body.package.warnings).toEqual([
      expect.objectContaining({ code: 'portal_column_mismatch', field: '/targets/0' }),
      expect.objectContaining({ code: 'validity_missing', field: '/document/validity' }),
      expect.objectContaining({ code: 'topic_missing', field: '/document/topic' }),
    ]);
    expect(checked.body.package.warnings[0].message).toContain(item.portalColumnId);
    // A warning does not stop submission.
    expect((await call('POST', `/api/packages/${created.body.id}/submit`, {})).status).toBe(200);
  });

  it("reports a relative body link once, with the portal's refusal that says what to write; without a portal target the general link check still warns", async () => {
    const input = policyPackage(app.registry); // the portal column and a Weibo account
    const document = { ...input.document, body: '<p>详见<a href="../zwgk/1.html">原文</a>。</p>' };
    const everyProblem = (result: { package: { blocking: any[]; warnings: any[] }; channels: { blocking: any[]; warnings: any[] }[] }) => [
      ...result.package.blocking,
      ...result.package.warnings,
      ...result.channels.flatMap((c) => [...c.blocking, ...c.warnings]),
    ];
    const aboutTheLink = (p: { message: string }) => p.message.includes('../zwgk/1.html');

    const created = await call('POST', '/api/packages', { ...input, document });
    const checked = await call('GET', `/api/packages/${created.body.id}/preflight`);
    expect(everyProblem(checked.body).filter(aboutTheLink)).toEqual([
      expect.objectContaining({ field: '/document/body', channelId: input.targets[0], message: expect.stringContaining('请填写完整网址（https://…）') }),
    ]);

    const elsewhere = await call('POST', '/api/preflight', { ...input, targets: [input.targets[1]], document });
    expect(everyProblem(elsewhere.body).filter(aboutTheLink)).toEqual([expect.objectContaining({ code: 'link_refused', field: '/document/body' })]);
  });

  it('an unknown package: 404 not_found', async () => {
    const missing = await call('GET', '/api/packages/pkg-20260101-00000000/preflight');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await call('GET', '/api/openapi.json');
    expect(doc.body.paths['/api/packages/{id}/preflight'].get.responses).toHaveProperty('200');
    expect(doc.body.paths['/api/preflight'].post.requestBody).toBeDefined();
  });
});

describe('POST /api/preflight (an unsaved body)', () => {
  it('answers 200 with the previews of a valid body', async () => {
    const checked = await call('POST', '/api/preflight', toWechat({ cover: { mediaId: coverId, alt: '封面' } }));
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ ok: true, revision: null, contentHash: null });
    expect(check(preflightRoutes.bodyPreflight.response[200], checked.body)).toEqual([]);
    expect(channel(checked.body, wechatId()).preview.link).toMatch(/^http.*\/art\/[0-9a-f]{2}\/preview\/index\.html$/);
  });

  it('a body that fails its schema: 200 with the field issues as blocking package problems', async () => {
    const input = toWechat();
    const checked = await call('POST', '/api/preflight', { ...input, title: 42, document: { ...input.document, title: 'x'.repeat(201) } });
    expect(checked.status).toBe(200);
    expect(checked.body.ok).toBe(false);
    // The channels are checked all the same (WeChat still wants a cover), with nothing said of the invalid titles.
    expect(channel(checked.body, wechatId()).blocking).toEqual([expect.objectContaining({ code: 'cover_required', field: '/cover' })]);
    expect(checked.body.channels.flatMap((c: any) => [...c.blocking, ...c.warnings]).filter((p: any) => /^\/(document\/)?title/.test(p.field))).toEqual([]);
    const fields = checked.body.package.blocking.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['/title', '/document/title']));
    for (const p of checked.body.package.blocking) {
      expect(p.code).toBe('invalid_field');
      expect(p.message).toMatch(/填写有误/);
      // The editor reads it in the preflight panel: the field as the form names it, not its API path.
      expect(p.message).not.toMatch(/title|document/);
    }
    const documentTitle = checked.body.package.blocking.find((p: { field: string }) => p.field === '/document/title');
    expect(documentTitle.message).toMatch(/^文件标题填写有误：/);
  });

  it('an invalid 发文单位 and a Douyin target without a video: the field issue and Douyin’s “needs a video” in one answer', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const checked = await call('POST', '/api/preflight', {
      ...input,
      document: { ...input.document, issuingUnit: '碑'.repeat(101) },
      targets: [...input.targets, douyinId()],
    });
    expect(checked.status).toBe(200);
    expect(check(preflightRoutes.bodyPreflight.response[200], checked.body)).toEqual([]);
    expect(checked.body.ok).toBe(false);
    expect(checked.body.package.blocking).toEqual([expect.objectContaining({ code: 'invalid_field', field: '/document/issuingUnit' })]);
    expect(checked.body.package.blocking[0].message).toMatch(/^发文单位填写有误：/);
    expect(channel(checked.body, douyinId()).blocking).toEqual([
      expect.objectContaining({ code: 'video_required', field: '/interpretations', channelId: douyinId() }),
    ]);
    expect(channel(checked.body, douyinId()).blocking[0].message).toContain('抖音只发布视频');
    expect(channel(checked.body, wechatId()).blocking).toEqual([]);
    // Every target is listed; no preview shows content that is not the editor's.
    expect(checked.body.channels.map((c: { channelId: string }) => c.channelId)).toEqual([...input.targets, douyinId()]);
    expect(checked.body.channels.every((c: { preview: unknown }) => c.preview === null)).toBe(true);
  });

  it('a target channel operations have paused: a warning naming who paused it, when and why, on a body and on the stored package; submit still goes', async () => {
    const ops = (await app.user('preflight-ops', 'ops')).token;
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const paused = await call('POST', `/api/channels/${encodeURIComponent(wechatId())}/pause`, { reason: '账号年审中，暂停发布' }, ops);
    expect(paused.status).toBe(200);
    try {
      const index = input.targets.indexOf(wechatId());
      const expectPauseWarning = (result: { channels: { channelId: string }[] }) => {
        const warning = channel(result, wechatId()).warnings.find((w: { code: string }) => w.code === 'channel_paused');
        // Before: nothing; the editor learned of the pause only when the delivery waited after the release.
        expect(warning).toMatchObject({ field: `/targets/${index}`, channelId: wechatId() });
        expect(warning.message).toMatch(
          /已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）由 preflight-ops 暂停，原因：账号年审中，暂停发布。稿件审核通过后，其他渠道照常发布，这个渠道要等运维人员恢复后才发布。/,
        );
        expect(warning.messageEn).toMatch(/paused by preflight-ops at .*reason: "账号年审中，暂停发布"/);
        expect(channel(result, wechatId()).blocking).toEqual([]);
        for (const other of result.channels.filter((c) => c.channelId !== wechatId())) {
          expect((other as any).warnings.map((w: { code: string }) => w.code)).not.toContain('channel_paused');
        }
      };
      const checked = await call('POST', '/api/preflight', input);
      expect(checked.status).toBe(200);
      expect(check(preflightRoutes.bodyPreflight.response[200], checked.body)).toEqual([]);
      expectPauseWarning(checked.body);
      // With a field invalid too, the warning still stands beside the field issue.
      const invalid = await call('POST', '/api/preflight', { ...input, document: { ...input.document, issuingUnit: '碑'.repeat(101) } });
      expectPauseWarning(invalid.body);
      const created = await call('POST', '/api/packages', input);
      expect(created.status).toBe(201);
      expectPauseWarning((await call('GET', `/api/packages/${created.body.id}/preflight`)).body);
      // A warning, not a blocker: the pause may be lifted before the release.
      expect((await call('POST', `/api/packages/${created.body.id}/submit`, {})).status).toBe(200);
    } finally {
      expect((await call('POST', `/api/channels/${encodeURIComponent(wechatId())}/resume`, {}, ops)).status).toBe(200);
    }
    expect(channel((await call('POST', '/api/preflight', input)).body, wechatId()).warnings.map((w: { code: string }) => w.code)).not.toContain(
      'channel_paused',
    );
  });

  it('a document title too long even for the portal: the field issue, and no WeChat title problem about what stands in for it', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const checked = await call('POST', '/api/preflight', { ...input, document: { ...input.document, title: '碑林区关于优化营商环境的措施'.repeat(15) } });
    expect(checked.body.package.blocking).toEqual([expect.objectContaining({ code: 'invalid_field', field: '/document/title' })]);
    const wechat = channel(checked.body, wechatId());
    expect(wechat).toMatchObject({ blocking: [], preview: null });
    expect(wechat.warnings.filter((p: { field: string }) => p.field === '/document/title')).toEqual([]);
    expect(JSON.stringify(checked.body.channels)).not.toMatch(/文件标题|title_truncated/);
  });

  it('a control character in an interpretation title: the field issue plus the other channels’ problems', async () => {
    const input = toWechat();
    const checked = await call('POST', '/api/preflight', {
      ...input,
      interpretations: [{ ...input.interpretations[0], title: '政策\u0007解读' }],
      targets: [...input.targets, douyinId()],
    });
    expect(checked.status).toBe(200);
    expect(checked.body.ok).toBe(false);
    expect(checked.body.package.blocking).toEqual([expect.objectContaining({ code: 'invalid_field', field: '/interpretations/0/title' })]);
    expect(checked.body.package.blocking[0].messageEn).toMatch(/control character/);
    expect(channel(checked.body, wechatId()).blocking).toEqual([expect.objectContaining({ code: 'cover_required', field: '/cover' })]);
    expect(channel(checked.body, douyinId()).blocking).toEqual([expect.objectContaining({ code: 'video_required' })]);
  });

  it('a body too broken to check channels on (an unknown catalogue item) is answered with its field issues alone, as before', async () => {
    const checked = await call('POST', '/api/preflight', toWechat({ catalogueItem: 'no-such-item' }));
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ ok: false, channels: [] });
    expect(checked.body.package.blocking).toEqual([expect.objectContaining({ code: 'invalid_field', field: '/catalogueItem' })]);
  });

  it('answers a body of thousands of wrong items with a form’s worth of problems: the count, the first ones, and how many more', async () => {
    const input = toWechat();
    const many = await call('POST', '/api/preflight', { ...input, targets: Array.from({ length: 50_000 }, () => input.targets[0]) });
    expect(many.status).toBe(200);
    const manyTargets = many.body.package.blocking.filter((p: { field: string }) => p.field.startsWith('/targets'));
    // The count is the problem, not 49,999 "listed twice".
    expect(manyTargets.map((p: { field: string }) => p.field)).toEqual(['/targets']);
    expect(manyTargets[0].messageEn).toMatch(/has 50000 items; at most 400 allowed/);
    const unknown = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`extra${i}`, i]));
    const fields = await call('POST', '/api/preflight', { ...input, ...unknown });
    expect(fields.status).toBe(200);
    expect(fields.body.package.blocking.length).toBeLessThanOrEqual(101);
    expect(fields.body.package.blocking).toEqual(
      expect.arrayContaining([expect.objectContaining({ messageEn: expect.stringMatching(/^\(body\): and \d+ more problems, not listed/) })]),
    );
    expect(JSON.stringify(fields.body).length).toBeLessThan(100_000);
  });

  it('a file of the wrong kind is named with its kind in plain English ("an image", not "a image") and in Chinese', async () => {
    const input = toWechat({ cover: { mediaId: coverId, alt: '封面' } });
    const interpretations = [...input.interpretations, { form: 'video', title: '视频解读', body: '<p>视频解读。</p>', mediaId: coverId }];
    const checked = await call('POST', '/api/preflight', { ...input, interpretations });
    const wrong = checked.body.package.blocking.find((p: { field: string }) => p.field === '/interpretations/1/mediaId');
    expect(wrong.messageEn).toMatch(/^interpretations\[1\]\.mediaId: expected an uploaded video, but [0-9a-f]{12}… is an image$/);
    expect(wrong.message).toMatch(/此处应为已上传的视频，但 [0-9a-f]{12}… 是图片/);
  });

  it('refuses what is not JSON at all, as every route does', async () => {
    const broken = await call('POST', '/api/preflight', '{"title":');
    expect(broken.status).toBe(400);
  });
});
