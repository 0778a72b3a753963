/** Small helpers for a benchmark's figures: seconds, quantiles, counts, and work run at a bounded concurrency. */

/** Milliseconds as seconds with two decimals. */
export const sec = (ms: number) => (ms / 1000).toFixed(2);

/** A sorted copy, smallest first (for quantile). */
export const sortedAscending = (values: number[]) => [...values].sort((a, b) => a - b);

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return m;
}
export const fmtCounts = (m: Map<string, number>) => [...m.entries()].map(([k, v]) => `${k} ${v}`).join(', ');

/** Runs `work` over `items`, at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}
