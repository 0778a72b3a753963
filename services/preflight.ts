/**
 * Channel preflight for a stored revision or an unsaved body: loads the content and the probe of
 * every upload it uses, and runs the pure preflight (adapters/preflight/) with the adapters' own
 * format steps. The submit gate (services/packages.ts) asks it before a package enters review.
 */
import { issueMessageZh } from '../api/validation.js';
import os from 'node:os';
import path from 'node:path';
import { createChannelAdapters } from '../adapters/index.js';
import { bodyLinkRefusal } from '../adapters/portal/format.js';
import { preflight, submitBlockers, type FormatStep, type PreflightContent, type PreflightResult, type Problem } from '../adapters/preflight/preflight.js';
import { gateProblem, pointerOf } from '../adapters/preflight/problems.js';
import { keysOf, standInBody, withoutStandIns } from '../adapters/preflight/stand-ins.js';
import { withPausedChannels } from '../adapters/preflight/paused-channels.js';
import { currentPauses } from '../db/channels.js';
import { pauseWords } from './pause-words.js';
import { fieldLabel } from '../domain/package-diff.js';
import type { MediaInfo } from '../adapters/types.js';
import { loadSettings } from '../config/settings.js';
import { findMedia } from '../db/media.js';
import { findPackage, findRevision } from '../db/packages.js';
import type { PackageRow } from '../db/schema.js';
import { GovpubError, packageNotFound, revisionNotFound } from '../domain/errors.js';
import { packageMediaIds, packageMediaReferences, wrongKindMessage } from '../domain/package-media.js';
import { portalColumn, type Channel, type Registry } from '../domain/registry.js';
import type { GateMatch } from '../domain/content-gate/model.js';
import type { GateContent } from '../domain/content-gate/package-texts.js';
import { contentGateFor, type ContentGate } from './content-gate/index.js';
import type { AppContext } from './context.js';
import { packageInputIssues, parsePackageInput, ValidationError, type FieldIssue, type PackageContent } from './package-input.js';

/** The Chinese sentence of the submit gate's refusal (for the API's messageZh table). */
export const PREFLIGHT_BLOCKED_ZH = '稿件还有会导致发布失败的问题，暂不能提交审核。请按问题说明修改内容或去掉相应渠道后再提交。';

export interface PreflightOptions {
  /** Public base URL of the portal pages (default: the settings' GOVPUB_PORTAL_URL). */
  portalUrl?: string;
  /** The format step of a channel (default: the adapters' own). */
  formatFor?: (channel: Channel) => FormatStep;
  /** The content gate (default: the process's, services/content-gate/index.ts). */
  gate?: ContentGate;
  /**
   * Whether a rendition's file exists now (services/media-files.ts renditionMade). Given, the
   * previews mark each crop and poster `ready`, so a page never asks for one not made yet.
   */
  renditionMade?: (mediaId: string, specKey: string) => Promise<boolean>;
}

/** When the package would go out: its release time, or now (previews date it so; date checks compare with it). */
function expectedReleaseTime(releaseAt: string | Date | null | undefined): string {
  const at = releaseAt ? new Date(releaseAt).getTime() : NaN;
  return new Date(Number.isNaN(at) || at < Date.now() ? Date.now() : at).toISOString();
}

/** `first` and then those of `more` not said already (the same path and sentence). */
function mergedIssues(first: FieldIssue[], more: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set(first.map((i) => `${i.path}\n${i.message}`));
  return [...first, ...more.filter((i) => !seen.has(`${i.path}\n${i.message}`))];
}

/**
 * A body's field issue (`targets[3]`) as a blocking package problem. The Chinese sentence names
 * the field as the form does (文件标题), never by its API path: the editor reads it in the preflight panel.
 */
export function issueProblem(issue: FieldIssue): Problem {
  const field = pointerOf(issue.path, 0);
  return {
    code: 'invalid_field',
    field,
    message: `${issue.path ? fieldLabel(keysOf(issue.path)) : '稿件'}填写有误：${issueMessageZh(issue.message)}。请改正后再试。`,
    messageEn: `${issue.path || '(body)'}: ${issue.message}`,
  };
}

/**
 * The content gate's matches added to a preflight result as package-level problems: personal
 * data and blocking wording block submit; the rest are warnings the reviewer sees. A body link the
 * portal's format step refused (a relative address, another scheme) is left to the portal's
 * problem, which blocks and says what to write instead: the gate's "not checked" warning on the
 * same link would report it twice. Without a portal target the gate's warning stays: no other
 * channel checks body links.
 */
