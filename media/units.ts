/**
 * Human-readable sizes and durations for error messages. Sizes use decimal units (1 MB =
 * 1,000,000 bytes), the same units the platform limits in specs.ts are written in.
 */

function trimNumber(n: number, digits: number): string {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1000) return `${bytes} ${abs === 1 ? 'byte' : 'bytes'}`;
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const v = bytes / size;
      // One decimal, but never round 9.96 MB up to "10 MB" when comparing against a 10 MB limit.
      const digits = Math.abs(v) < 100 ? 1 : 0;
      const factor = 10 ** digits;
      const floored = Math.floor(v * factor) / factor;
      return `${trimNumber(floored, digits)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown length';
  if (seconds < 60) return `${trimNumber(seconds, 1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !h) parts.push(`${s} s`);
  return parts.join(' ');
}

/** "clip.mp4 is 12.4 MB, 2.4 MB over the 10 MB limit of WeChat video material" */
export function overLimitMessage(what: string, size: number, limit: number, limitName: string): string {
  return `${what} is ${formatBytes(size)}, ${formatBytes(size - limit)} over the ${formatBytes(limit)} limit of ${limitName}`;
}
