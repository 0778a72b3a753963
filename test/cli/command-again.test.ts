/** The "read on" commands the CLI prints (the next page of a list): pasted into a shell, they run what was typed. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandAgain } from '../../cli/output.js';

/** The words a POSIX shell makes of `command` after its first (govpub). */
function asShellReadsIt(command: string): string[] {
  const printed = execFileSync('sh', ['-c', `set -- ${command.replace(/^govpub /, '')}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  return printed.split('\0').slice(0, -1);
}

describe('commandAgain', () => {
  it('quotes what the shell would split or expand, keeps plain words and Chinese as they are, and never repeats a token', () => {
    const typed = ['audit', '--action', 'delivery failed', '--package', "pkg's $HOME `id` *", '--unit', '区教育局', '--token', 'gp_secret', '--limit', '50'];
    const again = commandAgain(['--after'], typed);
    expect(again).toBe(`govpub audit --action 'delivery failed' --package 'pkg'\\''s $HOME \`id\` *' --unit 区教育局 --token TOKEN --limit 50`);
    expect(asShellReadsIt(again)).toEqual([
      'audit',
      '--action',
      'delivery failed',
      '--package',
      "pkg's $HOME `id` *",
      '--unit',
      '区教育局',
      '--token',
      'TOKEN',
      '--limit',
      '50',
    ]);
  });

  it('drops the paging options it is told to, with their values', () => {
    expect(commandAgain(['--cursor'], ['deliveries', 'list', '--cursor', 'abc', '--state=failed', '--cursor=xyz'])).toBe(
      'govpub deliveries list --state=failed',
    );
  });
});