export function withGate(result: PreflightResult, matches: readonly GateMatch[]): PreflightResult {
  const portalRefusedFields = new Set(result.channels.filter((c) => c.platform === 'portal').flatMap((c) => c.blocking.map((p) => p.field)));
  // The excerpt is the URL as written, masked and shortened at its end: neither changes whether it is a full http(s) address.
  const saidByPortal = (m: GateMatch) => m.code === 'link_refused' && portalRefusedFields.has(m.place.field) && bodyLinkRefusal(m.excerpt) !== null;
  const shown = matches.filter((m) => !saidByPortal(m));
  if (shown.length === 0) return result;
  const blocking = [...result.package.blocking];
  const warnings = [...result.package.warnings];
  for (const m of shown) (m.blocking ? blocking : warnings).push(gateProblem(m));
  return { ...result, ok: result.ok && blocking.length === result.package.blocking.length, package: { blocking, warnings } };
}

/** The adapters' own format steps, configured as a publishing worker configures them (only the pure step is ever called). */
export function formatStepsFor(registry: Registry, portalUrl: string): (channel: Channel) => FormatStep {
  const adapterFor = createChannelAdapters({
    portal: {
      webRoot: path.join(os.tmpdir(), 'govpub-preflight-unused'),
      publicBaseUrl: portalUrl,
      columnName: (id) => portalColumn(registry, id)?.path.join(' > '),
    },
    mediaCenterColumns: registry.mediaCenter.columns,
    // As in a worker that publishes media: its URL is asked only at transmit, never here.
    publicMediaUrl: () => {
      throw new Error('preflight never transmits');
    },
  });
  return (channel) => {
    const adapter = adapterFor(channel);
    return (unit, c) => adapter.format(unit, c);
  };
}

/** The previews' crops and posters marked `ready` or not, each rendition asked once. */
async function withRenditionsMarked(result: PreflightResult, made: (mediaId: string, specKey: string) => Promise<boolean>): Promise<PreflightResult> {
  const asked = new Map<string, Promise<boolean>>();
  const ready = (mediaId: string, url: string) => {
    const spec = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
    const key = `${mediaId}/${spec}`;
    if (!asked.has(key))
      asked.set(
        key,
        made(mediaId, spec).catch(() => false),
      );
    return asked.get(key)!;
  };
  const channels = await Promise.all(
    result.channels.map(async (c) => {
      const preview = c.preview;
      if (!preview || (!preview.cover && !preview.video?.posterUrl)) return c;
      const cover = preview.cover && {
        ...preview.cover,
        crops: await Promise.all(preview.cover.crops.map(async (crop) => ({ ...crop, ready: await ready(preview.cover!.mediaId, crop.url) }))),
      };
      const video = preview.video?.posterUrl ? { ...preview.video, posterReady: await ready(preview.video.mediaId, preview.video.posterUrl) } : preview.video;
      return { ...c, preview: { ...preview, ...(cover ? { cover } : {}), ...(video ? { video } : {}) } };
    }),
  );
  return { ...result, channels };
}

