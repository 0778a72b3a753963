/**
 * Instants as people here read them: Beijing time (UTC+8; China has kept no daylight saving
 * since 1991). The API stores and returns UTC; messages, tables and the console show these.
 */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** `2026-03-01T02:00:00Z` → `2026-03-01 10:00:00` (Beijing time); an unreadable value as given. */
export function chinaTimeToSecond(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  // Past year 9999 (a mistyped year in a refusal) toISOString writes the year in six digits and a sign.
  const [, year, rest] = /^([+-]\d{6}|\d{4})-(\d\d-\d\dT\d\d:\d\d:\d\d)/.exec(new Date(at + BEIJING_OFFSET_MS).toISOString())!;
  return `${/^\d{4}$/.test(year!) ? year : String(Number(year))}-${rest!.replace('T', ' ')}`;
}

/** `2026-03-01T02:00:00Z` → `2026-03-01 10:00` (Beijing time), for messages; an unreadable value as given. */
export function chinaTime(iso: string): string {
  const shown = chinaTimeToSecond(iso);
  return shown === iso ? iso : shown.slice(0, -3);
}
