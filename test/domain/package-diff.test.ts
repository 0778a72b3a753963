/** The diff between two package bodies: paths, Chinese field names, kinds; targets as a set. */
import { describe, expect, it } from 'vitest';
import { PackageInput } from '../../api/schemas/packages.js';
import { diffPackageBodies, fieldLabel } from '../../domain/package-diff.js';

const base = {
  title: '关于进一步优化营商环境的若干措施',
  catalogueItem: 'zcwj-qzf',
  document: { title: '碑林区人民政府文件', body: '<p>第一条</p>', issuingUnit: '碑林区人民政府', attachments: [{ name: '附表一' }] },
  interpretations: [
    { form: 'text', title: '政策解读', body: '<p>一、背景</p>' },
    { form: 'video', title: '视频解读', body: '', mediaId: 'a'.repeat(64) },
  ],
  targets: ['portal:zwgk', 'wechat_oa:blfb', 'weibo:blfb-wb'],
  releaseAt: null,
};

describe('diffPackageBodies', () => {
  it('finds nothing between equal bodies, whatever the key order', () => {
    const { targets, ...rest } = base;
    const reordered = JSON.parse(JSON.stringify({ targets, ...rest }));
    expect(diffPackageBodies(base, reordered)).toEqual([]);
  });

  it('names changed fields in Chinese with their JSON pointer, HTML compared with its markup', () => {
    const after = structuredClone(base);
    after.title = '关于优化营商环境的措施';
    after.interpretations[1]!.body = '<p>三分钟看懂</p>';
    after.document.body = '<p>第一条（修订）</p>';
    const changes = diffPackageBodies(base, after);
    expect(changes).toEqual([
      { path: '/title', label: '标题', before: base.title, after: after.title, kind: 'changed' },
      { path: '/document/body', label: '文件正文', before: '<p>第一条</p>', after: '<p>第一条（修订）</p>', kind: 'changed' },
      { path: '/interpretations/1/body', label: '解读 2 正文', before: '', after: '<p>三分钟看懂</p>', kind: 'changed' },
    ]);
  });

  it('treats targets as a set: one channel added, one dropped, no shift', () => {
    const after = { ...base, targets: ['portal:zwgk', 'weibo:blfb-wb', 'douyin:blfb-dy'] };
    expect(diffPackageBodies(base, after)).toEqual([
      { path: '/targets/1', label: '发布渠道', before: 'wechat_oa:blfb', after: null, kind: 'removed' },
      { path: '/targets/2', label: '发布渠道', before: null, after: 'douyin:blfb-dy', kind: 'added' },
    ]);
  });

  it('reports a whole interpretation, cover or attachment added or removed, and optional fields', () => {
    const after = structuredClone(base) as typeof base & { cover?: { mediaId: string; alt: string } };
    after.interpretations.push({ form: 'audio', title: '音频解读', body: '<p>音频</p>' });
    after.cover = { mediaId: 'b'.repeat(64), alt: '封面图' };
    after.document.attachments = [];
    after.releaseAt = '2026-12-01T01:00:00.000Z' as never;
    const changes = diffPackageBodies(base, after);
    expect(changes.map((c) => [c.path, c.label, c.kind])).toEqual([
      ['/document/attachments/0', '附件 1', 'removed'],
      ['/interpretations/2', '解读 3', 'added'],
      ['/releaseAt', '发布时间', 'added'],
      ['/cover', '封面', 'added'],
    ]);
    expect(changes[1]!.after).toMatchObject({ form: 'audio' });
    const back = diffPackageBodies(after, base);
    expect(back.find((c) => c.path === '/cover')).toMatchObject({ kind: 'removed', before: after.cover, after: null });
  });

  it('labels nested fields', () => {
    expect(fieldLabel(['document', 'documentNumber'])).toBe('文号');
    expect(fieldLabel(['document', 'attachments', 2, 'url'])).toBe('附件 3 链接');
    expect(fieldLabel(['interpretations', 0, 'interpreter'])).toBe('解读 1 解读人');
    expect(fieldLabel(['cover', 'alt'])).toBe('封面说明文字');
  });
});

describe('fieldLabel covers every field a package body may hold', () => {
  // The API's schema is the list of fields: a field added there without a Chinese name here would
  // show in the reviewer's diff as `文件 topic`.
  const fields = (schema: unknown) => Object.keys((schema as { properties: Record<string, unknown> }).properties);
  const items = (schema: unknown) => (schema as { items: unknown }).items;
  const body = PackageInput as unknown as { properties: Record<string, unknown> };
  const document = body.properties.document;
  const interpretation = items(body.properties.interpretations);
  const attachment = items((document as { properties: Record<string, unknown> }).properties.attachments);
  const cases: (string | number)[][] = [
    ...fields(PackageInput).map((k) => [k]),
    ...fields(document).map((k) => ['document', k]),
    ...fields(interpretation).map((k) => ['interpretations', 0, k]),
    ...fields(attachment).map((k) => ['document', 'attachments', 0, k]),
    ...fields(body.properties.cover).map((k) => ['cover', k]),
  ];

  it.each(cases.map((keys) => [keys.join('.'), keys] as const))('%s has a Chinese name', (_, keys) => {
    expect(fieldLabel(keys)).not.toMatch(/[A-Za-z]/);
  });
});
