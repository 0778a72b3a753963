/**
 * What the gate reads in a package's content: every text a reader sees (titles, bodies,
 * transcripts, the document's metadata, the pictures' alt text) with its JSON pointer, the
 * attachments to read, and the external links to check. Attachments' text is read by the
 * service (services/content-gate/attachments.ts) and scanned the same way.
 */
import type { GateText } from './scan.js';
import { htmlText, imageAlts, linkTargets } from './text.js';

/** The parts of a package's content the gate reads (stored content and parsed input both fit). */
export interface GateContent {
  title: string;
  document: {
    title: string;
    body: string;
    issuingUnit?: string;
    documentNumber?: string;
    attachments?: { name: string; url?: string; mediaId?: string }[];
    keywords?: string[];
  } | null;
  interpretations?: { title: string; body?: string; url?: string; interpreter?: string; transcript?: string; captionsMediaId?: string }[];
  cover?: { mediaId: string; alt: string } | null;
}

export interface GateLink {
  /** JSON pointer of the field holding it. */
  field: string;
  url: string;
}

export interface GateAttachment {
  field: string;
  mediaId: string;
  name: string;
}

function bodyTexts(field: string, html: string | undefined): GateText[] {
  if (!html) return [];
  return [{ field, text: htmlText(html) }, ...imageAlts(html).map(({ index, alt }) => ({ field, within: `图片 ${index} 的替代文字（alt）`, text: alt }))];
}

/** Every text of the content, with where it stands. */
export function packageTexts(content: GateContent): GateText[] {
  const out: GateText[] = [{ field: '/title', text: content.title }];
  if (content.cover?.alt) out.push({ field: '/cover/alt', text: content.cover.alt });
  const d = content.document;
  if (d) {
    out.push({ field: '/document/title', text: d.title });
    // Published in the disclosure block (发文机关, 发文字号): a miswritten organ name there is as public as in the body.
    if (d.issuingUnit) out.push({ field: '/document/issuingUnit', text: d.issuingUnit });
    if (d.documentNumber) out.push({ field: '/document/documentNumber', text: d.documentNumber });
    out.push(...bodyTexts('/document/body', d.body));
    (d.keywords ?? []).forEach((k, i) => out.push({ field: `/document/keywords/${i}`, text: k }));
    (d.attachments ?? []).forEach((a, i) => out.push({ field: `/document/attachments/${i}/name`, text: a.name }));
  }
  (content.interpretations ?? []).forEach((it, i) => {
    const at = `/interpretations/${i}`;
    out.push({ field: `${at}/title`, text: it.title });
    out.push(...bodyTexts(`${at}/body`, it.body));
    out.push(...bodyTexts(`${at}/transcript`, it.transcript));
    if (it.interpreter) out.push({ field: `${at}/interpreter`, text: it.interpreter });
  });
  return out.filter((t) => t.text.length > 0);
}

/** The uploaded attachments (files whose text is read). */
export function packageAttachments(content: GateContent): GateAttachment[] {
  return (content.document?.attachments ?? []).flatMap((a, i) =>
    a.mediaId ? [{ field: `/document/attachments/${i}`, mediaId: a.mediaId, name: a.name }] : [],
  );
}

/** The uploaded captions of video and audio interpretations (published beside the video, read like an attachment). */
export function packageCaptions(content: GateContent): GateAttachment[] {
  return (content.interpretations ?? []).flatMap((it, i) =>
    it.captionsMediaId ? [{ field: `/interpretations/${i}/captionsMediaId`, mediaId: it.captionsMediaId, name: `解读 ${i + 1} 的字幕` }] : [],
  );
}

/** Links that leave govpub (http or https URLs, and anything else that is not a path of ours, to be refused). */
function isExternal(url: string): boolean {
  if (url.startsWith('#') || url.startsWith('mailto:')) return false;
  if (/^\/(?!\/)/.test(url)) return false; // a path on our own site (/api/media/…, /portal/…)
  return true;
}

/** Every external link: hrefs in bodies and transcripts, H5 interpretation URLs, linked attachments. */
export function packageLinks(content: GateContent): GateLink[] {
  const out: GateLink[] = [];
  const fromBody = (field: string, html: string | undefined) => {
    for (const url of linkTargets(html ?? '')) if (isExternal(url)) out.push({ field, url });
  };
  const d = content.document;
  if (d) {
    fromBody('/document/body', d.body);
    (d.attachments ?? []).forEach((a, i) => {
      if (a.url && isExternal(a.url)) out.push({ field: `/document/attachments/${i}/url`, url: a.url });
    });
  }
  (content.interpretations ?? []).forEach((it, i) => {
    fromBody(`/interpretations/${i}/body`, it.body);
    fromBody(`/interpretations/${i}/transcript`, it.transcript);
    if (it.url && isExternal(it.url)) out.push({ field: `/interpretations/${i}/url`, url: it.url });
  });
  return out;
}
