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

/** A duration in Chinese: "16 分钟", "1 小时 5 分钟", "30 秒", "2 分 30 秒" (seconds only under an hour). */
export function formatDurationZh(seconds: number): string {
  if (!Number.isFinite(seconds)) return '未知时长';
  if (seconds < 60) return `${trimNumber(seconds, 1)} 秒`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return m ? `${h} 小时 ${m} 分钟` : `${h} 小时`;
  return s ? `${m} 分 ${s} 秒` : `${m} 分钟`;
}

/** How a Chinese sentence names a file: 「会议.mp4」, or 该文件 for the English stand-ins ("The upload", "The video"). */
export function fileZh(label: string): string {
  return /^The [a-z ]+$/.test(label) ? '该文件' : `「${label}」`;
}

/** The kind of a file in Chinese (图片, 视频…). */
export function kindZh(kind: string): string {
  return ({ image: '图片', video: '视频', audio: '音频', document: '附件', captions: '字幕' } as Record<string, string>)[kind] ?? kind;
}

/** "clip.mp4 is 12.4 MB, 2.4 MB over the 10 MB limit of WeChat video material" */
export function overLimitMessage(what: string, size: number, limit: number, limitName: string): string {
  return `${what} is ${formatBytes(size)}, ${formatBytes(size - limit)} over the ${formatBytes(limit)} limit of ${limitName}`;
}

/**
 * What a rendition's making noted (enlarged, reduced to fit, no watermark…): each note in English
 * and in the Chinese the console and the API's zh fields show, written together where it is made.
 */
export interface RenditionNotes {
  warnings: string[];
  warningsZh: string[];
}

export function newNotes(): RenditionNotes {
  return { warnings: [], warningsZh: [] };
}

export function addNote(notes: RenditionNotes, en: string, zh: string): void {
  notes.warnings.push(en);
  notes.warningsZh.push(zh);
}
