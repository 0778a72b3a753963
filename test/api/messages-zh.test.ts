/**
 * Every message a person reads has a Simplified-Chinese form: rule refusals (with the stage and
 * status they name), field issues, Accept-Language, and a delivery a platform refused. Over the
 * real API, the real Temporal worker, PostgreSQL and the WeChat simulator with an injected error code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE_TABLES, deliveryErrorZh, errorCodeZh, localizedDeliveryTexts, platformCodeNoteZh } from '../../adapters/error-codes.js';
import { buildApi } from '../../api/server.js';
import { issueMessageZh, preferredLanguage } from '../../api/validation.js';
import { ROOT_DIR } from '../../config/settings.js';
import { ZH_MESSAGES } from '../../domain/messages-zh.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';
import { runCli } from '../support/cli.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

const HAN = /[\u4e00-\u9fff]/;

// ── The table covers every code thrown anywhere ──────────────────────────────

/** Every error code literal in the source, found the way a person greps for them, with where it is. */
function thrownCodes(): Map<string, Set<string>> {
  const roots = ['domain', 'api', 'services', 'workflows', 'activities', 'cli', 'config', 'db', 'media', 'runtime', 'worker', 'adapters', 'contracts'];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  for (const root of roots) if (fs.existsSync(path.join(ROOT_DIR, root))) walk(path.join(ROOT_DIR, root));
  const everywhere = [
    /new GovpubError\(\s*['"]([a-z][a-z0-9_]*)['"]/g, // new GovpubError('code', …)
    /super\(\s*['"]([a-z][a-z0-9_]*)['"]/g, // subclasses: ValidationError, ConfigError
    /ApplicationFailure\.create\(\{\s*type:\s*['"]([a-z][a-z0-9_]*)['"]/g, // workflow refusals
    /\[\d{3},\s*['"]([a-z][a-z0-9_]*)['"]/g, // [status, 'code', message] (what the HTTP parser refuses)
  ];
  // Problems ({code: '…', message}) of the rules and codes the API answers with directly.
  const inRulesAndApi = [
    /\bcode:\s*['"]([a-z][a-z0-9_]*)['"]/g,
    /return '(invalid_[a-z_]+)'/g, // api/validation.ts codeFor
    /\brefuse\(\s*['"]([a-z][a-z0-9_]*)['"]/g, // the delivery workflow's refusals
  ];
  const found = new Map<string, Set<string>>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const relative = path.relative(ROOT_DIR, file);
    const patterns = /^(domain|api|services|workflows)\//.test(relative) ? [...everywhere, ...inRulesAndApi] : everywhere;
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const code = match[1]!;
        if (!found.has(code)) found.set(code, new Set());
        found.get(code)!.add(relative);
      }
    }
  }
  return found;
}

describe('the Chinese table of error codes', () => {
  it('has a Chinese sentence for every error code thrown in the code base', () => {
    const codes = thrownCodes();
    // The scan itself works: it finds the codes of the rules, the API and the services.
    expect(codes.size).toBeGreaterThan(100);
    for (const known of ['self_approval', 'not_a_draft', 'invalid_body', 'invalid_header', 'headers_too_large', 'delivery_busy', 'media_corrupt']) {
      expect(codes.has(known), known).toBe(true);
    }
    const missing = [...codes].filter(([code]) => !ZH_MESSAGES[code]).map(([code, files]) => `${code} (${[...files].join(', ')})`);
    expect(missing, 'add these codes to domain/messages-zh.ts').toEqual([]);
    for (const [code, sentence] of Object.entries(ZH_MESSAGES)) expect(sentence, code).toMatch(HAN);
  });

  it('has a Chinese sentence for every platform error code in every table', () => {
    for (const [platform, table] of Object.entries(ERROR_CODE_TABLES)) {
      for (const part of [table.reconnect, table.content, table.request ?? {}]) {
        for (const [code, reason] of Object.entries(part)) {
          expect(reason.en.length, `${platform} ${code}`).toBeGreaterThan(0);
          expect(reason.zh, `${platform} ${code}`).toMatch(HAN);
          expect(errorCodeZh(table, Number(code))).toBe(reason.zh);
        }
      }
    }
    expect(errorCodeZh(ERROR_CODE_TABLES.wechat_oa!, 45003)).toContain('32');
  });

  it("words every code a delivery can record that is not a number: the media center's, network failures; an unknown one reads as the platform's code", () => {
    // The media center's contract (simulators/README.md, "Media center API v1"): every error.code it lists has a meaning.
    const readme = fs.readFileSync(path.join(ROOT_DIR, 'simulators', 'README.md'), 'utf8');
    const contract = readme.slice(readme.indexOf('| status | `error.code`'), readme.indexOf('**Authentication.**'));
    const contractCodes = [...contract.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter((c) => c !== 'error');
    expect(contractCodes).toEqual(expect.arrayContaining(['invalid_request', 'unknown_column', 'token_expired', 'payload_too_large', 'unavailable']));
    for (const platform of ['news_site', 'media_app']) {
      for (const code of [...contractCodes, 'deleted']) {
        const named = ERROR_CODE_TABLES[platform]!.named?.[code];
        expect(named?.meaning, `${platform} ${code}`).toMatch(HAN);
      }
    }
    // Every network code the transport names (adapters/errors.ts describeNetworkCode) reads in words.
    const errorsTs = fs.readFileSync(path.join(ROOT_DIR, 'adapters', 'errors.ts'), 'utf8');
    const networkCodes = [...errorsTs.matchAll(/case '([A-Z_]+)':/g)].map((m) => m[1]!);
    expect(networkCodes).toEqual(expect.arrayContaining(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND']));
    for (const code of networkCodes)
      expect(platformCodeNoteZh(ERROR_CODE_TABLES.weibo, code), code).toMatch(new RegExp(`^（[^；]*[\\u4e00-\\u9fff][^；]*；网络错误代码：${code}）$`));

    const sentence = (platform: string, errorClass: string, code: string | null, state = 'failed') =>
      deliveryErrorZh({ platform, errorClass, errorMessage: 'English detail', platformCode: code, state });
    // A word code the platform's table knows: its own sentence, the code quoted after the first clause.
    expect(sentence('news_site', 'rejected', 'invalid_request')).toBe(
      '西安网碑林频道：融媒体中心认为 govpub 的请求不符合接口要求（平台代码：invalid_request）。这是 govpub 的问题，不是稿件的问题：请告知运维人员，修复前重试也不会成功，可先跳过该渠道。',
    );
    // A known word code whose class says what to do: the class sentence with the meaning.
    expect(sentence('media_app', 'rate_limited', 'rate_limited', 'rate_limited')).toBe(
      '融媒客户端限制了调用频率（调用过于频繁；平台代码：rate_limited）。govpub 会按平台要求等待后自动重试，无需操作。',
    );
    expect(sentence('news_site', 'retryable', 'internal_error')).toBe(
      '西安网碑林频道多次尝试后仍未成功（服务器内部出错；平台代码：internal_error），govpub 已停止自动重试。平台恢复后请运维人员重试，或跳过该渠道。',
    );
    // A network failure, on any platform.
    expect(sentence('weibo', 'retryable', 'ECONNREFUSED', 'pending')).toBe(
      '微博暂时无法完成发布（连接被拒绝，平台地址可能有误或服务未启动；网络错误代码：ECONNREFUSED）。govpub 会稍后自动重试；多次失败后会请运维人员处理（重试或跳过）。',
    );
    expect(sentence('weibo', 'retryable', 'ESOMETHINGNEW', 'pending')).toContain('（网络出错；网络错误代码：ESOMETHINGNEW）');
    // A take-down that failed is no failed publication, and has no skip: what to do is delete by hand.
    expect(sentence('wechat_oa', 'retryable', '503', 'retracting')).toBe(
      '微信公众号暂未能删除已撤稿的内容（平台答复 HTTP 503：服务暂不可用），内容可能仍在公开。govpub 会自动重试并提醒运维人员；也可在平台上手动删除后点击「确认已删除」。',
    );
    expect(sentence('news_site', 'retryable', 'mystery', 'retracting')).not.toMatch(/发布|跳过/);
    // An HTTP status outside the platform's own error format.
    expect(sentence('wechat_oa', 'needs_reconnect', '401', 'needs_reconnect')).toContain('微信公众号拒绝了该账号的凭据（平台答复 HTTP 401：未通过身份验证）。');
    // A code nobody has worded: clearly the platform's code, to quote to the platform.
    expect(sentence('weibo', 'rejected', 'invalid_request')).toBe(
      '微博拒绝了这次发布（平台代码：invalid_request）。请查看问题说明，修改稿件内容后重新发布，或跳过该渠道。',
    );
    expect(sentence('weibo', 'rejected', '29999')).toContain('（平台代码：29999）');
    // Problems that end their own sentence: joined once, one full stop at the end.
    expect(
      deliveryErrorZh({
        platform: 'weibo',
        errorClass: 'rejected',
        errorMessage: 'English detail',
        platformCode: null,
        problemsZh: ['图片过小，无法生成微博封面。', '标题过长；'],
        state: 'failed',
      }),
    ).toBe('微博不能按原样接收这份稿件：图片过小，无法生成微博封面；标题过长。请修改后重新发布，或跳过该渠道。');
    // Codes the adapters record outside the client's tables have their sentence too.
    expect(sentence('weibo', 'rejected', '20019')).toContain('一天内重复发布相同的内容（20019）');
    expect(sentence('news_site', 'rejected', 'deleted')).toContain('无法在这次投递中再次发布（平台代码：deleted）。');
    // Never a bare code in brackets, whatever the class.
    for (const errorClass of ['retryable', 'rate_limited', 'needs_reconnect', 'rejected', 'unconfirmed']) {
      for (const code of ['invalid_request', 'validation_failed', 'ECONNRESET', 'mystery', '503', '-7']) {
        for (const platform of ['weibo', 'news_site', 'douyin']) {
          expect(sentence(platform, errorClass, code, 'pending'), `${platform} ${errorClass} ${code}`).not.toContain(`（${code}）`);
        }
      }
    }
  });

  it("keeps the platforms' own numeric codes out of 100–599, where an unlisted code is read as an HTTP status", () => {
    for (const [platform, table] of Object.entries(ERROR_CODE_TABLES)) {
      if (platform === 'news_site' || platform === 'media_app') continue; // its table is keyed by HTTP status on purpose
      for (const part of [table.reconnect, table.content, table.request ?? {}, table.worded ?? {}]) {
        for (const code of Object.keys(part).map(Number)) expect(code >= 100 && code <= 599, `${platform} ${code}`).toBe(false);
      }
    }
  });

  it('reads delivery rows written in English only (before the Chinese existed) in Chinese, keeping the English', () => {
    const old = localizedDeliveryTexts({
      platform: 'wechat_oa',
      state: 'failed',
      error_class: 'rejected',
      error_message: 'WeChat Official Accounts cannot take this package as it is: document.title: WeChat needs a title for every article; this one is empty.',
      platform_code: null,
      problems: [{ field: 'document.title', message: 'WeChat needs a title for every article; this one is empty.' }],
      warnings: ['cover: no cover was chosen, so the first picture of the articles is the WeChat cover.', 'Something new a format step says.'],
    });
    expect(old.problems).toEqual([
      {
        field: 'document.title',
        fieldZh: '文件标题',
        message: '「文件标题」不符合微信公众号的要求（详见英文说明）：WeChat needs a title for every article; this one is empty.',
        messageEn: 'WeChat needs a title for every article; this one is empty.',
      },
    ]);
    expect(old.errorMessageZh).toMatch(/^微信公众号不能按原样接收这份稿件：「文件标题」/);
    expect(old.warnings).toEqual([
      'cover: no cover was chosen, so the first picture of the articles is the WeChat cover.',
      'Something new a format step says.',
    ]);
    expect(old.warningsZh).toEqual([
      '封面：未选择封面，使用文章中的第一张图片作为微信封面。',
      '微信公众号适配提示（详见英文说明）：Something new a format step says.',
    ]);

    // A problem worded in Chinese where it arose keeps that wording; a delivery given up on says what operations do.
    const worded = localizedDeliveryTexts({
      platform: 'douyin',
      state: 'failed',
      error_class: 'retryable',
      error_message: 'Douyin upload: the platform answered HTTP 503. Gave up after 40 attempts; retry when the platform is back, or skip.',
      platform_code: '503',
      problems: [{ field: 'video', message: 'Douyin takes videos of at most 15 minutes', messageZh: '抖音只接受不超过 15 分钟的视频' }],
      warnings: [],
    });
    expect(worded.problems[0]).toEqual({
      field: 'video',
      fieldZh: '视频',
      message: '抖音只接受不超过 15 分钟的视频',
      messageEn: 'Douyin takes videos of at most 15 minutes',
    });
    expect(worded.errorMessageZh).toBe(
      '抖音多次尝试后仍未成功（平台答复 HTTP 503：服务暂不可用），govpub 已停止自动重试。平台恢复后请运维人员重试，或跳过该渠道。',
    );
    expect(
      localizedDeliveryTexts({
        ...worded.problems,
        platform: 'weibo',
        state: 'live',
        error_class: null,
        error_message: null,
        platform_code: null,
        problems: [],
        warnings: [],
      }).errorMessageZh,
    ).toBeNull();
  });

  it('reads Accept-Language by q-value, English by default', () => {
    expect(preferredLanguage(undefined)).toBe('en');
    expect(preferredLanguage('zh-CN')).toBe('zh');
    expect(preferredLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(preferredLanguage('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(preferredLanguage('en;q=0.5, zh-Hans;q=0.7')).toBe('zh');
    expect(preferredLanguage('zh;q=0, en')).toBe('en');
    expect(preferredLanguage('fr, *')).toBe('en');
    expect(preferredLanguage('zh;q=abc')).toBe('en');
  });

  it('words field issues in Chinese, with their limits and values', () => {
    expect(issueMessageZh('required')).toBe('必填');
    expect(issueMessageZh('is 2001 characters; at most 2000 allowed')).toBe('共 2001 个字符，最多允许 2000 个');
    expect(issueMessageZh('must be at least 1, got -1')).toBe('须不小于 1，实际为 -1');
    expect(issueMessageZh('expected an integer, got "abc"')).toBe('应为整数，实际为"abc"');
    expect(issueMessageZh('unknown channel "wechat_oa:nope" (see GET /api/channels)')).toBe('渠道 "wechat_oa:nope" 不存在（见 GET /api/channels）');
    expect(issueMessageZh('contains a NUL character (\\u0000) at position 3; remove it')).toBe('第 3 个字符是 NUL 字符（\\u0000），请删除');
    // The review stage and unit filters, and a decision pinned to a stage the package does not have.
    expect(issueMessageZh('not a review stage: first (初审), second (复审), final (终审)')).toBe(
      '不是审核环节，可选：first (初审), second (复审), final (终审)',
    );
    expect(issueMessageZh('not a unit id from GET /api/units')).toBe('不是单位编号（见 GET /api/units）');
    expect(issueMessageZh('not a channel id from GET /api/channels')).toBe('不是渠道编号（见 GET /api/channels）');
    expect(issueMessageZh('expected a year from 2000 to 2100')).toBe('应为 2000 至 2100 年之间的年份');
    expect(
      issueMessageZh(
        `"d5b81abcb558" is the short form of a file's id (as govpub media list shows it): write the full 64-character id, which govpub media add prints and govpub media status d5b81abcb558 shows`,
      ),
    ).toBe(
      '"d5b81abcb558" 是文件编号的简写（govpub media list 显示的形式）：请填写完整的 64 位编号（govpub media add 会打印，govpub media status d5b81abcb558 可查看）',
    );
    expect(issueMessageZh('expected the id of an event this stream sent (digits)')).toBe('应为此事件流发出过的事件编号（数字）');
    expect(issueMessageZh('"fourth" is not a review stage of this package; its stages are first (初审), final (终审)')).toBe(
      '"fourth" 不是本稿件的审核环节；本稿件的审核环节为 first (初审), final (终审)',
    );
  });
});

describe('every field issue a service words by hand has its Chinese form', () => {
  it('each literal `issues: [{ path, message }]` sentence in the source reads in Chinese, not after the lead-in 不符合要求', () => {
    const literal = /issues:\s*\[\{\s*path:\s*[^,]+,\s*message:\s*'([^']+)'\s*\}\]/g;
    const untranslated: string[] = [];
    for (const root of ['api', 'services', 'domain']) {
      for (const file of fs.readdirSync(path.join(ROOT_DIR, root), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        const text = fs.readFileSync(path.join(ROOT_DIR, root, file), 'utf8');
        for (const match of text.matchAll(literal)) if (issueMessageZh(match[1]!).startsWith('不符合要求：')) untranslated.push(`${root}/${file}: ${match[1]}`);
      }
    }
    expect(untranslated).toEqual([]);
  });
});

// ── Over the real API ────────────────────────────────────────────────────────

let world: ReleaseWorld;
let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  api = await buildApi(app.ctx);
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const editor = await app.user('zh-editor', 'editor');
  tokens.editor = editor.token;
  await world.registerMedia(app.db, editor.actor.id);
  // An administrator who writes and also decides at 初审: the one who may not approve their own package.
  tokens.author = (await app.user('zh-author', 'admin', ['first'])).token;
  tokens.twoStages = (await app.user('zh-two-stages', 'reviewer', ['first', 'second'])).token;
  tokens.first = (await app.user('zh-first', 'reviewer', ['first'])).token;
  tokens.second = (await app.user('zh-second', 'reviewer', ['second'])).token;
  tokens.final = (await app.user('zh-final', 'reviewer', ['final'])).token;
  tokens.ops = (await app.user('zh-ops', 'ops')).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  await world?.close();
});

async function call(method: string, route: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

async function submitted(token: string, input: unknown = policyPackage(app.registry)): Promise<string> {
  const created = await call('POST', '/api/packages', token, input);
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/api/packages/${id}/submit`, token)).status).toBe(200);
  return id;
}

describe('rule refusals in Chinese', () => {
  it('refuses a self-approval with a Chinese sentence naming the stage; English stays in message', async () => {
    const id = await submitted(tokens.author!);
    const refused = await call('POST', `/api/packages/${id}/decisions`, tokens.author, { revision: 1, decision: 'approve', comment: '同意' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('self_approval');
    expect(refused.body.error.message).toBe('You wrote or edited this package, so you may not approve it: another reviewer must.');
    expect(refused.body.error.messageZh).toBe('您撰写或修改过这份稿件，不能在「初审」环节审核通过自己的稿件：请由该环节的其他审核人审核。');
    expect(refused.body.error.messageEn).toBeUndefined();
  });

  it('refuses a second stage by the same reviewer naming both stages, and a wrong status naming the status', async () => {
    const id = await submitted(tokens.editor!);
    expect((await call('POST', `/api/packages/${id}/decisions`, tokens.twoStages, { revision: 1, decision: 'approve', comment: '同意' })).status).toBe(200);
    const again = await call('POST', `/api/packages/${id}/decisions`, tokens.twoStages, { revision: 1, decision: 'approve', comment: '同意' });
    expect(again.body.error.code).toBe('same_reviewer_two_stages');
    expect(again.body.error.messageZh).toContain('「初审」');
    expect(again.body.error.messageZh).toContain('「复审」');

    const resubmit = await call('POST', `/api/packages/${id}/submit`, tokens.editor);
    expect(resubmit.status).toBe(409);
    expect(resubmit.body.error).toMatchObject({
      code: 'not_a_draft',
      message: 'The package is in_review; only a draft can be submitted for review.',
      messageZh: '稿件状态为「审核中」，只有草稿才能提交审核。',
    });

    const wrongStage = await call('POST', `/api/packages/${id}/decisions`, tokens.final, { revision: 1, decision: 'approve', comment: '同意' });
    expect(wrongStage.status).toBe(403);
    expect(wrongStage.body.error.messageZh).toContain('「复审」');
  });

  it('lists the three synchronizations problems of a submit with Chinese messages and their English', async () => {
    const input = policyPackage(app.registry);
    delete (input as { interpretations?: unknown }).interpretations;
    const created = await call('POST', '/api/packages', tokens.editor, input);
    expect(created.status).toBe(201);
    const refused = await call('POST', `/api/packages/${created.body.id}/submit`, tokens.editor);
    expect(refused.status).toBe(409);
    const problem = refused.body.error.problems.find((p: { code: string }) => p.code === 'interpretation_required');
    expect(problem.message).toContain('三同步');
    expect(problem.message).toMatch(HAN);
    expect(problem.messageEn).toMatch(/^This catalogue item is a policy document/);
    expect(refused.body.error.messageZh).toContain('至少添加一项解读');
  });
});

describe('field issues and Accept-Language', () => {
  it('gives every issue of a bad body a Chinese sentence, and the error one listing the fields', async () => {
    const bad = await call('POST', '/api/packages', tokens.editor, {
      title: 'x'.repeat(201),
      catalogueItem: 'no-such-item',
      targets: ['wechat_oa:nope'],
      surplus: 1,
    });
    expect(bad.status).toBe(400);
    const issues = bad.body.error.issues as { path: string; message: string; messageZh: string }[];
    expect(issues.length).toBeGreaterThanOrEqual(4);
    for (const issue of issues) {
      expect(issue.message).not.toMatch(HAN);
      expect(issue.messageZh, issue.path).toMatch(HAN);
      expect(issue.messageZh, `${issue.path}: ${issue.message}`).not.toMatch(/^不符合要求/);
    }
    expect(issues.find((i) => i.path === 'surplus')?.messageZh).toBe('未知字段，请删除');
    expect(issues.find((i) => i.path === 'title')?.messageZh).toBe('共 201 个字符，最多允许 200 个');
    expect(bad.body.error.messageZh).toContain('surplus：未知字段，请删除');
  });

  it('words a reference to an upload that is missing or of the wrong kind in Chinese, not in English behind 不符合要求', async () => {
    const input = policyPackage(app.registry) as Record<string, any>;
    const missing = 'f'.repeat(64);
    const bad = await call('POST', '/api/packages', tokens.editor, {
      ...input,
      cover: { mediaId: world.videoId, alt: '封面' },
      document: { ...input.document, attachments: [{ name: '附件1', mediaId: missing }] },
    });
    expect(bad.status).toBe(400);
    const zh = Object.fromEntries(bad.body.error.issues.map((i: { path: string; messageZh: string }) => [i.path, i.messageZh]));
    expect(zh).toEqual({
      'cover.mediaId': `此处应为已上传的图片，但 ${world.videoId.slice(0, 12)}… 是视频：请改选图片文件`,
      'document.attachments[0].mediaId': `找不到编号为 ffffffffffff… 的已上传文件（可能未上传成功或已被删除）：请先上传该文件（媒体库，或 POST /api/media），再选择它`,
    });
    // The form's preflight says the same, as the editor types.
    const preflight = await call('POST', '/api/preflight', tokens.editor, {
      ...input,
      document: { ...input.document, attachments: [{ name: '附件1', mediaId: missing }] },
    });
    expect(preflight.body.package.blocking.map((p: { message: string }) => p.message)).toEqual([
      '附件 1 文件填写有误：找不到编号为 ffffffffffff… 的已上传文件（可能未上传成功或已被删除）：请先上传该文件（媒体库，或 POST /api/media），再选择它。请改正后再试。',
    ]);
  });

  it('answers query issues in Chinese too, and switches message to Chinese for Accept-Language: zh-CN', async () => {
    const english = await call('GET', '/api/packages?limit=-1', tokens.editor);
    expect(english.body.error.issues[0]).toEqual({ path: 'limit', message: 'must be at least 1, got -1', messageZh: '须不小于 1，实际为 -1' });
    expect(english.body.error.message).toBe('limit: must be at least 1, got -1');

    const chinese = await call('GET', '/api/packages?limit=-1', tokens.editor, undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
    expect(chinese.status).toBe(400);
    expect(chinese.body.error).toMatchObject({
      code: 'invalid_query',
      message: 'limit：须不小于 1，实际为 -1',
      messageZh: 'limit：须不小于 1，实际为 -1',
      messageEn: 'limit: must be at least 1, got -1',
    });
    expect(chinese.body.error.issues[0]).toEqual({
      path: 'limit',
      message: '须不小于 1，实际为 -1',
      messageZh: '须不小于 1，实际为 -1',
      messageEn: 'must be at least 1, got -1',
    });

    const preferringEnglish = await call('GET', '/api/packages?limit=-1', tokens.editor, undefined, { 'accept-language': 'en-GB,zh-CN;q=0.5' });
    expect(preferringEnglish.body.error.message).toBe('limit: must be at least 1, got -1');

    const unauthorized = await call('GET', '/api/packages', undefined, undefined, { 'accept-language': 'zh-CN' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.error.message).toMatch(HAN);
    expect(unauthorized.body.error.messageEn).toContain('Authorization: Bearer');

    // Bodies a hook sends itself (an unknown route answers before its body is read) get their code's sentence.
    const noRoute = await call('GET', '/api/nowhere', tokens.editor, undefined, { 'accept-language': 'zh' });
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(HAN),
      messageEn: expect.stringContaining('No route GET /api/nowhere'),
    });
    const noRouteEnglish = await call('GET', '/api/nowhere', tokens.editor);
    expect(noRouteEnglish.body.error).toMatchObject({ message: expect.stringContaining('No route GET /api/nowhere'), messageZh: expect.stringMatching(HAN) });

    // A path the API serves, asked with a method it does not take there: 405 naming the ones it takes
    // (and Allow), before the body is read, not a 404 saying the route does not exist.
    const wrongMethod = await call('DELETE', '/api/packages', tokens.editor, { title: 'x' }, { 'accept-language': 'zh' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(wrongMethod.body.error).toMatchObject({
      code: 'method_not_allowed',
      message: '/api/packages 不支持 DELETE 请求，只支持 GET、HEAD、POST（见 GET /api/openapi.json）。',
      messageEn: '/api/packages does not take DELETE: it takes GET, HEAD, POST (see GET /api/openapi.json).',
    });
    const submitByGet = await call('GET', '/api/packages/pkg-20260101-00000000/submit', tokens.editor);
    expect(submitByGet.status).toBe(405);
    expect(submitByGet.headers.get('allow')).toBe('POST');
    expect(submitByGet.body.error.message).toBe('/api/packages/pkg-20260101-00000000/submit does not take GET: it takes POST (see GET /api/openapi.json).');
    // A path no route serves with any method stays 404.
    expect((await call('DELETE', '/api/packages/pkg-1/nowhere', tokens.editor)).status).toBe(404);
  });

  it('prints the Chinese sentence in the CLI with GOVPUB_LANG=zh, English otherwise', async () => {
    const env = { GOVPUB_TOKEN: undefined, GOVPUB_API_URL: base };
    const english = await runCli(['packages', 'list'], env);
    expect(english.code).not.toBe(0);
    expect(english.stderr).toContain('give your token with --token or GOVPUB_TOKEN');
    const chinese = await runCli(['packages', 'list'], { ...env, GOVPUB_LANG: 'zh' });
    expect(chinese.stderr).toContain('请用 --token 或 GOVPUB_TOKEN 提供您的 API 令牌');
    // Its own Chinese sentence, alone: no English line under it.
    expect(chinese.stderr).not.toContain('give your token');
  });
});

describe('deliveries in Chinese', () => {
  it('shows a delivery WeChat refused (an injected error code) with its Chinese sentence; English and the code stay', async () => {
    const channel = 'wechat_oa:blzw';
    const fault = await fetch(`${world.simulators.urls.wechat_oa}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: '/cgi-bin/freepublish/submit', kind: 'busy', code: 45003, count: 1, note: 'title too long' }),
    });
    expect(fault.status).toBe(200);
    const id = await submitted(tokens.editor!, richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好今冬明春供暖保障工作的通知'));
    for (const who of ['first', 'second', 'final']) {
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: '同意' })).status).toBe(200);
    }
    let delivery: Record<string, unknown> | undefined;
    await expect
      .poll(
        async () => {
          const listed = await call('GET', `/api/deliveries?package=${id}&channel=${encodeURIComponent(channel)}`, tokens.ops);
          delivery = listed.body.items[0];
          return delivery?.state;
        },
        { timeout: 90_000, interval: 300 },
      )
      .toBe('failed');
    const shown = (await call('GET', `/api/deliveries/${delivery!.id as string}`, tokens.ops)).body;
    expect(shown.errorClass).toBe('rejected');
    expect(shown.platformCode).toBe('45003');
    expect(shown.errorMessage).toContain('WeChat refused it');
    expect(shown.errorMessageZh).toBe('微信公众号：文章标题过长（最多 32 个字）（45003）。请缩短标题后重新发布。');
    // The package's view shows the same sentence with its delivery.
    const pkg = (await call('GET', `/api/packages/${id}`, tokens.editor)).body;
    expect(pkg.deliveries.find((d: { channelId: string }) => d.channelId === channel).errorMessageZh).toBe(shown.errorMessageZh);
    expect(Array.isArray(shown.warningsZh)).toBe(true);
    expect(shown.warningsZh).toHaveLength(shown.warnings.length);
    for (const warning of shown.warningsZh as string[]) expect(warning).toMatch(HAN);
  });

  it("shows a delivery the media center refused with a word code in Chinese: a known code with its meaning, an unknown one as the platform's code", async () => {
    // The contract's invalid_request on the city news site; a code no table knows on the 融媒 app.
    const faults: [string, Record<string, unknown>][] = [
      ['news_site', { match: '/api/v1/articles', method: 'POST', kind: 'http_error', status: 400, count: 1 }],
      ['media_app', { match: '/api/v1/articles', method: 'POST', kind: 'http_error', status: 400, code: 'column_quota_exhausted', count: 1 }],
    ];
    for (const [kind, rule] of faults) {
      const added = await fetch(`${world.simulators.urls[kind as 'news_site']}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      expect(added.status).toBe(200);
    }
    const channels = ['news_site:zcjd', 'media_app:zcjd'];
    const id = await submitted(tokens.editor!, richPolicyPackage(world, [...channels, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好城市燃气安全隐患排查工作的通知'));
    for (const who of ['first', 'second', 'final']) {
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: '同意' })).status).toBe(200);
    }
    const shown: Record<string, Record<string, unknown>> = {};
    for (const channel of channels) {
      let deliveryId: string | undefined;
      await expect
        .poll(
          async () => {
            const listed = await call('GET', `/api/deliveries?package=${id}&channel=${encodeURIComponent(channel)}`, tokens.ops);
            deliveryId = listed.body.items[0]?.id;
            return listed.body.items[0]?.state;
          },
          { timeout: 90_000, interval: 300 },
        )
        .toBe('failed');
      shown[channel] = (await call('GET', `/api/deliveries/${deliveryId!}`, tokens.ops)).body;
    }
    const site = shown['news_site:zcjd']!;
    expect(site).toMatchObject({ errorClass: 'rejected', platformCode: 'invalid_request' });
    expect(site.errorMessage).toContain('HTTP 400 invalid_request');
    expect(site.errorMessageZh).toBe(
      '西安网碑林频道：融媒体中心认为 govpub 的请求不符合接口要求（平台代码：invalid_request）。这是 govpub 的问题，不是稿件的问题：请告知运维人员，修复前重试也不会成功，可先跳过该渠道。',
    );
    const app = shown['media_app:zcjd']!;
    expect(app).toMatchObject({ errorClass: 'rejected', platformCode: 'column_quota_exhausted' });
    expect(app.errorMessageZh).toBe('融媒客户端拒绝了这次发布（平台代码：column_quota_exhausted）。请查看问题说明，修改稿件内容后重新发布，或跳过该渠道。');
    // The package's view shows the same sentences.
    const pkg = (await call('GET', `/api/packages/${id}`, tokens.editor)).body as { deliveries: { channelId: string; errorMessageZh: string }[] };
    for (const channel of channels) expect(pkg.deliveries.find((d) => d.channelId === channel)!.errorMessageZh).toBe(shown[channel]!.errorMessageZh);
  });
});
