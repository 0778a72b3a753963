/** Suggests the nearest known name for a mistyped one, by edit distance. */

/** ` (did you mean "x"?)` when a candidate is close enough to `value`, otherwise the empty string. */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  const best = nearestName(value, candidates);
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

/** The candidate nearest to `value` when it is close enough to be a mistyping of it, else undefined. */
export function nearestName(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(value, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

/** Levenshtein distance with one row of memory. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
