/** `govpub deliveries …` and `govpub channels pause|resume`: operations on deliveries, audited. */
import type { Command } from 'commander';
import type { DeliveryService, DeliveryView } from '../services/deliveries.js';
import { actingUser, withApp } from './context.js';
import { printJson, printTable } from './output.js';

type Common = { as?: string; json?: boolean };

const service = async (ctx: Parameters<Parameters<typeof withApp>[0]>[0]): Promise<DeliveryService> =>
  new (await import('../services/deliveries.js')).DeliveryService(ctx);

function describe(d: DeliveryView): string {
  const lines = [`${d.id}  ${d.channelId} (${d.channelName ?? '?'})  package ${d.packageId} r${d.revision}`, `  state: ${d.state}${d.task ? `, task: ${d.task}` : ''}${d.waitingFor ? `, waiting for: ${d.waitingFor}` : ''}, attempts: ${d.attempts}`];
  if (d.publicUrl) lines.push(`  url: ${d.publicUrl}`);
  if (d.nextAttemptAt) lines.push(`  next attempt: ${d.nextAttemptAt}`);
  if (d.errorMessage) lines.push(`  ${d.errorClass ?? 'error'}: ${d.errorMessage}`);
  for (const w of d.warnings) lines.push(`  warning: ${w}`);
  if (d.skippedReason) lines.push(`  skipped: ${d.skippedReason}`);
  return lines.join('\n');
}

function act<O extends Common>(run: (s: DeliveryService, actor: Awaited<ReturnType<typeof actingUser>>, id: string, options: O) => Promise<DeliveryView>) {
  return async (id: string, options: O) =>
    withApp(async (ctx) => {
      const actor = await actingUser(ctx, options.as);
      const result = await run(await service(ctx), actor, id, options);
      if (options.json) printJson(result);
      else console.log(describe(result));
    });
}

