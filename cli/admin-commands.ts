import type { Command } from 'commander';
import path from 'node:path';
import { loadRegistry, registryDigest, registrySource } from '../config/registry.js';
import type { Registry } from '../domain/registry.js';
import { loadSettings } from '../config/settings.js';
import { chinaTime } from '../domain/compliance/check-context.js';
import { channelsWithOwners } from '../domain/units.js';
import { ConfigError, GovpubError, type ConfigIssue } from '../domain/errors.js';
import { PASSWORD_MAX } from '../domain/password-rule.js';
import { decodeUtf8 } from '../domain/utf8.js';
import { ApiClient, withApiOptions, type ApiOptions } from './api-client.js';
import type { BinaryStatus } from '../media/binaries.js';
import { withApp, withDatabase, withDatabaseOnly } from './context.js';
import { roleZh } from '../domain/messages-zh.js';
import { auditActionZh } from '../domain/audit-actions.js';
import { atBeijing, beijingTime, commandAgain, inChinese, printable, printJson, printTable, say, withoutApiTokens } from './output.js';

/** Said under a generated password: whoever ran the command saw it, so its owner replaces it. */
const FIRST_PASSWORD_HINT = {
  en: "(a first password: its owner replaces it after signing in, with 修改密码 in the console's header)",
  zh: '（首次登录密码：本人登录后请用控制台右上角的“修改密码”换成自己的密码）',
};

