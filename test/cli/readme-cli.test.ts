/**
 * The README's CLI listing names every command `govpub --help` offers, so a new operator who reads
 * it finds each command group (it once left out compliance, stats and wording).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { runCli } from '../support/cli.js';

/** The command names of a commander help text's "Commands:" section, without `help`. */
function commandsOf(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

/**
 * `group sub` (or `group` alone) for every command the listing names. A line starts `govpub group`;
 * after a ` | ` comes another command of the same group, or another group with its command.
 */
function listed(block: string, groups: Map<string, string[]>): Set<string> {
  const named = new Set<string>();
  for (const line of block.split('\n')) {
    if (!line.startsWith('govpub ')) continue;
    let group: string | undefined;
    for (const [i, segment] of line.split(' | ').entries()) {
      const words = (i === 0 ? segment.slice('govpub '.length) : segment).trim().split(/\s+/);
      if (groups.has(words[0]!) && !(group && groups.get(group)!.includes(words[0]!))) {
        group = words.shift()!;
        if (groups.get(group)!.length === 0) {
          named.add(group);
          continue;
        }
      }
      if (group && groups.get(group)!.includes(words[0]!)) named.add(`${group} ${words[0]}`);
    }
  }
  return named;
}

describe('README: the CLI listing', () => {
  it('names every command of `govpub --help`, group by group', { timeout: 180_000 }, async () => {
    const top = await runCli(['--help']);
    expect(top.code, top.stderr).toBe(0);
    const groups = new Map<string, string[]>();
    for (const name of commandsOf(top.stdout)) {
      const help = await runCli([name, '--help']);
      expect(help.code, help.stderr).toBe(0);
      groups.set(name, commandsOf(help.stdout));
    }
    expect([...groups.keys()]).toEqual(expect.arrayContaining(['packages', 'deliveries', 'compliance', 'stats', 'wording']));

    const readme = await readFile(path.join(ROOT_DIR, 'README.md'), 'utf8');
    const block = /^## The CLI$[\s\S]*?^```\n([\s\S]*?)^```$/m.exec(readme)?.[1];
    expect(block, 'the CLI section has a listing').toBeTruthy();
    const named = listed(block!, groups);
    const offered = [...groups].flatMap(([group, subs]) => (subs.length === 0 ? [group] : subs.map((sub) => `${group} ${sub}`)));
    expect(offered.filter((command) => !named.has(command))).toEqual([]);
  });
});