export function registerDeliveryCommands(program: Command): void {
  const deliveries = program.command('deliveries').description('Deliveries: one per package revision × channel; watch and steer them');
  const withCommon = (cmd: Command) => cmd.option('--as <user>', 'act as this user (or GOVPUB_USER)').option('--json', 'print machine-readable JSON');

  deliveries
    .command('list')
    .description('List deliveries, newest change first, with counts per state')
    .option('--state <state>', 'only this state (pending, live, failed, needs_reconnect, awaiting_manual, unconfirmed, …)')
    .option('--channel <id>', 'only this channel, e.g. wechat_oa:blfb')
    .option('--platform <platform>', 'only this platform')
    .option('--package <id>', 'only this package')
    .option('--needs-action', 'only deliveries waiting for operations')
    .option('--limit <n>', 'at most this many (default 200)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { state?: string; channel?: string; platform?: string; package?: string; needsAction?: boolean; limit?: string; json?: boolean }) =>
      withApp(async (ctx) => {
        const result = await (await service(ctx)).list({
          state: options.state,
          channel: options.channel,
          platform: options.platform,
          packageId: options.package,
          needsAction: options.needsAction,
          limit: options.limit ? Number(options.limit) : undefined,
        });
        if (options.json) return printJson(result);
        printTable(
          result.items.map((d) => ({ id: d.id.slice(0, 8), channel: d.channelId, package: `${d.packageId}@${d.revision}`, state: d.state, task: d.task, attempts: d.attempts, error: d.errorMessage?.slice(0, 60) })),
          ['id', 'channel', 'package', 'state', 'task', 'attempts', 'error'],
        );
        console.log(`\n${Object.entries(result.counts).map(([s, n]) => `${s}: ${n}`).join(', ') || 'no deliveries'}`);
      }),
    );

  deliveries
    .command('show <id>')
    .description('One delivery (id, id prefix or business key) with its payload snapshot')
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, options: { json?: boolean }) =>
      withApp(async (ctx) => {
        const d = await (await service(ctx)).get(id);
        if (options.json) printJson(d);
        else console.log(describe(d));
      }),
    );

  deliveries
    .command('bundle <id>')
    .description('Write a manual hand-off bundle (texts within the platform limits, renditions, 说明.txt with the steps) to a directory')
    .requiredOption('--out <dir>', 'directory to write the bundle to')
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, options: { out: string; json?: boolean }) =>
      withApp(async (ctx) => {
        const d = await (await service(ctx)).get(id);
        if (d.platform !== 'toutiao' && d.platform !== 'wechat_channels') {
          throw new (await import('../domain/errors.js')).GovpubError('not_manual', `${d.channelId} is published through its API; only manual hand-off channels (toutiao, wechat_channels) have a bundle.`);
        }
        if (!d.payload) throw new (await import('../domain/errors.js')).GovpubError('not_prepared', `The bundle of ${d.id} is not prepared yet (state ${d.state}); try again in a moment.`);
        const { writeHandoffBundle } = await import('../adapters/manual-handoff.js');
        const { storeRenditionSource } = await import('../adapters/renditions.js');
        const { openMediaStore } = await import('../services/media.js');
        const { loadSettings } = await import('../config/settings.js');
        const written = await writeHandoffBundle(d.payload as never, storeRenditionSource(openMediaStore(loadSettings())), options.out, { deliveryId: d.id });
        if (options.json) printJson({ id: d.id, out: options.out, files: written.files });
        else console.log(`bundle for ${d.channelId} written to ${options.out}:\n${written.files.map((f) => `  ${f}`).join('\n')}\nPost it, then: govpub deliveries confirm ${d.id.slice(0, 8)} --url <post URL>`);
      }),
    );

  withCommon(deliveries.command('retry <id>').description('Try a failed, held or waiting delivery again now')).action(act((s, a, id) => s.retry(a, id)));
  withCommon(deliveries.command('skip <id>').description('Give up on a delivery, with the reason (audited)').requiredOption('--reason <text>', 'why')).action(
    act<Common & { reason: string }>((s, a, id, o) => s.skip(a, id, o.reason)),
  );
  withCommon(
    deliveries
      .command('confirm <id>')
      .description('Confirm a manual post with its URL (or a manual take-down, or an unconfirmed post you saw live)')
      .option('--url <url>', 'the address of the post on the platform')
      .option('--note <text>', 'anything worth keeping in the audit trail'),
  ).action(
    act<Common & { url?: string; note?: string }>(async (s, a, id, o) => {
      const { validateManualPostUrl } = await import('../adapters/manual-handoff.js');
      const { manualHostsFor } = await import('../runtime/channel-health.js');
      const { loadSettings } = await import('../config/settings.js');
      // The same check as the API's: the platform's hosts, or any host with the local simulators.
      const acceptedHosts = manualHostsFor(loadSettings());
      return s.confirm(a, id, { url: o.url, note: o.note }, (platform, url) =>
        platform === 'toutiao' || platform === 'wechat_channels' ? validateManualPostUrl(platform, url, acceptedHosts ? { acceptedHosts } : {}) : null,
      );
    }),
  );

  const channels = program.commands.find((c) => c.name() === 'channels') ?? program.command('channels');
  withCommon(channels.command('pause <channel>').description('Hold every delivery to a channel (audited)').requiredOption('--reason <text>', 'why')).action(
    async (channel: string, options: Common & { reason: string }) =>
      withApp(async (ctx) => {
        const result = await (await service(ctx)).pauseChannel(await actingUser(ctx, options.as), channel, options.reason);
        if (options.json) printJson(result);
        else console.log(`${channel} paused: ${result.reason}`);
      }),
  );
  withCommon(channels.command('resume <channel>').description('Lift a pause (or the hold after refused credentials) and wake its deliveries')).action(
    async (channel: string, options: Common) =>
      withApp(async (ctx) => {
        const result = await (await service(ctx)).resumeChannel(await actingUser(ctx, options.as), channel);
        if (options.json) printJson(result);
        else console.log(`${channel} resumed; ${result.woken} waiting deliver${result.woken === 1 ? 'y' : 'ies'} woken`);
      }),
  );
}