const splitList = (value: string) =>
  value
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function registerAdminCommands(program: Command): void {
  const db = program.command('db').description('Database schema');
  db.command('migrate')
    .description('Apply pending migrations (in one transaction); the all-in-one start does this itself')
    .option('--json', 'print machine-readable JSON')
    .action((options: { json?: boolean }) =>
      withDatabaseOnly(async (database) => {
        const { migrateToLatest } = await import('../db/migrate.js');
        const report = await migrateToLatest(database.db);
        if (options.json) printJson({ database: database.description, ...report });
        else
          console.log(
            report.applied.length
              ? say(`applied: ${report.applied.join(', ')}`, `已执行迁移：${report.applied.join('、')}`)
              : say(
                  `up to date (${report.alreadyApplied.length} migrations) — ${database.description}`,
                  `数据库结构已是最新（${report.alreadyApplied.length} 个迁移）— ${database.description}`,
                ),
          );
      }),
    );
  db.command('status')
    .description('List migrations and when they ran')
    .option('--json', 'print machine-readable JSON')
    .action((options: { json?: boolean }) =>
      withDatabaseOnly(async (database) => {
        const { migrationStatus } = await import('../db/migrate.js');
        const rows = await migrationStatus(database.db);
        if (options.json) printJson(rows);
        else
          printTable(
            rows.map((r) => ({ migration: r.name, [APPLIED_AT]: r.executedAt ? beijingTime(r.executedAt.toISOString()) : say('pending', '待执行') })),
            ['migration', APPLIED_AT],
            { migration: '迁移', [APPLIED_AT]: '执行时间（北京时间）' },
          );
      }),
    );

  db.command('copy-embedded')
    .description(
      'Copy the embedded database (GOVPUB_DATA_DIR) into the empty PostgreSQL database DATABASE_URL names: schema by the migrations, then every row, counts checked; govpub must be stopped',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean }) => {
      const { copyEmbeddedToPostgres } = await import('../runtime/copy-to-postgres.js');
      const report = await copyEmbeddedToPostgres(loadSettings());
      if (options.json) return printJson(report);
      const zh = inChinese();
      console.log(
        zh ? `已将 ${report.from} 复制到 ${report.to}，各表行数已核对一致：` : `copied ${report.from} into ${report.to}; every table's count checked:`,
      );
      printTable(
        Object.entries(report.tables).map(([table, rows]) => ({ table, rows })),
        ['table', 'rows'],
        { table: '表', rows: '行数' },
      );
      console.log(
        zh
          ? `媒体文件（${report.mediaFiles} 个）仍在 ${report.mediaDir}：以后各进程设 GOVPUB_MEDIA_DIR=${report.mediaDir}，或把该目录复制到共享卷。内置数据库保持原样，可作回退。`
          : `media files (${report.mediaFiles}) stay in ${report.mediaDir}: set GOVPUB_MEDIA_DIR=${report.mediaDir} for every process from now on, or copy that directory to the shared volume. The embedded database is left as it was, to go back to.`,
      );
    });

  const packagesAdmin = program.commands.find((c) => c.name() === 'packages') ?? program.command('packages');
  packagesAdmin
    .command('repair [ids...]')
    .description(
      'Administration: find packages whose database row and workflow disagree (or whose step keeps failing), say why, and bring the row back to the workflow; end a draft workflow whose package was never stored; audited with your OS account',
    )
    .option('--all', 'every package that is not retracted, and every running package workflow with no row')
    .option('--dry-run', 'only report what would change')
    .option(
      '--orphan-age <minutes>',
      'end a draft workflow with no row only when it started at least this long ago (default 5; a create may still be storing a younger one)',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (ids: string[], options: { all?: boolean; dryRun?: boolean; orphanAge?: string; json?: boolean }) => {
      if (!options.all && ids.length === 0) throw new GovpubError('invalid_arguments', 'Name the packages to repair, or give --all.');
      if (options.all && ids.length > 0)
        throw new GovpubError('invalid_arguments', 'Name the packages to repair or give --all, not both (--all repairs every package).');
      const orphanAgeMs = options.orphanAge === undefined ? undefined : minutesOption('--orphan-age', options.orphanAge) * 60_000;
      await withApp(async (ctx) => {
        const { repairPackages } = await import('../services/package-repair.js');
        const reports = await repairPackages(ctx.db, ctx.temporal, options.all ? { all: true, taskQueue: ctx.taskQueue } : ids, {
          dryRun: options.dryRun,
          orphanAgeMs,
        });
        if (options.json) return printJson(reports);
        // An id is printed as typed: a control character or a token in it is shown as text, not acted on or repeated.
        const zh = inChinese();
        for (const r of reports) {
          console.log(printable(withoutApiTokens(zh ? `${r.packageId}：${REPAIR_OUTCOME_ZH[r.outcome]}` : `${r.packageId}: ${r.outcome}`)));
          for (const d of r.differences)
            console.log(
              zh
                ? `  ${d.field}：数据库 ${JSON.stringify(d.database)} → 工作流 ${JSON.stringify(d.workflow)}`
                : `  ${d.field}: database ${JSON.stringify(d.database)} → workflow ${JSON.stringify(d.workflow)}`,
            );
          if (r.stuckStep)
            console.log(
              zh
                ? `  卡在 ${r.stuckStep.activity}（第 ${r.stuckStep.attempts} 次尝试）：${r.stuckStep.lastFailure ?? '尚无失败记录'}`
                : `  stuck at ${r.stuckStep.activity} (attempt ${r.stuckStep.attempts}): ${r.stuckStep.lastFailure ?? 'no failure recorded yet'}`,
            );
          if (r.advice) console.log(printable(withoutApiTokens(`  ${r.advice}`)));
        }
        if (reports.some((r) => r.outcome === 'stuck' || r.outcome === 'missing')) process.exitCode = 1;
      });
    });

  const config = program.command('config').description('Configuration (the Beilin registry under config/registry)');
  config
    .command('check')
    .description(
      'Validate the registry YAML, the portal site identity (site.yaml), platforms.yaml and watermarks.yaml, the secrets file and the watermark font, every problem with file, line and key path; say which ffmpeg, ffprobe and font media work uses',
    )
    .option('--secrets', 'also check that every platform secret is provided (environment or GOVPUB_SECRETS_FILE)')
    .option(
      '--for <processes>',
      'what this host runs: all (default: a worker may run here, so ffmpeg and ffprobe are both required), worker (both), api (ffprobe only: it probes uploads; renditions are made by workers)',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean; secrets?: boolean; for?: string }) => {
      const hostRole = hostRoleOption(options.for);
      const settings = loadSettings();
      // Every file is checked, and one answer lists the problems of all of them.
      const problems: ConfigIssue[] = [];
      const checked = async <T>(load: () => T | Promise<T>): Promise<T | undefined> => {
        try {
          return await load();
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          problems.push(...error.issues);
          return undefined;
        }
      };
      const registry = await checked(() => loadRegistry(path.join(settings.configDir, 'registry')));
      const { loadSiteIdentity, SITE_IDENTITY_FILE } = await import('../config/site-identity.js');
      const site = await checked(() => loadSiteIdentity(path.join(settings.configDir, 'registry', SITE_IDENTITY_FILE)));
      const { loadPlatformConfigs } = await import('../config/platforms.js');
      const platforms = await checked(() => loadPlatformConfigs(settings.configDir));
      const { loadWatermarks, watermarksPath } = await import('../config/watermarks.js');
      const { listChannels } = await import('../domain/registry.js');
      await checked(() => loadWatermarks(watermarksPath(settings.configDir), registry ? { channelIds: listChannels(registry).map((c) => c.id) } : undefined));
      // The secrets file named by GOVPUB_SECRETS_FILE is read by every process: missing or malformed, nothing could start.
      const secretsFile = process.env.GOVPUB_SECRETS_FILE?.trim() || undefined;
      if (secretsFile) {
        const { checkSecretsFile } = await import('../config/secrets.js');
        await checked(() => checkSecretsFile(secretsFile));
      }
      // The watermark font: GOVPUB_FONT_PATH set to a file that is missing or has no Chinese is a problem here,
      // not a failed rendition later; without the setting, which font would be used (or that none was found).
      const { resolveWatermarkFont } = await import('../media/fonts.js');
      const font = await resolveWatermarkFont().then(
        (found) => ({ path: found.path, family: found.family ?? null, source: found.source }),
        (error: Error) => ({ error: error.message }),
      );
      const fontPath = process.env.GOVPUB_FONT_PATH?.trim();
      if ('error' in font && fontPath) problems.push({ file: fontPath, path: 'GOVPUB_FONT_PATH', message: font.error });
      // Which media binaries this machine would use. A worker renders video and audio with ffmpeg and probes with ffprobe,
      // an API probes uploads with ffprobe: a tool the host's processes need that is missing (or lacks what govpub needs)
      // is a broken setup, not a note; a tool they do not need is only reported.
      const { describeBinaryStatus, mediaBinariesReport } = await import('../media/binaries.js');
      const media = await mediaBinariesReport();
      for (const tool of MEDIA_TOOLS_NEEDED[hostRole]) problems.push(...mediaToolProblems(tool, media[tool], hostRole));
      if (problems.length > 0 || !registry || !site || !platforms) throw new ConfigError(problems);
      if (options.secrets) (await import('../runtime/app.js')).assertSecretsPresent(registry, platforms);
      const zh = inChinese();
      const exposure = secretsFile ? (await import('../config/secrets.js')).secretsFileExposure(secretsFile, zh) : null;
      if (exposure) process.stderr.write(`govpub: ${exposure}\n`);
      // The content gate's wording list (GOVPUB_WORDING_FILE or config/registry/wording.yaml), file:line problems.
      const wording = (await import('../services/content-gate/wording-list.js')).loadWordingListSync();
      const summary = {
        ok: true,
        digest: registryDigest(registry),
        portalColumns: registry.portal.columns.length,
        keyAreas: registry.portal.columns.filter((c) => c.keyArea).length,
        accounts: registry.accounts.length,
        mediaCenterColumns: registry.mediaCenter.columns.length,
        catalogueItems: registry.catalogue.length,
        reviewStages: registry.review.stages.map((s) => s.name),
        site: { name: site.siteName, domain: site.siteDomain, idCode: site.siteIdCode },
        wording: { file: wording.file, entries: wording.entries.length },
      };
      // The working-day calendar's years: a year it lacks turns every limit in it into calendar_out_of_range.
      const { workingDayCalendar } = await import('../config/working-calendar.js');
      const { calendarCoverageWarning, describeYears } = await import('../domain/working-days.js');
      const calendar = workingDayCalendar(registry.workdays);
      const calendarWarning = calendarCoverageWarning(calendar, new Date());
      const workingDays = { source: calendar.source, years: describeYears(calendar.years), warning: calendarWarning };
      // Organ codes that fail their check character: placeholders or typos every 索引号 on the portal would carry.
      const { organCodeWarnings } = await import('../domain/index-number.js');
      // The file and line the registry's loader recorded for each key it read.
      const source = registrySource(registry);
      const organCodePlace = (field: string) => {
        const line = source?.lineOf('indexNumbers', field);
        return `${source?.files.indexNumbers ?? 'index-numbers.yaml'}${line ? `:${line}` : ''}`;
      };
      const organCodes = organCodeWarnings(registry.indexNumbers, organCodePlace, zh);
      if (options.json)
        printJson({
          ...summary,
          for: hostRole,
          workingDays,
          organCodeWarnings: organCodeWarnings(registry.indexNumbers, organCodePlace),
          media,
          watermarkFont: font,
        });
      else {
        if (calendarWarning)
          process.stderr.write(zh ? `govpub: 警告：${calendarCoverageWarning(calendar, new Date(), true)}\n` : `govpub: warning: ${calendarWarning}\n`);
        for (const warning of organCodes) process.stderr.write(zh ? `govpub: 警告：${warning}\n` : `govpub: warning: ${warning}\n`);
        const extraYears = registry.workdays.extraYears.length > 0;
        if (zh) {
          console.log(
            `配置检查通过：门户网站栏目 ${summary.portalColumns} 个（重点领域 ${summary.keyAreas} 个），政务新媒体账号 ${summary.accounts} 个，融媒体中心栏目 ${summary.mediaCenterColumns} 个，公开目录事项 ${summary.catalogueItems} 项，审核环节 ${summary.reviewStages.join(' → ')}；门户网站 ${site.siteName}（${site.siteDomain}，网站标识码 ${site.siteIdCode}）；词库 ${wording.entries.length} 条`,
          );
          console.log(`工作日日历：${workingDays.source}${extraYears ? ' 及 workdays.yaml' : ''}，覆盖 ${workingDays.years}`);
        } else {
          console.log(
            `config OK: ${summary.portalColumns} portal columns (${summary.keyAreas} key areas), ${summary.accounts} accounts, ${summary.mediaCenterColumns} media-center columns, ${summary.catalogueItems} catalogue items, stages ${summary.reviewStages.join(' → ')}; portal site ${site.siteName} (${site.siteDomain}, 网站标识码 ${site.siteIdCode}); wording list ${wording.entries.length} entries`,
          );
          console.log(`working-day calendar: ${workingDays.source}${extraYears ? ' and workdays.yaml' : ''}, ${workingDays.years}`);
        }
        for (const tool of ['ffmpeg', 'ffprobe'] as const) {
          const needed = MEDIA_TOOLS_NEEDED[hostRole].includes(tool);
          console.log(describeBinaryStatus(tool, media[tool], zh) + (needed ? '' : zh ? '（仅 API 的主机不需要）' : ' (not needed on an API-only host)'));
        }
        if (zh) console.log('error' in font ? `水印字体：无（${font.error}）` : `水印字体：${font.family ?? '字体族未知'}，来源 ${font.source}：${font.path}`);
        else
          console.log(
            'error' in font ? `watermark font: none (${font.error})` : `watermark font: ${font.family ?? 'unknown family'} from ${font.source} ${font.path}`,
          );
      }
    });

  program
    .command('channels')
    .description('Channels (portal columns, new-media accounts, media-center columns); pause and resume')
    .command('list')
    .description(
      "List every channel of the registry; with a token (--token or GOVPUB_TOKEN) read through the API, with each channel's pause (since when, by whom, why)",
    )
    .option('--platform <platform>', 'only this platform, e.g. wechat_oa')
    .option('--token <token>', 'your API token (or GOVPUB_TOKEN): shows which channels are paused')
    .option('--api <url>', 'the govpub API (or GOVPUB_API_URL; default http://127.0.0.1:$PORT)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: ApiOptions & { platform?: string; json?: boolean }) => {
      if (options.token ?? process.env.GOVPUB_TOKEN) {
        // Pauses live in the database, which the API reads: the same list the console's board shows.
        const query = options.platform ? `?platform=${encodeURIComponent(options.platform)}` : '';
        const { channels } = await ApiClient.from(options).request<{ channels: ListedChannel[] }>('GET', `/api/channels${query}`);
        if (options.json) printJson(channels);
        else
          printTable(
            channels.map((c) => withPauseColumn(withTargetNote(c))),
            ['id', 'platform', 'publishing', 'name', 'ownerUnit', 'paused'],
            CHANNEL_HEADINGS_ZH,
          );
        return;
      }
      const settings = loadSettings();
      const { PLATFORMS } = await import('../domain/registry.js');
      const platform = options.platform;
      // A mistyped platform listed nothing and succeeded, as if it had no channels; the API's filters refuse one.
      if (platform !== undefined && !(PLATFORMS as readonly string[]).includes(platform)) {
        const { nearestName } = await import('../config/did-you-mean.js');
        const typed = platform.trim().toLowerCase();
        const near = nearestName(typed, PLATFORMS) ?? (typed ? PLATFORMS.find((p) => p.startsWith(typed)) : undefined);
        throw new GovpubError(
          'invalid_arguments',
          `--platform ${JSON.stringify(platform)} is not a platform${near ? ` (did you mean ${near}?)` : ''}; use one of ${PLATFORMS.join(', ')}.`,
          { platform },
          { zh: `--platform ${JSON.stringify(platform)} 不是平台名称${near ? `（是否要用 ${near}？）` : ''}；可用：${PLATFORMS.join('、')}。` },
        );
      }
      const registry = await loadRegistry(path.join(settings.configDir, 'registry'));
      const channels = channelsWithOwners(registry).filter((c) => !platform || c.platform === platform);
      if (options.json) printJson(channels);
      else printTable(channels.map(withTargetNote), ['id', 'platform', 'publishing', 'name', 'ownerUnit'], CHANNEL_HEADINGS_ZH);
      // Said on stderr, so --json output stays the list it always was.
      process.stderr.write(
        say(
          'Pauses are not shown: this list is read from the registry. Give your token (--token or GOVPUB_TOKEN) to read it through the API with each channel’s pause.\n',
          '此列表读自注册表，不显示暂停情况。提供您的令牌（--token 或 GOVPUB_TOKEN）即可通过 API 读取，并列出各渠道的暂停情况。\n',
        ),
      );
    });

  const users = program.command('users').description('Users, roles and review stages');
  users
    .command('add <name>')
    .description('Create a user; prints a first console password (unless --password-stdin) and, as the last line, the API token (both shown once)')
    .requiredOption('--role <role>', 'editor | reviewer | ops | admin')
    .option('--stages <stages>', 'review stages this user may decide at, e.g. 初审,复审 (or first,second)')
    .option('--unit <unit>', 'owner unit id from config/registry/units.yaml, e.g. jyj (an editor with a unit targets only its channels)')
    .option('--display-name <name>', 'full name, e.g. 王伟')
    .option('--email <address>', 'where compliance reminders reach this user (editors of a unit), e.g. wang.wei@beilin.gov.cn')
    .option('--token-ttl-days <days>', 'the token stops working after this many days (default: until rotated)')
    .option('--password-stdin', 'read the console password from standard input instead of generating one')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        name: string,
        options: {
          role: string;
          stages?: string;
          unit?: string;
          displayName?: string;
          email?: string;
          tokenTtlDays?: string;
          passwordStdin?: boolean;
          json?: boolean;
        },
      ) => {
        const { addUser, checkNewUserFields, stageLabel } = await import('../services/users.js');
        const fields = {
          name,
          role: options.role,
          stages: options.stages ? splitList(options.stages) : [],
          unit: options.unit,
          displayName: options.displayName,
          email: options.email,
        };
        // A mistyped role or name is refused before the database is opened (a second of CPU, and its own errors first).
        checkNewUserFields(fields);
        const password = options.passwordStdin ? await passwordFromStdin() : undefined;
        await withDatabase(async ({ database, registry }) => {
          const { user, token, generatedPassword } = await addUser(database.db, registry, { ...fields, tokenTtlDays: ttlDays(options.tokenTtlDays), password });
          if (options.json)
            printJson({ id: user.id, name: user.name, role: user.role, stages: user.stages, unit: user.unit, password: generatedPassword ?? null, token });
          else {
            const zh = inChinese();
            // Stages as they were typed (初审), with their ids; "created admin admin" read as a typo.
            const stageNames = user.stages.map((id) => stageLabel(registry, id, zh));
            console.log(
              zh
                ? `已创建用户 ${user.name}，角色 ${roleZh(user.role)}（${user.role}）${stageNames.length ? `，审核环节 ${stageNames.join('、')}` : ''}${user.unit ? `，单位 ${user.unit}` : ''}`
                : `created user ${user.name}, role ${user.role}${stageNames.length ? `, stages ${stageNames.join(', ')}` : ''}${user.unit ? ` in unit ${user.unit}` : ''}`,
            );
            // The token stays the last line, in either language: scripts take it with `| tail -1`.
            if (generatedPassword) {
              console.log(say(`password: ${generatedPassword}`, `控制台登录密码：${generatedPassword}`));
              console.log(say(FIRST_PASSWORD_HINT.en, FIRST_PASSWORD_HINT.zh));
            }
            console.log(say('API token:', 'API 令牌（只显示这一次）：'));
            console.log(token);
          }
        });
      },
    );
  users
    .command('set-password <name>')
    .description("Set a new console password (from --password-stdin, or generated and printed once); ends the user's sessions; audited without the password")
    .option('--password-stdin', 'read the new password from standard input instead of generating one')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, options: { passwordStdin?: boolean; json?: boolean }) => {
      const password = options.passwordStdin ? await passwordFromStdin() : undefined;
      await withDatabaseOnly(
        async (database) => {
          const { setPassword } = await import('../services/users.js');
          const { user, generatedPassword, sessionsEnded } = await setPassword(database.db, name, password);
          if (options.json) printJson({ name: user.name, password: generatedPassword ?? null, sessionsEnded });
          else {
            console.log(
              say(`password of ${user.name} set; ${sessionsEnded} session(s) ended`, `已为 ${user.name} 设置新密码，结束了 ${sessionsEnded} 个登录会话`),
            );
            if (generatedPassword) {
              console.log(say(`password: ${generatedPassword}`, `控制台登录密码：${generatedPassword}`));
              console.log(say(FIRST_PASSWORD_HINT.en, FIRST_PASSWORD_HINT.zh));
            }
          }
        },
        { migrate: 'embedded' },
      );
    });
  users
    .command('set-unit <name> <unit>')
    .description('Put a user in an owner unit (an id or name from config/registry/units.yaml); audited')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, unit: string, options: { json?: boolean }) =>
      withDatabase(async ({ database, registry }) => {
        const { setUnit } = await import('../services/users.js');
        const user = await setUnit(database.db, registry, name, unit);
        if (options.json) printJson({ name: user.name, unit: user.unit });
        else console.log(say(`${user.name} is now in unit ${user.unit}`, `${user.name} 现属单位 ${user.unit}`));
      }),
    );
  const change = (name: string, what: { role?: string; stages?: string[]; displayName?: string }, json?: boolean) =>
    withDatabase(async ({ database, registry }) => {
      const { changeUser, describeUser } = await import('../services/users.js');
      const { user, before, stagesWithoutReviewer } = await changeUser(database.db, registry, name, what);
      if (json) return printJson({ name: user.name, role: user.role, stages: user.stages, displayName: user.display_name, before, stagesWithoutReviewer });
      const renamed = before.displayName !== user.display_name;
      console.log(
        say(
          `${user.name}${user.display_name ? ` (${printable(user.display_name)})` : ''} is now ${describeUser(registry, user.role, user.stages)} (was ${describeUser(registry, before.role, before.stages)}${renamed ? `, named ${before.displayName ? printable(before.displayName) : 'by login name'}` : ''}); from their next request`,
          `${user.name}${user.display_name ? `（${printable(user.display_name)}）` : ' '}现为${describeUser(registry, user.role, user.stages, true)}（原为${describeUser(registry, before.role, before.stages, true)}${renamed ? `，原显示名 ${before.displayName ? printable(before.displayName) : '（登录名）'}` : ''}）；自其下一次请求起生效`,
        ),
      );
      warnOfStagesWithoutDecider(registry, stagesWithoutReviewer);
    });
  users
    .command('set-role <name> <role>')
    .description(
      "Change a user's role (editor | reviewer | ops | admin), with --stages for a reviewer; approvals already given stay; audited; from the user's next request",
    )
    .option('--stages <stages>', 'review stages the user decides at from now on, e.g. 复审 (a reviewer needs at least one)')
    .option('--json', 'print machine-readable JSON')
    .action((name: string, role: string, options: { stages?: string; json?: boolean }) =>
      change(name, { role, ...(options.stages !== undefined ? { stages: splitList(options.stages) } : {}) }, options.json),
    );
  users
    .command('set-stages <name> <stages>')
    .description('Change the review stages a reviewer or admin decides at, e.g. 初审,复审 (none: no stage, for an admin); audited')
    .option('--json', 'print machine-readable JSON')
    .action((name: string, stages: string, options: { json?: boolean }) =>
      change(name, { stages: stages.trim() === 'none' ? [] : splitList(stages) }, options.json),
    );
  users
    .command('set-display-name <name> <displayName>')
    .description("Change the full name shown for a user (review history, the console), e.g. 赵敏 ('' for the login name); audited")
    .option('--json', 'print machine-readable JSON')
    .action((name: string, displayName: string, options: { json?: boolean }) => change(name, { displayName }, options.json));
  users
    .command('set-email <name> <address>')
    .description('Set the address compliance reminders reach the user at (editors of a unit); audited')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, address: string, options: { json?: boolean }) =>
      withDatabaseOnly(
        async (database) => {
          const { setEmail } = await import('../services/user-email.js');
          const { localOperator } = await import('../services/users.js');
          const user = await setEmail(database.db, name, address, localOperator());
          if (options.json) printJson({ name: user.name, email: user.email });
          else console.log(say(`${user.name} now receives compliance reminders at ${user.email}`, `${user.name} 今后在 ${user.email} 接收合规提醒`));
        },
        { migrate: 'embedded' },
      ),
    );
  users
    .command('disable <name>')
    .description('Disable a user: their token is refused from now on (ends their sessions); audited with your OS account')
    .requiredOption('--reason <text>', 'why (kept in the audit trail)')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, options: { reason: string; json?: boolean }) =>
      withDatabase(async ({ database, registry }) => {
        const { disableUser, stagesWithoutDecider } = await import('../services/users.js');
        const user = await disableUser(database.db, name, options.reason);
        const stagesWithoutReviewer = await stagesWithoutDecider(database.db, registry, user.stages);
        if (options.json) printJson({ name: user.name, disabledAt: user.disabled_at, stagesWithoutReviewer });
        else console.log(say(`${user.name} disabled; their token no longer works`, `已停用 ${user.name}，其令牌已失效`));
        warnOfStagesWithoutDecider(registry, stagesWithoutReviewer);
      }),
    );
  users
    .command('enable <name>')
    .description('Let a disabled user in again with a new token (printed as the last line, shown once)')
    .option('--token-ttl-days <days>', 'the new token stops working after this many days (default: until rotated)')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, options: { tokenTtlDays?: string; json?: boolean }) =>
      withDatabaseOnly(
        async (database) => {
          const { enableUser } = await import('../services/users.js');
          const { user, token } = await enableUser(database.db, name, ttlDays(options.tokenTtlDays));
          if (options.json) printJson({ name: user.name, token, expiresAt: user.token_expires_at });
          else
            console.log(
              say(
                `${user.name} enabled; new API token${user.token_expires_at ? ` (valid until ${atBeijing(user.token_expires_at.toISOString())})` : ''}:\n${token}`,
                `已启用 ${user.name}；新的 API 令牌${user.token_expires_at ? `（有效期至 ${atBeijing(user.token_expires_at.toISOString())}）` : ''}（只显示这一次）：\n${token}`,
              ),
            );
        },
        { migrate: 'embedded' },
      ),
    );
  users
    .command('rotate-token <name>')
    .description('Issue a new API token (printed as the last line, shown once); the old one stops working at once')
    .option('--token-ttl-days <days>', 'the new token stops working after this many days (default: until rotated)')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, options: { tokenTtlDays?: string; json?: boolean }) =>
      withDatabaseOnly(
        async (database) => {
          const { rotateToken } = await import('../services/users.js');
          const { user, token } = await rotateToken(database.db, name, ttlDays(options.tokenTtlDays));
          if (options.json) printJson({ name: user.name, token, expiresAt: user.token_expires_at });
          else {
            const until = user.token_expires_at ? atBeijing(user.token_expires_at.toISOString()) : undefined;
            console.log(
              say(
                `new API token for ${user.name}${until ? ` (valid until ${until})` : ''}:\n${token}`,
                `已为 ${user.name} 换发新的 API 令牌${until ? `（有效期至 ${until}）` : ''}，旧令牌随即失效（只显示这一次）：\n${token}`,
              ),
            );
          }
        },
        { migrate: 'embedded' },
      ),
    );
  users
    .command('list')
    .description('List users (never tokens)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { json?: boolean }) =>
      withDatabaseOnly(
        async (database) => {
          const { listUsers } = await import('../services/users.js');
          const rows = await listUsers(database.db);
          // Stages as reviewers know them (初审) under zh; the registry may be broken (this command must
          // still work then), so its ids stand in for the names.
          const stageNames = new Map<string, string>();
          if (inChinese() && !options.json) {
            try {
              const registry = await loadRegistry(path.join(loadSettings().configDir, 'registry'));
              for (const stage of registry.review.stages) stageNames.set(stage.id, stage.name);
            } catch {
              // the ids, then
            }
          }
          // camelCase like every other --json answer (the rows' own keys are the database's snake_case).
          if (options.json)
            printJson(
              rows.map((r) => ({
                id: r.id,
                name: r.name,
                displayName: r.display_name,
                role: r.role,
                stages: r.stages,
                unit: r.unit,
                email: r.email,
                createdAt: r.created_at.toISOString(),
                disabledAt: r.disabled_at?.toISOString() ?? null,
                tokenIssuedAt: r.token_issued_at?.toISOString() ?? null,
                tokenExpiresAt: r.token_expires_at?.toISOString() ?? null,
              })),
            );
          else
            printTable(
              rows.map((r) => ({
                name: r.name,
                // The role's id is what --role takes: under zh beside its name.
                role: inChinese() ? `${roleZh(r.role)}（${r.role}）` : r.role,
                stages: r.stages.map((id) => stageNames.get(id) ?? id).join(stageNames.size ? '、' : ','),
                [USER_TIMES.created]: beijingTime(r.created_at.toISOString()),
                unit: r.unit ?? '',
                [USER_TIMES.disabled]: beijingTime(r.disabled_at?.toISOString()),
                [USER_TIMES.tokenExpires]: beijingTime(r.token_expires_at?.toISOString()),
              })),
              ['name', 'role', 'stages', 'unit', USER_TIMES.created, USER_TIMES.disabled, USER_TIMES.tokenExpires],
              {
                name: '用户名',
                role: '角色',
                stages: '审核环节',
                unit: '单位',
                [USER_TIMES.created]: '创建时间（北京时间）',
                [USER_TIMES.disabled]: '停用时间（北京时间）',
                [USER_TIMES.tokenExpires]: '令牌到期（北京时间）',
              },
            );
        },
        { migrate: 'embedded' },
      ),
    );

  withApiOptions(
    program
      .command('audit')
      .description('The append-only audit trail (through the API, with your token)')
      .option('--package <id>', 'only this package')
      .option('--action <action>', 'only this action, e.g. approve')
      .option('--newest', 'newest entries first (what just happened); default: oldest first')
      .option('--after <id>', 'entries after this id (the next page, oldest first)')
      .option('--before <id>', 'entries before this id (the next page with --newest)')
      .option('--limit <n>', 'at most n entries', '500')
      .option('--json', 'print machine-readable JSON'),
  ).action(
    async (options: ApiOptions & { package?: string; action?: string; newest?: boolean; after?: string; before?: string; limit: string; json?: boolean }) => {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.package ? { package: options.package } : {}),
        ...(options.action ? { action: options.action } : {}),
        ...(options.newest ? { order: 'newest' } : {}),
        ...(options.after ? { after: options.after } : {}),
        ...(options.before ? { before: options.before } : {}),
      });
      const api = ApiClient.from(options);
      const { entries } = await api.request<{ entries: Record<string, unknown>[] }>('GET', `/api/audit?${query}`);
      if (entries.length === 0 && options.action) await warnOfUnknownAction(api, options.action, query);
      if (options.json) printJson(entries);
      else if (entries.length === 0) console.log(inChinese() ? '没有符合条件的审计记录。' : 'no audit entries match.');
      else
        printTable(
          entries.map((e) => ({
            ...e,
            [AUDIT_AT]: beijingTime(e.at as string),
            // In Chinese the action as the console's audit trail names it, with its id (what --action takes).
            action: inChinese() ? `${auditActionZh(String(e.action))}（${String(e.action)}）` : e.action,
            details: JSON.stringify(e.details),
          })),
          ['id', AUDIT_AT, 'actor', 'action', 'packageId', 'revision', 'channelId', 'details'],
          {
            id: '编号',
            [AUDIT_AT]: '时间（北京时间）',
            actor: '操作人',
            action: '操作',
            packageId: '稿件',
            revision: '版本',
            channelId: '渠道',
            details: '详情',
          },
        );
      // A full page may have more behind it: say how to read on (on stderr, so --json stays parseable).
      const last = entries.at(-1)?.id;
      if (last !== undefined && entries.length === Number(options.limit)) {
        // Only the bound the next page moves is replaced: the other one still limits the range asked for.
        const moved = options.newest ? '--before' : '--after';
        const again = `${commandAgain([moved])} ${moved} ${String(last)}`;
        process.stderr.write(say(`more entries: ${again}\n`, `还有更多审计记录，下一页：${again}\n`));
      }
    },
  );
}

