/**
 * Every check of a daily pass, in one pure function: facts in, drafts and threshold statuses out. The
 * check groups name what a run covered (ComplianceRunSummary.checks) and the kinds each is authoritative for.
 */
import { checkAccounts } from './accounts.js';
import type { CheckContext } from './check-context.js';
import { checkColumns } from './columns.js';
import type { ComplianceFacts } from './facts.js';
import type { FindingDraft, FindingKind, ThresholdStatus } from './model.js';
import { checkSite } from './site.js';
import { checkTiming } from './timing.js';

export const CHECK_GROUPS = {
  accounts: ['account_silent'],
  columns: ['column_stale', 'column_long_stale', 'column_empty'],
  site: ['site_stale_columns', 'site_long_stale_columns', 'site_empty_columns', 'home_stale', 'site_unreachable'],
  timing: ['interpretation_late', 'disclosure_late', 'calendar_out_of_range'],
} as const satisfies Record<string, readonly FindingKind[]>;
export type CheckGroup = keyof typeof CHECK_GROUPS;

/** The kinds the daily run is authoritative for (the content gate owns published_*). */
export const DAILY_KINDS: readonly FindingKind[] = Object.values(CHECK_GROUPS).flat();

export interface CheckResult {
  drafts: FindingDraft[];
  thresholds: ThresholdStatus[];
  /** Milliseconds per group (for the run summary and the bench). */
  timings: Record<CheckGroup, number>;
}

export function runChecks(facts: ComplianceFacts, ctx: CheckContext, clock: () => number = () => 0): CheckResult {
  const timed = <T>(fn: () => T): [T, number] => {
    const start = clock();
    const value = fn();
    return [value, clock() - start];
  };
  const [accounts, accountsMs] = timed(() => checkAccounts(facts.accounts, ctx));
  const [columns, columnsMs] = timed(() => checkColumns(facts.columns, ctx));
  const [site, siteMs] = timed(() => checkSite(columns.counts, facts.site, ctx));
  const [timing, timingMs] = timed(() => checkTiming(facts.interpretations, facts.disclosures, ctx));
  return {
    drafts: [...accounts.drafts, ...columns.drafts, ...site.drafts, ...timing.drafts],
    thresholds: [...site.thresholds, ...accounts.thresholds],
    timings: { accounts: accountsMs, columns: columnsMs, site: siteMs, timing: timingMs },
  };
}
