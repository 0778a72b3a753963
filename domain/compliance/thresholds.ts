/**
 * The thresholds the checks apply (config/registry/compliance.yaml, checked by
 * config/checks/compliance.ts). Every figure an inspector's rule names is here, never in code.
 */
export interface ComplianceThresholds {
  accounts: {
    /** A reminder from this many days without a post (default 10). */
    reminderDays: number;
    /** Failed (veto) from this many days without a post (default 14: "no update within 2 weeks"). */
    failDays: number;
  };
  columns: {
    /** news/dynamic columns: stale when more than this many days passed since the last update (default 14). */
    newsDynamicDays: number;
    /** notice/policy columns: stale when more than this many months passed since the last update (default 6). */
    noticePolicyMonths: number;
    /**
     * 长期未更新 (国办秘函〔2019〕19号 does not put a figure on it; a year is our reading): today past the same
     * date this many calendar months after the last update (default 12: a calendar year, leap years alike).
     */
    longStaleMonths: number;
  };
  site: {
    /** Veto when this many columns or more are stale (news/dynamic and notice/policy together; default 5). */
    staleColumns: number;
    /** Veto when this many columns or more are long stale (default 10). */
    longStaleColumns: number;
    /** Veto when this many columns or more that should be updated are empty (default 5). */
    emptyColumns: number;
    /** Veto when the home page has not changed for more than this many days (default 14). */
    homeStaleDays: number;
    /** Veto when this share (percent) of the probes in the window or more failed (default 5: 「超过（含）5%」). */
    unreachablePercent: number;
    /** A probe taking this long or longer counts as failed (default 15,000 ms: 「超过（含）15秒」). */
    probeTimeoutMs: number;
    /** The probes judged: those of the last this many days (default 7). */
    probeWindowDays: number;
    /** Fewer probes than this in the window: not judged, said so (default 1). */
    minProbes: number;
  };
  timing: {
    /** 三同步: an interpretation at most this many working days after its document (default 3). */
    interpretationWorkingDays: number;
    /** Art. 26: disclosure within this many working days of formation (default 20). */
    disclosureWorkingDays: number;
    /** An unreleased package gets a reminder this many working days before its deadline (default 5). */
    disclosureReminderWorkingDays: number;
    /** Releases older than this many days are no longer judged (their findings close; default 366). */
    lookbackDays: number;
  };
}

export const DEFAULT_THRESHOLDS: ComplianceThresholds = {
  accounts: { reminderDays: 10, failDays: 14 },
  columns: { newsDynamicDays: 14, noticePolicyMonths: 6, longStaleMonths: 12 },
  site: {
    staleColumns: 5,
    longStaleColumns: 10,
    emptyColumns: 5,
    homeStaleDays: 14,
    unreachablePercent: 5,
    probeTimeoutMs: 15_000,
    probeWindowDays: 7,
    minProbes: 1,
  },
  timing: { interpretationWorkingDays: 3, disclosureWorkingDays: 20, disclosureReminderWorkingDays: 5, lookbackDays: 366 },
};
