// Channel preflight (pure): what each target channel will refuse or adapt in a package, read from its platform's declaration and its adapter's own format step, before anyone reviews it.
/*
 * The release unit is built exactly as a delivery builds it (adapters/release-unit.ts), and the
 * format steps are the adapters' own (passed in as `formatFor`, so this module imports no client):
 * a package preflight calls clean is not refused by a format step at delivery. What only the
 * platform knows (its review, rate limits, a file it cannot decode) stays for delivery.
 */
import { declarationOf, type DeclaredPlatform } from '../declarations.js';
import { isDeliveryError } from '../errors.js';
import { releaseUnitFrom, type ReleaseContent } from '../release-unit.js';
import type { Formatted, MediaInfo, ReleaseUnit, RenditionNeed } from '../types.js';
import type { PlatformDeclaration } from '../platform-declaration.js';
import { catalogueItem, findChannel, type Channel, type Registry } from '../../domain/registry.js';
import { organizeProblems } from '../../domain/package-rules.js';
import { GovpubError } from '../../domain/errors.js';
import { packageMediaReferences } from '../../domain/package-media.js';
import type { ProbeResult } from '../../media/probe.js';
import { getSpec, type RenditionSpec } from '../../media/specs.js';
import { checkSpec } from '../../media/video-plan.js';
import { fieldLabel, pointerOf, refusalProblem, warningProblem, type Problem } from './problems.js';
import { previewOf, type Preview } from './previews.js';

export type { Problem } from './problems.js';
export type { Preview } from './previews.js';

/** The content preflight reads: a stored revision or a parsed (unsaved) body. */
export interface PreflightContent extends Omit<ReleaseContent, 'document'> {
  document: ReleaseContent['document'] | null;
}

export type FormatStep = (unit: ReleaseUnit, channel: Channel) => Formatted<unknown>;

export interface PreflightInput {
  content: PreflightContent;
  /** null for an unsaved body (its portal links use a placeholder id). */
  packageId: string | null;
  revision: number | null;
  contentHash: string | null;
  registry: Registry;
  /** The probe of every upload the content refers to, by media id (missing ones are left out). */
  media: Record<string, MediaInfo>;
  portalBaseUrl: string;
  /** The adapter's format step for a channel. */
  formatFor(channel: Channel): FormatStep;
  /** Problems found before (the body's field issues): package-level and blocking. */
  issues?: Problem[];
  /** For previews' release date; preflight never reads a clock. */
  releasedAt?: string;
}

export interface ChannelPreflight {
  channelId: string;
  platform: string;
  /** 微信公众号 */
  platformName: string;
  name: string;
  ownerUnit: string | null;
  publishing: 'api' | 'manual';
  canDelete: boolean;
  blocking: Problem[];
  warnings: Problem[];
  preview: Preview | null;
}

export interface PreflightResult {
  ok: boolean;
  revision: number | null;
  contentHash: string | null;
  package: { blocking: Problem[]; warnings: Problem[] };
  channels: ChannelPreflight[];
}

/** The package id an unsaved body's portal links are shown with. */
export const UNSAVED_PACKAGE_ID = 'preview';

/**
 * Package-level codes the package workflow itself refuses at submit with its own code
 * (domain/package-rules.ts organizeProblems); the submit gate leaves them to it.
 */
export const WORKFLOW_CODES: readonly string[] = ['interpretation_without_document', 'document_missing', 'interpretation_required', 'no_targets'];

const ORGANIZE_ZH: Record<string, { field: string; message: string }> = {
  interpretation_without_document: { field: '/document', message: '解读不能脱离政策原文单独提交，请在稿件中加入政策原文。' },
  document_missing: { field: '/document', message: '稿件没有政策原文，请先填写政策原文再提交。' },
  interpretation_required: {
    field: '/interpretations',
    message: '该目录事项是需要解读的政策文件，须与解读同步发布（三同步）。请至少添加一篇解读（文字、图解、视频、音频、H5 或领导访谈）后再提交。',
  },
  no_targets: { field: '/targets', message: '稿件没有选择发布渠道，请至少选择一个渠道。' },
};

