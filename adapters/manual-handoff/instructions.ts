// The parts of a hand-off bundle's 说明.txt every manual platform shares: header, numbered steps, the link to record, the file list.
import type { RenditionFile } from '../types.js';
import type { BundledMedia, ManualHandoffPayload } from './payload.js';

/** Size, duration and dimensions of a prepared file, as 说明.txt lists them. */
export function describeFile(file: RenditionFile): string {
  const parts: string[] = [];
  if (file.width && file.height) parts.push(`${file.width}×${file.height}`);
  if (file.durationSec) parts.push(`${Math.round(file.durationSec)} 秒`);
  parts.push(file.sizeBytes >= 1_000_000 ? `${(file.sizeBytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(file.sizeBytes / 1000))} KB`);
  return parts.join('，');
}

/** The opening of 说明.txt: who posts what, and that the approved text is posted as it is. */
function instructionsHeader(payload: ManualHandoffPayload, deliveryId: string | undefined): string[] {
  return [
    `${payload.platformName}发布说明（人工发布）`,
    '='.repeat(32),
    '',
    `发布账号：${payload.account}${payload.ownerUnit ? `（${payload.ownerUnit}）` : ''}`,
    `渠道编号：${payload.channelId}`,
    `稿件：${payload.packageId} 第 ${payload.revision} 版`,
    `投递编号：${deliveryId ?? '见 govpub 控制台中本稿件的投递列表'}`,
    '',
    `${payload.platformName}没有可供政务账号使用的公开发布接口，本稿件由运营人员按以下步骤手工发布。`,
    '文字已经审核通过，请原样发布，不要改动；确需改动的，请退回编辑修改后重新送审。',
    '',
  ];
}

/**
 * 说明.txt for one bundle: the header, then numbered steps (第N步), and `end` closes it with the
 * step that records the post's link in govpub, the portal links and the file list.
 */
export function instructionsFor(payload: ManualHandoffPayload, media: BundledMedia[], deliveryId: string | undefined) {
  const lines = instructionsHeader(payload, deliveryId);
  let step = 0;
  return {
    step(title: string, ...body: string[]) {
      step += 1;
      lines.push(`第${step}步  ${title}`, ...body.map((b) => `  ${b}`), '');
    },
    end(exampleUrl: string, linksHeading: string, texts: { name: string; what: string }[]): string {
      const id = deliveryId ?? '<投递编号>';
      lines.push(
        `第${step + 1}步  登记链接`,
        '  在 govpub 中登记链接（登记后这条投递才算“已发布”，在此之前系统会定期提醒）：',
        `    govpub deliveries confirm ${id} --url <帖子链接>`,
        `  例如：govpub deliveries confirm ${id} --url ${exampleUrl}`,
        '',
        ...portalLinksSection(payload, linksHeading),
        ...bundleFileList(media, texts),
      );
      return lines.join('\n');
    },
  };
}

/** Columns a string takes in a monospaced font: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      c >= 0x20000
        ? 2
        : 1;
  }
  return n;
}

/** 文件清单: 说明.txt, the bundle's texts and its renditions, names aligned, with what each is. */
function bundleFileList(media: BundledMedia[], bundleTexts: { name: string; what: string }[]): string[] {
  const texts: [string, string][] = [['说明.txt', '本说明'], ...bundleTexts.map((t): [string, string] => [t.name, t.what])];
  const width = Math.max(...[...texts.map(([n]) => n), ...media.map((m) => m.fileName)].map(displayWidth)) + 2;
  const pad = (s: string) => s + ' '.repeat(Math.max(1, width - displayWidth(s)));
  return [
    '文件清单',
    ...texts.map(([name, what]) => `  ${pad(name)}${what}`),
    ...media.map((m) => `  ${pad(m.fileName)}${m.file.purpose}（${describeFile(m.rendition)}）`),
  ];
}

/** The portal links section of 说明.txt, when the package has portal pages. */
function portalLinksSection(payload: ManualHandoffPayload, heading: string): string[] {
  return payload.links.length > 0 ? [heading, ...payload.links.map((l) => `  ${l.label}：${l.url}`), ''] : [];
}
