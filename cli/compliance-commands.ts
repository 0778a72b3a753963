/** `govpub compliance run`: the daily check on demand, through Temporal like the schedule, waiting for its summary. */
import type { Command } from 'commander';
import { GovpubError } from '../domain/errors.js';
import { DUPLICATE_WINDOW_DAYS } from '../domain/compliance/external-duplicates.js';
import type { Finding } from '../domain/compliance/model.js';
import { thresholdText } from '../domain/compliance/threshold-text.js';
import { withApp } from './context.js';
import { inChinese, printJson, printTable, say } from './output.js';

const SEVERITY_ORDER = { veto: 0, warning: 1, reminder: 2 } as const;

export function registerComplianceCommands(program: Command): void {
  const compliance = program.command('compliance').description('The compliance monitor: the inspectors’ items, found before the inspectors do');
  compliance
    .command('run')
    .description(
      'Run every check now (the same workflow as the daily schedule, notices included), wait, and print the counts against each veto threshold and the open findings',
    )
    .option('--limit <n>', 'print at most n open findings, the most severe first', '50')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 5000) {
        throw new GovpubError('invalid_arguments', `--limit ${options.limit} is not a number of findings from 0 to 5000.`);
      }
      await withApp(async (ctx) => {
        const { runComplianceAndWait } = await import('../services/compliance/runs.js');
        const { ComplianceMonitor } = await import('../services/compliance/monitor.js');
        const { localOperator } = await import('../services/users.js');
        let run: Awaited<ReturnType<typeof runComplianceAndWait>>;
        try {
          run = await runComplianceAndWait(ctx, localOperator());
        } catch (error) {
          if (error instanceof GovpubError) throw error;
          const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
          throw new GovpubError('compliance_run_failed', `The compliance run failed: ${cause}. Its history is in Temporal; fix the cause and run it again.`);
        }
        // The most severe first, up to --limit: the API pages by last change, so a first page of 50 would show
        // the columns a run just touched and leave out the accounts' vetoes, unchanged since an earlier run.
        const monitor = new ComplianceMonitor(ctx);
        const picked: Finding[] = [];
        for (const severity of ['veto', 'warning', 'reminder'] as const) {
          let cursor: string | undefined;
          do {
            if (picked.length >= limit) break;
            const page = await monitor.view({ status: 'open', severity, limit: Math.min(limit - picked.length, 500), cursor }, { role: 'admin', unit: null });
            picked.push(...page.findings);
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
        }
        const findings = picked.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.key.localeCompare(b.key));
        if (options.json) {
          printJson({ workflowId: run.workflowId, ...run.result, findings });
          return;
        }
        printSummary(run.workflowId, run.result, findings);
      });
    });

  compliance
    .command('external-release <id>')
    .description(
      'Register (or correct) a policy document published without govpub, so the 3-working-day interpretation rule covers it from the next run (audited)',
    )
    .requiredOption('--title <text>', 'the document title as published')
    .requiredOption(
      '--document-live-at <time>',
      'when the document went live (ISO 8601 with its offset, e.g. 2026-11-02T09:00:00+08:00; a time to come is refused)',
    )
    .option('--interpretation-live-at <time>', 'when its interpretation went live (left out: not yet)')
    .option('--unit <id>', 'the responsible unit: its units.yaml id or full name (jyj or 区教育局)')
    .option(
      '--document-number <文号>',
      'its 发文字号, e.g. 碑政发〔2026〕3号 (碑政发[2026]03号 is stored so): the same number under another id is the same document, two numbers are two',
    )
    .option('--url <url>', 'where the document is published')
    .option('--note <text>', 'why it went out without govpub')
    .option(
      '--distinct',
      `register it although the same unit's same title went live within ${DUPLICATE_WINDOW_DAYS} days of it: it really is another document (never overrides the same 发文字号)`,
    )
    .option('--json', 'print machine-readable JSON: the id, the 发文字号 as stored and the warnings')
    .addHelpText(
      'after',
      `
A document is registered once. Refused (exit 1) as the same document, naming the registration to
correct instead (govpub compliance external-release <that id> …):
  - the same 发文字号 under another id, whatever the days;
  - the same unit and title within ${DUPLICATE_WINDOW_DAYS} days (a day typed wrong, or once at its 成文日期 and
    once at its release), unless both carry different 发文字号; --distinct registers it anyway.`,
    )
    .action(
      async (
        id: string,
        options: {
          title: string;
          documentLiveAt: string;
          interpretationLiveAt?: string;
          unit?: string;
          documentNumber?: string;
          url?: string;
          note?: string;
          distinct?: boolean;
          json?: boolean;
        },
      ) => {
        await withApp(async (ctx) => {
          const { ComplianceMonitor } = await import('../services/compliance/monitor.js');
          const { localOperator } = await import('../services/users.js');
          const { documentNumber, warnings } = await new ComplianceMonitor(ctx).recordExternalRelease(
            {
              id,
              title: options.title,
              documentLiveAt: options.documentLiveAt,
              interpretationLiveAt: options.interpretationLiveAt ?? null,
              ownerUnit: options.unit ?? null,
              documentNumber: options.documentNumber ?? null,
              url: options.url ?? null,
              note: options.note ?? null,
              confirmDistinct: options.distinct === true,
            },
            localOperator(),
          );
          if (options.json) return printJson({ id, documentNumber: documentNumber ?? null, warnings });
          const recorded = say(
            `recorded external release ${id}${documentNumber ? ` (${documentNumber})` : ''}`,
            `已登记外部发布的文件 ${id}${documentNumber ? `（${documentNumber}）` : ''}`,
          );
          if (warnings.length === 0)
            console.log(say(`${recorded}: the next compliance run checks its interpretation's timing`, `${recorded}：下一次合规检查将核查其解读的发布时限`));
          else {
            console.log(recorded);
            for (const w of warnings) console.log(say(`warning: ${w.path}: ${w.message}`, `警告：${w.path}：${w.messageZh}`));
          }
        });
      },
    );
}

