// What a platform declaration says: the pure facts about one platform that the registry, the media specs, the adapters, the simulators and the preflight read.
/*
 * A declaration is data (plus one pure function that lists the platform's renditions through the
 * builders media/specs.ts hands it). It imports types only, so domain and workflow code may import
 * the declarations index (adapters/declarations.ts) without pulling in any I/O: eslint holds
 * declaration files to the same no-I/O rule as domain code.
 */
import type { InterpretationForm } from '../domain/package-rules.js';
import type { ChannelKind, PublishingMode } from '../domain/registry.js';
import type { RenditionSpec, SpecBuilders } from '../media/specs.js';

export interface PlatformDeclaration {
  /** The platform id used in channel ids (`wechat_oa:blfb`), rendition keys and configuration. */
  id: string;
  /** The name in English messages and rendition labels ("WeChat Official Accounts"). */
  name: string;
  /** The name operators know it by (微信公众号). */
  localName: string;
  /** Which registry list its channels come from: portal columns, new-media accounts or media-center columns. */
  channelKind: ChannelKind;
  /** `api`: govpub posts; `manual`: an operator posts a prepared bundle and confirms its URL. */
  publishing: PublishingMode;
  /** Can take a post down through its API; otherwise a retraction is a manual take-down task. */
  canDelete: boolean;
  /** Interpretation forms the platform can carry in a post (others are left out or linked to). */
  accepts: readonly InterpretationForm[];
  /** A post cannot go out without a cover picture. */
  coverRequired: boolean;
  /** `required`: a post is a video; `optional`: it may carry one; `none`: it carries none. */
  video: 'required' | 'optional' | 'none';
  /** The documented limits the format step enforces (characters, bytes, counts), shown by /api/channels. */
  limits: Readonly<Record<string, number | string>>;
  /** How links to the portal's full text appear in a post. */
  links: 'clickable' | 'plain_text' | 'none';
  /** The renditions media/specs.ts prepares for this platform, in the order they are listed. */
  renditions(spec: SpecBuilders): RenditionSpec[];
  /**
   * The names of the credentials an account (or, for the media center, platforms.yaml) gives for
   * this platform: the client id, its secret, and the token a re-authorization leaves, if any.
   */
  credentials?: { id: string; secret: string; token?: 'accessToken' | 'refreshToken' };
  /** A local simulator stands in for the platform; its port is the base port + this offset (fixed, so a new platform moves no other's port). */
  simulator?: { portOffset: number };
  /**
   * Its API reads the state of many posts in one request, so the status queries of every delivery
   * waiting in a process share one sweep (platforms.yaml `statusSweepSec`) on a task queue of their
   * own, outside the transmits' rate cap.
   */
  statusSweep?: boolean;
  /**
   * It pushes the results of its background publishing to govpub's API once the credential of this
   * name (platforms.yaml `credentials`, as `{ secret: NAME }`) is provided; then a delivery's first
   * status query waits for the push (platforms.yaml `pushWaitSec`) instead of polling at once.
   */
  pushCredential?: string;
  /**
   * What the address of a public post on the platform looks like, checked when an operator
   * confirms a post by hand (a manual hand-off, or a post the platform never confirmed). Absent:
   * nothing is known of its public site (the portal's is govpub's own; platforms.yaml `postHosts`
   * names one).
   */
  posts?: PostLinks;
}

/** Why a URL given for a post is not one: the operator's sentence in English and in Chinese (the console's). */
export interface PostUrlRefusal {
  message: string;
  messageZh: string;
}

/** The public addresses of a platform's posts (adapters/post-links.ts applies them). */
export interface PostLinks {
  /** Hosts (and their subdomains) its posts are on. */
  hosts: readonly string[];
  /** Hosts whose links the platform itself writes with http:// (Xiaohongshu's xhslink.com share links); elsewhere only https://. */
  httpHosts?: readonly string[];
  /** A post's address as the refusals show it ("https://www.toutiao.com/article/7…/"). */
  example: string;
  /**
   * The platform's own rule for a path on one of `hosts` (trailing slashes removed; `query` is the
   * search part): null when it is a post, else what is wrong, in English and Chinese. Pure.
   */
  checkPath(host: string, path: string, query: URLSearchParams): PostUrlRefusal | null;
}

/**
 * What the video platforms govpub posts to through an API (Douyin, Kuaishou, Bilibili) are: an
 * account whose post is one video, deletable through the API, whose text shows no clickable links.
 */
export const API_VIDEO_ACCOUNT = {
  channelKind: 'new_media_account',
  publishing: 'api',
  canDelete: true,
  accepts: ['video'],
  coverRequired: false,
  video: 'required',
  links: 'plain_text',
} as const satisfies Partial<PlatformDeclaration>;

/**
 * What every manual hand-off account is: no public publishing API, so an operator posts the
 * prepared bundle and confirms its URL, and a retraction is a manual take-down task.
 */
export const MANUAL_HANDOFF_ACCOUNT = {
  channelKind: 'new_media_account',
  publishing: 'manual',
  canDelete: false,
} as const satisfies Partial<PlatformDeclaration>;
