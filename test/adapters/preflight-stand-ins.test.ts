/** The channel preflight of a body with invalid fields, pure: stand-ins for the invalid fields, and nothing said about them. */
import { beforeAll, describe, expect, it } from 'vitest';
import { preflight, type PreflightContent, type PreflightResult } from '../../adapters/preflight/preflight.js';
import type { Problem } from '../../adapters/preflight/problems.js';
import { STAND_INS, standInBody, withoutStandIns } from '../../adapters/preflight/stand-ins.js';
import { loadRegistry } from '../../config/registry.js';
import type { Registry } from '../../domain/registry.js';
import { packageInputIssues, parsePackageInput, type FieldIssue } from '../../services/package-input.js';
import { formatStepsFor } from '../../services/preflight.js';

const PORTAL = 'https://www.beilin.gov.cn/portal';
let registry: Registry;
let formatFor: ReturnType<typeof formatStepsFor>;

beforeAll(async () => {
  registry = await loadRegistry();
  formatFor = formatStepsFor(registry, PORTAL);
});

const account = (platform: string) => `${platform}:${registry.accounts.find((a) => a.platform === platform)!.id}`;
const item = () => registry.catalogue.find((i) => i.requiresInterpretation)!;

function body(overrides: Record<string, unknown> = {}, document: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: '关于进一步优化营商环境的若干措施',
    catalogueItem: item().id,
    document: {
      title: '碑林区人民政府关于进一步优化营商环境的若干措施',
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，制定以下措施。</p>',
      issuingUnit: '碑林区人民政府',
      ...document,
    },
    interpretations: [{ form: 'text', title: '《若干措施》政策解读', body: '<p>一、出台背景。</p>' }],
    targets: [`portal:${item().portalColumnId}`, account('wechat_oa'), account('douyin')],
    ...overrides,
  };
}

const issuesOf = (candidate: unknown): FieldIssue[] => packageInputIssues(candidate, registry);

/** As services/preflight.ts forBody: the stand-in copy checked, the problems about stand-ins dropped. */
function check(raw: unknown): { issues: FieldIssue[]; revealed: FieldIssue[]; result: PreflightResult } | null {
  const issues = issuesOf(raw);
  expect(issues.length).toBeGreaterThan(0);
  const standIns = standInBody(raw, issues, issuesOf);
  if (!standIns) return null;
  const content = parsePackageInput(standIns.body, registry).content as PreflightContent;
  const result = preflight({ content, packageId: null, revision: null, contentHash: null, registry, media: {}, portalBaseUrl: PORTAL, formatFor });
  return { issues, revealed: standIns.revealed as FieldIssue[], result: withoutStandIns(result, standIns) };
}

const everyProblem = (r: PreflightResult): Problem[] => [
  ...r.package.blocking,
  ...r.package.warnings,
  ...r.channels.flatMap((c) => [...c.blocking, ...c.warnings]),
];
const codes = (r: PreflightResult, channelId: string) => r.channels.find((c) => c.channelId === channelId)!.blocking.map((p) => p.code);

describe('standInBody and withoutStandIns', () => {
  it('an invalid 发文单位: the channels are still checked, Douyin needs a video and WeChat a cover, nothing is said of the unit', () => {
    const checked = check(body({}, { issuingUnit: '碑'.repeat(101) }))!;
    expect(checked.issues.map((i) => i.path)).toEqual(['document.issuingUnit']);
    expect(codes(checked.result, account('douyin'))).toEqual(['video_required']);
    expect(codes(checked.result, account('wechat_oa'))).toEqual(['cover_required']);
    expect(everyProblem(checked.result).filter((p) => p.field.startsWith('/document/issuingUnit'))).toEqual([]);
    // Invalid is never ok, and no preview shows a stand-in.
    expect(checked.result.ok).toBe(false);
    expect(checked.result.channels.every((c) => c.preview === null)).toBe(true);
  });

  it('a document title too long for anything: no WeChat title problem about the stand-in, the cover still asked for', () => {
    const checked = check(body({ cover: undefined }, { title: '碑'.repeat(201) }))!;
    expect(everyProblem(checked.result).filter((p) => p.field === '/document/title')).toEqual([]);
    expect(codes(checked.result, account('wechat_oa'))).toEqual(['cover_required']);
  });

  it('a control character in an interpretation title: stood in for, and a field it hid (a document number written wrong) is revealed', () => {
    const raw = body({ interpretations: [{ form: 'text', title: '政策\u0007解读', body: '<p>解读。</p>' }] }, { documentNumber: '碑政发[2026]07号' });
    const checked = check(raw)!;
    // Control characters are reported alone; the document number shows up once the title is stood in for.
    expect(checked.issues.map((i) => i.path)).toEqual(['interpretations[0].title']);
    expect(checked.revealed).toEqual([expect.objectContaining({ path: 'document.documentNumber', message: expect.stringContaining('碑政发〔2026〕7号') })]);
    expect(codes(checked.result, account('douyin'))).toEqual(['video_required']);
    expect(
      everyProblem(checked.result).filter((p) => p.field.startsWith('/interpretations/0/title') || p.field.startsWith('/document/documentNumber')),
    ).toEqual([]);
  });

  it('an unknown target is left out and the others keep their own places (/targets/N as the editor sent them)', () => {
    // Another column items go into (one with sub-columns takes none).
    const other = registry.portal.columns.find(
      (c) => c.id !== item().portalColumnId && !item().portalColumnId.startsWith(c.id) && !registry.portal.columns.some((s) => s.parentId === c.id),
    )!;
    const checked = check(body({ targets: [account('wechat_oa'), 'weibo:no-such-account', `portal:${other.id}`] }))!;
    expect(checked.result.channels.map((c) => c.channelId)).toEqual([account('wechat_oa'), `portal:${other.id}`]);
    expect(checked.result.package.warnings).toContainEqual(expect.objectContaining({ code: 'portal_column_mismatch', field: '/targets/2' }));
  });

  it('an H5 interpretation without its link: the interpretation is stood in for as a whole, and nothing is said of the interpretations together', () => {
    const checked = check(body({ interpretations: [{ form: 'h5', title: 'H5 解读', body: '', url: 'ftp://x' }] }))!;
    expect(everyProblem(checked.result).filter((p) => p.field.startsWith('/interpretations'))).toEqual([]);
    expect(codes(checked.result, account('wechat_oa'))).toEqual(['cover_required']);
  });

  it('a body too broken to stand in for: null (the answer has its field issues alone)', () => {
    const broken = [
      body({ targets: [] }),
      body({ targets: ['weibo:no-such-account'] }),
      body({ catalogueItem: 'no-such-item' }),
      body({ document: undefined }),
    ];
    for (const raw of broken) expect(check(raw)).toBeNull();
    expect(standInBody('not an object', [{ path: '' }], issuesOf)).toBeNull();
  });

  it('stand-ins are values the package rules accept', () => {
    expect(
      issuesOf(body({ title: STAND_INS.title, interpretations: [STAND_INS.interpretation] }, { title: STAND_INS.documentTitle, body: STAND_INS.documentBody })),
    ).toEqual([]);
  });
});
