/**
 * What GET /api/channels adds to each channel: its platform's base URL (never credentials) and
 * health — paused or held by operations, the endpoint reachable or not, recent failures.
 */
import axios from 'axios';
import type { PlatformConfigs } from '../config/platforms.js';
import type { PostLinkOptions } from '../adapters/post-links.js';
import type { Settings } from '../config/settings.js';
import { findChannel, type Platform, type Registry } from '../domain/registry.js';
import { readSimulatorUrls } from './local-platforms.js';

interface EndpointCheck {
  status: 'reachable' | 'unreachable' | 'not_applicable';
  detail: string | null;
  checkedAt: string;
}

const CHECK_TTL_MS = 30_000;

/** Probes each platform's base URL at most every 30 s: any HTTP answer means reachable. */
export function channelHealth(platforms: PlatformConfigs, settings: Pick<Settings, 'portalRoot'>, registry?: Registry) {
  const cache = new Map<string, { at: number; check: Promise<EndpointCheck> }>();
  const probe = (platform: Platform): Promise<EndpointCheck> => {
    const baseUrl = platforms[platform]?.baseUrl;
    const checkedAt = new Date().toISOString();
    if (platform === 'portal') return Promise.resolve({ status: 'not_applicable', detail: `static site written to ${settings.portalRoot}`, checkedAt });
    if (!baseUrl) return Promise.resolve({ status: 'not_applicable', detail: 'manual hand-off: no API', checkedAt });
    return (
      axios
        // HEAD: any answer will do, and a base URL that serves a large page is not downloaded every 30 s.
        .head(baseUrl, { timeout: 2000, validateStatus: () => true, maxRedirects: 0, proxy: false })
        .then((r): EndpointCheck => ({ status: 'reachable', detail: `HTTP ${r.status}`, checkedAt }))
        .catch((e: { code?: string; message: string }): EndpointCheck => ({ status: 'unreachable', detail: e.code ?? e.message, checkedAt }))
    );
  };
  const endpoint = (platform: Platform) => {
    const hit = cache.get(platform);
    if (hit && Date.now() - hit.at < CHECK_TTL_MS) return hit.check;
    const check = probe(platform);
    cache.set(platform, { at: Date.now(), check });
    return check;
  };
  return async (): Promise<(channelId: string) => Record<string, unknown>> => {
    const checks = new Map<string, EndpointCheck>();
    await Promise.all((Object.keys(platforms) as Platform[]).map(async (p) => checks.set(p, await endpoint(p))));
    return (channelId) => {
      const platform = (registry ? findChannel(registry, channelId)?.platform : channelId.split(':')[0]) as Platform;
      const config = platforms[platform];
      const check = checks.get(platform);
      return {
        baseUrl: platform === 'portal' ? null : (config?.baseUrl ?? null),
        baseUrlSource: config?.baseUrlSource ?? 'none',
        // Merged into the channel's health (services/channel-health.ts), whose `endpoint` is the base URL.
        health: { reachability: check?.status ?? 'not_applicable', detail: check?.detail ?? null, checkedAt: check?.checkedAt ?? null },
        limits: { concurrency: config?.concurrency ?? null, ratePerSecond: config?.ratePerSecond ?? null },
      };
    };
  };
}

/**
 * Where a post confirmed by hand may be, by platform (adapters/post-links.ts): while the local
 * simulators of `govpub start` run, anywhere (nothing is really posted there); otherwise
 * platforms.yaml `postHosts` or the platform's declared hosts; and the host of the system govpub
 * itself talks to for it (its base URL: a simulator or a private deployment serves its posts there;
 * a real platform's API host is on its declared domain, whose rule refuses it). The portal's posts
 * are on its public address (GOVPUB_PORTAL_URL).
 */
export function postLinkOptionsFor(
  settings: Pick<Settings, 'simulators' | 'dataDir' | 'portalUrl'>,
  platforms: PlatformConfigs,
): (platform: string) => PostLinkOptions {
  if (settings.simulators && readSimulatorUrls(settings.dataDir)) return () => ({ hosts: ['*'] });
  const hostOf = (url: string | undefined) => {
    try {
      return url ? new URL(url).hostname.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  };
  return (platform) => {
    const config = platforms[platform as Platform];
    if (platform === 'portal') {
      const portalHost = hostOf(settings.portalUrl);
      return { hosts: config?.postHosts ?? (portalHost ? [portalHost] : []) };
    }
    const own = hostOf(config?.baseUrl);
    return { ...(config?.postHosts ? { hosts: config.postHosts } : {}), ...(own ? { alsoHosts: [own] } : {}) };
  };
}