/**
 * `--action` with a name govpub never records and no entry of the trail has (a typo: `aprove`):
 * says so on stderr, naming the nearest action govpub records, instead of leaving an empty answer
 * to be read as "nothing happened". A name older versions recorded is still found in the trail, so
 * it is never refused.
 */
async function warnOfUnknownAction(api: ApiClient, action: string, query: URLSearchParams): Promise<void> {
  const { AUDIT_ACTIONS, isAuditAction } = await import('../domain/audit-actions.js');
  if (isAuditAction(action)) return;
  // The answer was filtered by package or page too: ask whether any entry at all has that action.
  const narrowed = ['package', 'after', 'before'].some((name) => query.has(name));
  if (narrowed) {
    const anywhere = await api.request<{ entries: unknown[] }>('GET', `/api/audit?${new URLSearchParams({ action, limit: '1' })}`);
    if (anywhere.entries.length > 0) return;
  }
  const { nearestName } = await import('../config/did-you-mean.js');
  const near = nearestName(action, AUDIT_ACTIONS);
  const shown = printable(action);
  process.stderr.write(
    inChinese()
      ? `govpub: 审计记录中没有「${shown}」这一操作，govpub 也不记录这一操作${near ? `；是否要查「${near}」？` : '。'}\n`
      : `govpub: no audit entry has the action "${shown}", and govpub records no action of that name${near ? ` (did you mean "${near}"?)` : ''}.\n`,
  );
}

