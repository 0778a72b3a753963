/**
 * The channel registry: where the district publishes (portal columns, government new-media
 * accounts, media-center columns), what it must publish (the disclosure catalogue, 公开目录) and
 * how content is reviewed before release (初审 → 复审 → 终审).
 *
 * Pure types and pure helpers only: no fs, no node imports, no clocks, no randomness. Temporal
 * workflow code imports this module, so everything here must be deterministic. The data lives in
 * `config/registry/*.yaml` and is loaded and validated by `config/registry.ts`; the platforms and
 * their lists come from the pure platform declarations (adapters/declarations.ts).
 */
import { PLATFORM_DECLARATIONS, platformsWhere, type DeclaredPlatform, type PlatformsWhere } from '../adapters/declarations.js';
import type { ComplianceThresholds } from './compliance/thresholds.js';
import { GovpubError } from './errors.js';
import type { WorkdayOverrides } from './working-days.js';

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/** Every platform, in the order of the declarations index (adapters/declarations.ts). */
export const PLATFORMS: readonly Platform[] = PLATFORM_DECLARATIONS.map((d) => d.id);
export type Platform = DeclaredPlatform['id'];

/** Platforms a government new-media account (政务新媒体) can live on. */
export const ACCOUNT_PLATFORMS: readonly PlatformsWhere<{ channelKind: 'new_media_account' }>[] = platformsWhere(
  (d): d is Extract<DeclaredPlatform, { channelKind: 'new_media_account' }> => d.channelKind === 'new_media_account',
);

/**
 * Platforms without a public publishing API: a person posts a prepared bundle and records the
 * URL (manual hand-off). Accounts on these platforms must say `publishing: manual`.
 */
export const MANUAL_ONLY_PLATFORMS: readonly PlatformsWhere<{ publishing: 'manual' }>[] = platformsWhere(
  (d): d is Extract<DeclaredPlatform, { publishing: 'manual' }> => d.publishing === 'manual',
);

/** The two systems of the district media center (融媒体中心). */
export const MEDIA_CENTER_SYSTEMS: readonly MediaCenterSystem[] = platformsWhere(
  (d): d is Extract<DeclaredPlatform, { channelKind: 'media_center_column' }> => d.channelKind === 'media_center_column',
);
export type MediaCenterSystem = PlatformsWhere<{ channelKind: 'media_center_column' }>;

export const PUBLISHING_MODES = ['api', 'manual'] as const;
export type PublishingMode = (typeof PUBLISHING_MODES)[number];

/**
 * How inspectors judge a portal column's freshness (国办秘函〔2019〕19号 indicators):
 * `news_dynamic` — news/dynamic columns must update within 2 weeks;
 * `notice_policy` — notice/policy columns (first level) must update within 6 months;
 * `other` — no update rule (guides, static pages, link columns).
 */
export const UPDATE_CLASSES = ['news_dynamic', 'notice_policy', 'other'] as const;
export type UpdateClass = (typeof UPDATE_CLASSES)[number];

export const CONTENT_KINDS = ['graphic', 'video', 'short_video', 'promo'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

/** 公开属性: 主动公开 (proactive) or 依申请公开 (on request). */
export const DISCLOSURE_ATTRIBUTES = ['proactive', 'on_request'] as const;
export type DisclosureAttribute = (typeof DISCLOSURE_ATTRIBUTES)[number];

/**
 * Content classes used by the catalogue and by review configuration. The set is open: the
 * classes actually allowed are the keys of `review.classes` in the registry.
 */
export type ContentClass = 'policy' | 'interpretation' | 'news' | 'notice' | 'service' | 'other' | (string & {});

/** The content class whose items must say explicitly whether they need an interpretation (三同步). */
export const POLICY_CONTENT_CLASS = 'policy';

// ---------------------------------------------------------------------------------------------
// Registry types
// ---------------------------------------------------------------------------------------------

/** One column (栏目) of the district portal (区政府门户网站). */
export interface PortalColumn {
  /** ASCII slug, unique across the portal, e.g. `zwgk-zcwj-qzfwj`. */
  id: string;
  name: string;
  /** `null` for a top-level column. */
  parentId: string | null;
  updateClass: UpdateClass;
  /** True for the 17 key-area columns (重点领域) themselves; their sub-columns are ordinary. */
  keyArea: boolean;
  /** Ancestor names and own name, e.g. ['政府信息公开', '法定主动公开内容', '政策文件', '区政府文件']. */
  path: string[];
}

/** A reference to a secret supplied from the environment or a secrets file; never the value. */
export interface SecretRef {
  secret: string;
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as { secret?: unknown }).secret === 'string' && Object.keys(value).length === 1;
}

