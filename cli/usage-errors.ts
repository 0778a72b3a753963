/**
 * The command line's usage errors (an unknown command or option, a missing argument, a bad choice)
 * in Chinese. Commander writes them in English whatever GOVPUB_LANG says, so with GOVPUB_LANG=zh
 * every other error of the CLI was Chinese and these alone were not.
 */

/** The hint printed under a usage error. */
export function usageHint(zh: boolean): string {
  return zh ? '（运行时加 --help 可查看用法）' : '(run with --help for usage)';
}

const PATTERNS: readonly [RegExp, (...parts: string[]) => string][] = [
  [/^error: unknown option '(.*)'$/, (option) => `错误：没有选项 ${option}。`],
  [/^error: unknown command '(.*)'$/, (command) => `错误：没有命令 ${command}。`],
  [/^\(Did you mean (.*)\?\)$/, (suggestion) => `（是否想用 ${suggestion}？）`],
  [/^error: required option '(.*)' not specified$/, (option) => `错误：缺少必需的选项 ${option}。`],
  [/^error: missing required argument '(.*)'$/, (argument) => `错误：缺少必需的参数 <${argument}>。`],
  [/^error: option '(.*)' argument missing$/, (option) => `错误：选项 ${option} 缺少取值。`],
  [
    /^error: option '(.*)' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/,
    (option, value, choices) => `错误：选项 ${option} 的取值「${value}」无效，可选：${choices.split(', ').join('、')}。`,
  ],
  [
    /^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/,
    (command, expected, got) => `错误：${command ? `命令 ${command} ` : ''}的参数过多：应为 ${expected} 个，实际 ${got} 个。`,
  ],
  [/^error: (.*) cannot be used with (.*)$/, (one, other) => `错误：${one} 不能与 ${other} 同时使用。`],
];

/** Commander's error text with each line it is known to write put in Chinese; other lines as they are. */
export function usageErrorInChinese(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      for (const [pattern, say] of PATTERNS) {
        const match = pattern.exec(line);
        if (match) return say(...match.slice(1).map((part) => part ?? ''));
      }
      return line;
    })
    .join('\n');
}
