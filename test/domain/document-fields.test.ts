/**
 * The document's disclosure fields as pure rules and as the package body takes them: 索引号's
 * format and China-time year, 有效性's rules and who may change it when, 主题分类 from the
 * registry's taxonomy, 主题词, captions and transcripts on timed interpretations; and the two
 * registry files behind them, checked at load with file and line.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { ConfigError } from '../../domain/errors.js';
import { chinaYear, formatIndexNumber, organCodeFor, parseIndexNumber } from '../../domain/index-number.js';
import { canChangeValidity, effectiveValidity, validityProblems } from '../../domain/package-rules.js';
import { topicPaths, type Registry } from '../../domain/registry.js';
import { packageInputIssues, parsePackageInput, type FieldIssue } from '../../services/package-input.js';
import { policyPackage } from '../support/app.js';
import { writeFixture, type FixtureEdits } from '../config/registry-fixture.js';

let registry: Registry;
const dirs: string[] = [];
beforeAll(async () => {
  registry = await loadRegistry();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const normativeItem = () => registry.catalogue.find((i) => i.normative)!;
const plainPolicyItem = () => registry.catalogue.find((i) => i.contentClass === 'policy' && !i.normative)!;

/** The body's field issues; it must be refused. */
function issuesOf(body: unknown): FieldIssue[] {
  const issues = packageInputIssues(body, registry);
  expect(issues, 'expected the body to be refused').not.toEqual([]);
  return issues;
}

function withDocument(fields: Record<string, unknown>, item = normativeItem().id) {
  const base = policyPackage(registry, { catalogueItem: item });
  return { ...base, document: { ...(base.document as object), ...fields } };
}

describe('索引号', () => {
  it('is <organCode>/<year>-<serial>, the serial zero-padded and never truncated', () => {
    expect(formatIndexNumber('11610103MB2968XXXX', 2026, 12, 5)).toBe('11610103MB2968XXXX/2026-00012');
    expect(formatIndexNumber('000014349', 2017, 110, 5)).toBe('000014349/2017-00110');
    expect(formatIndexNumber('000014349', 2017, 1234567, 5)).toBe('000014349/2017-1234567');
    expect(() => formatIndexNumber('000014349', 2017, 0, 5)).toThrow(RangeError);
    expect(parseIndexNumber('11610103MB2968XXXX/2026-00012')).toEqual({ organCode: '11610103MB2968XXXX', year: 2026, serial: 12 });
    expect(parseIndexNumber('11610103MB2968XXXX/2026-00000')).toBeNull();
    expect(parseIndexNumber('abc/2026-1')).toBeNull();
  });

  it('takes the year in China time: 31 December 16:30 UTC is already the next year', () => {
    expect(chinaYear('2026-12-31T15:59:59Z')).toBe(2026);
    expect(chinaYear('2026-12-31T16:00:00Z')).toBe(2027);
    expect(chinaYear(new Date('2027-01-01T00:00:00+08:00'))).toBe(2027);
  });

  it("uses the unit's own organ code, else the default (config/registry/index-numbers.yaml)", () => {
    const scheme = registry.indexNumbers;
    expect(organCodeFor(scheme, 'jyj')).toBe(scheme.unitOrganCodes.jyj);
    expect(organCodeFor(scheme, 'mzj')).toBe(scheme.defaultOrganCode);
    expect(organCodeFor(scheme, null)).toBe(scheme.defaultOrganCode);
  });
});

