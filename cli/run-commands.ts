import type { Command } from 'commander';
import { httpUrlProblem } from '../config/http-url.js';
import { loadSettings, localApiUrl } from '../config/settings.js';
import type { Running } from '../runtime/processes.js';
import { GovpubError } from '../domain/errors.js';
import { decodeUtf8Body, jsonFault } from '../api/json-body.js';
import { readGivenFile } from './given-file.js';
import { inChinese, onOutputClosed, outputClosed, printable, printJson, say } from './output.js';

// Once the reader has gone (`govpub start | head`), lines have nowhere to go: the stop is silent.
const log = (line: string) => void (outputClosed() || process.stdout.write(`${line}\n`));
// Heavy modules (Temporal SDK, bundler, database drivers) load only for the command that needs them.
const processes = () => import('../runtime/processes.js');

/**
 * A saved history (`temporal workflow show --output json`) read and checked for the shape the
 * replayer needs: events, the first one the workflow's start with its run id, and more than it.
 * (Temporal's core panics on a history without a start, and waits forever on one with nothing
 * after it: the replay never returns.) Throws saying what is wrong.
 */
function readHistory(file: string): unknown {
  let text: string;
  try {
    // Temporal keeps a history under 50 MB; its JSON export is about twice that at most.
    const bytes = readGivenFile(file, {
      what: 'a workflow history exported as JSON (temporal workflow show --output json)',
      whatZh: '导出为 JSON 的工作流历史（temporal workflow show --output json）',
      maxBytes: 128 * 1024 * 1024,
      limitReason: 'more than any workflow history holds',
      limitReasonZh: '超过任何工作流历史的大小',
    });
    // An export redirected in Windows PowerShell 5 is UTF-16: said so, not "Unexpected token".
    text = decodeUtf8Body(bytes, 'file');
  } catch (error) {
    throw new Error(inChinese() && error instanceof GovpubError && error.ownMessageZh ? error.ownMessageZh : (error as Error).message);
  }
  let history: { events?: unknown };
  try {
    history = JSON.parse(text) as { events?: unknown };
  } catch {
    // Where and why, as a package file's refusal says it (JSON.parse's own message quotes the text around the fault).
    const { line, column, problem, problemZh } = jsonFault(text);
    throw new Error(say(`line ${line}, column ${column}: not valid JSON: ${problem}`, `第 ${line} 行第 ${column} 列：不是有效的 JSON：${problemZh}`));
  }
  const events = history && typeof history === 'object' ? history.events : undefined;
  if (!Array.isArray(events) || events.length === 0) throw new Error(say('no "events" list: not a workflow history', '没有 "events" 列表：不是工作流历史'));
  const first = events[0] as {
    eventType?: unknown;
    workflowExecutionStartedEventAttributes?: { originalExecutionRunId?: unknown; workflowType?: { name?: unknown } };
  } | null;
  const started = first?.workflowExecutionStartedEventAttributes;
  if (
    !['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'WorkflowExecutionStarted'].includes(String(first?.eventType)) ||
    typeof started?.originalExecutionRunId !== 'string' ||
    typeof started.workflowType?.name !== 'string'
  ) {
    throw new Error(
      say(
        'its first event is not the start of a workflow with its run id and type: not a complete workflow history',
        '第一个事件不是带运行 ID 和类型的工作流启动事件：不是完整的工作流历史',
      ),
    );
  }
  // The start alone gives the replayer nothing to check, and it waits for more forever.
  if (events.length < 2)
    throw new Error(
      say(
        'only the start event: nothing to replay (save the history once the workflow has run a task)',
        '只有启动事件：没有可重放的内容（请在工作流执行过一次任务后再保存历史）',
      ),
    );
  return history;
}

/**
 * For a command that starts a system: a Ctrl+C, SIGTERM, closed terminal (SIGHUP) or closed output
 * while it starts up must not end the process half-way (Node's default for a signal ends it at once: an embedded database
 * not closed, the Temporal dev server, in a process group of its own, left running). The stop is
 * noted and runs in order as soon as everything is up (untilSignal); a second Ctrl+C or SIGTERM
 * stops at once, and the dev server still ends with the process (runtime/temporal-dev-server.ts).
 */
let stopAskedWhileStarting = false;
let whileStarting: ((signal: NodeJS.Signals) => void) | null = null;

function stopInOrderOnceStarted(): void {
  whileStarting = (signal) => {
    if (stopAskedWhileStarting) process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
    stopAskedWhileStarting = true;
    log(say('stopping once started… (Ctrl+C again to stop at once)', '启动完成后即停止……（再按一次 Ctrl+C 立即停止）'));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, whileStarting);
  onOutputClosed(() => {
    stopAskedWhileStarting = true;
  });
}

/**
 * What stops a running system in order: Ctrl+C, SIGTERM (a service manager), and SIGHUP, which the
 * terminal it runs in sends when it closes (an ssh connection dropped, a window closed). Node's
 * default for SIGHUP ends the process at once: the embedded database not closed, records of a
 * running system left in <data dir>/run.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Keep running until Ctrl+C, SIGTERM or SIGHUP, then stop in order and exit 0. A second signal stops at
 * once (exit 130 / 143), saying what the stop was still waiting for. The process exits when the
 * stop is done even if something it abandoned (an activity ignoring its cancellation) still
 * holds a timer or a socket: Temporal hands that work to a worker again.
 */
async function untilSignal(running: Running): Promise<void> {
  await new Promise<void>((resolve) => {
    // Swapped in the same tick as the start-up's handlers are removed: no signal finds none.
    if (whileStarting) for (const signal of STOP_SIGNALS) process.off(signal, whileStarting);
    whileStarting = null;
    if (stopAskedWhileStarting) return resolve();
    const first = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, first);
      resolve();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, first);
    onOutputClosed(first);
  });
  log(say('stopping… (Ctrl+C again to stop at once)', '正在停止……（再按一次 Ctrl+C 立即停止）'));
  const atOnce = (signal: NodeJS.Signals) => {
    void (running.waitingFor?.() ?? Promise.resolve(null))
      .catch(() => null)
      .then((what) => {
        log(
          say(
            `stopping at once (${signal} again)${what ? `: the stop was still waiting for ${what}` : ''}`,
            `立即停止（再次收到 ${signal}）${what ? `：停止时仍在等待 ${what}` : ''}`,
          ),
        );
        running.abandon?.();
        process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
      });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, atOnce);
  try {
    await running.stop();
  } catch (error) {
    log(say(`stopping failed: ${(error as Error).message}`, `停止失败：${(error as Error).message}`));
    process.exit(1);
  }
  log(say('stopped.', '已停止。'));
  process.exit(0);
}

