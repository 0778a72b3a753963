// Times as the console shows them. No imports: node-side tests read it too.

/** 2026-11-30T08:05:00Z → 2026-11-30 16:05 (Beijing time, as the district reads it). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
    .format(date)
    .replaceAll('/', '-');
}

/** Beijing's offset from UTC: +08:00 all year (no daylight saving since 1991). */
const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * An instant as a Beijing wall clock reads it, the way the date-time pickers show it whatever
 * time zone the computer is set to: 2026-12-06T01:00:00Z → 2026-12-06 09:00:00 ('' for none).
 */
export function beijingWallClock(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return new Date(at + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A Beijing wall-clock time (YYYY-MM-DD HH:mm:ss, as the pickers give it) as an instant with its offset: 2026-12-06T09:00:00+08:00. */
export function fromBeijingWallClock(wallClock: string | null | undefined): string {
  if (!wallClock) return '';
  return `${wallClock.trim().replace(' ', 'T')}+08:00`;
}

/** Whether this computer's clock runs on Beijing time now (a picker's 此刻 gives the computer's own wall clock). */
export function browserOnBeijingTime(): boolean {
  return new Date().getTimezoneOffset() === -BEIJING_OFFSET_MS / 60_000;
}
