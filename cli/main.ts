/**
 * The `govpub` command. Every subcommand has --help; the ones that print data take --json.
 * Data commands work against a running all-in-one system (they find its embedded database and
 * Temporal dev server under the data directory) or against DATABASE_URL / TEMPORAL_ADDRESS.
 */
import { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { outputWasClosed, printable, reportError } from './output.js';
import { registerAdminCommands } from './admin-commands.js';
import { registerPackageCommands } from './package-commands.js';
import { registerRunCommands } from './run-commands.js';
import { registerDeliveryCommands } from './delivery-commands.js';
import { registerMediaCommands } from './media-commands.js';
import { registerExampleCommands } from './example-commands.js';
import { registerStatsCommands } from './stats-commands.js';
import { registerComplianceCommands } from './compliance-commands.js';
import { registerWordingCommands } from './wording-commands.js';

export function buildProgram(): Command {
  const program = new Command('govpub')
    .description(
      'Multi-channel publishing for government new media: policy documents and their interpretations, organized, reviewed and released together (三同步).',
    )
    .showHelpAfterError('(run with --help for usage)')
    // Commander quotes a refused argument as typed (`argument '…' is invalid`): never raw control characters.
    .configureOutput({ writeErr: (text) => process.stderr.write(printable(text)) })
    .configureHelp({ sortSubcommands: true })
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
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `govpub packages list | head`: the reader went away, which is no error (it crashed with an EPIPE
  // stack). `govpub start | head` stops what it started, in order (it left the Temporal dev server running).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') outputWasClosed();
      else throw error;
    });
  }
  const program = buildProgram();
  const wantsJson = argv.includes('--json');
  try {
    loadSettings();
    await program.parseAsync(argv);
  } catch (error) {
    const { code, exitCode } = error as { code?: string; exitCode?: number };
    // --help and --version exit 0; a usage error (unknown option, bad choice, missing option or subcommand) 2.
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(exitCode === 0 ? 0 : 2);
    process.exit(reportError(error, wantsJson));
  }
}