/** A government new-media account (政务新媒体账号). */
export interface NewMediaAccount {
  /** ASCII slug, unique across all accounts (whatever the platform), e.g. `blwhly`. */
  id: string;
  name: string;
  platform: Platform;
  /** 主办单位, e.g. 区文化和旅游体育局. */
  ownerUnit: string;
  publishing: PublishingMode;
  /** Literal non-secret ids (e.g. a WeChat appId) or references to secrets by name. */
  credentials: Record<string, SecretRef | string>;
}

/** A column of the media center on the city news site (西安网碑林频道) or in its app (融媒客户端). */
export interface MediaCenterColumn {
  /** ASCII slug, unique within its system. */
  id: string;
  name: string;
  system: MediaCenterSystem;
  contentKinds: ContentKind[];
}

/** One item of the standard disclosure catalogue (公开目录) with the speech's 13 elements. */
export interface CatalogueItem {
  id: string;
  /** 1 公开事项类别 */
  category: string;
  /** 2 公开事项名称 */
  name: string;
  /** 3 公开内容 */
  content: string;
  /** 4 公开依据 */
  basis: string;
  /** 5 公开主体 */
  subject: string;
  /** 6 责任部门 */
  responsibleDepartment: string;
  /** 7 责任科室 */
  responsibleSection: string;
  /** 8 公开时限 */
  timeLimit: string;
  /** 9 公开对象 */
  audience: string;
  /** 10 公开渠道 */
  channels: string[];
  /** 11 公开方式 */
  method: string;
  /** 12 公开属性 */
  attribute: DisclosureAttribute;
  /** 13 网站对应栏目 */
  portalColumnId: string;
  /** Selects the review stages (a key of `review.classes`). */
  contentClass: ContentClass;
  /** Policy documents needing interpretation are released as one package with it (三同步). */
  requiresInterpretation: boolean;
  /**
   * 行政规范性文件: its documents carry 有效性 (valid / expired / repealed, with dates), changed
   * later by its own command. Only policy items may say so (catalogue.yaml `normative: true`).
   */
  normative: boolean;
}

/** One first-level 主题分类 with its second-level topics (config/registry/topics.yaml). */
export interface TopicCategory {
  /** e.g. 综合政务 */
  name: string;
  /** e.g. [政务公开, 应急管理, …] */
  children: string[];
}

/** The separator of a topic path, as the State Council pages show it: 综合政务\政务公开. */
export const TOPIC_SEPARATOR = '\\';

/**
 * The 索引号 scheme (config/registry/index-numbers.yaml): `<organCode>/<year>-<serial>`, the
 * organ code of the package's unit (or the default), the China-time year of its first release and
 * a serial per organ and year, zero-padded to `serialWidth` digits (domain/index-number.ts).
 */
export interface IndexNumberScheme {
  /** 组织机构代码 (9) or 统一社会信用代码 (18), upper-case letters and digits. */
  defaultOrganCode: string;
  /** Unit id (units.yaml) → its own organ code. */
  unitOrganCodes: Record<string, string>;
  serialWidth: number;
}

