/**
 * What every `govpub` process loads before it runs a command. tsx passes each ES module through its
 * loader hooks, so one package import can cost a CLI command most of its start: kysely alone (265
 * modules) made every command 0.4 s slower. Heavy packages belong behind a dynamic import in the
 * command that needs them (`govpub start`, `govpub worker`, …), not in the static graph.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleGraph } from '../support/module-graph.js';

/** Packages the static graph may reach: the argument parser, and YAML for the registry's settings. */
const ALLOWED_PACKAGES = ['commander', 'yaml'];

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Files and packages reachable from `entry` through static imports only (type-only imports are erased). */
async function staticImports(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const inputs = await moduleGraph(entry);
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const imported of inputs[file]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      if (!imported.external) pending.push(imported.path);
      else if (!imported.path.startsWith('node:')) packages.add(packageName(imported.path));
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe('the CLI start', () => {
  it('loads only the argument parser and YAML statically: no database, Temporal, HTTP server or image library', async () => {
    const graph = await staticImports(path.join('cli', 'main.ts'));
    expect(graph.packages).toEqual(ALLOWED_PACKAGES);
    expect(graph.files).toContain('cli/package-commands.ts');
  });

  it('a command that only reads the database (users, db, channels) loads no Temporal package: the SDK loads when a connection is made', async () => {
    // runtime/app.ts opens the registry and the database for those commands, and the Temporal client for the rest.
    const graph = await staticImports(path.join('runtime', 'app.ts'));
    expect(graph.packages).toContain('kysely');
    expect(graph.packages.filter((name) => name.startsWith('@temporalio/'))).toEqual([]);
  });

  it('the check sees a heavy package when one is imported statically', async () => {
    // services/annual-stats.ts reads the database: its graph must show kysely, or the check above proves nothing.
    const graph = await staticImports(path.join('services', 'annual-stats.ts'));
    expect(graph.packages).toContain('kysely');
  });
});
