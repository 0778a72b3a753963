/**
 * Checks `compliance.yaml`: the monitor's thresholds (domain/compliance/thresholds.ts), each a number in
 * a sensible range, every section and key present, and the pairs that must be ordered (a reminder
 * before the failure).
 */
import { isScalar } from 'yaml';
import type { ComplianceThresholds } from '../../domain/compliance/thresholds.js';
import { readMap } from '../yaml-fields.js';
import { describe, type At, type FileCheck } from '../yaml-lines.js';

interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
  unit: string;
}

const whole = (min: number, max: number, unit: string): NumberRule => ({ min, max, integer: true, unit });

const SECTIONS: { [S in keyof ComplianceThresholds]: { [K in keyof ComplianceThresholds[S]]: NumberRule } } = {
  accounts: { reminderDays: whole(1, 365, 'days'), failDays: whole(1, 365, 'days') },
  columns: { newsDynamicDays: whole(1, 365, 'days'), noticePolicyMonths: whole(1, 60, 'months'), longStaleMonths: whole(1, 120, 'months') },
  site: {
    staleColumns: whole(1, 10_000, 'columns'),
    longStaleColumns: whole(1, 10_000, 'columns'),
    emptyColumns: whole(1, 10_000, 'columns'),
    homeStaleDays: whole(1, 365, 'days'),
    unreachablePercent: { min: 0, max: 100, integer: false, unit: 'percent' },
    probeTimeoutMs: whole(100, 600_000, 'milliseconds'),
    probeWindowDays: whole(1, 366, 'days'),
    minProbes: whole(1, 1_000_000, 'probes'),
  },
  timing: {
    interpretationWorkingDays: whole(0, 60, 'working days'),
    disclosureWorkingDays: whole(1, 120, 'working days'),
    disclosureReminderWorkingDays: whole(0, 120, 'working days'),
    lookbackDays: whole(1, 3660, 'days'),
  },
};

/** Keys of earlier releases, with what replaced them: a deployment's own compliance.yaml is told how to change. */
const REPLACED_KEYS: Record<string, Record<string, string>> = {
  columns: {
    longStaleDays:
      'longStaleDays was replaced by longStaleMonths, calendar months (365 days read the anniversary itself as long stale when a 29 February lay between): write longStaleMonths: 12 for a year',
  },
};

function readNumber(fc: FileCheck, at: At, rule: NumberRule): number | undefined {
  const value = isScalar(at.node) ? at.node.value : undefined;
  if (typeof value === 'number' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && value >= rule.min && value <= rule.max) return value;
  fc.issue(
    at.path,
    `expected ${rule.integer ? 'a whole number' : 'a number'} of ${rule.unit} from ${rule.min} to ${rule.max}, got ${describe(at.node)}`,
    at.line,
  );
  return undefined;
}

export function checkCompliance(fc: FileCheck, root: At): ComplianceThresholds | undefined {
  const sections = readMap(fc, root, { required: Object.keys(SECTIONS) }, 'the compliance thresholds');
  if (!sections) return undefined;
  const out: Record<string, Record<string, number>> = {};
  let ok = true;
  for (const [section, rules] of Object.entries(SECTIONS) as [string, Record<string, NumberRule>][]) {
    const at = sections.get(section);
    if (!at) {
      ok = false;
      continue;
    }
    const fields = readMap(fc, at, { required: Object.keys(rules), replaced: REPLACED_KEYS[section] }, `the ${section} thresholds`);
    if (!fields) {
      ok = false;
      continue;
    }
    out[section] = {};
    for (const [key, rule] of Object.entries(rules)) {
      const fieldAt = fields.get(key);
      const value = fieldAt && readNumber(fc, fieldAt, rule);
      if (value === undefined) ok = false;
      else out[section][key] = value;
    }
  }
  if (!ok) return undefined;
  const thresholds = out as unknown as ComplianceThresholds;
  const lineOf = (path: string) => fc.lines.get(path);
  if (thresholds.accounts.reminderDays >= thresholds.accounts.failDays) {
    fc.issue(
      'accounts.reminderDays',
      `the reminder (day ${thresholds.accounts.reminderDays}) must come before the failure (failDays ${thresholds.accounts.failDays})`,
      lineOf('accounts.reminderDays'),
    );
    ok = false;
  }
  if (thresholds.timing.disclosureReminderWorkingDays >= thresholds.timing.disclosureWorkingDays) {
    fc.issue(
      'timing.disclosureReminderWorkingDays',
      `the reminder (${thresholds.timing.disclosureReminderWorkingDays} working days before) must be shorter than the limit itself (${thresholds.timing.disclosureWorkingDays})`,
      lineOf('timing.disclosureReminderWorkingDays'),
    );
    ok = false;
  }
  return ok ? thresholds : undefined;
}