/** The password piped in (`printf %s "$PW" | govpub users add … --password-stdin`), without its final line break. */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new GovpubError('invalid_arguments', '--password-stdin reads the password from a pipe: printf %s "$PASSWORD" | govpub … --password-stdin');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    // A password is at most PASSWORD_MAX characters: `< /dev/zero` or a file piped by mistake stops here.
    if (length > PASSWORD_MAX * 4 + 2) {
      process.stdin.destroy();
      throw new GovpubError(
        'invalid_password',
        `More than ${PASSWORD_MAX * 4} bytes arrived on standard input: a password is at most ${PASSWORD_MAX} characters. Pipe only the password in (printf %s "$PASSWORD" | govpub … --password-stdin).`,
        {},
        {
          zh: `标准输入收到超过 ${PASSWORD_MAX * 4} 字节：密码最多 ${PASSWORD_MAX} 个字符。请只输入密码（printf %s "$PASSWORD" | govpub … --password-stdin）。`,
        },
      );
    }
  }
  // Bytes that are not UTF-8 (a password file saved in GBK) would be stored as U+FFFD: a password
  // that no keyboard types again, in the console or anywhere.
  const decoded = decodeUtf8(Buffer.concat(chunks));
  if (!('text' in decoded))
    throw new GovpubError(
      'invalid_password',
      `What came on standard input is not UTF-8 text (${decoded.problem.kind === 'utf16' ? 'it is UTF-16' : `byte ${decoded.problem.byte} is not`}): pipe the password as UTF-8, as a terminal types it (a file in GBK: iconv -f GBK -t UTF-8 first).`,
      {},
      {
        zh: `标准输入收到的不是 UTF-8 文本（${decoded.problem.kind === 'utf16' ? '是 UTF-16 编码' : `第 ${decoded.problem.byte} 个字节无效`}）：请以 UTF-8 输入密码，与终端中键入的一致（GBK 编码的文件请先用 iconv -f GBK -t UTF-8 转换）。`,
      },
    );
  const password = decoded.text.replace(/\r?\n$/, '');
  if (password === '')
    throw new GovpubError(
      'invalid_password',
      'No password arrived on standard input; pipe one in (at least 10 characters) or leave out --password-stdin to get a generated one.',
    );
  return password;
}

