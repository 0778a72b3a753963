// The compliance API's shapes (one definition: domain/compliance/model.ts) and how the console words its figures.
export { FINDING_KINDS, SEVERITIES } from '../../../../domain/compliance/model.js';
export type { ComplianceView, Finding, FindingEvent, Severity, ThresholdStatus } from '../../../../domain/compliance/model.js';
export { thresholdText } from '../../../../domain/compliance/threshold-text.js';

export type UnitNames = Map<string, string>;

export function unitNames(units: { id: string; name: string }[]): UnitNames {
  return new Map(units.map((u) => [u.id, u.name]));
}
