/**
 * The annual figures as the API answers them (GET /api/stats, `govpub stats --format json`): the
 * shape the service builds, the route serializes and the console reads. Pure types.
 *
 * An item (条) is one package released to one channel, dated by the first moment it went live
 * there (Asia/Shanghai); a later revision on the same channel is the same item; items of the year
 * taken down since are counted in `retractedItems`, never in `items`.
 */

export interface ItemCount {
  items: number;
  retractedItems: number;
}

export interface AnnualStats {
  year: number;
  timeZone: 'Asia/Shanghai';
  /** null: the whole district; else the unit whose packages (and accounts) are counted. */
  unit: string | null;
  /** The counted period: the year, or up to now for the current year (rates and gaps use it). */
  period: { from: string; to: string; days: number };
  totals: {
    items: number;
    retractedItems: number;
    /** Packages first released in the year. */
    packages: number;
    /** Packages retracted in the year (whenever they were released). */
    retractions: number;
    interpretations: number;
  };
  byMonth: ({ month: number } & ItemCount & { byKind: Record<string, number> })[];
  byKind: ({ kind: string; label: string } & ItemCount)[];
  byPlatform: ({ platform: string; platformName: string } & ItemCount)[];
  /** Every channel: portal columns, accounts, media-center columns (kind says which). */
  byChannel: ({ channelId: string; platform: string; platformName: string; kind: string; name: string; ownerUnit: string | null } & ItemCount)[];
  byCategory: ({ category: string; packages: number } & ItemCount)[];
  interpretations: { form: string; label: string; count: number; retracted: number; packages: number }[];
  approvalToLive: {
    items: number;
    medianSec: number | null;
    p90Sec: number | null;
    byPlatform: { platform: string; platformName: string; items: number; medianSec: number | null; p90Sec: number | null }[];
  };
  accounts: {
    channelId: string;
    platform: string;
    platformName: string;
    name: string;
    ownerUnit: string | null;
    posts: number;
    perMonth: number | null;
    perWeek: number | null;
    byMonth: number[];
    longestGap: { days: number; from: string; to: string };
  }[];
  generatedAt: string;
}