/** A number of minutes, 0 or more (decimals allowed: 0.5 is half a minute). */
function minutesOption(option: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new GovpubError('invalid_arguments', `${option} "${printable(value)}" is not a number of minutes (0 or more).`);
  return Number(value);
}

function ttlDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new GovpubError('invalid_arguments', `--token-ttl-days "${value}" is not a number of days.`);
  return Number(value);
}

/** A channel as GET /api/channels lists it (the fields this command prints). */
interface ListedChannel {
  id: string;
  platform: string;
  publishing: string;
  name: string;
  ownerUnit: string | null;
  hasSubColumns?: boolean;
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  pausedReason: string | null;
}

/**
 * A portal column with sub-columns is listed (it is in the registry) but is no target: its page lists
 * its sub-columns' items, and a package naming it is refused. The table says so where the name is;
 * --json keeps the API's `hasSubColumns`.
 */
function withTargetNote<C extends { name: string; hasSubColumns?: boolean }>(c: C): C {
  if (!c.hasSubColumns) return { ...c };
  return { ...c, name: c.name + say(' (has sub-columns: target one of them)', '（含下级栏目：请选择其下级栏目发布）') };
}

/** The `paused` column: since when (Beijing time), by whom and why; empty when the channel is not paused. */
function withPauseColumn(c: ListedChannel): Record<string, unknown> {
  if (!c.paused) return { ...c, paused: '' };
  if (inChinese()) {
    const by = c.pausedBy === 'system' ? 'govpub 系统' : (c.pausedBy ?? '审计记录未载明的人员');
    const since = c.pausedAt ? `${chinaTime(c.pausedAt)}（北京时间）` : '';
    return { ...c, paused: `${since}由 ${by} 暂停：${c.pausedReason ?? '未说明原因'}` };
  }
  const by = c.pausedBy === 'system' ? 'govpub itself' : (c.pausedBy ?? 'someone the audit trail does not name');
  const since = c.pausedAt ? `since ${chinaTime(c.pausedAt)} (Beijing time) ` : '';
  return { ...c, paused: `${since}by ${by}: ${c.pausedReason ?? 'no reason given'}` };
}