const SEVERITY_ZH = { veto: '单项否决', warning: '警告', reminder: '提醒' } as const;

/** The run's summary, its thresholds and its open findings, in Chinese with GOVPUB_LANG=zh (each finding's own zh message), else in English. */
function printSummary(
  workflowId: string,
  result: Awaited<ReturnType<typeof import('../services/compliance/runs.js').runComplianceAndWait>>['result'],
  findings: Finding[],
): void {
  const s = result.summary;
  const zh = inChinese();
  console.log(
    zh
      ? `合规检查 ${s.runId}（${workflowId}）：用时 ${s.durationMs} 毫秒，检查项 ${s.checks.join('、')}`
      : `compliance run ${s.runId} (${workflowId}): ${s.durationMs} ms, checks ${s.checks.join(', ')}`,
  );
  console.log(
    zh
      ? `问题：新增 ${s.opened} 项，关闭 ${s.closed} 项，变化 ${s.changed} 项；现未关闭：单项否决 ${s.open.veto} 项，警告 ${s.open.warning} 项，提醒 ${s.open.reminder} 项`
      : `findings: ${s.opened} opened, ${s.closed} closed, ${s.changed} changed; open now: ${s.open.veto} veto, ${s.open.warning} warning, ${s.open.reminder} reminder`,
  );
  console.log('');
  const [threshold, label, figure, state] = zh ? ['指标', '名称', '数值 / 限值', '结果'] : ['threshold', 'label', 'value / limit', 'state'];
  printTable(
    // Worded as the console words it: an empty home page is 首页无内容, not "0 days" that failed.
    s.thresholds.map((t) => ({
      [threshold]: t.id,
      [label]: t.label,
      [figure]: thresholdText(t),
      [state]: t.failed ? (zh ? '不合格' : 'FAILED') : zh ? '合格' : 'ok',
    })),
    [threshold, label, figure, state],
  );
  const openTotal = s.open.veto + s.open.warning + s.open.reminder;
  if (findings.length < openTotal) {
    console.log('');
    console.log(
      zh
        ? `下表列出 ${findings.length} 项（共 ${openTotal} 项未关闭，按严重程度排列）；用 --limit 列出更多，或在控制台「合规监测」中查看全部。`
        : `showing ${findings.length} of ${openTotal} open findings, the most severe first; --limit N shows more, the console's 合规监测 all of them.`,
    );
  }
  if (findings.length > 0) {
    console.log('');
    const [severity, key, unit, message] = zh ? ['级别', '编号', '单位', '问题与处理'] : ['severity', 'key', 'unit', 'message'];
    printTable(
      findings.map((f) => ({
        [severity]: zh ? SEVERITY_ZH[f.severity] : f.severity,
        [key]: f.key,
        [unit]: f.ownerUnit ?? '',
        [message]: zh ? f.message : f.messageEn,
      })),
      [severity, key, unit, message],
    );
  }
  const notified = result.notices.filter((n) => n.sent.length > 0);
  console.log('');
  if (zh)
    console.log(`通知：已通知 ${notified.length} 个单位${notified.length ? `（${notified.map((n) => `${n.unitId}：${n.sent.join('+')}`).join('，')}）` : ''}`);
  else
    console.log(`notices: ${notified.length} unit(s) told${notified.length ? ` (${notified.map((n) => `${n.unitId}: ${n.sent.join('+')}`).join(', ')})` : ''}`);
  for (const n of result.notices) {
    // Outcomes recorded before skippedZh was added have only the English reasons.
    const reasons = zh && n.skippedZh?.length === n.skipped.length ? n.skippedZh : n.skipped;
    for (const why of reasons) console.log(zh ? `  ${n.unitId}：未发送（${why}）` : `  ${n.unitId}: not sent by ${why}`);
  }
}