describe('有效性 rules', () => {
  it('accepts a valid document with or without its effective date, and ended ones with their end date', () => {
    expect(validityProblems({ state: 'valid', effectiveFrom: '2026-12-01' })).toEqual([]);
    expect(validityProblems({ state: 'valid' })).toEqual([]);
    expect(validityProblems({ state: 'expired', effectiveFrom: '2024-01-01', endedAt: '2026-12-01' })).toEqual([]);
    expect(validityProblems({ state: 'repealed', endedAt: '2026-12-01' })).toEqual([]);
  });

  it.each([
    [{ state: 'void' }, 'state', /expected one of valid, expired, repealed/],
    [{ state: 'expired' }, 'endedAt', /^an expired document needs the date it expired/],
    [{ state: 'repealed', endedAt: null }, 'endedAt', /^a repealed document needs the date it was repealed/],
    [{ state: 'valid', endedAt: '2026-12-01' }, 'endedAt', /a valid document has no end date/],
    [{ state: 'expired', effectiveFrom: '2026-12-01', endedAt: '2026-01-01' }, 'endedAt', /before the effective date 2026-12-01/],
    [{ state: 'valid', effectiveFrom: '2026-02-30' }, 'effectiveFrom', /not a date written YYYY-MM-DD/],
    [{ state: 'valid', effectiveFrom: '2026/12/01' }, 'effectiveFrom', /not a date/],
    [{ state: 'valid', since: '2026-12-01' }, 'since', /unknown field/],
    [{ state: 'expired', endedAt: '9999-12-31' }, 'endedAt', /not a plausible date for a document \(years 1949 to 2099\)/],
    [{ state: 'valid', effectiveFrom: '1800-01-01' }, 'effectiveFrom', /not a plausible date/],
  ])('refuses %j at %s', (value, field, message) => {
    const problems = validityProblems(value);
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems.find((p) => p.field === field)!.message).toMatch(message);
    expect(problems.find((p) => p.field === field)!.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('may be changed for a published normative document only (422 not_normative, 409 validity_not_published)', () => {
    expect(canChangeValidity({ status: 'released', normative: true, everReleased: true })).toBeNull();
    expect(canChangeValidity({ status: 'releasing', normative: true, everReleased: true })).toBeNull();
    expect(canChangeValidity({ status: 'released', normative: false, everReleased: true })?.code).toBe('not_normative');
    for (const status of ['draft', 'in_review', 'approved', 'scheduled', 'retracting', 'retracted'] as const) {
      expect(canChangeValidity({ status, normative: true, everReleased: status.startsWith('retract') })?.code).toBe('validity_not_published');
    }
  });

  it('is 有效 for a normative document written without one, the command’s value over the written one, none for others', () => {
    expect(effectiveValidity(true, null, { document: {} })).toEqual({ state: 'valid', effectiveFrom: null, endedAt: null });
    const written = { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null };
    expect(effectiveValidity(true, null, { document: { validity: written } })).toEqual(written);
    const changed = { state: 'repealed', effectiveFrom: '2026-12-01', endedAt: '2027-03-01' };
    expect(effectiveValidity(true, JSON.stringify(changed), { document: { validity: written } })).toEqual(changed);
    expect(effectiveValidity(false, null, { document: { validity: written } })).toBeNull();
  });
});

describe('the package body: 主题分类, 主题词, 有效性', () => {
  it('keeps a topic of the taxonomy, keywords and a normative document’s validity (normalized)', () => {
    const topic = topicPaths(registry)[0]!;
    expect(topic).toBe('综合政务\\政务公开');
    const { content } = parsePackageInput(
      withDocument({ topic, keywords: [' 营商环境 ', '规范性文件'], validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null } }),
      registry,
    );
    expect(content.document).toMatchObject({
      topic,
      keywords: ['营商环境', '规范性文件'],
      validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
    });
    // Left out: nothing stored (the document is 有效 from its release; preflight asks for it).
    const { content: bare } = parsePackageInput(withDocument({}), registry);
    expect(bare.document).not.toHaveProperty('validity');
    expect(bare.document).not.toHaveProperty('topic');
  });

  it('names every wrong field by its path', () => {
    const issues = issuesOf(
      withDocument({
        topic: '综合政务\\不存在',
        keywords: ['营商环境', '营商环境', '', 'a'.repeat(21), '政务 公开', 7, ...Array.from({ length: 6 }, (_, i) => `词${i}`)],
        validity: { state: 'expired', effectiveFrom: '2026-12-01', endedAt: '2026-01-01' },
      }),
    );
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message);
    expect(at('document.topic')[0]).toMatch(/unknown topic "综合政务\\不存在": choose one of GET \/api\/topics/);
    expect(at('document.keywords')[0]).toMatch(/12 keywords; at most 10/);
    expect(at('document.keywords[1]')[0]).toMatch(/listed twice/);
    expect(at('document.keywords[2]')[0]).toMatch(/blank/);
    expect(at('document.keywords[3]')[0]).toMatch(/21 characters; a keyword has at most 20/);
    expect(at('document.keywords[4]')[0]).toMatch(/one term per entry/);
    expect(at('document.keywords[5]')[0]).toMatch(/expected a string/);
    expect(at('document.validity.endedAt')[0]).toMatch(/before the effective date/);
  });

  it('refuses a validity on a document that is not normative', () => {
    const issues = issuesOf(withDocument({ validity: { state: 'valid' } }, plainPolicyItem().id));
    expect(issues).toEqual([{ path: 'document.validity', message: expect.stringMatching(/is not a normative document \(行政规范性文件\)/) }]);
  });

  it('refuses control characters in the new fields by their path (domain/text.ts)', () => {
    const issues = issuesOf(withDocument({ keywords: ['营商\u0007环境'], topic: '综合政务\u0000' }));
    expect(issues.map((i) => i.path).sort()).toEqual(['document.keywords[0]', 'document.topic']);
  });
});

