import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { GovpubError } from '../domain/errors.js';
import type { PackageService } from '../services/packages.js';
import { actingUser, withApp } from './context.js';

const service = async (ctx: Parameters<Parameters<typeof withApp>[0]>[0]): Promise<PackageService> =>
  new (await import('../services/packages.js')).PackageService(ctx);
import { printJson, printTable } from './output.js';

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new GovpubError('file_unreadable', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GovpubError('invalid_json', `${file} is not valid JSON: ${(error as Error).message}.`);
  }
}

type Common = { as?: string; json?: boolean };

/** Run one package operation as a user and print its result. */
function operation<O extends Common>(
  run: (service: PackageService, actor: Awaited<ReturnType<typeof actingUser>>, options: O, id: string) => Promise<unknown>,
  human: (result: any) => string,
) {
  return async (id: string, options: O) =>
    withApp(async (ctx) => {
      const actor = await actingUser(ctx, options.as);
      const result = await run((await service(ctx)), actor, options, id);
      if (options.json) printJson(result);
      else console.log(human(result));
    });
}

const describeState = (r: { id: string; status: string; revision: number; currentStage?: string | null }) =>
  `${r.id}: ${r.status}${r.currentStage ? ` at ${r.currentStage}` : ''}, revision ${r.revision}`;

export function registerPackageCommands(program: Command): void {
  const packages = program.command('packages').description('Release packages: a document with its interpretations (三同步)');
  const withCommon = (cmd: Command) => cmd.option('--as <user>', 'act as this user (or GOVPUB_USER)').option('--json', 'print machine-readable JSON');

  withCommon(packages.command('create').description('Create a package from a JSON file (the body of POST /api/packages; - for stdin)').requiredOption('--file <file>', 'package JSON'))
    .action(async (options: Common & { file: string }) =>
      withApp(async (ctx) => {
        const actor = await actingUser(ctx, options.as);
        const result = await (await service(ctx)).create(actor, readJsonFile(options.file));
        if (options.json) printJson(result);
        else console.log(`created ${result.id} (draft, revision 1)`);
      }),
    );
  withCommon(packages.command('edit <id>').description('Save a new revision from a JSON file').requiredOption('--file <file>', 'package JSON'))
    .action(operation<Common & { file: string }>((s, a, o, id) => s.edit(a, id, readJsonFile(o.file)), describeState));
  withCommon(packages.command('submit <id>').description('Submit a draft for review'))
    .action(operation((s, a, _o, id) => s.submit(a, id), describeState));
  withCommon(
    packages
      .command('decide <id>')
      .description('Approve or reject the package at its current stage')
      .requiredOption('--revision <n>', 'the revision you reviewed')
      .addOption(new Option('--decision <decision>', 'approve | reject').choices(['approve', 'reject']).makeOptionMandatory())
      .option('--comment <text>', 'comment (required to reject)', ''),
  ).action(
    operation<Common & { revision: string; decision: string; comment: string }>(
      (s, a, o, id) => s.decide(a, id, { revision: Number(o.revision), decision: o.decision, comment: o.comment }),
      describeState,
    ),
  );
  withCommon(packages.command('withdraw <id>').description('Withdraw from review (voids approvals)').option('--reason <text>', 'why', ''))
    .action(operation<Common & { reason: string }>((s, a, o, id) => s.withdraw(a, id, o.reason), describeState));
  withCommon(
    packages
      .command('schedule <id>')
      .description('Change the release time (keeps approvals), or cancel it with --cancel')
      .option('--at <datetime>', 'ISO 8601, e.g. 2026-12-01T09:00:00+08:00')
      .option('--now', 'release as soon as approved')
      .option('--cancel', 'cancel the scheduled release; the package waits'),
  ).action(
    operation<Common & { at?: string; now?: boolean; cancel?: boolean }>((s, a, o, id) => {
      if (o.cancel) return s.schedule(a, id, null, true);
      if (o.now) return s.schedule(a, id, null, false);
      if (!o.at) throw new GovpubError('invalid_arguments', 'Give --at <datetime>, --now or --cancel.');
      return s.schedule(a, id, o.at, false);
    }, describeState),
  );
  withCommon(packages.command('release <id>').description('Release an approved package now'))
    .action(operation((s, a, _o, id) => s.releaseNow(a, id), describeState));
  withCommon(packages.command('retract <id>').description('Retract (撤稿) a released package everywhere').requiredOption('--reason <text>', 'why'))
    .action(operation<Common & { reason: string }>((s, a, o, id) => s.retract(a, id, o.reason), describeState));
  packages
    .command('show <id>')
    .description('Status, stage, approvals and deliveries of one package')
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, options: { json?: boolean }) =>
      withApp(async (ctx) => {
        const view = await (await service(ctx)).get(id);
        if (options.json) return printJson(view);
        console.log(`${view.id}  ${view.title}`);
        console.log(`status ${view.status}${view.currentStageName ? ` at ${view.currentStageName}` : ''}, revision ${view.revision}${view.releaseAt ? `, release at ${view.releaseAt}` : ''}`);
        for (const a of view.approvals) console.log(`  approved at ${a.stage} by ${a.reviewer} (revision ${a.revision})`);
        if (view.lastRejection) console.log(`  last rejection at ${view.lastRejection.stage}: ${view.lastRejection.comment}`);
        if (view.deliveries.length) printTable(view.deliveries.map((d) => ({ ...d })), ['channelId', 'state', 'liveAt', 'publicUrl']);
      }),
    );
  packages
    .command('list')
    .description('Packages by status and stage (review queues)')
    .option('--status <status>', 'draft, in_review, approved, scheduled, releasing, released, retracting, retracted')
    .option('--stage <stage>', '初审/复审/终审 or first/second/final')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { status?: string; stage?: string; json?: boolean }) =>
      withApp(async (ctx) => {
        const rows = await (await service(ctx)).list(options);
        if (options.json) printJson(rows);
        else printTable(rows, ['id', 'status', 'currentStage', 'revision', 'title']);
      }),
    );
}

