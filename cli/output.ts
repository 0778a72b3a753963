/** Output for people (tables, sentences) or scripts (`--json`), and errors a person can act on. */
import { ConfigError, GovpubError } from '../domain/errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uFFEF]/.test(ch) ? 2 : 1), 0);
  const widths = columns.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (values: string[]) =>
    values
      .map((v, i) => v + ' '.repeat(Math.max(0, widths[i]! - width(v))))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

/**
 * Whether people read Chinese here: `GOVPUB_LANG=zh` (or zh-CN, zh_CN.UTF-8). English is the
 * default, so scripts that read the CLI's output see what they always saw.
 */
export function inChinese(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^zh\b/i.test(env.GOVPUB_LANG?.trim() ?? '');
}

/** Prints the error for a person (or as JSON) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof GovpubError) {
    const problems = (error.details as { problems?: unknown }).problems;
    if (json) {
      printJson({
        error: {
          code: error.code,
          message: error.message,
          messageZh: error.messageZh,
          ...(error instanceof ConfigError ? { issues: error.issues } : {}),
          ...(problems ? { problems } : {}),
        },
      });
    } else
      process.stderr.write(`govpub: ${inChinese() ? error.messageZh : error.message}
${problemLines(problems)}`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) printJson({ error: { code: 'internal', message } });
  else process.stderr.write(`govpub: unexpected error: ${error instanceof Error && process.env.GOVPUB_DEBUG ? error.stack : message}\n`);
  return 1;
}

/** One line per problem the API listed (e.g. preflight's, per channel), for a person to act on. */
function problemLines(problems: unknown): string {
  if (!Array.isArray(problems)) return '';
  return (
    problems
      .filter(
        (p): p is { message: string; messageEn?: string; field?: string; channelId?: string; code?: string } =>
          typeof (p as { message?: unknown })?.message === 'string',
      )
      // Problems carry Chinese in `message` and English in `messageEn`; the CLI speaks English unless GOVPUB_LANG=zh.
      .map((p) => {
        const text = inChinese() ? p.message : (p.messageEn ?? p.message);
        return `  - ${[p.channelId, p.field].filter(Boolean).join(' ')}${p.channelId || p.field ? ': ' : ''}${text}${p.code ? ` (${p.code})` : ''}\n`;
      })
      .join('')
  );
}
