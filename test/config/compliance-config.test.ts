/** compliance.yaml and workdays.yaml load into the registry and every problem comes back with file, line and key path. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { ConfigError } from '../../domain/errors.js';
import { writeFixture, type FixtureEdits } from './registry-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function problems(edits: FixtureEdits): Promise<string[]> {
  const dir = writeFixture(edits);
  dirs.push(dir);
  const error = await loadRegistry(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message
    .split('\n')
    .slice(1)
    .map((l) => l.trim());
}

describe('compliance thresholds and district working days', () => {
  it('load from the shipped registry and from the fixture', async () => {
    const shipped = await loadRegistry();
    expect(shipped.compliance.accounts).toEqual({ reminderDays: 10, failDays: 14 });
    expect(shipped.compliance.columns.longStaleMonths).toBe(12);
    expect(shipped.workdays).toEqual({ daysOff: [], workingDays: [], extraYears: [] });
    const dir = writeFixture();
    dirs.push(dir);
    const registry = await loadRegistry(dir);
    expect(registry.workdays.daysOff).toEqual([{ date: '2026-07-01', reason: '区级防汛停工' }]);
    expect(registry.compliance.site.unreachablePercent).toBe(5);
  });

  it('report wrong types, ranges and order in compliance.yaml with their lines', async () => {
    const lines = await problems({
      lines: {
        'compliance.yaml': {
          1: 'accounts: { reminderDays: 15, failDays: 14 }',
          4: '  staleColumns: five',
          8: '  unreachablePercent: 120',
          11: null,
        },
      },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/compliance\.yaml:4: site\.minProbes: required field is missing/),
        expect.stringMatching(/compliance\.yaml:4: site\.staleColumns: expected a whole number of columns from 1 to 10000, got "five"/),
        expect.stringMatching(/compliance\.yaml:8: site\.unreachablePercent: expected a number of percent from 0 to 100, got number 120/),
      ]),
    );
    // A compliance.yaml written for an earlier release is told what replaced its key, not just "unknown key".
    const earlier = await problems({ lines: { 'compliance.yaml': { 2: 'columns: { newsDynamicDays: 14, noticePolicyMonths: 6, longStaleDays: 365 }' } } });
    expect(earlier).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /compliance\.yaml:2: columns\.longStaleDays: longStaleDays was replaced by longStaleMonths, calendar months .*longStaleMonths: 12 for a year/,
        ),
      ]),
    );
    const order = await problems({ lines: { 'compliance.yaml': { 1: 'accounts: { reminderDays: 15, failDays: 14 }' } } });
    expect(order).toEqual([expect.stringMatching(/compliance\.yaml:1: accounts\.reminderDays: the reminder \(day 15\) must come before the failure/)]);
  });

  it('report bad dates, days listed twice or both ways, and years the calendar does not cover', async () => {
    const lines = await problems({
      lines: {
        'workdays.yaml': {
          2: '  - { date: 2026-02-30, reason: 错误日期 }\n  - { date: 2026-07-01, reason: a }\n  - { date: 2031-05-06, reason: 远期 }',
          3: 'workingDays: [{ date: 2026-07-01, reason: b }, { date: 2026-08-01 }]',
          4: 'extraYears: [2026, nineteen]',
        },
      },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/workdays\.yaml:2: daysOff\[0\]\.date: "2026-02-30" is not a calendar date/),
        expect.stringMatching(/workdays\.yaml:4: daysOff\[2\]\.date: 2031-05-06 is in 2031, which chinese-days .* does not cover .*add 2031 to extraYears/),
        expect.stringMatching(/workdays\.yaml:5: workingDays\[0\]\.date: 2026-07-01 is listed under both daysOff and workingDays/),
        expect.stringMatching(/workdays\.yaml:5: workingDays\[1\]\.reason: required field is missing/),
        expect.stringMatching(/workdays\.yaml:6: extraYears\[0\]: 2026 is covered by chinese-days .* already/),
        expect.stringMatching(/workdays\.yaml:6: extraYears\[1\]: expected a year such as 2027, got "nineteen"/),
      ]),
    );
  });
});
