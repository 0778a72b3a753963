/**
 * `govpub wording check` (the wording list's file:line problems and its size) and
 * `govpub wording rescan` (re-scan what is published with the list now, print the report; the API
 * does this by itself when the file changes). Local admin commands: they open the database.
 */
import type { Command } from 'commander';
import { withApp } from './context.js';
import { printJson, say } from './output.js';

/** What a re-scan finds, as the console's compliance monitor names these findings (web/src/labels.ts). */
const FOUND_KIND_ZH: Record<string, string> = { published_wording: '已发布内容用语问题', published_personal_data: '已发布内容含个人信息' };

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
        say(
          `wording list OK: ${summary.file}: ${summary.entries} entries (${summary.wrong} wrong forms, ${summary.blocked} blocked terms, ${summary.names} names and titles; ${summary.blocking} blocking, ${summary.warning} warnings)`,
          `词库检查通过：${summary.file}：共 ${summary.entries} 条（错别字词 ${summary.wrong} 条，禁用语 ${summary.blocked} 条，人名与职务 ${summary.names} 条；阻止提交 ${summary.blocking} 条，提示 ${summary.warning} 条）`,
        ),
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
        console.log(
          say(
            `re-scanned ${report.packagesScanned} released packages with ${list.entries.length} wording entries in ${report.durationMs} ms`,
            `已用词库 ${list.entries.length} 条重新检查已发布稿件 ${report.packagesScanned} 份，用时 ${report.durationMs} 毫秒`,
          ),
        );
        for (const [kind, found] of Object.entries(report.found)) {
          // In Chinese as the console's 合规监测 names the finding, with its id (published_wording).
          const kindZh = `${FOUND_KIND_ZH[kind] ?? kind}（${kind}）`;
          console.log(say(`${kind}: ${found.length} package${found.length === 1 ? '' : 's'}`, `${kindZh}：${found.length} 份稿件`));
          for (const f of found)
            console.log(
              say(
                `  ${f.packageId}  ${f.title}  (${f.matches} match${f.matches === 1 ? '' : 'es'}, ${f.blocking} blocking)`,
                `  ${f.packageId}  ${f.title}（命中 ${f.matches} 处，其中阻止提交 ${f.blocking} 处）`,
              ),
            );
        }
      });
    });
}
