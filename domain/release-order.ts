/**
 * The order in which a release starts its deliveries. Temporal starts a workflow's children one
 * after another (each start is recorded on the parent), so with 40 channels the last one starts
 * a second or more after the first. A platform with a rate cap cannot take its k-th channel of
 * this release before k / ratePerSecond seconds anyway. So:
 *  1. channels of platforms that can take all of this release within its first second (no cap, or
 *     no more channels than ratePerSecond) start first: nothing but the start order holds them back;
 *  2. then the channels of platforms whose quota makes them queue anyway.
 * Within each, channels start by the earliest moment their platform's cap lets them go, so every
 * platform gets going at once; ties keep the editor's order. (Measured on the 40-channel release
 * of issue 14: a quota-free Weibo account sorted among WeChat's fifteen started 1.3–2.1 s late.)
 */
export interface OrderedChannel {
  platform: string;
  /** Transmits started per second across all workers; undefined: no cap. */
  ratePerSecond?: number;
}

/** The earliest second (after the release) at which each channel's platform cap lets it start. */
export function earliestStarts(channels: readonly OrderedChannel[]): number[] {
  const seen = new Map<string, number>();
  return channels.map((c) => {
    const k = seen.get(c.platform) ?? 0;
    seen.set(c.platform, k + 1);
    return c.ratePerSecond && c.ratePerSecond > 0 ? k / c.ratePerSecond : 0;
  });
}

/** True when the platform has more channels in this release than it can start within the first second. */
export function quotaBound(channels: readonly OrderedChannel[]): boolean[] {
  const count = new Map<string, number>();
  for (const c of channels) count.set(c.platform, (count.get(c.platform) ?? 0) + 1);
  return channels.map((c) => c.ratePerSecond !== undefined && c.ratePerSecond > 0 && count.get(c.platform)! > c.ratePerSecond);
}

/** `channels` in start order (a stable sort: quota-free platforms first, then by earliest start): a new array, the input untouched. */
export function releaseStartOrder<C extends OrderedChannel>(channels: readonly C[]): C[] {
  const starts = earliestStarts(channels);
  const bound = quotaBound(channels);
  return channels
    .map((channel, index) => ({ channel, index, tier: bound[index] ? 1 : 0, start: starts[index]! }))
    .sort((a, b) => a.tier - b.tier || a.start - b.start || a.index - b.index)
    .map((x) => x.channel);
}