/** Why `--events-url` cannot be the API's address (null when it can). */
function eventsUrlProblem(text: string): string | null {
  if (/\s/.test(text)) return 'contains a space or a control character';
  switch (httpUrlProblem(text)) {
    case 'control_character':
      return 'contains a space or a control character';
    case 'not_a_url':
      return 'is not a URL';
    case 'not_http':
      return 'is not an http(s) URL';
    case 'carries_credentials':
      return 'carries a user name or password, which the API does not take (WeChat signs its pushes with the event token)';
    case null:
      break;
  }
  const url = new URL(text);
  if (url.search || url.hash) return 'has a query or a fragment; give only the address (scheme, host, port, path)';
  return null;
}

/**
 * The simulators as `govpub start` runs them, in a process of their own (`govpub topology`): they
 * accept the accounts' (development) secrets and record their URLs for the workers and the API.
 */
async function runSimulatorsForWorkers(options: { basePort: string; seed?: string; faults?: string; eventsUrl?: string }): Promise<void> {
  if (options.seed !== undefined || options.faults !== undefined) {
    const { GovpubError } = await import('../domain/errors.js');
    throw new GovpubError(
      'invalid_arguments',
      '--for-workers runs the simulators as `govpub start` does: without --seed or --faults (set faults through their control API, /__sim/).',
    );
  }
  if (options.eventsUrl !== undefined) {
    const problem = eventsUrlProblem(options.eventsUrl);
    if (problem) {
      const { GovpubError } = await import('../domain/errors.js');
      // The value is not echoed: a URL with a password in it must not reach the terminal's scrollback or a log.
      throw new GovpubError('invalid_arguments', `--events-url ${problem}; give the govpub API's address, e.g. http://127.0.0.1:8080.`);
    }
  }
  const basePort = Number(options.basePort);
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535) {
    const { GovpubError } = await import('../domain/errors.js');
    throw new GovpubError('invalid_arguments', `--base-port ${options.basePort} is not a port number (1-65535).`);
  }
  const path = await import('node:path');
  const settings = loadSettings();
  const { loadRegistry } = await import('../config/registry.js');
  const { loadPlatformConfigs } = await import('../config/platforms.js');
  const { ensureDevSecrets, simulatorsRuntimeFile, startLocalSimulators } = await import('../runtime/local-platforms.js');
  const registry = await loadRegistry(path.join(settings.configDir, 'registry'));
  const platforms = loadPlatformConfigs(settings.configDir);
  const secretsFile = process.env.GOVPUB_SECRETS_FILE || ensureDevSecrets(settings.dataDir, registry, platforms);
  const eventsBaseUrl = (options.eventsUrl ?? localApiUrl(settings)).replace(/\/+$/, '');
  const simulators = await startLocalSimulators({
    dataDir: settings.dataDir,
    basePort,
    basePortSetting: '--base-port',
    registry,
    platforms,
    secrets: { env: process.env, secretsFile },
    eventsBaseUrl,
  });
  for (const [kind, url] of Object.entries(simulators.urls)) log(`  ${kind.padEnd(16)} ${url}`);
  log(
    `simulators: URLs recorded in ${simulatorsRuntimeFile(settings.dataDir)} (secrets: ${secretsFile}); WeChat pushes publishing results to ${eventsBaseUrl}`,
  );
  await untilSignal({ stop: () => simulators.close() });
}