export function preflight(input: PreflightInput): PreflightResult {
  const { content, registry } = input;
  const packageBlocking: Problem[] = [...(input.issues ?? [])];
  const packageWarnings: Problem[] = [];
  const interpretations = content.interpretations ?? [];
  const item = catalogueItem(registry, content.catalogueItem);

  for (const p of organizeProblems({
    revision: input.revision ?? 0,
    contentHash: input.contentHash ?? '',
    hasDocument: content.document !== null,
    interpretationCount: interpretations.length,
    requiresInterpretation: item?.requiresInterpretation ?? false,
    targets: content.targets,
  })) {
    const zh = ORGANIZE_ZH[p.code];
    packageBlocking.push({ code: p.code, field: zh?.field ?? '', message: zh?.message ?? p.message, messageEn: p.message });
  }
  packageWarnings.push(...portalWarnings(content, registry));
  packageWarnings.push(...captionWarnings(content, input.media));
  packageWarnings.push(...disclosureWarnings(content, registry));

  const unit =
    content.document === null
      ? null
      : releaseUnitFrom(
          { ...content, document: content.document },
          {
            packageId: input.packageId ?? UNSAVED_PACKAGE_ID,
            revision: input.revision ?? 0,
            contentHash: input.contentHash ?? '',
            releasedAt: input.releasedAt ?? '1970-01-01T00:00:00.000Z',
          },
          registry,
          input.media,
          input.portalBaseUrl,
        );

  const channels: ChannelPreflight[] = [];
  content.targets.forEach((target, index) => {
    const channel = findChannel(registry, target);
    if (!channel) {
      packageBlocking.push({
        code: 'unknown_channel',
        field: `/targets/${index}`,
        message: `发布渠道“${target}”不在渠道登记表中（可能已停用），请从发布渠道中去掉它。`,
        messageEn: `Channel "${target}" is not in the registry (it may have been retired); remove it from the targets.`,
      });
      return;
    }
    channels.push(checkChannel(channel, index, content, unit, input));
  });

  const ok = packageBlocking.length === 0 && channels.every((c) => c.blocking.length === 0);
  return {
    ok,
    revision: input.revision,
    contentHash: input.contentHash,
    package: { blocking: packageBlocking, warnings: packageWarnings },
    channels,
  };
}

/** The blocking problems the submit gate refuses on (the workflow's own refusals left to it). */
export function submitBlockers(result: PreflightResult): Problem[] {
  return [...result.package.blocking.filter((p) => !WORKFLOW_CODES.includes(p.code)), ...result.channels.flatMap((c) => c.blocking)];
}

/** The portal target defaults to the catalogue item's column; a policy document aimed elsewhere is worth a second look. */
function portalWarnings(content: PreflightContent, registry: Registry): Problem[] {
  const item = catalogueItem(registry, content.catalogueItem);
  if (!item) return [];
  const expected = `portal:${item.portalColumnId}`;
  const portalTargets = content.targets.map((t, i) => ({ t, i })).filter(({ t }) => t.startsWith('portal:'));
  if (portalTargets.length === 0) {
    return [
      {
        code: 'portal_target_missing',
        field: '/targets',
        message: `稿件没有发布到门户网站。目录事项“${item.name}”对应的网站栏目是 ${item.portalColumnId}，建议选择该栏目（${expected}）。`,
        messageEn: `The package is not released to the portal; catalogue item ${item.id}'s column is ${item.portalColumnId} (${expected}): add it as a target.`,
      },
    ];
  }
  if (item.contentClass === 'policy' && !portalTargets.some(({ t }) => t === expected)) {
    const first = portalTargets[0]!;
    return [
      {
        code: 'portal_column_mismatch',
        field: `/targets/${first.i}`,
        message: `这是政策文件，目录事项“${item.name}”对应的网站栏目是 ${item.portalColumnId}，而稿件发布到 ${first.t.slice('portal:'.length)}。请确认栏目无误，或改为 ${expected}。`,
        messageEn: `A policy document of catalogue item ${item.id} belongs in portal column ${item.portalColumnId}, but the package targets ${first.t}; check the column or choose ${expected}.`,
      },
    ];
  }
  return [];
}

/**
 * The disclosure metadata inspectors check on a document page: a normative document's 有效性 and
 * 施行日期 (left out: the page says 有效 and 无), and its 主题分类.
 */
export function disclosureWarnings(content: Pick<PreflightContent, 'catalogueItem' | 'document'>, registry: Registry): Problem[] {
  const item = catalogueItem(registry, content.catalogueItem);
  const document = content.document;
  if (!item || !document) return [];
  const out: Problem[] = [];
  if (item.normative && !document.validity) {
    out.push({
      code: 'validity_missing',
      field: '/document/validity',
      message: '这是行政规范性文件，但没有填写有效性和施行日期：发布后页面显示为「有效」，施行日期显示为「无」。请填写有效性及施行日期。',
      messageEn:
        'A normative document (行政规范性文件) without its validity: the page says 有效 (valid) with no effective date; give the validity and its effective date.',
    });
  }
  if (item.contentClass === 'policy' && !document.topic) {
    out.push({
      code: 'topic_missing',
      field: '/document/topic',
      message: '政策文件没有选择主题分类：页面的信息公开要素中主题分类将显示为「无」。请选择主题分类。',
      messageEn: 'The policy document has no topic (主题分类): the page shows 无; choose one.',
    });
  }
  return out;
}

