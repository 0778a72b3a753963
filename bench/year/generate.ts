/**
 * A year of Beilin-like release packages over the real 2026 calendar, generated from the registry
 * (portal columns, accounts, media-center columns, the catalogue) and a seed: the same seed gives
 * the same year, package for package.
 *
 * The volumes are the issue's (≈ 8,200 portal items, 62 policy packages with their interpretations,
 * ≈ 2,800 media-center items). How they are made:
 *  - a policy package (三同步) is a policy document of an item that requires its interpretation, with
 *    a text interpretation, to its own portal column and the 文字解读 column (2 portal items), to
 *    WeChat 碑林发布 and Weibo, and to both media-center 政策解读 columns (2 items), with a cover;
 *  - every other package is one portal item of a catalogue item chosen by the catalogue's mix
 *    (weighted by content class: news dominates, then notices, other, services, plain policy);
 *    news packages also go to one news-site and one app column (until the media-center volume is
 *    reached), and a share of packages also to one WeChat/Weibo account;
 *  - packages going to an account or the media center carry a cover photo (the "media share"),
 *    and a few others carry one too; a photo is made per package (bench/year/media.ts).
 * Packages fall on working days (chinese-days' official calendar, as domain/working-days.ts uses
 * it), news also, more rarely, on weekends and holidays; within a day they keep their generated order.
 */
import type { CatalogueItem, Registry } from '../../domain/registry.js';
import { workingDayCalendar } from '../../config/working-calendar.js';
import { addDays } from '../../domain/working-days.js';
import { seededRandom } from '../../simulators/common/clock.js';

export const YEAR = 2026;

/** The issue's yearly volumes for Beilin. */
export const YEAR_VOLUMES = { portalItems: 8200, policyPackages: 62, mediaCenterItems: 2800 } as const;

/** Share of the ordinary packages by content class ("the catalogue's mix"). */
export const CLASS_MIX: Record<string, number> = { news: 0.4, notice: 0.3, other: 0.14, service: 0.1, policy: 0.06 };
/** Ordinary packages that also go to one WeChat/Weibo account. */
export const ACCOUNT_SHARE = 0.15;
/** Ordinary packages without account or media-center targets that still carry a photo. */
export const EXTRA_COVER_SHARE = 0.1;
/** A news item on a non-working day is this likely, relative to a working day. */
const OFF_DAY_NEWS_WEIGHT = 0.15;

/** The column policy interpretations go to besides the document's own (政策解读 > 文字解读). */
export const INTERPRETATION_COLUMN = 'zwgk-zcwj-zcjd-wz';
/** The accounts of a policy package (the district's main WeChat account and Weibo). */
export const POLICY_ACCOUNTS = ['wechat_oa:blfb', 'weibo:blfb-wb'];
export const POLICY_MEDIA_CENTER = ['news_site:zcjd', 'media_app:zcjd'];

export type PackageKind = 'policy' | 'ordinary';

export interface PlannedPackage {
  /** 1-based position in the year. */
  seq: number;
  /** China calendar date it is released on. */
  day: string;
  kind: PackageKind;
  catalogueItem: string;
  contentClass: string;
  title: string;
  /** Channel ids: portal columns, accounts, media-center columns. */
  targets: string[];
  /** Carries a cover photo (also put in its text). */
  cover: boolean;
  /** Text interpretations (policy packages: 1). */
  interpretations: number;
}

export interface YearPlan {
  seed: number;
  packages: PlannedPackage[];
}

// The simulators' seeded generator (mulberry32): the same seed gives the same year.
export { seededRandom };

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

const TOPICS = ['营商环境', '社区治理', '文明创建', '养老服务', '教育资源', '医疗卫生', '就业创业', '城市更新', '文化旅游', '安全生产', '生态环境', '便民服务'];
const NEWS_ACTIONS = ['召开专题推进会', '开展集中宣传活动', '组织志愿服务进社区', '举办成果展示活动', '推进重点项目建设', '开展督导检查'];
const NOTICE_ACTIONS = ['工作的通知', '公开招聘工作人员的公告', '项目公示', '征求意见的公告', '结果公示'];
const STREETS = ['张家村街道', '南院门街道', '柏树林街道', '长乐坊街道', '东关南街街道', '太乙路街道', '文艺路街道', '长安路街道'];

function titleFor(rnd: () => number, item: CatalogueItem, seq: number): string {
  const topic = pick(rnd, TOPICS);
  switch (item.contentClass) {
    case 'news':
      return `${pick(rnd, STREETS)}${topic}${pick(rnd, NEWS_ACTIONS)}（${seq}）`;
    case 'notice':
      return `关于${topic}${pick(rnd, NOTICE_ACTIONS)}（${seq}）`;
    case 'policy':
      return `关于进一步做好${topic}工作的实施意见（${seq}）`;
    default:
      return `碑林区${item.name.slice(0, 16)}${topic}（${seq}）`;
  }
}

