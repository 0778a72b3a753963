/**
 * The `govpub` command. Every subcommand has --help; the ones that print data take --json.
 * Data commands work against a running all-in-one system (they find its embedded database and
 * Temporal dev server under the data directory) or against DATABASE_URL / TEMPORAL_ADDRESS.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command } from 'commander';
import { REPO_ROOT } from '../config/repo-paths.js';
import { loadSettings } from '../config/settings.js';
import { mayHaveUnknownGovpubVariables, unknownGovpubVariables, unknownVariableWarning } from '../config/unknown-variables.js';
import { exitAfterOutput, inChinese, outputFailed, outputWasClosed, printable, reportError } from './output.js';
import { usageErrorInChinese, usageHint } from './usage-errors.js';
import { registerAdminCommands } from './admin-commands.js';
import { registerPackageCommands } from './package-commands.js';
import { registerRunCommands } from './run-commands.js';
import { registerDeliveryCommands } from './delivery-commands.js';
import { registerMediaCommands } from './media-commands.js';
import { registerExampleCommands } from './example-commands.js';
import { registerStatsCommands } from './stats-commands.js';
import { registerComplianceCommands } from './compliance-commands.js';
import { registerWordingCommands } from './wording-commands.js';
import { registerBackupCommands } from './backup-commands.js';

/**
 * `govpub 0.1.0 (Node.js v20.19.5, Temporal SDK 1.24.1)`: what a bug report or an upgrade check
 * needs first. Read when the program is built (two small files), never from the network.
 */
function versionLine(): string {
  const versionIn = (file: string) => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const own = versionIn(path.join(REPO_ROOT, 'package.json'));
  let sdk = 'unknown';
  try {
    sdk = versionIn(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('@temporalio/worker/package.json'));
  } catch {
    // Not installed where this runs (an API-only image, say): said as unknown.
  }
  return `govpub ${own} (Node.js ${process.version}, Temporal SDK ${sdk})`;
}

export function buildProgram(): Command {
  const program = new Command('govpub')
    .description(
      'Multi-channel publishing for government new media: policy documents and their interpretations, organized, reviewed and released together (三同步).',
    )
    .showHelpAfterError(usageHint(inChinese()))
    // Commander quotes a refused argument as typed (`argument '…' is invalid`): never raw control characters.
    // Its usage errors are English; GOVPUB_LANG=zh asks for every error in Chinese.
    .configureOutput({
      writeErr: (text) => process.stderr.write(printable(text)),
      outputError: (text, write) => write(inChinese() ? usageErrorInChinese(text) : text),
    })
    .configureHelp({ sortSubcommands: true })
    .version(versionLine(), '-V, --version', "print govpub's version, and the Node.js and Temporal SDK it runs on")
    // Before the subcommands exist, so they inherit it: a usage error throws (main exits 2 with it).
    .exitOverride();
  registerRunCommands(program);
  registerAdminCommands(program);
  registerPackageCommands(program);
  registerDeliveryCommands(program);
  registerMediaCommands(program);
  registerExampleCommands(program);
  registerStatsCommands(program);
  registerComplianceCommands(program);
  registerWordingCommands(program);
  registerBackupCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `govpub packages list | head`: the reader went away, which is no error (it crashed with an EPIPE
  // stack). `govpub start | head` stops what it started, in order (it left the Temporal dev server running).
  // A terminal that closed answers writes with EIO: the same, its reader is gone.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'EIO') outputWasClosed();
      else outputFailed(error);
    });
  }
  const program = buildProgram();
  const wantsJson = argv.includes('--json');
  try {
    const settings = loadSettings();
    if (mayHaveUnknownGovpubVariables(process.env)) await warnUnknownVariables(settings.configDir);
    await program.parseAsync(argv);
  } catch (error) {
    const { code, exitCode } = error as { code?: string; exitCode?: number };
    // --help and --version exit 0; a usage error (unknown option, bad choice, missing option or subcommand) 2.
    if (typeof code === 'string' && code.startsWith('commander.')) await exitAfterOutput(exitCode === 0 ? 0 : 2);
    await exitAfterOutput(reportError(error, wantsJson));
  }
}

/**
 * Names each GOVPUB_* variable govpub does not read, with the setting it most likely misspells
 * (`GOVPUB_DATADIR=/srv/govpub npm start` ran on ./.govpub without a word). The platforms' base URL
 * settings and secrets named GOVPUB_… are read from the configuration; a configuration that does
 * not load is left to the command, which reports it.
 */
async function warnUnknownVariables(configDir: string): Promise<void> {
  const { PLATFORMS } = await import('../domain/registry.js');
  // The platforms' base URLs (the simulators', a test's) are known without the configuration: the
  // registry's YAML costs a command about 0.3 CPU-s to read, so it is read only for a name left over.
  if (unknownGovpubVariables(process.env, { platforms: PLATFORMS }).length === 0) return;
  const secrets: string[] = [];
  try {
    const path = await import('node:path');
    const { loadRegistry } = await import('../config/registry.js');
    const { collectSecretRefs } = await import('../config/secrets.js');
    secrets.push(...collectSecretRefs(await loadRegistry(path.join(configDir, 'registry'))).map((use) => use.secret));
    const { loadPlatformConfigs, platformSecretNames } = await import('../config/platforms.js');
    secrets.push(...platformSecretNames(loadPlatformConfigs(configDir)));
  } catch {
    // The command itself reports a configuration that does not load.
  }
  const zh = inChinese();
  for (const variable of unknownGovpubVariables(process.env, { platforms: PLATFORMS, secrets })) {
    process.stderr.write(`govpub: ${unknownVariableWarning(variable, zh)}\n`);
  }
}
