/** What a site probe reports back to its schedule: how many targets, how many failed, and why. */
import type { SiteProbeResult } from '../../contracts/compliance.js';

export function summarizeProbes(probes: readonly { url: string; ok: boolean; error: string | null }[]): SiteProbeResult {
  const failed = probes.filter((p) => !p.ok);
  return { probed: probes.length, failed: failed.length, failures: failed.map((p) => `${p.url}: ${p.error ?? 'failed'}`) };
}