/** The working days and the other days of the year, in calendar order. */
export function calendarDays(year = YEAR): { working: string[]; off: string[] } {
  const calendar = workingDayCalendar();
  const working: string[] = [];
  const off: string[] = [];
  for (let day = `${year}-01-01`; day.startsWith(String(year)); day = addDays(day, 1)) (calendar.isWorkingDay(day) ? working : off).push(day);
  return { working, off };
}

/** The whole year, deterministic for a seed, sorted by day. */
export function generateYear(registry: Registry, seed = 14): YearPlan {
  const rnd = seededRandom(seed);
  const { working, off } = calendarDays();
  const itemsByClass = new Map<string, CatalogueItem[]>();
  for (const item of registry.catalogue) {
    // Items whose documents must carry their interpretation only come as policy packages; normative
    // ones (行政规范性文件) would need 有效性 too, and are left to the policy packages' own items.
    if (item.requiresInterpretation || item.normative) continue;
    itemsByClass.set(item.contentClass, [...(itemsByClass.get(item.contentClass) ?? []), item]);
  }
  const classes = Object.keys(CLASS_MIX).filter((c) => itemsByClass.has(c));
  const weightSum = classes.reduce((s, c) => s + CLASS_MIX[c]!, 0);
  const policyItems = registry.catalogue.filter((i) => i.requiresInterpretation && !i.normative);
  if (policyItems.length === 0) throw new Error('the catalogue has no policy item requiring an interpretation (三同步)');
  const accounts = registry.accounts.filter((a) => a.platform === 'wechat_oa' || a.platform === 'weibo').map((a) => `${a.platform}:${a.id}`);
  const graphic = (system: string) =>
    registry.mediaCenter.columns.filter((c) => c.system === system && c.contentKinds.includes('graphic')).map((c) => `${c.system}:${c.id}`);
  const newsSite = graphic('news_site');
  const mediaApp = graphic('media_app');

  const packages: Omit<PlannedPackage, 'seq'>[] = [];
  // Policy packages, spread evenly over the working days.
  for (let i = 0; i < YEAR_VOLUMES.policyPackages; i++) {
    const item = pick(rnd, policyItems);
    const day = working[Math.floor(((i + rnd()) / YEAR_VOLUMES.policyPackages) * working.length)]!;
    packages.push({
      day,
      kind: 'policy',
      catalogueItem: item.id,
      contentClass: item.contentClass,
      title: '',
      targets: [`portal:${item.portalColumnId}`, `portal:${INTERPRETATION_COLUMN}`, ...POLICY_ACCOUNTS, ...POLICY_MEDIA_CENTER],
      cover: true,
      interpretations: 1,
    });
  }
  const policyPortal = YEAR_VOLUMES.policyPackages * 2;
  const ordinary = YEAR_VOLUMES.portalItems - policyPortal;
  let mediaCenterLeft = Math.round((YEAR_VOLUMES.mediaCenterItems - YEAR_VOLUMES.policyPackages * POLICY_MEDIA_CENTER.length) / 2);
  const newsCount = Math.round(ordinary * (CLASS_MIX.news! / weightSum));
  // Which news packages go to the media center: spread over the year (about mediaCenterLeft of newsCount).
  const mediaCenterShare = mediaCenterLeft / newsCount;
  for (let i = 0; i < ordinary; i++) {
    let r = rnd() * weightSum;
    const contentClass = classes.find((c) => (r -= CLASS_MIX[c]!) < 0) ?? classes[0]!;
    const item = pick(rnd, itemsByClass.get(contentClass)!);
    const news = contentClass === 'news';
    // Weekends and holidays: a little news, nothing else.
    const offDayShare = (off.length * OFF_DAY_NEWS_WEIGHT) / (working.length + off.length * OFF_DAY_NEWS_WEIGHT);
    const day = news && rnd() < offDayShare ? pick(rnd, off) : pick(rnd, working);
    const targets = [`portal:${item.portalColumnId}`];
    if (news && mediaCenterLeft > 0 && rnd() < mediaCenterShare * 1.02) {
      targets.push(pick(rnd, newsSite), pick(rnd, mediaApp));
      mediaCenterLeft -= 1;
    }
    // Half of the account posts go to the main account (碑林发布), the rest to any WeChat/Weibo account.
    if (rnd() < ACCOUNT_SHARE) targets.push(rnd() < 0.5 ? POLICY_ACCOUNTS[0]! : pick(rnd, accounts));
    const cover = targets.length > 1 || rnd() < EXTRA_COVER_SHARE;
    packages.push({ day, kind: 'ordinary', catalogueItem: item.id, contentClass, title: '', targets, cover, interpretations: 0 });
  }
  // Calendar order; a stable sort keeps a day's packages in their generated order.
  const sorted = packages.map((p, i) => ({ p, i })).sort((a, b) => (a.p.day < b.p.day ? -1 : a.p.day > b.p.day ? 1 : a.i - b.i));
  const itemOf = new Map(registry.catalogue.map((i) => [i.id, i]));
  return {
    seed,
    packages: sorted.map(({ p }, index) => ({ ...p, seq: index + 1, title: titleFor(rnd, itemOf.get(p.catalogueItem)!, index + 1) })),
  };
}

