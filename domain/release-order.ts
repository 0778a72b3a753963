/**
 * The order in which a release starts its deliveries. Temporal starts a workflow's children one
 * after another (each start is recorded on the parent), so with 40 channels the last one starts
 * a second or more after the first. A platform with a rate cap cannot take its k-th channel of
 * this release before k / ratePerSecond seconds anyway; starting channels by that earliest moment
 * gets every platform going at once and lets no channel that would wait for its platform's quota
 * hold back one that could go out now. Ties keep the editor's order.
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

/** `channels` in start order (a stable sort by earliest start): a new array, the input untouched. */
export function releaseStartOrder<C extends OrderedChannel>(channels: readonly C[]): C[] {
  const starts = earliestStarts(channels);
  return channels
    .map((channel, index) => ({ channel, index, start: starts[index]! }))
    .sort((a, b) => a.start - b.start || a.index - b.index)
    .map((x) => x.channel);
}