/** Time columns, in Beijing time: their headings say so (the API's instants are UTC). */
const APPLIED_AT = 'applied (Beijing time)';
const AUDIT_AT = 'at (Beijing time)';
const USER_TIMES = { created: 'created (Beijing time)', disabled: 'disabled (Beijing time)', tokenExpires: 'token expires (Beijing time)' };

/** The channel lists' headings in Chinese (GOVPUB_LANG=zh). */
const CHANNEL_HEADINGS_ZH = { id: '编号', platform: '平台', publishing: '发布方式', name: '名称', ownerUnit: '所属单位', paused: '暂停情况' };

/** What `packages repair` found and did for a package, in Chinese (GOVPUB_LANG=zh); --json keeps the outcome's id. */
const REPAIR_OUTCOME_ZH: Record<string, string> = {
  ok: '数据库与工作流一致',
  repaired: '已按工作流修正数据库记录',
  would_repair: '将按工作流修正数据库记录（--dry-run，未改动）',
  stuck: '卡住（有一步仍在失败或等待）',
  missing: '缺失（没有工作流，或工作流没有数据库记录且不能安全结束）',
  ended: '已结束没有数据库记录的工作流',
  would_end: '将结束没有数据库记录的工作流（--dry-run，未改动）',
};

/** Stages nobody decides at after a user change: packages reaching them wait, which an administrator should hear. */
function warnOfStagesWithoutDecider(registry: Registry, stageIds: readonly string[]): void {
  for (const id of stageIds) {
    const stage = registry.review.stages.find((s) => s.id === id);
    const name = stage?.name ?? id;
    process.stderr.write(
      say(
        `warning: no enabled user decides at ${name} (${id}) now: packages reaching it wait until someone does (govpub users set-stages NAME ${name}).\n`,
        `警告：现在没有已启用的用户负责 ${name}（${id}）环节：到达该环节的稿件将一直等待，直到有人负责（govpub users set-stages 用户名 ${name}）。\n`,
      ),
    );
  }
}

