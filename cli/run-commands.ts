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
      void running.stop().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description('Run the whole system on this machine: Temporal dev server, embedded PGlite (or DATABASE_URL), worker, API, the portal site under /portal/ and simulators of every platform (GOVPUB_SIMULATORS=off for real ones)')
    .addHelpText('after', '\nEnvironment: PORT (8080), GOVPUB_DATA_DIR (./.govpub), GOVPUB_TEMPORAL_PORT (7233), GOVPUB_TEMPORAL_UI_PORT (8233),\nGOVPUB_PGLITE_PORT (0 = any), DATABASE_URL, TEMPORAL_ADDRESS (use an existing server instead of the dev server).')
    .action(async () => untilSignal(await (await processes()).runAllInOne(loadSettings(), log)));

  program
    .command('worker')
    .description('Run a worker (production: run several) against TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE and DATABASE_URL')
    .addHelpText('after', '\nTLS: TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME; Temporal Cloud: TEMPORAL_API_KEY.\nGOVPUB_WORKFLOW_BUNDLE: a prebuilt workflow bundle from `govpub bundle`.')
    .option('--no-require-secrets', 'start even when platform secrets are missing (deliveries to those accounts will fail)')
    .action(async (options: { requireSecrets: boolean }) =>
      untilSignal(await (await processes()).runWorkerProcess(loadSettings(), log, undefined, { requireSecrets: options.requireSecrets })),
    );

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

  program
    .command('simulators')
    .description('Run the platform simulators (WeChat, Weibo, Douyin, Bilibili, Kuaishou, media center) on loopback, for trying deliveries without real accounts')
    .option('--base-port <port>', 'first port; each simulator takes the next one', '7301')
    .option('--seed <n>', 'seed for probabilistic faults (reproducible runs)')
    .option('--faults <file>', 'JSON fault rules: an array, or {"<kind>": [rules]} (see simulators/README.md)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { basePort: string; seed?: string; faults?: string; json?: boolean }) => {
      const { runSimulators } = await import('../simulators/cli.js');
      const running = await runSimulators({
        basePort: Number(options.basePort),
        seed: options.seed === undefined ? undefined : Number(options.seed),
        faultsFile: options.faults,
        json: options.json,
      });
      await running.closed;
    });

  program
    .command('replay <files...>')
    .description('Replay saved workflow histories (`temporal workflow show --output json`) against this code: run before deploying workflow changes')
    .action(async (files: string[]) => {
      const fs = await import('node:fs');
      const { Worker } = await import('@temporalio/worker');
      const { WORKFLOWS_PATH, installWorkerRuntime } = await import('../worker/worker.js');
      installWorkerRuntime();
      let failed = 0;
      for (const file of files) {
        try {
          await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, JSON.parse(fs.readFileSync(file, 'utf8')), file);
          log(`ok        ${file}`);
        } catch (error) {
          failed += 1;
          log(`DIVERGES  ${file}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      if (failed) {
        const { GovpubError } = await import('../domain/errors.js');
        throw new GovpubError('replay_failed', `${failed} of ${files.length} histories do not replay: the change would break running workflows. Guard it with patched() (see Temporal's patching docs).`);
      }
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
