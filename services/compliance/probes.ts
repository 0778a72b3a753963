/**
 * Reachability of the public site (inspectors: 5 % or more of the probes failed, a probe of 15 s or
 * more counting as failed, is a veto). One probe = one GET of each target: the portal's address as published, its home page, a
 * column page, and any extra URL from the settings. A probe fails on a network error, a non-2xx
 * answer, or no complete answer within the limit. Each result is a row of `site_probes`, which the
 * monitor reads as a window.
 */
import type { Kysely } from 'kysely';
import { portalColumnUrls, SITE_PATHS } from '../../adapters/portal/urls.js';
import { insertProbes, type ProbeRecord } from '../../db/compliance-notices.js';
import type { DB } from '../../db/schema.js';
import type { Registry } from '../../domain/registry.js';

export interface ProbeOptions {
  /** Public base URL of the portal (GOVPUB_PORTAL_URL). */
  portalUrl: string;
  registry: Registry;
  /** An answer taking this long or longer counts as failed (15 s: the inspectors' 「超过（含）15秒」). */
  timeoutMs: number;
  extraUrls?: readonly string[];
  now?: () => Date;
}

/** The URLs one probe GETs, without duplicates. */
export function probeTargets(options: Pick<ProbeOptions, 'portalUrl' | 'registry' | 'extraUrls'>): string[] {
  const base = options.portalUrl.replace(/\/+$/, '');
  const column = options.registry.portal.columns.find((c) => c.parentId !== null) ?? options.registry.portal.columns[0];
  const urls = [`${base}/`, `${base}/${SITE_PATHS.home}`, ...(column ? [portalColumnUrls(base, column.id).index] : []), ...(options.extraUrls ?? [])];
  return [...new Set(urls)];
}

/** One GET, read to the end within the limit. Never throws: a failure is a measurement. */
export async function probeUrl(url: string, timeoutMs: number, now: () => Date = () => new Date()): Promise<ProbeRecord> {
  const at = now();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'govpub-site-probe' } });
    // The whole page, as a visitor waits for it: a server that sends headers then stalls is unreachable too.
    // Read and let go chunk by chunk: a large download is measured, not held in memory.
    if (res.body) for await (const chunk of res.body) void chunk;
    const durationMs = elapsed();
    const ok = res.status >= 200 && res.status < 300 && durationMs < timeoutMs;
    return { at, url, ok, durationMs, status: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const reason = timedOut ? `no complete answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { at, url, ok: false, durationMs: elapsed(), status: null, error: reason.slice(0, 300) };
  }
}

/** Probes every target at once; records nothing (the probe workflow records in a step of its own). */
export async function measureSite(options: ProbeOptions): Promise<ProbeRecord[]> {
  const now = options.now ?? (() => new Date());
  return Promise.all(probeTargets(options).map((url) => probeUrl(url, options.timeoutMs, now)));
}

/** Probes every target at once and records the results; returns them. */
export async function probeSite(db: Kysely<DB>, options: ProbeOptions): Promise<ProbeRecord[]> {
  const results = await measureSite(options);
  await insertProbes(db, results);
  return results;
}