/** What `govpub config check --for` says the host runs, and the media tools those processes need. */
type HostRole = 'all' | 'worker' | 'api';
const MEDIA_TOOLS_NEEDED: Record<HostRole, readonly ('ffmpeg' | 'ffprobe')[]> = {
  all: ['ffmpeg', 'ffprobe'],
  worker: ['ffmpeg', 'ffprobe'],
  api: ['ffprobe'],
};

function hostRoleOption(value: string | undefined): HostRole {
  if (value === undefined) return 'all';
  const typed = value.trim().toLowerCase();
  if (typed === 'all' || typed === 'worker' || typed === 'api') return typed;
  throw new GovpubError(
    'invalid_arguments',
    `--for ${JSON.stringify(value)} is not what a host runs; use all (the default), worker or api.`,
    { for: value },
    { zh: `--for ${JSON.stringify(value)} 不是主机运行的进程；可用：all（默认）、worker 或 api。` },
  );
}

/** A media tool the host needs that is not there, or lacks what govpub needs: what to install or which variable to set. */
function mediaToolProblems(tool: 'ffmpeg' | 'ffprobe', status: BinaryStatus, hostRole: HostRole): ConfigIssue[] {
  const variable = `${tool.toUpperCase()}_PATH`;
  const fromEnv = process.env[variable]?.trim();
  const why =
    tool === 'ffmpeg'
      ? 'workers make video and audio renditions with it'
      : hostRole === 'worker'
        ? 'workers read audio and video with it'
        : 'the API probes audio and video uploads with it, and workers read them with it';
  const apiOnly = hostRole === 'all' && tool === 'ffmpeg' ? ' On a host that runs only `govpub api`, check with `govpub config check --for api`.' : '';
  if (!status.ok) return [{ file: fromEnv || tool, path: fromEnv ? variable : '', message: `${status.message.replace(/\.$/, '')} (${why}).${apiOnly}` }];
  const lacks = status.binary.missing ?? [];
  if (lacks.length === 0) return [];
  return [
    {
      file: status.binary.path,
      path: status.binary.source === 'env' ? variable : '',
      message: `this ${tool} lacks ${lacks.join(' and ')} (${why}); point ${variable} at a capable ${tool} (e.g. Debian's \`apt-get install ffmpeg\`), or unset it.${apiOnly}`,
    },
  ];
}
