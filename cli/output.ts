/** Output for people (tables, sentences) or scripts (`--json`), and errors a person can act on. */
import { apiTokensHidden } from '../domain/api-token.js';
import { ConfigError, GovpubError } from '../domain/errors.js';
import { controlsWrittenOut, terminalWidth } from '../domain/text.js';
import { chinaTimeToSecond } from '../domain/beijing-time.js';
import { FILE_SYSTEM_CAUSES } from './given-file.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A table for a person: a heading line, then one line per row, columns aligned (a Chinese character
 * takes two columns of a terminal). `headingsZh` names the columns in Chinese with GOVPUB_LANG=zh
 * (a column it leaves out keeps its key); the rows are keyed by `columns` either way.
 */
export function printTable(rows: Record<string, unknown>[], columns: string[], headingsZh: Readonly<Record<string, string>> = {}): void {
  // A cell may quote a platform's words: its control characters are shown, not acted on (printable).
  const cell = (v: unknown) => (v === null || v === undefined ? '' : printable(String(v)).replace(/[\n\t]/g, ' '));
  const width = terminalWidth;
  const zh = inChinese();
  const headings = columns.map((c) => (zh ? (headingsZh[c] ?? c) : c));
  const widths = columns.map((c, i) => Math.max(width(headings[i]!), ...rows.map((r) => width(cell(r[c])))));
  const line = (values: string[]) =>
    values
      .map((v, i) => v + ' '.repeat(Math.max(0, widths[i]! - width(v))))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headings)}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

/**
 * What a long-running command (`govpub start`, `worker`, `api`, …) does when its output is closed
 * (`govpub start | head`; a closed terminal, whose writes fail with EIO): stop in order, as on Ctrl+C. Other commands just exit.
 */
let whenOutputClosed: (() => void) | null = null;
let outputIsClosed = false;

/** Registers the stop a long-running command makes when its output closes; runs it at once if it closed already. */
export function onOutputClosed(stop: () => void): void {
  whenOutputClosed = stop;
  if (outputIsClosed) stop();
}

/** Whether the reader of this process's output has gone (EPIPE, or EIO from a closed terminal): writing more would only fail. */
export function outputClosed(): boolean {
  return outputIsClosed;
}

/** Called by main on EPIPE or EIO: a command that runs a system stops it in order; any other exits 0 (no error: the reader went away). */
export function outputWasClosed(): void {
  if (outputIsClosed) return;
  outputIsClosed = true;
  if (whenOutputClosed) whenOutputClosed();
  else process.exit(exitingWith ?? 0);
}

/** The exit code a command is leaving with while its output drains (a reader gone meanwhile keeps it). */
let exitingWith: number | undefined;

/**
 * This command again as typed, for a "read on" hint (`more entries: govpub audit … --after 41`):
 * the arguments without `dropped` options and their values (the page the hint replaces), and
 * with `--token TOKEN` for the token typed, so the hint never prints a secret to the terminal or a CI log.
 */
export function commandAgain(dropped: readonly string[], argv: readonly string[] = process.argv.slice(2)): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (dropped.includes(name) || name === '--token') {
      if (!arg.includes('=')) i++; // its value follows
      if (name === '--token') kept.push('--token', 'TOKEN');
      continue;
    }
    kept.push(shellWord(arg));
  }
  return `govpub ${kept.join(' ')}`;
}

/**
 * An argument as a POSIX shell reads it back: as it is when it holds nothing the shell treats
 * specially, else in single quotes (`--action 'delivery failed'`), so the printed command pastes
 * back as typed. Control characters are shown escaped, never sent to the terminal.
 */
