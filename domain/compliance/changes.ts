/**
 * How a run's draft compares with the finding it already has: the change the findings store records.
 * Pure, so the rule for "what is worth an audit entry" is written once and tested on its own.
 *
 * A figure that moves with the clock alone (days silent 11 → 12, working days left 4 → 3) is not a
 * change: the finding's facts and message are refreshed so the console shows today's figure, but no
 * event and no audit entry is written (a daily run would otherwise write one per open finding per day).
 * Anything else that differs in the facts (a new last post time that still leaves the account silent,
 * 6 → 7 stale columns) is `updated`; severity changes are `escalated` or `eased`.
 */
import { SEVERITIES, type FindingChange, type Severity } from './model.js';

/** Facts that move with the clock alone; the rules name their moving figures with these keys. */
export const MOVING_FACTS: ReadonlySet<string> = new Set([
  'asOf',
  'daysSilent',
  'daysSinceUpdate',
  'daysSinceHomeUpdate',
  'workingDaysElapsed',
  'workingDaysLeft',
]);

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function stableFacts(facts: Record<string, unknown>): string {
  const keys = Object.keys(facts)
    .filter((k) => !MOVING_FACTS.has(k))
    .sort();
  return JSON.stringify(keys.map((k) => [k, facts[k]]));
}

/**
 * The change from what is stored to the draft: `null` when nothing worth recording changed.
 * `previous` is undefined when the key was never seen.
 */
export function changeOf(
  previous: { status: 'open' | 'closed'; severity: Severity; facts: Record<string, unknown> } | undefined,
  draft: { severity: Severity; facts: Record<string, unknown> },
): Exclude<FindingChange, 'closed'> | null {
  if (!previous) return 'opened';
  if (previous.status === 'closed') return 'reopened';
  const delta = severityRank(draft.severity) - severityRank(previous.severity);
  if (delta > 0) return 'escalated';
  if (delta < 0) return 'eased';
  return stableFacts(previous.facts) === stableFacts(draft.facts) ? null : 'updated';
}

/** The stable key of a finding: `${kind}:${subject id}`. */
export function findingKey(draft: { kind: string; subject: { id: string } }): string {
  return `${draft.kind}:${draft.subject.id}`;
}