/**
 * `count` packages spread evenly over the year (every k-th, so the mix and the calendar are kept),
 * with at least one policy package when count ≥ 20.
 */
export function sampleYear(plan: YearPlan, count: number): PlannedPackage[] {
  const all = plan.packages;
  if (count >= all.length) return all;
  const chosen = Array.from({ length: count }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / count)]!);
  if (count >= 20 && !chosen.some((p) => p.kind === 'policy')) {
    const policy = all.find((p) => p.kind === 'policy')!;
    chosen[Math.floor(count / 2)] = policy;
    chosen.sort((a, b) => a.seq - b.seq);
  }
  return chosen;
}

/** The issue's reference load: one in ten a policy package to 6 accounts and 2 media-center columns; the rest one portal column and sometimes one account. */
export function issueLoad(registry: Registry, count = 100, seed = 14): PlannedPackage[] {
  const rnd = seededRandom(seed);
  const accounts = registry.accounts.filter((a) => a.platform === 'wechat_oa' || a.platform === 'weibo').map((a) => `${a.platform}:${a.id}`);
  const sixAccounts = [...POLICY_ACCOUNTS, ...accounts.filter((a) => !POLICY_ACCOUNTS.includes(a)).slice(0, 4)];
  const policyItem = registry.catalogue.find((i) => i.requiresInterpretation && !i.normative)!;
  const plainItems = registry.catalogue.filter((i) => !i.requiresInterpretation && !i.normative);
  const { working } = calendarDays();
  return Array.from({ length: count }, (_, i) => {
    const day = working[Math.floor((i / count) * working.length)]!;
    if (i % 10 === 0) {
      return {
        seq: i + 1,
        day,
        kind: 'policy' as const,
        catalogueItem: policyItem.id,
        contentClass: policyItem.contentClass,
        title: titleFor(rnd, policyItem, i + 1),
        targets: [`portal:${policyItem.portalColumnId}`, ...sixAccounts, ...POLICY_MEDIA_CENTER],
        cover: true,
        interpretations: 1,
      };
    }
    const item = pick(rnd, plainItems);
    const account = rnd() < 1 / 3 ? [pick(rnd, accounts)] : [];
    return {
      seq: i + 1,
      day,
      kind: 'ordinary' as const,
      catalogueItem: item.id,
      contentClass: item.contentClass,
      title: titleFor(rnd, item, i + 1),
      targets: [`portal:${item.portalColumnId}`, ...account],
      cover: account.length > 0,
      interpretations: 0,
    };
  });
}

/** What a plan adds up to: packages, deliveries per kind of channel, policy packages, covers. */
export function planVolumes(packages: readonly PlannedPackage[]) {
  const count = (prefix: string[]) => packages.reduce((n, p) => n + p.targets.filter((t) => prefix.some((x) => t.startsWith(x))).length, 0);
  return {
    packages: packages.length,
    policyPackages: packages.filter((p) => p.kind === 'policy').length,
    portalItems: count(['portal:']),
    mediaCenterItems: count(['news_site:', 'media_app:']),
    accountPosts: count(['wechat_oa:', 'weibo:']),
    deliveries: packages.reduce((n, p) => n + p.targets.length, 0),
    covers: packages.filter((p) => p.cover).length,
    days: new Set(packages.map((p) => p.day)).size,
  };
}

const ISSUING_UNIT = '碑林区人民政府';

/** The API body of a planned package (POST /api/packages); `coverId` is its uploaded photo when it has one. */
export function packageBody(p: PlannedPackage, coverId: string | null): Record<string, unknown> {
  const picture = coverId ? `<p><img src="/api/media/${coverId}/content" alt="${p.title.slice(0, 40)}现场图片"></p>` : '';
  const policyish = p.contentClass === 'policy';
  const seqInYear = p.seq;
  const document: Record<string, unknown> = {
    title: policyish ? `${ISSUING_UNIT}${p.title}` : p.title,
    body: `<p>${p.day.slice(5, 7)}月${Number(p.day.slice(8, 10))}日，碑林区围绕${p.title.slice(0, 20)}开展相关工作。</p>${picture}<p>下一步，将持续做好跟踪落实，及时公开工作进展。</p>`,
    ...(policyish ? { issuingUnit: ISSUING_UNIT, documentNumber: `碑政发〔${YEAR}〕${seqInYear}号`, formedAt: p.day } : { issuingUnit: '碑林区融媒体中心' }),
  };
  return {
    title: p.title,
    catalogueItem: p.catalogueItem,
    ...(coverId ? { cover: { mediaId: coverId, alt: `${p.title.slice(0, 40)}现场图片` } } : {}),
    document,
    interpretations: Array.from({ length: p.interpretations }, (_, k) => ({
      form: 'text',
      title: `《${p.title.slice(0, 40)}》政策解读${k ? k + 1 : ''}`,
      body: '<p>一、出台背景：为进一步落实相关决策部署。</p><p>二、主要内容：明确了工作目标、重点任务和保障措施。</p>',
    })),
    targets: p.targets,
  };
}
