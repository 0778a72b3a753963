/**
 * `govpub wording check` (the wording list's file:line problems and its size) and
 * `govpub wording rescan` (re-scan what is published with the list now, print the report; the API
 * does this by itself when the file changes). Local admin commands: they open the database.
 */
import type { Command } from 'commander';
import { withApp } from './context.js';
import { printJson } from './output.js';

export function registerWordingCommands(program: Command): void {
  const wording = program
    .command('wording')
    .description('The content gate’s wording list (错词 → 正词, blocked terms, officials’ names): GOVPUB_WORDING_FILE or config/registry/wording.yaml');
  wording
    .command('check')
    .description('Validate the wording list (every problem with file and line) and say how many entries of each kind and level it has')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean }) => {
      const { loadWordingListSync } = await import('../services/content-gate/wording-list.js');
      const list = loadWordingListSync();
      const count = (test: (e: (typeof list.entries)[number]) => boolean) => list.entries.filter(test).length;
      const summary = {
        file: list.file,
        digest: list.digest,
        entries: list.entries.length,
        wrong: count((e) => e.kind === 'wrong'),
        blocked: count((e) => e.kind === 'blocked'),
        names: count((e) => e.kind === 'name'),
        blocking: count((e) => e.level === 'blocking'),
        warning: count((e) => e.level === 'warning'),
      };
      if (options.json) return printJson(summary);
      console.log(
        `wording list OK: ${summary.file}: ${summary.entries} entries (${summary.wrong} wrong forms, ${summary.blocked} blocked terms, ${summary.names} names and titles; ${summary.blocking} blocking, ${summary.warning} warnings)`,
      );
    });
  wording
    .command('rescan')
    .description(
      'Re-scan every released package with the wording list now; report what is found as compliance findings (published_wording, published_personal_data) and print it',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean }) => {
      await withApp(async (ctx) => {
        const { createContentGate } = await import('../services/content-gate/index.js');
        const { rescanPublished } = await import('../services/content-gate/rescan.js');
        const { reconcileFindings } = await import('../services/compliance/findings.js');
        const gate = createContentGate(ctx.db);
        const list = await gate.deps.wording.current();
        const report = await rescanPublished({ db: ctx.db, gate, reconcile: reconcileFindings }, list, { actor: 'cli' });
        if (options.json) return printJson(report);
        console.log(`re-scanned ${report.packagesScanned} released packages with ${list.entries.length} wording entries in ${report.durationMs} ms`);
        for (const [kind, found] of Object.entries(report.found)) {
          console.log(`${kind}: ${found.length} package${found.length === 1 ? '' : 's'}`);
          for (const f of found) console.log(`  ${f.packageId}  ${f.title}  (${f.matches} match${f.matches === 1 ? '' : 'es'}, ${f.blocking} blocking)`);
        }
      });
    });
}