describe('the package body: captions and transcripts', () => {
  const video = (fields: Record<string, unknown>, form = 'video') => ({
    ...policyPackage(registry),
    interpretations: [{ form, title: '三分钟读懂若干措施', body: '<p>视频解读</p>', mediaId: 'a'.repeat(64), ...fields }],
  });

  it('keeps captions and a sanitized transcript on a video interpretation', () => {
    const { content } = parsePackageInput(
      video({ captionsMediaId: 'b'.repeat(64), transcript: '<p>各位市民朋友，大家好。</p><script>alert(1)</script>' }),
      registry,
    );
    expect(content.interpretations[0]).toMatchObject({ captionsMediaId: 'b'.repeat(64), transcript: '<p>各位市民朋友，大家好。</p>' });
  });

  it('refuses them on forms without sound or picture in time, and captions that are not an upload id', () => {
    const text = issuesOf(video({ captionsMediaId: 'b'.repeat(64), transcript: '<p>实录</p>' }, 'text'));
    // (a text interpretation carries no file either)
    expect(text.map((i) => i.path)).toEqual(['interpretations[0].mediaId', 'interpretations[0].captionsMediaId', 'interpretations[0].transcript']);
    const bad = issuesOf(video({ captionsMediaId: 'subtitles.vtt' }));
    expect(bad).toEqual([{ path: 'interpretations[0].captionsMediaId', message: expect.stringMatching(/uploaded WebVTT file/) }]);
  });
});

describe('the package body: what each interpretation form carries', () => {
  const interpretation = (fields: Record<string, unknown>) => ({
    ...policyPackage(registry),
    interpretations: [{ title: '政策解读', body: '<p>解读</p>', ...fields }],
  });

  it('a text interpretation is its text: a file or a link on it is refused, in English and Chinese, and nothing is kept', () => {
    expect(issuesOf(interpretation({ form: 'text', mediaId: 'a'.repeat(64), url: 'https://www.beilin.gov.cn/a.html' }))).toEqual([
      {
        path: 'interpretations[0].mediaId',
        message: expect.stringMatching(/^a text interpretation is its text and carries no file: put the picture in the body, or choose the form graphic/),
        messageZh: expect.stringMatching(/^文字解读只有文字，不带文件/),
      },
      {
        path: 'interpretations[0].url',
        message: expect.stringMatching(/^a text interpretation is its text and carries no link: write the link into the body, or choose the form h5/),
        messageZh: expect.stringMatching(/^文字解读只有文字，不带链接/),
      },
    ]);
  });

  it('an H5 interpretation is its page: a file on it is refused; the other forms carry a file and a link', () => {
    expect(issuesOf(interpretation({ form: 'h5', url: 'https://www.beilin.gov.cn/h5/', mediaId: 'a'.repeat(64) }))).toEqual([
      {
        path: 'interpretations[0].mediaId',
        message: expect.stringMatching(/^an H5 interpretation is its page \(url\) and carries no file/),
        messageZh: expect.any(String),
      },
    ]);
    for (const form of ['graphic', 'cartoon', 'video', 'audio', 'leader_interview']) {
      const { content } = parsePackageInput(
        interpretation({ form, mediaId: 'a'.repeat(64), url: 'https://www.beilin.gov.cn/jd/1.html', interpreter: '区住建局局长' }),
        registry,
      );
      expect(content.interpretations[0], form).toMatchObject({ form, mediaId: 'a'.repeat(64), url: 'https://www.beilin.gov.cn/jd/1.html' });
    }
    expect(parsePackageInput(interpretation({ form: 'text' }), registry).content.interpretations[0]).toEqual({
      form: 'text',
      title: '政策解读',
      body: '<p>解读</p>',
    });
  });
});