/**
 * Accessibility (GB/T 37668-2019, like WCAG 2.0 AA): a video shows captions or comes with a
 * transcript. A warning, not a refusal: a short silent clip may need neither.
 */
export function captionWarnings(content: Pick<PreflightContent, 'interpretations'>, media: Record<string, MediaInfo>): Problem[] {
  return videos(content, media)
    .filter(({ it }) => !it.captionsMediaId && !(it.transcript ?? '').trim())
    .map(({ index }) => ({
      code: 'video_without_captions',
      field: `/interpretations/${index}/captionsMediaId`,
      message: `${fieldLabel(`/interpretations/${index}`)}是视频，但既没有字幕也没有文字实录。按无障碍要求（GB/T 37668），视频应提供字幕（上传 WebVTT 字幕文件）或文字实录，请补充其一。`,
      messageEn: `Interpretation ${index + 1} is a video with neither captions nor a transcript: accessibility (GB/T 37668) expects one of them; upload WebVTT captions or write the transcript.`,
    }));
}

/** The video interpretations of a package and whether each has an uploaded, probed video. */
function videos(content: Pick<PreflightContent, 'interpretations'>, media: Record<string, MediaInfo>) {
  return (content.interpretations ?? [])
    .map((it, index) => ({ it, index, media: it.mediaId ? media[it.mediaId] : undefined }))
    .filter((v) => v.it.form === 'video' || v.media?.kind === 'video');
}

/** What the declaration alone says about the package on this platform. */
function declarationChecks(d: PlatformDeclaration, channelId: string, content: PreflightContent, media: Record<string, MediaInfo>) {
  const blocking: Problem[] = [];
  const warnings: Problem[] = [];
  const name = d.localName;
  if (d.coverRequired && !content.cover) {
    blocking.push({
      code: 'cover_required',
      field: '/cover',
      message: `${name}的每篇文章都必须有封面图，本稿件没有选择封面。请上传一张图片并选为封面，或去掉${name}渠道。`,
      messageEn: `${d.name} needs a cover picture and the package has none: choose a cover (an uploaded image), or drop the ${d.name} targets.`,
      channelId,
    });
  }
  const vids = videos(content, media);
  if (d.video === 'required') {
    const usable = vids.find((v) => v.media?.kind === 'video');
    if (vids.length === 0) {
      blocking.push({
        code: 'video_required',
        field: '/interpretations',
        message: `${name}只发布视频，本稿件没有视频解读。请添加一篇视频解读并上传视频文件，或去掉${name}渠道。`,
        messageEn: `${d.name} only takes video and the package has no video interpretation: add one with an uploaded video, or drop the ${d.name} targets.`,
        channelId,
      });
    } else if (!usable) {
      const first = vids[0]!;
      blocking.push({
        code: 'video_required',
        field: `/interpretations/${first.index}`,
        message: `${name}需要视频文件本身，${fieldLabel(`/interpretations/${first.index}`)}没有上传的视频文件${first.it.url ? '（只有链接）' : ''}。请上传视频文件，或去掉${name}渠道。`,
        messageEn: `${d.name} needs the video file itself; interpretation ${first.index + 1} has no uploaded video${first.it.url ? ' (only a link)' : ''}: upload it, or drop the ${d.name} targets.`,
        channelId,
      });
    } else {
      const others = (content.interpretations ?? []).length - 1;
      warnings.push({
        code: 'only_video_posted',
        field: `/interpretations/${usable.index}`,
        message: `${name}只发布视频：将发布${fieldLabel(`/interpretations/${usable.index}`)}的视频，政策原文${others > 0 ? '和其他解读' : ''}不在该平台发布，文字说明中提示到门户网站查看全文。`,
        messageEn: `${d.name} takes only video: interpretation ${usable.index + 1}'s video is posted; the document${others > 0 ? ' and the other interpretations are' : ' is'} not.`,
        channelId,
      });
    }
  } else if (d.video === 'none') {
    for (const v of vids) {
      const field = `/interpretations/${v.index}`;
      warnings.push({
        code: 'adapted_video_as_link',
        field,
        message: `${name}不能发布视频，${fieldLabel(field)}的视频不上传，改为发布解读说明和门户网站页面链接。`,
        messageEn: `${d.name} carries no video: interpretation ${v.index + 1}'s video is not uploaded; the post carries its description and a link to its portal page.`,
        channelId,
      });
    }
  }
  (content.interpretations ?? []).forEach((it, index) => {
    const kind = it.mediaId ? media[it.mediaId]?.kind : undefined;
    if ((it.form === 'audio' || kind === 'audio') && !d.accepts.includes('audio') && d.video !== 'required') {
      const field = `/interpretations/${index}`;
      warnings.push({
        code: 'adapted_audio_as_link',
        field,
        message: `${name}不能发布音频，${fieldLabel(field)}的音频不上传，改为发布解读说明和门户网站页面链接。`,
        messageEn: `${d.name} carries no audio: interpretation ${index + 1}'s audio is not uploaded; the post links to its portal page.`,
        channelId,
      });
    }
  });
  return { blocking, warnings };
}