export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .description(
      'Run the whole system on this machine: Temporal dev server, embedded PGlite (or DATABASE_URL), worker, API, the portal site under /portal/ and simulators of every platform (GOVPUB_SIMULATORS=off for real ones)',
    )
    .addHelpText(
      'after',
      "\nEnvironment: PORT (8080), HOST (127.0.0.1), GOVPUB_DATA_DIR (./.govpub), GOVPUB_TEMPORAL_PORT (7233), GOVPUB_TEMPORAL_UI_PORT (8233),\nGOVPUB_SIMULATOR_PORT (7301: the first of the simulators' ports), GOVPUB_PGLITE_PORT (0 = any), DATABASE_URL,\nTEMPORAL_ADDRESS (use an existing server instead of the dev server).",
    )
    .action(async () => {
      stopInOrderOnceStarted();
      await untilSignal(await (await processes()).runAllInOne(loadSettings(), log, { zh: inChinese() }));
    });

  program
    .command('worker')
    .description('Run a worker (production: run several) against TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE and DATABASE_URL')
    .addHelpText(
      'after',
      '\nTLS: TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (mTLS), TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME; Temporal Cloud: TEMPORAL_API_KEY.\nGOVPUB_WORKFLOW_BUNDLE: a prebuilt workflow bundle from `govpub bundle`.',
    )
    .option('--no-require-secrets', 'start even when platform secrets are missing (deliveries to those accounts will fail)')
    .action(async (options: { requireSecrets: boolean }) => {
      stopInOrderOnceStarted();
      await untilSignal(await (await processes()).runWorkerProcess(loadSettings(), log, undefined, { requireSecrets: options.requireSecrets }));
    });

  program
    .command('api')
    .description('Run the HTTP API (production: behind a reverse proxy) against TEMPORAL_ADDRESS and DATABASE_URL')
    .addHelpText('after', '\nEnvironment: PORT (8080) and HOST (127.0.0.1): where it listens; TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, DATABASE_URL.')
    .action(async () => {
      stopInOrderOnceStarted();
      await untilSignal(await (await processes()).runApiProcess(loadSettings(), log));
    });

  program
    .command('bundle')
    .description('Build the workflow bundle once, for workers to load with GOVPUB_WORKFLOW_BUNDLE')
    .requiredOption('--out <file>', 'where to write the bundle, e.g. dist/workflow-bundle.js')
    .action(async (options: { out: string }) => {
      // Checked before the build (about 10 s): a directory or a place that cannot be written ended in "unexpected error: EISDIR".
      const fs = await import('node:fs');
      if (fs.existsSync(options.out) && fs.statSync(options.out).isDirectory())
        throw new GovpubError(
          'invalid_arguments',
          `--out ${printable(options.out)} is a directory: give the bundle's file name, e.g. ${printable(options.out.replace(/\/+$/, ''))}/workflow-bundle.js.`,
        );
      const { writeWorkflowBundle } = await import('../worker/worker.js');
      const bytes = await writeWorkflowBundle(options.out).catch((error: NodeJS.ErrnoException) => {
        if (!error.code || !error.syscall) throw error;
        throw new GovpubError(
          'file_unwritable',
          `Cannot write the bundle to ${printable(options.out)} (${error.code}): give a file in a folder you can write to.`,
        );
      });
      log(say(`wrote ${options.out} (${Math.round(bytes / 1024)} KiB)`, `已写入 ${options.out}（${Math.round(bytes / 1024)} KiB）`));
    });

  program
    .command('simulators')
    .description(
      'Run the platform simulators (WeChat, Weibo, Douyin, Bilibili, Kuaishou, media center) on loopback, for trying deliveries without real accounts',
    )
    .option('--base-port <port>', 'first port; each simulator takes the next one', '7301')
    .option('--seed <n>', 'seed for probabilistic faults (reproducible runs)')
    .option('--faults <file>', 'JSON fault rules: an array, or {"<kind>": [rules]} (see simulators/README.md)')
    .option('--json', 'print machine-readable JSON')
    .option(
      '--events-url <url>',
      "with --for-workers: the govpub API WeChat's simulator pushes publishing results to (default: this host's API, http://127.0.0.1:PORT)",
    )
    .option(
      '--for-workers',
      "accept the registry accounts' secrets (GOVPUB_SECRETS_FILE, else development ones made under the data directory) and record the URLs in <data dir>/run/simulators.json, where `govpub worker` and `govpub api` find them (what `govpub start` and `govpub topology` do)",
    )
    .action(async (options: { basePort: string; seed?: string; faults?: string; json?: boolean; forWorkers?: boolean; eventsUrl?: string }) => {
      if (options.forWorkers) {
        stopInOrderOnceStarted();
        return runSimulatorsForWorkers(options);
      }
      if (options.eventsUrl !== undefined) {
        throw new GovpubError(
          'invalid_arguments',
          '--events-url goes with --for-workers: only then do the simulators know the accounts and their event token.',
        );
      }
      // Decimal numbers, said wrong by name: "abc" took random ports and 99999 failed inside Node.
      if (!/^\d{1,5}$/.test(options.basePort) || Number(options.basePort) < 1 || Number(options.basePort) > 65_000)
        throw new GovpubError(
          'invalid_arguments',
          `--base-port "${printable(options.basePort)}" is not a port from 1 to 65000 (each simulator takes the next one after it).`,
        );
      if (options.seed !== undefined && !/^\d{1,15}$/.test(options.seed))
        throw new GovpubError('invalid_arguments', `--seed "${printable(options.seed)}" is not a whole number (0 or more).`);
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
    .command('topology')
    .description(
      'Run the production layout on this host as separate processes: Temporal (dev server unless TEMPORAL_ADDRESS), simulators (unless GOVPUB_SIMULATORS=off), migrations, one `govpub api` and N × `govpub worker`, on PostgreSQL (DATABASE_URL)',
    )
    .addHelpText(
      'after',
      '\nWrites <data dir>/run/topology.json (API URL, worker pids and metrics URLs, …) and prints "govpub topology is running" once all are up.\nA worker that dies is restarted; if the API, the simulators or Temporal die, everything stops (exit code 1).\nCtrl+C / SIGTERM / a closed terminal (SIGHUP) stops the API first, then the workers (running activities cancelled, each abandoned to Temporal after 25 s), the simulators and Temporal.\nEnvironment: DATABASE_URL (required), TEMPORAL_ADDRESS, GOVPUB_TEMPORAL_PORT, GOVPUB_SIMULATOR_PORT, GOVPUB_SECRETS_FILE, GOVPUB_COMPLIANCE_SCHEDULES, … (passed to every process).',
    )
    .option('--workers <n>', 'worker processes (1-16)', '2')
    .option('--data-dir <dir>', 'data directory shared by the processes (default GOVPUB_DATA_DIR or ./.govpub)')
    .option('--port <port>', "the API's port (default PORT or 8080)")
    .option('--metrics-base-port <port>', 'worker i serves its metrics on 127.0.0.1:<port + i - 1> (GOVPUB_WORKER_METRICS_ADDRESS)', '9464')
    .action(async (options: { workers: string; dataDir?: string; port?: string; metricsBasePort: string }) => {
      const { TopologySupervisor, parseTopologyOptions, assertSharedDatabase } = await import('../runtime/topology.js');
      const settings = loadSettings();
      const parsed = parseTopologyOptions(options, settings);
      assertSharedDatabase(settings);
      const topology = new TopologySupervisor(loadSettings({ ...process.env, GOVPUB_DATA_DIR: parsed.dataDir, PORT: String(parsed.port) }), parsed, {
        out: log,
        err: (line) => void (outputClosed() || process.stderr.write(`${line}\n`)),
      });
      let signals = 0;
      const onSignal = () => {
        signals += 1;
        if (signals === 1) {
          log('[topology] stopping… (Ctrl+C again to stop at once)');
          void topology.stop();
        } else topology.killNow();
      };
      for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
      // `govpub topology | head`: the reader went away; stop everything in order, as on the first Ctrl+C.
      onOutputClosed(() => {
        if (signals === 0) onSignal();
      });
      try {
        await topology.start();
        await topology.finished;
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      }
    });

  program
    .command('replay <files...>')
    .description('Replay saved workflow histories (`temporal workflow show --output json`) against this code: run before deploying workflow changes')
    .option(
      '--bundle <file>',
      'replay against this workflow bundle (`govpub bundle --out FILE`, what GOVPUB_WORKFLOW_BUNDLE workers run) instead of the sources',
    )
    .action(async (files: string[], options: { bundle?: string }) => {
      // Temporal's replayer and the workflow bundle cost seconds of CPU: they load once, for the
      // first file that is a history, so a mistyped path is answered at once.
      let replayer: Promise<{ replay(history: unknown, file: string): Promise<void> }> | undefined;
      const loadReplayer = async () => {
        const { Worker } = await import('@temporalio/worker');
        const { installWorkerRuntime, workflowBundle } = await import('../worker/worker.js');
        installWorkerRuntime();
        const bundle = await workflowBundle(options.bundle, 'option');
        return { replay: (history: unknown, file: string) => Worker.runReplayHistory({ workflowBundle: bundle }, history, file) };
      };
      let failed = 0;
      const unreadable: string[] = [];
      for (const file of files) {
        let history: unknown;
        try {
          history = readHistory(file);
        } catch (error) {
          // Not a history at all: that says nothing about the workflow code.
          unreadable.push(file);
          log(say(`NOT READ  ${file}: ${(error as Error).message}`, `无法读取  ${file}：${(error as Error).message}`));
          continue;
        }
        // Outside the try below: a bundle that cannot be loaded is the command's error, not a divergence.
        replayer ??= loadReplayer();
        const { replay } = await replayer;
        try {
          await replay(history, file);
          log(say(`ok        ${file}`, `通过      ${file}`));
        } catch (error) {
          failed += 1;
          log(say(`DIVERGES  ${file}: ${(error as Error).message.split('\n')[0]}`, `不一致    ${file}：${(error as Error).message.split('\n')[0]}`));
        }
      }
      if (failed) {
        throw new GovpubError(
          'replay_failed',
          `${failed} of ${files.length} histories do not replay: the change would break running workflows. Guard it with patched() (see Temporal's patching docs).`,
          {},
          { zh: `${files.length} 个历史中有 ${failed} 个无法重放：这一改动会破坏正在运行的工作流。请用 patched() 加以保护（见 Temporal 的 patching 文档）。` },
        );
      }
      if (unreadable.length) {
        throw new GovpubError(
          'history_unreadable',
          `${unreadable.length} of ${files.length} files are not workflow histories (save one with \`temporal workflow show --workflow-id ID --output json > h.json\`); nothing was replayed from them.`,
          {},
          {
            zh: `${files.length} 个文件中有 ${unreadable.length} 个不是工作流历史（保存方法：temporal workflow show --workflow-id ID --output json > h.json），未从中重放任何内容。`,
          },
        );
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
      else log(say(`temporal CLI: ${found.path} (from ${found.source})`, `Temporal 命令行工具：${found.path}（来源：${found.source}）`));
    });

  const web = program.command('web').description('The web console (web/): build it for /console/');
  web
    .command('build')
    .description('Build the console into web/dist when its sources changed (npm install and govpub start do this too), and print its budget')
    .option('--force', 'build even when web/dist is current')
    .option('--if-possible', 'without Vite (an install with --omit=dev), say so and succeed instead of failing (npm install uses this)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { force?: boolean; ifPossible?: boolean; json?: boolean }) => {
      const { ensureConsoleBuilt, describeBudget } = await import('../web/build-console.js');
      let result: Awaited<ReturnType<typeof ensureConsoleBuilt>>;
      try {
        result = await ensureConsoleBuilt({ force: options.force, log: (l) => process.stderr.write(`${l}\n`) });
      } catch (error) {
        if (!options.ifPossible || (error as { code?: string }).code !== 'console_not_built') throw error;
        log(`console: not built (${(error as Error).message})`);
        return;
      }
      if (options.json) printJson(result);
      // A fresh build already said its time and budget while building (stderr): not twice.
      else if (result.built) log('console: built into web/dist');
      else log(`console: ${result.reason}${result.budget ? `; ${describeBudget(result.budget)}` : ''}`);
    });
}