describe('the package body: a portal column with sub-columns is no target', () => {
  it('is refused naming its sub-columns, in English and Chinese; a sub-column is taken', () => {
    const subs = registry.portal.columns.filter((c) => c.parentId === 'xwdt');
    expect(subs.length).toBeGreaterThan(1);
    const [issue] = issuesOf({ ...policyPackage(registry), targets: ['weibo:blfb-wb', 'portal:xwdt'] });
    expect(issue).toEqual({
      path: 'targets[1]',
      message: expect.stringContaining(
        `portal column "xwdt" (新闻动态) has sub-columns: its page lists theirs, and an item goes into one of them: portal:${subs[0]!.id} (${subs[0]!.name})`,
      ),
      messageZh: expect.stringContaining(`门户网站栏目“新闻动态”（xwdt）下设子栏目`),
    });
    // A column with many sub-columns names five and counts the rest.
    const many = registry.portal.columns.filter((c) => registry.portal.columns.filter((s) => s.parentId === c.id).length > 5)[0]!;
    const count = registry.portal.columns.filter((s) => s.parentId === many.id).length;
    expect(issuesOf({ ...policyPackage(registry), targets: [`portal:${many.id}`] })[0]!.message).toMatch(
      new RegExp(`and ${count - 5} more \\(see GET /api/channels\\)$`),
    );
    expect(parsePackageInput({ ...policyPackage(registry), targets: [`portal:${subs[0]!.id}`] }, registry).content.targets).toEqual([`portal:${subs[0]!.id}`]);
  });
});

describe('the package body: a field of the wrong type is named as such', () => {
  it('a document with one wrong field is that field, not a missing document (三同步)', () => {
    const base = policyPackage(registry);
    for (const field of [{ body: 12 }, { title: ['标题'] }]) {
      const issues = issuesOf({ ...base, document: { ...base.document, ...field } });
      expect(issues, JSON.stringify(field)).toEqual([{ path: `document.${Object.keys(field)[0]}`, message: expect.stringMatching(/^expected a string/) }]);
    }
    // Left out, it is the missing document the interpretation needs.
    expect(issuesOf({ ...base, document: undefined })).toEqual([{ path: 'document', message: expect.stringMatching(/cannot exist without its document/) }]);
  });

  it('targets given as one string say an array is expected, not that they are missing', () => {
    expect(issuesOf({ ...policyPackage(registry), targets: 'weibo:blfb-wb' })).toEqual([
      { path: 'targets', message: 'expected an array of channel ids (GET /api/channels)' },
    ]);
    expect(issuesOf({ ...policyPackage(registry), targets: undefined })).toEqual([
      { path: 'targets', message: 'required: an array of channel ids (GET /api/channels)' },
    ]);
  });
});

