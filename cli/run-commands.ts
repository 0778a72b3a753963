import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import type { Running } from '../runtime/processes.js';
import { printJson } from './output.js';

const log = (line: string) => process.stdout.write(`${line}\n`);
// Heavy modules (Temporal SDK, bundler, database drivers) load only for the command that needs them.
const processes = () => import('../runtime/processes.js');

/** Keep running until Ctrl+C or SIGTERM, then stop in order. */
async function untilSignal(running: Running): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      log('stopping…');
      running.stop().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('Run the whole system on this machine: Temporal dev server, embedded PGlite (or DATABASE_URL), worker and API')
    .addHelpText('after', '\nEnvironment: PORT (8080), GOVPUB_DATA_DIR (./.govpub), GOVPUB_TEMPORAL_PORT (7233), GOVPUB_TEMPORAL_UI_PORT (8233),\nGOVPUB_PGLITE_PORT (0 = any), DATABASE_URL, TEMPORAL_ADDRESS (use an existing server instead of the dev server).')
    .action(async () => untilSignal(await (await processes()).runAllInOne(loadSettings(), log)));

  program
    .command('worker')
    .description('Run a worker (production: run several) against TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE and DATABASE_URL')
    .addHelpText('after', '\nTLS: TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME; Temporal Cloud: TEMPORAL_API_KEY.\nGOVPUB_WORKFLOW_BUNDLE: a prebuilt workflow bundle from `govpub bundle`.')
    .action(async () => untilSignal(await (await processes()).runWorkerProcess(loadSettings(), log)));

  program
    .command('api')
    .description('Run the HTTP API (production: behind a reverse proxy) against TEMPORAL_ADDRESS and DATABASE_URL')
    .action(async () => untilSignal(await (await processes()).runApiProcess(loadSettings(), log)));

  program
    .command('bundle')
    .description('Build the workflow bundle once, for workers to load with GOVPUB_WORKFLOW_BUNDLE')
    .requiredOption('--out <file>', 'where to write the bundle, e.g. dist/workflow-bundle.js')
    .action(async (options: { out: string }) => {
      const { writeWorkflowBundle } = await import('../worker/worker.js');
      const bytes = await writeWorkflowBundle(options.out);
      log(`wrote ${options.out} (${Math.round(bytes / 1024)} KiB)`);
    });

  const tools = program.command('tools').description('Provision the tools govpub runs (the Temporal CLI)');
  tools
    .command('ensure')
    .description('Find the Temporal CLI, or build it with Go into the cache (first time: minutes)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean }) => {
      const settings = loadSettings();
      const { resolveTemporalCli } = await import('../runtime/temporal-cli.js');
      const found = await resolveTemporalCli({ cacheDir: settings.cacheDir, log: (l) => process.stderr.write(`${l}\n`) });
      if (options.json) printJson(found);
      else log(`temporal CLI: ${found.path} (from ${found.source})`);
    });
}