export type ReviewStageId = 'first' | 'second' | 'final' | (string & {});

export interface ReviewStage {
  id: ReviewStageId;
  /** 初审 / 复审 / 终审 */
  name: '初审' | '复审' | '终审' | (string & {});
  description: string;
  /** User roles that may act (approve or reject) at this stage. */
  roles: string[];
}

export interface ReviewConfig {
  /** All stages, in the order they run. */
  stages: ReviewStage[];
  /** Content class → ordered stage ids. */
  classes: Record<string, string[]>;
}

/**
 * An owner unit (主办单位 / 维护单位): the accounts it runs (by name, in accounts.yaml), the portal
 * columns it maintains (a column id covers its whole subtree) and whether it runs the media center.
 */
export interface Unit {
  /** ASCII slug, e.g. `jyj`. */
  id: string;
  /** As the accounts name it, e.g. 区教育局. */
  name: string;
  portalColumns: string[];
  mediaCenter: boolean;
}

export interface Registry {
  portal: { columns: PortalColumn[] };
  accounts: NewMediaAccount[];
  mediaCenter: { columns: MediaCenterColumn[] };
  catalogue: CatalogueItem[];
  review: ReviewConfig;
  /** Owner units (config/registry/units.yaml). */
  units: Unit[];
  /** 主题分类 (config/registry/topics.yaml). */
  topics: TopicCategory[];
  /** 索引号 (config/registry/index-numbers.yaml). */
  indexNumbers: IndexNumberScheme;
  /** The compliance monitor's thresholds (config/registry/compliance.yaml). */
  compliance: ComplianceThresholds;
  /** District-specific days off and working days over the official calendar (config/registry/workdays.yaml). */
  workdays: WorkdayOverrides;
}

export type ChannelKind = 'portal_column' | 'new_media_account' | 'media_center_column';

/**
 * Anything one can publish to. Channel ids are `${platform}:${ref}`, e.g. `portal:zwgk-zcwj-gfxwj`,
 * `wechat_oa:blwhly`, `news_site:blxw`, `media_app:zwgk`.
 */
export interface Channel {
  id: string;
  platform: Platform;
  kind: ChannelKind;
  /** Account or column name; for a portal column its full path, e.g. `新闻动态 > 碑林要闻`. */
  name: string;
  /** The account's owner unit; unset for portal and media-center columns. */
  ownerUnit?: string;
  publishing: PublishingMode;
  /** Id of the portal column, account or media-center column. */
  ref: string;
  /** A portal column with sub-columns: its page lists theirs, and an item goes into one of them, never into it. */
  hasSubColumns?: true;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function channelId(platform: Platform, ref: string): string {
  return `${platform}:${ref}`;
}

/** Splits a channel id; `undefined` when it is not `${platform}:${ref}` with a known platform. */
export function parseChannelId(id: string): { platform: Platform; ref: string } | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1) return undefined;
  const platform = id.slice(0, colon);
  if (!(PLATFORMS as readonly string[]).includes(platform)) return undefined;
  return { platform: platform as Platform, ref: id.slice(colon + 1) };
}

/** A channel of any kind, its id made from its platform and ref; fields in the order the channel rows store them. */
function channelOf(
  platform: Platform,
  ref: string,
  kind: ChannelKind,
  name: string,
  publishing: PublishingMode,
  owner: Pick<Channel, 'ownerUnit'> = {},
): Channel {
  return { id: channelId(platform, ref), platform, kind, name, ...owner, publishing, ref };
}

function portalChannel(column: PortalColumn, hasSubColumns: boolean): Channel {
  const channel = channelOf('portal', column.id, 'portal_column', column.path.join(' > '), 'api');
  return hasSubColumns ? { ...channel, hasSubColumns: true } : channel;
}

/** The ids of the portal columns that have sub-columns (their pages list their children's items). */
export function parentColumnIds(columns: readonly Pick<PortalColumn, 'parentId'>[]): Set<string> {
  return new Set(columns.map((c) => c.parentId).filter((id): id is string => id !== null));
}

