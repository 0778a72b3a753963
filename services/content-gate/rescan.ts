/**
 * A change to the wording list re-scans what is already published: every released package's public
 * revision (texts and attachments' text; links are for the daily monitor, not a list change) with
 * the new list, reported as compliance findings of kinds `published_wording` and
 * `published_personal_data`, one per package and kind, through the compliance store
 * (services/compliance/findings.ts, which opens, updates and closes them and audits each change).
 * This re-scan is authoritative for those two kinds only. An audit entry keyed by the list's digest
 * records that this version of the list has been applied, so a list changed while govpub was down
 * is re-scanned at the next start, and twice-detected changes scan once.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../../db/audit.js';
import { publishedRevisions, wordingRescanned } from '../../db/content-gate.js';
import type { DB } from '../../db/schema.js';
import type { FindingDraft, FindingKind } from '../../domain/compliance/model.js';
import type { GateMatch } from '../../domain/content-gate/model.js';
import type { GateContent } from '../../domain/content-gate/package-texts.js';
import type { ContentGate } from './gate.js';
import type { WordingList } from './wording-list.js';

/** The compliance store's reconcile (services/compliance/findings.ts), as the re-scan calls it. */
export type ReconcileFindings = (
  db: Kysely<DB>,
  input: { runId: string; at: Date; actor: string; authoritativeKinds: FindingKind[]; drafts: FindingDraft[] },
) => Promise<unknown>;

export const RESCAN_KINDS: FindingKind[] = ['published_wording', 'published_personal_data'];
const BATCH = 200;
/** Matches kept in a finding's facts (the count says how many there are). */
const MAX_FACT_MATCHES = 20;

export interface RescanReport {
  runId: string;
  listDigest: string;
  packagesScanned: number;
  /** Packages with findings, by kind. */
  found: Record<'published_wording' | 'published_personal_data', { packageId: string; title: string; matches: number; blocking: number }[]>;
  durationMs: number;
}

/** What a finding keeps of a match: its place and masked excerpt, never a raw value. */
function factOf(m: GateMatch) {
  return {
    code: m.code,
    blocking: m.blocking,
    field: m.place.field,
    ...(m.place.within ? { within: m.place.within } : {}),
    line: m.place.line,
    offset: m.place.offset,
    excerpt: m.excerpt,
    ...(m.wrong ? { wrong: m.wrong } : {}),
    ...(m.right ? { right: m.right } : {}),
  };
}

function draftFor(
  kind: 'published_wording' | 'published_personal_data',
  pkg: { packageId: string; title: string; unit: string | null; revision: number },
  matches: GateMatch[],
  listDigest: string,
): FindingDraft {
  const blocking = matches.filter((m) => m.blocking).length;
  const first = matches[0]!;
  const wording = kind === 'published_wording';
  return {
    kind,
    // A miswritten name or 中华人民共合国 and an ID number on a public page are inspection vetoes; a warning-level term is a warning.
    severity: wording && blocking === 0 ? 'warning' : 'veto',
    subject: { type: 'package', id: pkg.packageId, name: pkg.title },
    ownerUnit: pkg.unit,
    message: wording
      ? `已发布稿件“${pkg.title}”中有 ${matches.length} 处用语问题（如“${first.wrong}”${first.right ? `应为“${first.right}”` : '为禁用语'}）。请更正后重新发布。`
      : `已发布稿件“${pkg.title}”中有 ${matches.length} 处个人信息（如“${first.excerpt}”）。请立即去除后重新发布，必要时先撤回。`,
    messageEn: wording
      ? `The published package "${pkg.title}" has ${matches.length} wording problem(s) (e.g. "${first.wrong}"${first.right ? ` → "${first.right}"` : ', a blocked term'}); correct it and publish again.`
      : `The published package "${pkg.title}" shows personal data in ${matches.length} place(s) (e.g. "${first.excerpt}"); remove it and publish again, retracting first if needed.`,
    facts: { revision: pkg.revision, count: matches.length, blocking, listDigest, matches: matches.slice(0, MAX_FACT_MATCHES).map(factOf) },
  };
}

/** Re-scans every released package with `list` and reconciles the two finding kinds. */
export async function rescanPublished(
  deps: { db: Kysely<DB>; gate: ContentGate; reconcile: ReconcileFindings },
  list: WordingList,
  options: { actor?: string; at?: Date } = {},
): Promise<RescanReport> {
  const started = Date.now();
  const runId = randomUUID();
  const drafts: FindingDraft[] = [];
  const report: RescanReport = {
    runId,
    listDigest: list.digest,
    packagesScanned: 0,
    found: { published_wording: [], published_personal_data: [] },
    durationMs: 0,
  };
  let after: string | null = null;
  for (;;) {
    const page = await publishedRevisions(deps.db, after, BATCH);
    if (page.length === 0) break;
    for (const pkg of page) {
      report.packagesScanned += 1;
      const matches = await deps.gate.scanContent(pkg.content as GateContent, list);
      const wording = matches.filter((m) => m.code === 'wording_wrong' || m.code === 'wording_blocked');
      const personal = matches.filter((m) => m.code.startsWith('personal_'));
      for (const [kind, found] of [
        ['published_wording', wording],
        ['published_personal_data', personal],
      ] as const) {
        if (found.length === 0) continue;
        drafts.push(draftFor(kind, pkg, found, list.digest));
        report.found[kind].push({ packageId: pkg.packageId, title: pkg.title, matches: found.length, blocking: found.filter((m) => m.blocking).length });
      }
    }
    after = page[page.length - 1]!.packageId;
  }
  const actor = options.actor ?? 'system';
  await deps.reconcile(deps.db, { runId, at: options.at ?? new Date(), actor, authoritativeKinds: RESCAN_KINDS, drafts });
  report.durationMs = Date.now() - started;
  await appendAudit(deps.db, {
    actor,
    action: 'wording.rescan',
    eventKey: `wording-rescan:${list.digest}`,
    details: {
      runId,
      listDigest: list.digest,
      entries: list.entries.length,
      packagesScanned: report.packagesScanned,
      withWording: report.found.published_wording.length,
      withPersonalData: report.found.published_personal_data.length,
    },
  });
  return report;
}

/** Re-scans unless this version of the list has been applied already (the reload's trigger). */
export async function rescanIfNew(deps: { db: Kysely<DB>; gate: ContentGate; reconcile: ReconcileFindings }, list: WordingList): Promise<RescanReport | null> {
  if (await wordingRescanned(deps.db, list.digest)) return null;
  return rescanPublished(deps, list);
}
