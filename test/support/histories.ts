/**
 * Saving workflow histories for the replay check (test/workflows/replay.test.ts). With
 * GOVPUB_SAVE_HISTORIES=1, a test keeps the history of a finished workflow under test/histories/,
 * exactly as an operator gets it from `temporal workflow show --output json`. Refresh them only
 * for an intended change (guarded with patched() where running workflows must keep replaying).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { loadSettings } from '../../config/settings.js';
import { findTemporalCli } from '../../runtime/temporal-cli.js';

export const HISTORIES_DIR = path.join(import.meta.dirname, '..', 'histories');

export function saveHistory(name: string, workflowId: string): void {
  if (process.env.GOVPUB_SAVE_HISTORIES !== '1') return;
  const cli = findTemporalCli(loadSettings().cacheDir)!;
  const json = execFileSync(cli.path, ['workflow', 'show', '--workflow-id', workflowId, '--address', inject('temporalAddress'), '--output', 'json'], {
    maxBuffer: 64 << 20,
  });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}
