/**
 * A year of portal content made up directly as site changes (no media pipeline): packages spread
 * over the registry's columns (a few busy ones, a long tail), a third with interpretations, a
 * quarter with a cover, dates over a year. For the scale bench (bench/portal-scale.ts) and the
 * engine tests that need a site of some size quickly.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from '../../simulators/common/clock.js';
import { PORTAL_COVER_SPEC, type PortalPayload } from '../../adapters/portal/payload.js';
import type { PortalSite } from '../../adapters/portal/site.js';
import { mediaKey, type PackageSource, type SiteChange } from '../../adapters/portal/state.js';
import type { SiteIdentity, SiteStructure } from '../../adapters/portal/pages/model.js';
import { EMPTY_STRUCTURE, unconfiguredIdentity, type SiteSettings } from '../../adapters/portal/pages/settings.js';

/** Site settings for the fixture site (the identity says 未配置 where filing numbers would be). */
export function fixtureSettings(
  structure: SiteStructure | null,
  publicBaseUrl = 'https://www.beilin.gov.cn',
  identity: SiteIdentity = unconfiguredIdentity('西安市碑林区人民政府', new URL(publicBaseUrl).hostname),
): SiteSettings {
  return { siteName: identity.siteName, identity, structure: structure ?? EMPTY_STRUCTURE, publicBaseUrl, pageSize: 20, feedSize: 50, homeSize: 20 };
}

/** Deterministic pseudo-random numbers (the simulators' mulberry32), so two runs build the same site. */
export { seededRandom };

const PARAGRAPH =
  '为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能，结合本区实际，现就有关事项通知如下。各街道办事处、区政府各工作部门要高度重视，明确责任分工，细化工作措施，确保各项任务落到实处。';

export interface FixtureColumn {
  id: string;
  path: string[];
}

/** Leaf columns of the structure (where content is published), or made-up ones without a registry. */
export function fixtureColumns(structure: SiteStructure | null, count = 326): FixtureColumn[] {
  if (structure) return structure.columns.filter((c) => c.children.length === 0).map((c) => ({ id: c.id, path: c.path }));
  return Array.from({ length: count }, (_, i) => ({ id: `col-${i + 1}`, path: ['栏目', `栏目${i + 1}`] }));
}

export interface FixtureOptions {
  columns: FixtureColumn[];
  catalogueIds: string[];
  random: () => number;
  /** A staged cover file (media/<b>/<sha>.jpg) to reference, or null for none. */
  cover: (n: number) => Promise<PackageSource['media'][string] | null>;
}

/** Package n of the fixture year: its changes (one column, some two). */
export async function fixturePackage(n: number, options: FixtureOptions, packageId = `pkg-${String(n).padStart(6, '0')}`): Promise<SiteChange[]> {
  const { random, columns } = options;
  // A few busy columns and a long tail: the square of a uniform number favours the first columns.
  const column = columns[Math.floor(random() ** 2 * columns.length)]!;
  const releasedAt = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400_000)).toISOString();
  const interpretationCount = random() < 0.33 ? 1 + Math.floor(random() * 2) : 0;
  const coverMedia = random() < 0.25 ? await options.cover(n) : null;
  const coverId = coverMedia ? `cover-${n}` : null;
  const payload: PortalPayload = {
    version: 1,
    column: { id: column.id, path: column.path },
    packageId,
    revision: 1,
    contentHash: createHash('sha256').update(packageId).digest('hex'),
    releasedAt,
    summary: `第${n}号信息摘要：${PARAGRAPH.slice(0, 60)}`,
    catalogueName: '公开目录',
    catalogueId: options.catalogueIds.length ? options.catalogueIds[n % options.catalogueIds.length]! : '',
    document: {
      title: `关于做好第${n}项重点工作的通知`,
      bodyHtml: Array.from({ length: 8 + Math.floor(random() * 12) }, () => `<p>${PARAGRAPH}</p>`).join('\n'),
      documentNumber: `碑政发〔2025〕${n}号`,
      issuingUnit: '西安市碑林区人民政府',
      formedAt: releasedAt.slice(0, 10),
      indexNumber: `11610103MB0000000X/2025-${String(n).padStart(5, '0')}`,
      topic: '综合政务\\政务公开',
      keywords: ['政务公开', '通知'],
      validity: null,
      attachments: [],
    },
    interpretations: Array.from({ length: interpretationCount }, (_, i) => ({
      form: 'text',
      formLabel: '文字解读',
      title: `《关于做好第${n}项重点工作的通知》解读${i + 1}`,
      interpreter: null,
      bodyHtml: `<p>${PARAGRAPH}</p><p>${PARAGRAPH}</p>`,
      lead: null,
      link: null,
      captions: null,
      transcriptHtml: null,
    })),
    figures: [],
    cover: coverId ? { mediaId: coverId, alt: `第${n}号封面` } : null,
  };
  const media: PackageSource['media'] = {};
  if (coverId && coverMedia) media[mediaKey(coverId, PORTAL_COVER_SPEC)] = coverMedia;
  const source: PackageSource = { version: 1, payload, media };
  const changes: SiteChange[] = [{ kind: 'publish', columnId: column.id, columnPath: column.path, source }];
  if (random() < 0.1) {
    const second = columns[Math.floor(random() * columns.length)]!;
    if (second.id !== column.id)
      changes.push({ kind: 'publish', columnId: second.id, columnPath: second.path, source: { ...source, payload: { ...payload, column: second } } });
  }
  return changes;
}

/** Stages a small distinct JPEG-named file as package n's cover (the site only links it). */
export function fixtureCover(site: PortalSite, scratchDir: string): (n: number) => Promise<PackageSource['media'][string] | null> {
  return async (n) => {
    await mkdir(scratchDir, { recursive: true });
    const content = Buffer.alloc(2048, n % 251);
    content.write(`cover ${n}`);
    const file = path.join(scratchDir, `cover-${n}.jpg`);
    await writeFile(file, content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    return site.stage({
      mediaId: `cover-${n}`,
      spec: PORTAL_COVER_SPEC,
      path: file,
      mime: 'image/jpeg',
      sizeBytes: content.length,
      sha256,
      width: 640,
      height: 360,
    });
  };
}

/** Publishes packages [from, to) in batches (group commits), as a busy year would have. */
export async function fillSite(site: PortalSite, from: number, to: number, options: FixtureOptions, batchSize = 400): Promise<void> {
  for (let start = from; start < to; start += batchSize) {
    const changes: SiteChange[] = [];
    for (let n = start; n < Math.min(to, start + batchSize); n++) changes.push(...(await fixturePackage(n, options)));
    await Promise.all(changes.map((c) => site.submit(c)));
  }
}