describe('topics.yaml and index-numbers.yaml', () => {
  async function problems(edits: FixtureEdits): Promise<string[]> {
    const dir = writeFixture(edits);
    dirs.push(dir);
    const error = await loadRegistry(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim().replace(`${dir}/`, ''));
  }

  it('load from the real registry: 17 categories, the scheme, the normative items', () => {
    expect(registry.topics).toHaveLength(17);
    expect(topicPaths(registry)).toContain('国民经济管理、国有资产监管\\发展规划');
    expect(registry.indexNumbers).toMatchObject({ defaultOrganCode: expect.stringMatching(/^[0-9A-Z]{18}$/), serialWidth: 5 });
    expect(registry.catalogue.filter((i) => i.normative).map((i) => i.name)).toEqual(['区政府行政规范性文件', '部门行政规范性文件']);
  });

  it('report a duplicate category, a topic listed twice and a name with the separator, each with file:line', async () => {
    const found = await problems({
      lines: { 'topics.yaml': { 3: '    children: [政务公开, 政务公开]', 4: '  - name: 综合政务', 5: '    children: [科技\\教育]' } },
    });
    expect(found).toEqual([
      'topics.yaml:3: topics[0].children[1]: "政务公开" is listed twice (first at line 3)',
      'topics.yaml:4: topics[1].name: duplicate category "综合政务" (first at line 2)',
      'topics.yaml:5: topics[1].children[0]: must be a name of at most 40 characters without "\\" or "/", got "科技\\教育"',
    ]);
  });

  it('report a bad organ code, an unquoted numeric code, an unknown unit and a serial width out of range, each with file:line', async () => {
    const found = await problems({
      lines: { 'index-numbers.yaml': { 1: 'defaultOrganCode: 1161-0103', 2: 'serialWidth: 12', 4: '  wlj: 000014349\n  jyj: 000014350' } },
    });
    expect(found[0]).toMatch(/^index-numbers\.yaml:1: defaultOrganCode: must be an organ code: 9 \(组织机构代码\) or 18 \(统一社会信用代码\)/);
    expect(found[1]).toMatch(/^index-numbers\.yaml:2: serialWidth: expected a whole number from 3 to 8 .*got number 12/);
    expect(found[2]).toMatch(/^index-numbers\.yaml:4: units\.wlj: expected text, got number 14349 \(put it in quotes\)/);
    expect(found[3]).toMatch(/^index-numbers\.yaml:5: units\.jyj: unknown key \(allowed: zfb, wlj, rsj, rmtzx\)/);
  });

  it('refuse normative: true on an item that is not a policy document', async () => {
    const found = await problems({ lines: { 'catalogue.yaml': { 16: '    contentClass: news', 17: '    normative: true' } } });
    expect(found).toEqual([
      'catalogue.yaml:17: items[0].normative: only a policy item (contentClass: policy) can be normative (行政规范性文件); this one is news',
    ]);
  });
});

describe("a file's id in the short form lists show", () => {
  it('is refused where a file is named (cover, interpretation, captions, attachment), saying it is the short form and where the full id is', () => {
    const short = 'd5b81abcb558';
    const base = policyPackage(registry, { catalogueItem: plainPolicyItem().id });
    const body = {
      ...base,
      cover: { mediaId: short, alt: '封面' },
      document: { ...(base.document as object), attachments: [{ name: '附件', mediaId: short }] },
      interpretations: [{ form: 'video', title: '视频解读', mediaId: short, captionsMediaId: short }],
    };
    const said = new Map(issuesOf(body).map((i) => [i.path, i.message]));
    const expected = `"${short}" is the short form of a file's id (as govpub media list shows it): write the full 64-character id, which govpub media add prints and govpub media status ${short} shows`;
    for (const path of ['cover.mediaId', 'document.attachments[0].mediaId', 'interpretations[0].mediaId', 'interpretations[0].captionsMediaId'])
      expect(said.get(path), path).toBe(expected);
    // Not hex, or the full length: not taken for a short id.
    const other = issuesOf({ ...base, cover: { mediaId: 'cover.jpg', alt: '封面' } });
    expect(other.find((i) => i.path === 'cover.mediaId')?.message).toBe('expected the id of an uploaded image (64 hex characters, from POST /api/media)');
  });
});