export function shellWord(arg: string): string {
  if (/^[\p{L}\p{N}_\-.,:=/@%+]+$/u.test(arg)) return arg;
  return printable(`'${arg.replace(/'/g, `'\\''`)}'`);
}

/**
 * Whether people read Chinese here: `GOVPUB_LANG=zh` (or zh-CN, zh_CN.UTF-8). English is the
 * default, so scripts that read the CLI's output see what they always saw.
 */
export function inChinese(env: NodeJS.ProcessEnv = process.env): boolean {
  // zh, zh-CN, zh_CN.UTF-8 (a locale as LANG writes it: `\b` finds no edge between zh and _).
  return /^zh(?:$|[-_.@])/i.test(env.GOVPUB_LANG?.trim() ?? '');
}

/**
 * What the CLI says to a person: `zh` with GOVPUB_LANG=zh, else `en`, word for word what scripts
 * have always read. For sentences and hints only: --json answers, ids and tokens never change.
 */
export function say(en: string, zh: string): string {
  return inChinese() ? zh : en;
}

/**
 * An instant (ISO, UTC as the API gives it) as people here read it: Beijing time (UTC+8, no
 * daylight saving), `2026-12-06 17:40:12`. A table says the zone in its heading; a sentence uses
 * `atBeijing`. Unreadable or absent: as given (an empty cell stays empty).
 */
export function beijingTime(iso: string | null | undefined): string {
  return iso === null || iso === undefined || iso === '' ? '' : chinaTimeToSecond(iso);
}

/** `beijingTime` with the zone said: "2026-12-06 17:40:12 (Beijing time)" / "2026-12-06 17:40:12（北京时间）". */
export function atBeijing(iso: string): string {
  const shown = beijingTime(iso);
  return shown === iso ? iso : say(`${shown} (Beijing time)`, `${shown}（北京时间）`);
}

/**
 * A time to come as a person reads it here: Beijing time to the second, and how far off it is
 * (`2026-12-06 17:40:12 (Beijing time, in 12 s)`; 北京时间，约 12 秒后). Past or unreadable: as given.
 */
export function timeAhead(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const shown = beijingTime(iso);
  const sec = Math.round((at - now) / 1000);
  if (sec <= 0) return say(`${shown} (Beijing time, due now)`, `${shown}（北京时间，即将进行）`);
  const [n, en, zh] = sec < 120 ? [sec, 's', '秒'] : sec < 7200 ? [Math.round(sec / 60), 'min', '分钟'] : [Math.round(sec / 3600), 'h', '小时'];
  return say(`${shown} (Beijing time, in ${n} ${en})`, `${shown}（北京时间，约 ${n} ${zh}后）`);
}

/** Text as a terminal may show it (domain/text.ts controlsWrittenOut): what an error quotes is shown, never acted on. */
export function printable(text: string): string {
  return controlsWrittenOut(text);
}

/**
 * The text with every govpub API token (gp_ and 32 characters, anywhere) written as `gp_…`: an
 * error may quote what was typed, and a token typed in the wrong place (an id, a filter, a name)
 * would otherwise be printed to a terminal, a CI log or a pasted bug report.
 */
export function withoutApiTokens(text: string): string {
  return apiTokensHidden(text, 'gp_… (an API token, not repeated)');
}

/**
 * Longest line of an error printed whole: a longer one (a 100 KB value quoted back) keeps its start
 * and its end, where the advice is. A list of short lines (29 missing secrets, each with its account
 * and YAML line) is printed whole up to MAX_MESSAGE_CHARS: cut at 4,000 characters, it named 9.
 */
const MAX_LINE_CHARS = 4000;
const MAX_MESSAGE_CHARS = 64_000;

function middleCut(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max / 2;
  return `${text.slice(0, keep)} … (${text.length - 2 * keep} characters left out) … ${text.slice(-keep)}`;
}

function shortened(message: string): string {
  const lines = message.split('\n').map((line) => middleCut(line, MAX_LINE_CHARS));
  return middleCut(lines.join('\n'), MAX_MESSAGE_CHARS);
}

/**
 * Exits once what was written to stdout and stderr has reached them: a pipe takes 64 KiB at a
 * time, and process.exit() drops the rest (a long error, a --json answer, cut in the middle).
 * A reader that never reads does not hold the command for more than a few seconds.
 */
export async function exitAfterOutput(code: number): Promise<never> {
  exitingWith = code;
  const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
  await Promise.race([Promise.all([drained(process.stdout), drained(process.stderr)]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  process.exit(code);
}

/**
 * What a command says when a write fails (its output to a full disk or a closed file, or a file it
 * writes): the one line it can still try, naming the cause. What the command did before stands.
 */
export function outputFailed(error: NodeJS.ErrnoException, what: 'output' | 'file' = 'output'): never {
  try {
    const cause = `${error.code ?? 'error'}: ${error.message.replace(/^\w+: /, '')}`;
    process.stderr.write(
      say(
        `govpub: could not write ${what === 'output' ? "the command's output" : 'what it was writing'} (${cause}); what the command did before stands (check it, e.g. with a list command)\n`,
        `govpub: 无法写入${what === 'output' ? '命令的输出' : '正在写入的内容'}（${cause}）；此前已完成的操作仍然有效（可用相应的 list 命令核对）\n`,
      ),
    );
  } catch {
    // stderr fails too: the exit code is all that is left to say it.
  }
  process.exit(1);
}

/** Prints the error for a person (or as JSON) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const writeCode = (error as NodeJS.ErrnoException)?.code;
  // A write that failed inside a command (its output to a full disk, or a file): said as such, not as an unexpected error.
  if (error instanceof Error && (error as NodeJS.ErrnoException).syscall === 'write' && writeCode && writeCode !== 'EPIPE') outputFailed(error, 'file');
  if (error instanceof GovpubError) {
    const { problems, missing, issues } = error.details as { problems?: unknown; missing?: unknown; issues?: unknown };
    if (json) {
      printJson({
        error: {
          code: error.code,
          message: shortened(withoutApiTokens(error.message)),
          messageZh: shortened(withoutApiTokens(error.messageZh)),
          // The fields the API refused (path, message, messageZh; from a package file also file, line and column), for a script.
          ...(error instanceof ConfigError
            ? { issues: error.issues }
            : Array.isArray(issues)
              ? { issues: JSON.parse(withoutApiTokens(JSON.stringify(issues))) as unknown }
              : {}),
          ...(problems ? { problems } : {}),
          // The names of what is missing (secrets_missing), for a script to act on one by one.
          ...(Array.isArray(missing) ? { missing } : {}),
        },
      });
    } else
      process.stderr.write(
        printable(
          withoutApiTokens(`govpub: ${shortened(withoutFirstProblem(inChinese() ? chineseSentence(error) : error.message, problems))}
${problemLines(problems)}`),
        ),
      );
    return 1;
  }
  const fsRefusal = fileSystemRefusal(error);
  if (fsRefusal) return reportError(fsRefusal, json);
  const message = shortened(withoutApiTokens(error instanceof Error ? error.message : String(error)));
  if (json) printJson({ error: { code: 'internal', message } });
  else
    process.stderr.write(
      printable(
        withoutApiTokens(`govpub: ${say('unexpected error: ', '意外错误：')}${error instanceof Error && process.env.GOVPUB_DEBUG ? error.stack : message}\n`),
      ),
    );
  return 1;
}

/**
 * A file-system error from a path the person gave (a bundle's --out, a file to read or write), as
 * a refusal that names the path and the cause, never "unexpected error: EEXIST: …"; null for others.
 */
function fileSystemRefusal(error: unknown): GovpubError | null {
  const e = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof e.path !== 'string' || typeof e.code !== 'string' || !FILE_SYSTEM_CAUSES[e.code]) return null;
  const [cause, causeZh] = FILE_SYSTEM_CAUSES[e.code]!;
  const doing =
    e.syscall === 'mkdir' ? ['make the directory', '创建目录'] : e.syscall === 'open' || e.syscall === 'write' ? ['write', '写入'] : ['use', '使用'];
  return new GovpubError(
    'file_system',
    `Could not ${doing[0]} ${e.path}: ${cause} (${e.code}). Give another path, or fix this one, and run the command again.`,
    { path: e.path },
    { zh: `无法${doing[1]} ${e.path}：${causeZh}（${e.code}）。请换一个路径或修正该路径后重新运行命令。` },
  );
}

/**
 * The Chinese sentence for a person at the terminal. An error thrown without one of its own gets
 * its code's general sentence ("环境变量设置有误。请按提示修正……"), which names neither the
 * variable, the file nor the value: the English sentence that does follows it, so nothing is lost.
 */
function chineseSentence(error: GovpubError): string {
  return error.ownMessageZh ?? `${error.messageZh}\n  ${error.message}`;
}

/**
 * The sentence without the first problem it quotes ("… (first: X)", "（…，第一个：X）") when the
 * problems are listed below it: a refusal with one problem printed it twice.
 */
function withoutFirstProblem(sentence: string, problems: unknown): string {
  const first = Array.isArray(problems) ? (problems[0] as { message?: unknown; messageEn?: unknown } | undefined) : undefined;
  if (!first || typeof first.message !== 'string') return sentence;
  const en = typeof first.messageEn === 'string' ? first.messageEn : first.message;
  return sentence.replace(` (first: ${en})`, '').replace(`，第一个：${first.message}）`, '）').replace(`（第一个：${first.message}）`, '');
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
