/** Which rendition specs a request means for one original: by platform, by key, or by channel; every problem named at once. */
import type { MediaRow } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import { nearestName } from '../config/did-you-mean.js';
import { findChannel, listChannels, PLATFORMS, type Platform, type Registry } from '../domain/registry.js';
import { getSpec, RENDITION_SPECS, renditionsFor, type RenditionSpec } from '../media/specs.js';
import type { RenditionRequest } from './media-views.js';

export function renditionSpecsFor(registry: Registry, row: Pick<MediaRow, 'kind'>, request: RenditionRequest): { specs: RenditionSpec[]; channelId?: string } {
  let channelId: string | undefined;
  let channelPlatform: Platform | undefined;
  if (request.channel !== undefined) {
    const channel = typeof request.channel === 'string' ? findChannel(registry, request.channel) : undefined;
    if (!channel) {
      const near =
        typeof request.channel === 'string'
          ? nearestName(
              request.channel,
              listChannels(registry).map((c) => c.id),
            )
          : undefined;
      throw new GovpubError(
        'invalid_body',
        `channel: no channel "${String(request.channel)}"${near ? ` (did you mean "${near}"?)` : ''} (see GET /api/channels).`,
        {
          status: 400,
          issues: [{ path: 'channel', message: 'unknown channel' }],
        },
      );
    }
    channelId = channel.id;
    channelPlatform = channel.platform;
  }
  const specs: RenditionSpec[] = [];
  const issues: { path: string; message: string }[] = [];
  if (request.platforms !== undefined && !Array.isArray(request.platforms)) issues.push({ path: 'platforms', message: 'expected an array of platform names' });
  if (request.specs !== undefined && !Array.isArray(request.specs)) issues.push({ path: 'specs', message: 'expected an array of rendition keys' });
  for (const [i, p] of (Array.isArray(request.platforms) ? request.platforms : []).entries()) {
    if (typeof p !== 'string' || !(PLATFORMS as readonly string[]).includes(p)) {
      issues.push({ path: `platforms[${i}]`, message: `expected one of ${PLATFORMS.join(', ')}` });
      continue;
    }
    const forKind = renditionsFor(p as Platform, row.kind);
    if (forKind.length === 0) issues.push({ path: `platforms[${i}]`, message: `${p} takes no renditions of ${row.kind} originals` });
    specs.push(...forKind);
  }
  for (const [i, key] of (Array.isArray(request.specs) ? request.specs : []).entries()) {
    try {
      specs.push(getSpec(String(key)));
    } catch {
      const near = nearestName(
        String(key),
        RENDITION_SPECS.map((spec) => spec.key),
      );
      issues.push({
        path: `specs[${i}]`,
        message: near
          ? `unknown rendition "${String(key)}" (did you mean ${near}?)`
          : `unknown rendition "${String(key)}" (keys look like wechat_oa.thumb, douyin.video_720)`,
      });
    }
  }
  if (issues.length) {
    throw new GovpubError('invalid_body', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { status: 400, issues });
  }
  if (specs.length === 0 && channelPlatform) specs.push(...renditionsFor(channelPlatform, row.kind));
  if (specs.length === 0) {
    throw new GovpubError(
      'invalid_body',
      'Say which renditions to make: platforms (e.g. ["wechat_oa", "douyin"]), specs (e.g. ["douyin.video_720"]) or a channel.',
      {
        status: 400,
        issues: [{ path: 'platforms', message: 'required unless specs or channel is given' }],
      },
    );
  }
  const unique = [...new Map(specs.map((s) => [s.key, s])).values()];
  return { specs: unique, ...(channelId ? { channelId } : {}) };
}
