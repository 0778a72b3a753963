/**
 * A minimal valid registry for bad-input tests. Line numbers matter: tests assert them, so the
 * texts are written one line per array entry (line N is entry N-1).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type FixtureFile =
  | 'portal-columns.yaml'
  | 'accounts.yaml'
  | 'media-center.yaml'
  | 'catalogue.yaml'
  | 'review.yaml'
  | 'units.yaml'
  | 'topics.yaml'
  | 'index-numbers.yaml'
  | 'compliance.yaml'
  | 'workdays.yaml';

export const FIXTURE: Record<FixtureFile, string[]> = {
  'portal-columns.yaml': [
    'columns:', // 1
    '  - id: zwgk', // 2
    '    name: 政府信息公开', // 3
    '    updateClass: notice_policy', // 4
    '    children:', // 5
    '      - id: zwgk-zcwj', // 6
    '        name: 政策文件', // 7
    '        children:', // 8
    '          - { id: zwgk-zcwj-qzfwj, name: 区政府文件 }', // 9
    '  - id: zdly', // 10
    '    name: 重点领域信息公开', // 11
    '    parentId: zwgk', // 12
    '    updateClass: other', // 13
    '    children:', // 14
    '      - { id: zdly-czyjs, name: 财政预决算, updateClass: notice_policy, keyArea: true }', // 15
  ],
  'accounts.yaml': [
    'accounts:', // 1
    '  - id: blwhly', // 2
    '    name: 碑林文化旅游', // 3
    '    platform: wechat_oa', // 4
    '    ownerUnit: 区文化和旅游体育局', // 5
    '    publishing: api', // 6
    '    credentials:', // 7
    '      appId: wx00000000000b1f03', // 8
    '      appSecret: { secret: WECHAT_OA_BLWHLY_APP_SECRET }', // 9
    '  - id: blrs', // 10
    '    name: 碑林人社', // 11
    '    platform: wechat_oa', // 12
    '    ownerUnit: 区人力资源和社会保障局', // 13
    '    publishing: api', // 14
    '    credentials:', // 15
    '      appId: wx00000000000b1f04', // 16
    '      appSecret: { secret: WECHAT_OA_BLRS_APP_SECRET }', // 17
    '  - id: blfb-tt', // 18
    '    name: 碑林发布', // 19
    '    platform: toutiao', // 20
    '    ownerUnit: 区融媒体中心', // 21
    '    publishing: manual', // 22
  ],
  'media-center.yaml': [
    'news_site:', // 1
    '  columns:', // 2
    '    - { id: blxw, name: 碑林新闻, contentKinds: [graphic, video] }', // 3
    'media_app:', // 4
    '  columns:', // 5
    '    - { id: zwgk, name: 政务公开, contentKinds: [graphic] }', // 6
  ],
  'review.yaml': [
    'stages:', // 1
    '  - id: first', // 2
    '    name: 初审', // 3
    '    description: 承办科室负责人审核', // 4
    '    roles: [section_chief]', // 5
    '  - id: final', // 6
    '    name: 终审', // 7
    '    description: 单位主要负责人审定', // 8
    '    roles: [unit_head]', // 9
    'classes:', // 10
    '  policy: [first, final]', // 11
    '  news: [first]', // 12
  ],
  'catalogue.yaml': [
    'items:', // 1
    '  - id: qzf-wj', // 2
    '    category: 政策文件', // 3
    '    name: 区政府文件', // 4
    '    content: 区政府印发的政策性文件', // 5
    '    basis: 条例第二十条第一项', // 6
    '    subject: 西安市碑林区人民政府', // 7
    '    responsibleDepartment: 区政府办公室', // 8
    '    responsibleSection: 秘书科', // 9
    '    timeLimit: 自信息形成或变更之日起20个工作日内', // 10
    '    audience: 全社会', // 11
    '    channels: [政府网站, 政务新媒体]', // 12
    '    method: 全文公开', // 13
    '    attribute: proactive', // 14
    '    portalColumnId: zwgk-zcwj-qzfwj', // 15
    '    contentClass: policy', // 16
    '    requiresInterpretation: true', // 17
  ],
  'units.yaml': [
    'units:', // 1
    '  - { id: zfb, name: 区政府办公室 }', // 2
    '  - { id: wlj, name: 区文化和旅游体育局, portalColumns: [zwgk-zcwj] }', // 3
    '  - { id: rsj, name: 区人力资源和社会保障局 }', // 4
    '  - { id: rmtzx, name: 区融媒体中心, mediaCenter: true }', // 5
  ],
  'topics.yaml': [
    'topics:', // 1
    '  - name: 综合政务', // 2
    '    children: [政务公开, 应急管理]', // 3
    '  - name: 科技、教育', // 4
    '    children: [科技, 教育]', // 5
  ],
  'index-numbers.yaml': [
    'defaultOrganCode: 11610103MB2968XXXX', // 1
    'serialWidth: 5', // 2
    'units:', // 3
    '  wlj: "000014349"', // 4
  ],
  'compliance.yaml': [
    'accounts: { reminderDays: 10, failDays: 14 }', // 1
    'columns: { newsDynamicDays: 14, noticePolicyMonths: 6, longStaleMonths: 12 }', // 2
    'site:', // 3
    '  staleColumns: 5', // 4
    '  longStaleColumns: 10', // 5
    '  emptyColumns: 5', // 6
    '  homeStaleDays: 14', // 7
    '  unreachablePercent: 5', // 8
    '  probeTimeoutMs: 15000', // 9
    '  probeWindowDays: 7', // 10
    '  minProbes: 1', // 11
    'timing: { interpretationWorkingDays: 3, disclosureWorkingDays: 20, disclosureReminderWorkingDays: 5, lookbackDays: 366 }', // 12
  ],
  'workdays.yaml': [
    'daysOff:', // 1
    '  - { date: 2026-07-01, reason: 区级防汛停工 }', // 2
    'workingDays: []', // 3
    'extraYears: []', // 4
  ],
};

/** Edits to apply to the fixture: replace whole lines (1-based) or whole files. */
export interface FixtureEdits {
  lines?: Partial<Record<FixtureFile, Record<number, string | null>>>;
  files?: Partial<Record<FixtureFile, string | null>>;
}

export function fixtureText(file: FixtureFile, edits: FixtureEdits = {}): string | null {
  if (edits.files && file in edits.files) return edits.files[file] ?? null;
  const replaced = edits.lines?.[file] ?? {};
  const out: string[] = [];
  FIXTURE[file].forEach((line, i) => {
    const r = replaced[i + 1];
    if (r === null) return; // delete
    out.push(r ?? line);
  });
  return out.join('\n') + '\n';
}

/** Writes the fixture (with edits) into a fresh directory under `parent` (default: os.tmpdir()). */
export function writeFixture(edits: FixtureEdits = {}, parent = os.tmpdir()): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'govpub-registry-'));
  for (const file of Object.keys(FIXTURE) as FixtureFile[]) {
    const text = fixtureText(file, edits);
    if (text !== null) writeFileSync(path.join(dir, file), text);
  }
  return dir;
}