export class PreflightService {
  private setup: { portalUrl: string; formatFor: (channel: Channel) => FormatStep } | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: PreflightOptions = {},
  ) {}

  /** Settings are read on first use, so building the API never fails on them. */
  private get gate(): ContentGate {
    return this.options.gate ?? contentGateFor(this.ctx.db);
  }

  private get configured() {
    if (!this.setup) {
      const portalUrl = this.options.portalUrl ?? loadSettings().portalUrl;
      this.setup = { portalUrl, formatFor: this.options.formatFor ?? formatStepsFor(this.ctx.registry, portalUrl) };
    }
    return this.setup;
  }

  /** The probes of the uploads the content refers to; references to missing or wrong-kind files become issues. */
  private async media(content: PreflightContent): Promise<{ media: Record<string, MediaInfo>; issues: FieldIssue[] }> {
    const media: Record<string, MediaInfo> = {};
    for (const id of packageMediaIds(content)) {
      const row = await findMedia(this.ctx.db, id);
      if (!row) continue;
      media[id] = {
        mediaId: id,
        kind: row.kind,
        mime: row.mime,
        sizeBytes: Number(row.size_bytes),
        ...(row.width !== null ? { width: row.width } : {}),
        ...(row.height !== null ? { height: row.height } : {}),
        ...(row.duration_sec !== null ? { durationSec: Number(row.duration_sec) } : {}),
        ...(row.upload_name ? { name: row.upload_name } : {}),
      };
    }
    const issues = packageMediaReferences(content).flatMap((r): FieldIssue[] => {
      const kind = media[r.mediaId]?.kind;
      if (!kind) return [{ path: r.path, message: `no uploaded file has id ${r.mediaId.slice(0, 12)}…; upload it first` }];
      if (r.kind && kind !== r.kind) return [{ path: r.path, message: wrongKindMessage(r.kind, r.mediaId, kind) }];
      return [];
    });
    return { media, issues };
  }

  /** Preflight of a stored revision (the current one by default); `known` is the package row when the caller has just read it. */
  async forPackage(packageId: string, revision?: number, known?: PackageRow): Promise<PreflightResult> {
    const row = known ?? (await findPackage(this.ctx.db, packageId));
    if (!row) throw packageNotFound(packageId);
    const number = revision ?? row.current_revision;
    const stored = await findRevision(this.ctx.db, packageId, number);
    if (!stored) throw revisionNotFound(packageId, number, row.current_revision);
    const content = stored.content as PreflightContent;
    const { media, issues } = await this.media(content);
    // A stored revision (and so submit) checks every link over the network.
    const gate = await this.gate.check(content as GateContent, { network: true });
    const result = preflight({
      content,
      packageId,
      revision: number,
      contentHash: stored.content_hash,
      registry: this.ctx.registry,
      media,
      portalBaseUrl: this.configured.portalUrl,
      formatFor: this.configured.formatFor,
      issues: issues.map(issueProblem),
      releasedAt: expectedReleaseTime(row.release_at),
    });
    return this.finished(withGate(result, gate), content.targets);
  }

  /** The renditions made so far marked, and a warning on every target channel operations have paused. */
  private async finished(result: PreflightResult, targets: readonly string[]): Promise<PreflightResult> {
    const pauses = await currentPauses(this.ctx.db, targets);
    const noticed = withPausedChannels(result, new Map([...pauses].map(([id, pause]) => [id, pauseWords(pause)])), targets);
    return this.options.renditionMade ? withRenditionsMarked(noticed, this.options.renditionMade) : noticed;
  }

  /**
   * The content gate's findings on a stored revision, without the channels' format steps: what an
   * approval records of the gate's warnings (the channels were checked at submit, and a revision
   * never changes). Null when the package has no such revision.
   */
  async gateFindings(packageId: string, revision: number): Promise<GateMatch[] | null> {
    const stored = await findRevision(this.ctx.db, packageId, revision);
    if (!stored) return null;
    // As forPackage: a stored revision's links are checked over the network (the link cache answers most).
    return this.gate.check(stored.content as GateContent, { network: true });
  }

  /**
   * Preflight of an unsaved body, as the editor types. A body that fails validation is answered
   * with its field issues as blocking problems and, when it can be stood in for
   * (adapters/preflight/stand-ins.ts), the channels' problems that do not depend on the invalid
   * fields: the editor meets both in one round. Too broken for that (not an object, no targets,
   * an unknown catalogue item), it has no channels.
   */
  async forBody(body: unknown, schemaIssues: FieldIssue[] = []): Promise<PreflightResult> {
    const registry = this.ctx.registry;
    let parsed: ReturnType<typeof parsePackageInput> | undefined;
    let issues = schemaIssues;
    try {
      parsed = parsePackageInput(body, registry);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues = mergedIssues(issues, error.issues);
    }
    if (parsed && issues.length === 0) return this.forContent(parsed.content);
    const standIns = standInBody(body, issues, (candidate) => packageInputIssues(candidate, registry));
    if (!standIns) {
      return { ok: false, revision: null, contentHash: null, package: { blocking: issues.map(issueProblem), warnings: [] }, channels: [] };
    }
    const result = withoutStandIns(await this.forContent(parsePackageInput(standIns.body, registry).content), standIns);
    const fields = mergedIssues(issues, standIns.revealed as FieldIssue[]).map(issueProblem);
    return { ...result, package: { blocking: [...fields, ...result.package.blocking], warnings: result.package.warnings } };
  }

  /** The preflight of valid unsaved content. */
  private async forContent(content: PackageContent): Promise<PreflightResult> {
    const media = await this.media(content as PreflightContent);
    // As the editor types: links only from the cache (or what the URL itself says), no fetching.
    const gate = await this.gate.check(content as GateContent, { network: false });
    const result = preflight({
      content: content as PreflightContent,
      packageId: null,
      revision: null,
      contentHash: null,
      registry: this.ctx.registry,
      media: media.media,
      portalBaseUrl: this.configured.portalUrl,
      formatFor: this.configured.formatFor,
      issues: media.issues.map(issueProblem),
      releasedAt: expectedReleaseTime(content.releaseAt),
    });
    return this.finished(withGate(result, gate), content.targets);
  }

  /** Refuses (409 `preflight_blocked`, with the problems) while the current revision has blocking problems. */
  async requireClean(packageId: string, known?: PackageRow, doing = 'The package cannot be submitted'): Promise<void> {
    const blockers = submitBlockers(await this.forPackage(packageId, undefined, known));
    if (blockers.length === 0) return;
    const first = blockers[0]!;
    throw new GovpubError(
      'preflight_blocked',
      `${doing}: ${blockers.length} problem${blockers.length === 1 ? '' : 's'} would stop its release (first: ${first.messageEn}). Fix the content or drop those targets; GET /api/packages/${packageId}/preflight lists them.`,
      { status: 409, problems: blockers },
      { zh: `${PREFLIGHT_BLOCKED_ZH}（共 ${blockers.length} 个问题，第一个：${first.message}）` },
    );
  }
}