/** A portal column's sub-columns (its direct children), in registry order. */
export function subColumnsOf(registry: Registry, columnId: string): PortalColumn[] {
  return registry.portal.columns.filter((c) => c.parentId === columnId);
}

function accountChannel(account: NewMediaAccount): Channel {
  return channelOf(account.platform, account.id, 'new_media_account', account.name, account.publishing, { ownerUnit: account.ownerUnit });
}

function mediaCenterChannel(column: MediaCenterColumn): Channel {
  return channelOf(column.system, column.id, 'media_center_column', column.name, 'api');
}

/**
 * Every channel: all portal columns (tree order), then all accounts, then the media-center
 * columns (news site, then app), each in registry order. Deterministic.
 */
export function listChannels(registry: Registry): Channel[] {
  const parents = parentColumnIds(registry.portal.columns);
  return [
    ...registry.portal.columns.map((c) => portalChannel(c, parents.has(c.id))),
    ...registry.accounts.map(accountChannel),
    ...registry.mediaCenter.columns.map(mediaCenterChannel),
  ];
}

/** The channel with this id (`${platform}:${ref}`), or `undefined`. */
export function findChannel(registry: Registry, id: string): Channel | undefined {
  const parsed = parseChannelId(id);
  if (!parsed) return undefined;
  const { platform, ref } = parsed;
  const kind = PLATFORM_DECLARATIONS.find((d) => d.id === platform)?.channelKind;
  if (kind === 'portal_column') {
    const column = registry.portal.columns.find((c) => c.id === ref);
    return (
      column &&
      portalChannel(
        column,
        registry.portal.columns.some((c) => c.parentId === column.id),
      )
    );
  }
  if (kind === 'media_center_column') {
    const column = registry.mediaCenter.columns.find((c) => c.system === platform && c.id === ref);
    return column && mediaCenterChannel(column);
  }
  const account = registry.accounts.find((a) => a.platform === platform && a.id === ref);
  return account && accountChannel(account);
}

export function portalColumn(registry: Registry, id: string): PortalColumn | undefined {
  return registry.portal.columns.find((c) => c.id === id);
}

export function findAccount(registry: Registry, id: string): NewMediaAccount | undefined {
  return registry.accounts.find((a) => a.id === id);
}

export function catalogueItem(registry: Registry, id: string): CatalogueItem | undefined {
  return registry.catalogue.find((item) => item.id === id);
}

/** Every selectable topic as its path (综合政务\\政务公开), in registry order. */
export function topicPaths(registry: Pick<Registry, 'topics'>): string[] {
  return registry.topics.flatMap((c) => c.children.map((child) => `${c.name}${TOPIC_SEPARATOR}${child}`));
}

/**
 * The ordered review stages for a content class. Throws for an unknown class rather than
 * returning no stages: "no review" must never be the result of a typo.
 */
export function stagesFor(registry: Registry, contentClass: ContentClass): ReviewStage[] {
  const ids = Object.prototype.hasOwnProperty.call(registry.review.classes, contentClass) ? registry.review.classes[contentClass] : undefined;
  if (!ids) {
    const known = Object.keys(registry.review.classes).join(', ');
    throw new GovpubError(
      'unknown_content_class',
      `No review stages are configured for content class "${contentClass}" (configured: ${known}). ` +
        'Add it under "classes" in config/registry/review.yaml or use a configured class.',
      { contentClass },
    );
  }
  return ids.map((id) => {
    const stage = registry.review.stages.find((s) => s.id === id);
    if (!stage) {
      throw new GovpubError(
        'unknown_review_stage',
        `Content class "${contentClass}" names review stage "${id}", which is not defined in config/registry/review.yaml.`,
        { contentClass, stage: id },
      );
    }
    return stage;
  });
}
