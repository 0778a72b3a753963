// What a manual hand-off delivery carries (the payload snapshot) and what each manual platform's kit provides.
import type { PlatformsWhere } from '../declarations.js';
import type { Channel } from '../../domain/registry.js';
import type { Formatted, ReleaseUnit, RenditionFile } from '../types.js';

/** Platforms without a public publishing API, as their declarations say. */
export type ManualPlatform = PlatformsWhere<{ publishing: 'manual' }>;

export interface HandoffFile {
  /** Name in the bundle without extension (it follows the rendition's format): `封面`, `图片01`, `视频1`. */
  name: string;
  mediaId: string;
  spec: string;
  /** What the operator does with it, in Chinese: 文章封面, 正文图片, 视频, 视频封面. */
  purpose: string;
}

export interface ManualHandoffPayload {
  platform: ManualPlatform;
  platformName: string;
  channelId: string;
  /** The account to post from (the channel's name) and its owner unit. */
  account: string;
  ownerUnit: string | null;
  packageId: string;
  revision: number;
  /** Toutiao: an article (文章); WeChat Channels: a video (视频); Xiaohongshu: a note (笔记) of pictures or one video. */
  postKind: 'article' | 'video' | 'note';
  /** Toutiao: the article title; Xiaohongshu: the note's title (optional there). */
  title: string | null;
  /** Toutiao: the article body as HTML; pictures and videos are 【插入…】 markers. */
  bodyHtml: string | null;
  /** Toutiao: the same body as plain text. */
  bodyText: string | null;
  /** WeChat Channels: the description (描述); Xiaohongshu: the note's text (正文). */
  description: string | null;
  /** WeChat Channels: the optional short title (短标题). */
  shortTitle: string | null;
  /** The package's portal pages ("read the full text"), already in the texts. */
  links: { label: string; url: string }[];
  files: HandoffFile[];
  limits: Record<string, number | string>;
}

/** The payload fields every manual platform fills the same way (adapters/manual-handoff/adapter.ts). */
export type HandoffBase = Omit<ManualHandoffPayload, 'postKind' | 'title' | 'bodyHtml' | 'bodyText' | 'description' | 'shortTitle' | 'files'>;

/** A prepared rendition of the bundle with its file name. */
export interface BundledMedia {
  file: HandoffFile;
  rendition: RenditionFile;
  fileName: string;
}

/**
 * One manual platform's part of the hand-off: its pure format step, and the texts and instructions
 * of its bundle. The shared part (transmit, writing the bundle) lives in adapters/manual-handoff/;
 * what a post's URL looks like is the declaration's `posts` (adapters/post-links.ts).
 */

export interface HandoffKit<Limits extends object> {
  /** The limits shown by /api/channels and in the payload (ranges as "5–30"). */
  shownLimits(limits: Limits): Record<string, number | string>;
  /** Pure: throws `rejectedContent(...)` listing every limit the unit breaks. */
  format(unit: ReleaseUnit, channel: Channel, run: { limits: Limits; base: HandoffBase }): Formatted<ManualHandoffPayload>;
  /** The bundle's text files after 说明.txt: [file name, content, what it is (for the file list)]. */
  texts(payload: ManualHandoffPayload, withExtensions: (s: string) => string): { name: string; content: string; what: string }[];
  /** 说明.txt: the steps, in Chinese. */
  instructions(payload: ManualHandoffPayload, media: BundledMedia[], deliveryId: string | undefined): string;
}
