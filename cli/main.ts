/**
 * The `govpub` command. Every subcommand has --help; the ones that print data take --json.
 * Data commands work against a running all-in-one system (they find its embedded database and
 * Temporal dev server under the data directory) or against DATABASE_URL / TEMPORAL_ADDRESS.
 */
import { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { reportError } from './output.js';
import { registerAdminCommands } from './admin-commands.js';
import { registerPackageCommands } from './package-commands.js';
import { registerRunCommands } from './run-commands.js';
import { registerDeliveryCommands } from './delivery-commands.js';
import { registerMediaCommands } from './media-commands.js';
import { registerExampleCommands } from './example-commands.js';

export function buildProgram(): Command {
  const program = new Command('govpub')
    .description('Multi-channel publishing for government new media: policy documents and their interpretations, organized, reviewed and released together (三同步).')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });
  registerRunCommands(program);
  registerAdminCommands(program);
  registerPackageCommands(program);
  registerDeliveryCommands(program);
  registerMediaCommands(program);
  registerExampleCommands(program);
  return program;
}


export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  const wantsJson = argv.includes('--json');
  try {
    loadSettings();
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(2);
    process.exit(reportError(error, wantsJson));
  }
}