function checkChannel(channel: Channel, index: number, content: PreflightContent, unit: ReleaseUnit | null, input: PreflightInput): ChannelPreflight {
  const d = declarationOf(channel.platform as DeclaredPlatform['id']);
  const own = declarationChecks(d, channel.id, content, input.media);
  const blocking = [...own.blocking];
  const warnings: Problem[] = [];
  let preview: Preview | null = null;

  if (unit) {
    try {
      const formatted = input.formatFor(channel)(unit, channel);
      blocking.push(...renditionRefusals(formatted.renditions, content, input.media, channel.id, index));
      formatted.warnings.forEach((text, n) => warnings.push(warningProblem(text, d.localName, channel.id, index, formatted.warningsZh?.[n])));
      preview = previewOf(d, channel, unit, formatted.payload, warnings);
    } catch (error) {
      if (!isDeliveryError(error) || error.errorClass !== 'rejected') throw error;
      for (const p of error.problems) {
        const problem = refusalProblem(p, d.localName, channel.id, index);
        // The declaration's own check said it first, in better words. Only its checks: the format
        // step's own problems (two links in one body) are each shown, as it lists them all at once.
        if (!own.blocking.some((b) => b.field === problem.field || (b.code === problem.code && problem.code !== 'platform_rejects'))) blocking.push(problem);
      }
    }
  }
  // The declaration's adaptation warnings, unless the format step said the same of that field.
  for (const w of own.warnings) if (!warnings.some((x) => x.code === w.code && x.field === w.field)) warnings.push(w);
  // A fallback the format step announces for a field the declaration blocks will not happen (WeChat
  // without a chosen cover: blocked, so "the first picture is the cover" would contradict the block).
  const shown = warnings.filter((w) => !own.blocking.some((b) => b.field !== '' && b.field === w.field));

  return {
    channelId: channel.id,
    platform: channel.platform,
    platformName: d.localName,
    name: channel.name,
    ownerUnit: channel.ownerUnit ?? null,
    publishing: d.publishing,
    canDelete: d.canDelete,
    blocking,
    warnings: shown,
    preview: blocking.length > 0 ? null : preview,
  };
}

/**
 * What the renderer would refuse of the renditions a format step asks for (a picture too small, a
 * video too long, a byte cap it cannot meet), checked with the renderer's own rule on the upload's
 * probe (media/video-plan.ts checkSpec, which the render runs before any work), so a rendition the
 * release would fail to make blocks here, in the renderer's words. A picture whose size the probe
 * did not record is left to the render, as the format steps leave it.
 */
function renditionRefusals(
  needs: readonly RenditionNeed[],
  content: PreflightContent,
  media: Record<string, MediaInfo>,
  channelId: string,
  targetIndex: number,
): Problem[] {
  const refs = packageMediaReferences(content);
  const asked = new Set<string>();
  const out: Problem[] = [];
  for (const need of needs) {
    const info = media[need.mediaId];
    if (!info || asked.has(`${need.mediaId} ${need.spec}`)) continue;
    asked.add(`${need.mediaId} ${need.spec}`);
    let spec: RenditionSpec;
    try {
      spec = getSpec(need.spec);
    } catch {
      continue; // a spec no longer declared: the format step's own concern
    }
    if (spec.kind === 'image' && spec.sourceKind === 'image' && (info.width === undefined || info.height === undefined)) continue;
    try {
      checkSpec(probeOf(info), spec, info.name ?? 'The original');
    } catch (error) {
      if (!(error instanceof GovpubError)) throw error;
      const ref = refs.find((r) => r.mediaId === need.mediaId);
      out.push({
        code: error.code,
        field: ref ? pointerOf(ref.path.replace(/\.mediaId$/, ''), targetIndex) : '',
        message: error.messageZh,
        messageEn: error.message,
        channelId,
      });
    }
  }
  return out;
}

/** An upload's stored probe as the renderer's checks read it (a video or audio upload is taken to carry sound). */
function probeOf(info: MediaInfo): ProbeResult {
  return {
    kind: info.kind,
    mime: info.mime,
    format: '',
    extension: '',
    sizeBytes: info.sizeBytes,
    ...(info.width !== undefined ? { width: info.width } : {}),
    ...(info.height !== undefined ? { height: info.height } : {}),
    ...(info.durationSec !== undefined ? { durationSec: info.durationSec } : {}),
    hasVideo: info.kind === 'video',
    hasAudio: info.kind === 'video' || info.kind === 'audio',
  };
}
