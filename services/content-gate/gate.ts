/**
 * The content gate over a package's content: its texts, its attachments' text and its external
 * links, each finding a GateMatch with its place and a masked excerpt. Part of preflight
 * (services/preflight.ts), so submit refuses on a blocking match.
 *
 * `network: false` (the preflight of an unsaved body, called as the editor types) checks links
 * only from the cache and by what the URL itself says; a stored revision's preflight and submit
 * check every link.
 */
import type { Kysely } from 'kysely';
import { findMedia } from '../../db/media.js';
import type { DB } from '../../db/schema.js';
import type { GateMatch } from '../../domain/content-gate/model.js';
import { packageAttachments, packageCaptions, packageLinks, packageTexts, type GateContent } from '../../domain/content-gate/package-texts.js';
import { findPersonalData, maskText } from '../../domain/content-gate/personal-data.js';
import { scanText } from '../../domain/content-gate/scan.js';
import type { MediaStore } from '../../media/store.js';
import { attachmentText } from './attachments.js';
import { LinkChecker, staticLinkProblem, type LinkVerdict } from './links.js';
import { WordingSource, type WordingList } from './wording-list.js';

export interface ContentGateDeps {
  db: Kysely<DB>;
  store: MediaStore;
  wording: WordingSource;
  links: LinkChecker;
}

/** A URL as it may be shown: personal data in it masked, at most 200 characters. */
function shownUrl(url: string): string {
  const masked = maskText(url, findPersonalData(url)).masked;
  return masked.length > 200 ? `${masked.slice(0, 199)}…` : masked;
}

export class ContentGate {
  constructor(readonly deps: ContentGateDeps) {}

  /** Personal data and wording in the texts and attachments (no network). */
  async scanContent(content: GateContent, list?: WordingList): Promise<GateMatch[]> {
    const wording = list ?? (await this.deps.wording.current());
    const out: GateMatch[] = [];
    for (const text of packageTexts(content)) out.push(...scanText(text, wording.matcher));
    const files = [
      ...packageAttachments(content).map((a) => ({ ...a, kind: 'document' })),
      ...packageCaptions(content).map((c) => ({ ...c, kind: 'captions' })),
    ];
    for (const attachment of files) {
      const row = await findMedia(this.deps.db, attachment.mediaId);
      // A missing upload is preflight's own problem; a picture or video attached has no text to read.
      if (!row || row.kind !== attachment.kind) continue;
      const format = (row.probe as { format?: string } | null)?.format ?? '';
      const read = await attachmentText(this.deps.store, attachment.mediaId, format);
      if (!read.readable) {
        out.push({
          code: 'attachment_unreadable',
          blocking: false,
          place: { field: attachment.field, within: attachment.name, offset: 0, line: 1 },
          excerpt: attachment.name,
          reason: read.reason,
          reasonEn: read.reasonEn,
        });
        continue;
      }
      for (const part of read.parts) {
        out.push(...scanText({ field: attachment.field, within: `${attachment.name} ${part.within}`, text: part.text }, wording.matcher));
      }
    }
    return out;
  }

  /** The external links' verdicts; with `network: false` only what is cached or clear without fetching. */
  async checkLinks(content: GateContent, options: { network: boolean }): Promise<GateMatch[]> {
    const links = packageLinks(content);
    const verdicts = await Promise.all(
      links.map(async (link): Promise<LinkVerdict | undefined> => {
        const clear = staticLinkProblem(link.url);
        if (clear) return clear;
        return options.network ? this.deps.links.check(link.url) : this.deps.links.cached(link.url);
      }),
    );
    const out: GateMatch[] = [];
    links.forEach((link, i) => {
      const v = verdicts[i];
      if (!v || v.state === 'alive') return;
      out.push({
        code: v.state === 'dead' ? 'link_dead' : 'link_refused',
        blocking: false,
        place: { field: link.field, offset: 0, line: 1 },
        excerpt: shownUrl(link.url),
        reason: v.reason,
        reasonEn: v.reasonEn,
      });
    });
    return out;
  }

  async check(content: GateContent, options: { network: boolean }): Promise<GateMatch[]> {
    const [scanned, links] = await Promise.all([this.scanContent(content), this.checkLinks(content, options)]);
    return [...scanned, ...links];
  }
}
