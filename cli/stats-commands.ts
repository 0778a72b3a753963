/**
 * `govpub stats --year 2026`: the annual figures through the API as the token's user (the API
 * decides whose figures they may read), printed as tables, JSON or the CSV the console downloads.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { GovpubError } from '../domain/errors.js';
import { parseYear, periodCutOff, type AnnualStats } from '../domain/annual-stats.js';
import { annualStatsCsv, reportSections } from '../services/annual-stats-report.js';
import { ApiClient, withApiOptions, type ApiOptions } from './api-client.js';
import { inChinese, printTable, say } from './output.js';

type Format = 'table' | 'json' | 'csv';
const FORMATS: readonly Format[] = ['table', 'json', 'csv'];

interface StatsOptions extends ApiOptions {
  year: string;
  format?: string;
  out?: string;
  unit?: string;
  json?: boolean;
}

function render(stats: AnnualStats, format: 'json' | 'csv'): string {
  return format === 'json' ? `${JSON.stringify(stats, null, 2)}\n` : annualStatsCsv(stats);
}

export function registerStatsCommands(program: Command): void {
  withApiOptions(
    program
      .command('stats')
      .description(
        'Annual figures (年度统计): items per channel, column, platform and category, interpretations by form, retractions, approval → live, account updates',
      )
      .requiredOption('--year <year>', 'the calendar year (Asia/Shanghai), e.g. 2026')
      .option('--format <format>', 'table (default), json or csv (UTF-8 with BOM, one section per table)')
      .option('--json', 'the same as --format json')
      .option('--unit <unit>', 'only this unit (editors always get their own)')
      .option('--out <file>', 'write to this file instead of standard output'),
  ).action(async (options: StatsOptions) => {
    const year = parseYear(options.year, '--year');
    // Two answers to one question: say so rather than pick one (--json --format csv printed JSON).
    if (options.json && options.format !== undefined && options.format !== 'json')
      throw new GovpubError(
        'invalid_arguments',
        `--json and --format ${options.format} ask for two formats: give one of them.`,
        {},
        { zh: `--json 与 --format ${options.format} 指定了两种格式：请只用其中一个。` },
      );
    const format = (options.json ? 'json' : (options.format ?? 'table')) as Format;
    if (!FORMATS.includes(format))
      throw new GovpubError(
        'invalid_arguments',
        `--format: expected one of ${FORMATS.join(', ')}, got "${options.format}".`,
        {},
        { zh: `--format 应为 ${FORMATS.join('、')} 之一。` },
      );
    const query = new URLSearchParams({ year: String(year), ...(options.unit ? { unit: options.unit } : {}) });
    const stats = await ApiClient.from(options).request<AnnualStats>('GET', `/api/stats?${query}`);

    if (format !== 'table') {
      const text = render(stats, format);
      if (options.out) {
        try {
          fs.writeFileSync(options.out, text);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          throw new GovpubError(
            'file_unwritable',
            `Cannot write ${options.out} (${code}): check that its folder exists and that you may write there, or give another --out.`,
            {},
            { zh: `无法写入 ${options.out}（${code}）：请确认其所在文件夹存在且有写入权限，或换一个 --out 路径。` },
          );
        }
        const bytes = Buffer.byteLength(text);
        process.stderr.write(say(`wrote ${options.out} (${bytes} bytes)\n`, `已写入 ${options.out}（${bytes} 字节）\n`));
      } else process.stdout.write(text);
      return;
    }
    if (options.out)
      throw new GovpubError(
        'invalid_arguments',
        '--out writes json or csv: add --format csv (or json).',
        {},
        { zh: '--out 只写入 json 或 csv：请加上 --format csv（或 json）。' },
      );
    const zh = inChinese();
    const cutOff = periodCutOff(stats.period);
    const header = zh
      ? `${stats.year} 年度统计（${stats.unit === null ? '全区' : (stats.unitName ?? stats.unit)}，北京时间，${cutOff === null ? '该年度尚未开始' : `截至 ${cutOff}`}）`
      : `Annual figures ${stats.year} (${stats.unit ?? 'district'}, Asia/Shanghai, ${cutOff === null ? 'the year has not begun' : `up to ${cutOff}`}); an item = one package on one channel`;
    process.stdout.write(`${header}\n`);
    for (const section of reportSections(stats)) {
      // A table of 300 portal columns with nothing in them says little on a terminal: zero rows are in the CSV.
      const rows = section.id === 'portal_columns' ? section.rows.filter((r) => Number(r[2]) + Number(r[3]) > 0) : section.rows;
      const names = section.columns.map(([cn, en]) => (zh ? cn : en));
      process.stdout.write(
        `\n${zh ? section.title : section.titleEn}${rows.length < section.rows.length ? (zh ? '（仅列有发布的栏目）' : ' (columns with items)') : ''}\n`,
      );
      printTable(
        rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]]))),
        names,
      );
    }
  });
}
