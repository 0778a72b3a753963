/** `govpub packages …`: release packages, acting as you through the API (--token / GOVPUB_TOKEN). */
import { Option, type Command } from 'commander';
import { decodeUtf8Body, JSON_BODY_LIMIT, jsonFault, jsonFieldOffsets, jsonFieldPlace, jsonStructureFault, lineAndColumn } from '../api/json-body.js';
import { GovpubError } from '../domain/errors.js';
import { readGivenFile } from './given-file.js';
import { canSchedule, VALIDITY_STATE_ZH, type PackageStatus, type Validity } from '../domain/package-rules.js';
import { ApiClient, actOnId, withActingOptions, type ActingOptions } from './api-client.js';
import { deliveryStateZh, statusZh } from '../domain/messages-zh.js';
import { atBeijing, beijingTime, inChinese, printable, printJson, printTable, say, timeAhead } from './output.js';

/** The deliveries table's time column: Beijing time, said in its heading. */
const LIVE_AT = 'live (Beijing time)';

/** A package file as read: its parsed value and its text (to say where a field the API refused stands). */
interface JsonFile {
  file: string;
  text: string;
  value: unknown;
}

function readJsonFile(file: string): JsonFile {
  const bytes = readGivenFile(file, {
    what: "a package's JSON file (the body of POST /api/packages)",
    whatZh: '发布包的 JSON 文件（POST /api/packages 的请求体）',
    maxBytes: JSON_BODY_LIMIT,
    limitReason: 'the most the API takes as a package',
    limitReasonZh: '超过了 API 接受的发布包上限',
  });
  // Standard input is named as the API's refusals name it.
  const name = file === '-' ? '(stdin)' : file;
  let text: string;
  try {
    text = decodeUtf8Body(bytes, 'file');
  } catch (error) {
    const { message, messageZh } = error as GovpubError;
    throw new GovpubError('invalid_json', `${name}: ${message}`, { file: name }, { zh: `${name}：${messageZh}` });
  }
  if (text.trim() === '')
    throw new GovpubError(
      'invalid_json',
      `${name} is empty: give the package as JSON (the body of POST /api/packages; examples/ holds some).`,
      { file: name },
      { zh: `${name} 是空的：请给出 JSON 格式的发布包（POST /api/packages 的请求体；examples/ 中有示例）。` },
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { line, column, problem, problemZh } = jsonFault(text);
    throw new GovpubError(
      'invalid_json',
      `${name}:${line}:${column}: not valid JSON: ${problem}.`,
      { file: name, line, column },
      { zh: `${name}:${line}:${column}：不是有效的 JSON：${problemZh}。` },
    );
  }
  // JSON.parse keeps the last of a field given twice; the API refuses such a body (a reviewer may
  // have read the first), and so does the file that stands for it.
  const fault = jsonStructureFault(text);
  if (fault) {
    // Where the second name (or the level too deep) stands: the first is the one a reader may have taken for the field.
    const { line, column } = lineAndColumn(text, fault.offset);
    throw new GovpubError(
      'invalid_body',
      `${name}:${line}:${column}: ${fault.path || '(body)'}: ${fault.message}`,
      { status: 400, issues: [{ path: fault.path, message: fault.message, messageZh: fault.messageZh, file: name, line, column }] },
      { zh: `${name}:${line}:${column}：${fault.path || '（整个文件）'}：${fault.messageZh}` },
    );
  }
  return { file, text, value };
}

/**
 * Sends a package file to the API. A refusal that names fields (`document.title`, `/targets/3`) is
 * said with where each stands in the file, `my-package.json:12:7: document.title: required`, as a
 * file that is not JSON is, so a person goes to the line instead of counting braces; a field left
 * out is placed where the object that misses it starts.
 */
async function sendingFile<T>(source: JsonFile, send: (body: unknown) => Promise<T>): Promise<T> {
  try {
    return await send(source.value);
  } catch (error) {
    const issues = error instanceof GovpubError ? error.details.issues : undefined;
    if (!(error instanceof GovpubError) || !Array.isArray(issues) || issues.length === 0) throw error;
    const name = source.file === '-' ? '(stdin)' : source.file;
    const offsets = jsonFieldOffsets(source.text);
    const lines = (issues as { path?: unknown; message?: unknown; messageZh?: unknown }[]).map((issue, index) => {
      const path = typeof issue.path === 'string' ? issue.path : '';
      const { line, column } = jsonFieldPlace(source.text, path, offsets);
      const text = (zh: boolean) => String((zh ? issue.messageZh : undefined) ?? issue.message ?? '');
      const shown = path.startsWith('/') ? path.slice(1).replaceAll('/', '.') : path;
      return { index, line: (zh: boolean) => `  ${name}:${line}:${column}: ${shown ? `${shown}: ` : ''}${text(zh)}` };
    });
    // invalid_body's own sentence is the issues joined: the lines replace it. Other refusals keep theirs above the lines.
    const head = (zh: boolean) =>
      error.code === 'invalid_body'
        ? zh
          ? `${name}：稿件有 ${issues.length} 处问题，请逐一修改后重新运行命令：`
          : `${name}: the package has ${issues.length} problem${issues.length === 1 ? '' : 's'}; fix ${issues.length === 1 ? 'it' : 'them'} and run the command again:`
        : zh
          ? error.messageZh
          : error.message;
    // Each issue carries where it stands too, for `--json` readers.
    const placed = (issues as Record<string, unknown>[]).map((issue) => {
      const { line, column } = jsonFieldPlace(source.text, typeof issue.path === 'string' ? issue.path : '', offsets);
      return { ...issue, file: name, line, column };
    });
    throw new GovpubError(
      error.code,
      [head(false), ...lines.map((l) => l.line(false))].join('\n'),
      { ...error.details, issues: placed },
      {
        zh: [head(true), ...lines.map((l) => l.line(true))].join('\n'),
      },
    );
  }
}

type ValidityChanged = { id: string; from: Validity | null; validity: Validity; unchanged?: boolean };

/** 失效 (expired) 2026-12-01, as the portal page shows it, with the state's id (in Chinese alone with GOVPUB_LANG=zh). */
const validityLabel = (v: Validity | null) => {
  const ended = (v: Validity) => `${v.state === 'repealed' ? '废止' : '失效'} ${v.endedAt}`;
  if (inChinese())
    return v === null
      ? '有效（自发布起）'
      : `${VALIDITY_STATE_ZH[v.state]}${v.effectiveFrom ? `，施行 ${v.effectiveFrom}` : ''}${v.endedAt ? `，${ended(v)}` : ''}`;
  return v === null
    ? '有效 (valid, from its release)'
    : `${VALIDITY_STATE_ZH[v.state]} (${v.state})${v.effectiveFrom ? `, 施行 ${v.effectiveFrom}` : ''}${v.endedAt ? `, ${ended(v)}` : ''}`;
};

type Common = ActingOptions;
type Summary = {
  id: string;
  status: string;
  revision: number;
  currentStage?: string | null;
  currentStageName?: string | null;
  releaseAt?: string | null;
  onHold?: boolean;
};

/** A stage as reviewers know it, with the id the API and the CLI's options use: `复审 (second)`, or `复审（second）` in Chinese. */
const stageLabel = (id: string, name: string | null | undefined) => (name && name !== id ? say(`${name} (${id})`, `${name}（${id}）`) : id);

/** A package's status for a person: its id (`draft`), or its Chinese name (草稿) with GOVPUB_LANG=zh. */
const statusLabel = (status: string) => say(status, statusZh(status));

/**
 * When a release still to come will happen, as the person who scheduled it reads it (`schedule --at`
 * answered with the status alone, so a time typed with the wrong offset went unnoticed): Beijing
 * time and how far off; "waits" when it is held (`schedule --cancel`). Empty once released.
 */
function releaseTimeNote(r: Summary): { en: string; zh: string } {
  // Still to come exactly while its time may still change (domain/package-rules.ts canSchedule).
  if (canSchedule(r.status as PackageStatus) !== null) return { en: '', zh: '' };
  if (r.onHold) return { en: ', release waits (no time set: schedule it or release it)', zh: '，暂不发布（未定发布时间：请定时或立即发布）' };
  if (!r.releaseAt) return { en: '', zh: '' };
  const when = timeAhead(r.releaseAt);
  return { en: `, release at ${when}`, zh: `，定于 ${when}发布` };
}

const describeState = (r: Summary) => {
  const release = releaseTimeNote(r);
  return say(
    `${r.id}: ${r.status}${r.currentStage ? ` at ${stageLabel(r.currentStage, r.currentStageName)}` : ''}, revision ${r.revision}${release.en}`,
    `${r.id}：${statusZh(r.status)}${r.currentStage ? `，当前环节 ${stageLabel(r.currentStage, r.currentStageName)}` : ''}，第 ${r.revision} 版${release.zh}`,
  );
};
const route = (id: string, rest = '') => `/api/packages/${encodeURIComponent(id)}${rest}`;

/** One package request as the token's user; prints the result for a person or as JSON. */
const operation = <O extends Common>(call: (api: ApiClient, id: string, options: O) => Promise<Summary>) => actOnId(describeState, call);

export function registerPackageCommands(program: Command): void {
  const packages = (program.commands.find((c) => c.name() === 'packages') ?? program.command('packages')).description(
    'Release packages: a document with its interpretations (三同步)',
  );

  withActingOptions(
    packages
      .command('create')
      .description('Create a package from a JSON file (the body of POST /api/packages; - for stdin)')
      .requiredOption('--file <file>', 'package JSON'),
  )
    .option('--idempotency-key <key>', 'the same key again returns the first answer instead of a second package (safe retries)')
    .action(async (options: Common & { file: string; idempotencyKey?: string }) => {
      const source = readJsonFile(options.file);
      const result = await sendingFile(source, (body) =>
        ApiClient.from(options).request<Summary>(
          'POST',
          '/api/packages',
          body,
          options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {},
        ),
      );
      if (options.json) printJson(result);
      else
        console.log(
          say(
            `created ${result.id} (${result.status}, revision ${result.revision})`,
            `已创建稿件 ${result.id}（${statusZh(result.status)}，第 ${result.revision} 版）`,
          ),
        );
    });
  withActingOptions(
    packages
      .command('edit <id>')
      .description('Save a new revision from a JSON file')
      .requiredOption('--file <file>', 'package JSON')
      .option('--base-revision <n>', 'the revision your file was made from: refused (concurrent_edit) if someone saved a later one meanwhile'),
  ).action(
    operation<Common & { file: string; baseRevision?: string }>((api, id, o) => {
      if (o.baseRevision !== undefined && !/^\d+$/.test(o.baseRevision)) {
        throw new GovpubError('invalid_arguments', `--base-revision "${o.baseRevision}" is not a revision number.`);
      }
      const source = readJsonFile(o.file);
      return sendingFile(source, (body) => api.request('PUT', route(id, o.baseRevision !== undefined ? `?baseRevision=${o.baseRevision}` : ''), body));
    }),
  );
  withActingOptions(
    packages
      .command('submit <id>')
      .description('Submit a draft for review')
      .option('--base-revision <n>', 'the revision you checked: refused (concurrent_edit) if someone saved another one meanwhile'),
  ).action(
    operation<Common & { baseRevision?: string }>((api, id, o) => {
      if (o.baseRevision !== undefined && !/^\d+$/.test(o.baseRevision)) {
        throw new GovpubError('invalid_arguments', `--base-revision "${o.baseRevision}" is not a revision number.`);
      }
      return api.request('POST', route(id, o.baseRevision !== undefined ? `/submit?baseRevision=${o.baseRevision}` : '/submit'));
    }),
  );
  withActingOptions(
    packages
      .command('decide <id>')
      .description('Approve or reject the package at its current stage')
      .requiredOption('--revision <n>', 'the revision you reviewed')
      .addOption(new Option('--decision <decision>', 'your decision on the whole package').choices(['approve', 'reject']).makeOptionMandatory())
      .option('--stage <stage>', 'the stage you decide at (first or 初审 …); refused if it was decided meanwhile (default: the stage the package is at)')
      .option('--comment <text>', 'comment (required to reject)', ''),
  ).action(
    operation<Common & { revision: string; decision: string; comment: string; stage?: string }>((api, id, o) => {
      if (!/^\d+$/.test(o.revision)) throw new GovpubError('invalid_arguments', `--revision "${o.revision}" is not a revision number.`);
      return api.request('POST', route(id, '/decisions'), {
        revision: Number(o.revision),
        ...(o.stage !== undefined ? { stage: o.stage } : {}),
        decision: o.decision,
        comment: o.comment,
      });
    }),
  );
  withActingOptions(packages.command('withdraw <id>').description('Withdraw from review (voids approvals)').option('--reason <text>', 'why', '')).action(
    operation<Common & { reason: string }>((api, id, o) => api.request('POST', route(id, '/withdraw'), { reason: o.reason })),
  );
  withActingOptions(
    packages
      .command('schedule <id>')
      .description('Change the release time (keeps approvals), or cancel it with --cancel')
      // One of the three: given together, one would be dropped silently.
      .addOption(
        new Option(
          '--at <datetime>',
          'a time to come, ISO 8601 with its offset, e.g. 2026-12-01T09:00:00+08:00 (a past one is refused: to release now, `packages release`)',
        ).conflicts(['now', 'cancel']),
      )
      .addOption(new Option('--now', 'release as soon as approved').conflicts(['cancel']))
      .option('--cancel', 'cancel the scheduled release; the package waits'),
  ).action(
    operation<Common & { at?: string; now?: boolean; cancel?: boolean }>((api, id, o) => {
      if (o.cancel) return api.request('DELETE', route(id, '/schedule'));
      if (o.now) return api.request('PUT', route(id, '/schedule'), { releaseAt: null });
      if (!o.at) throw new GovpubError('invalid_arguments', 'Give --at <datetime>, --now or --cancel.');
      return api.request('PUT', route(id, '/schedule'), { releaseAt: o.at });
    }),
  );
  withActingOptions(packages.command('release <id>').description('Release an approved package now')).action(
    operation((api, id) => api.request('POST', route(id, '/release'))),
  );
  withActingOptions(
    packages.command('retract <id>').description('Retract (撤稿) a released package everywhere').requiredOption('--reason <text>', 'why'),
  ).action(
    // The answer comes as the retraction begins: the status is still `released` until the workflow takes it up.
    actOnId<Summary & { retraction?: { reason: string; at: string } | null }, Common & { reason: string }>(
      (r) =>
        r.retraction
          ? printable(
              say(
                `${r.id}: retraction begun at ${beijingTime(r.retraction.at)} (Beijing time; reason: ${r.retraction.reason}); every channel takes it down now, then the status is retracted. Follow it: govpub packages show ${r.id}`,
                `${r.id}：撤稿已于 ${beijingTime(r.retraction.at)}（北京时间）开始（原因：${r.retraction.reason}）；各渠道正在撤下，全部撤下后状态变为已撤稿。查看进度：govpub packages show ${r.id}`,
              ),
            )
          : describeState(r),
      (api, id, o) => api.request('POST', route(id, '/retract'), { reason: o.reason }),
    ),
  );
  withActingOptions(
    packages
      .command('validity <id>')
      .description("Change a released normative document's 有效性 (reviewers, admins): no new revision; the portal pages follow")
      .requiredOption('--state <state>', 'valid (有效), expired (失效) or repealed (废止)')
      .option('--effective-from <date>', '施行日期 YYYY-MM-DD (left out: kept)')
      .option('--ended-at <date>', '失效 / 废止日期 YYYY-MM-DD (required for expired and repealed)')
      .requiredOption('--reason <text>', 'why: it goes to the audit trail'),
  ).action(
    actOnId(
      (r: ValidityChanged) =>
        say(
          `${r.id}: 有效性 ${validityLabel(r.from)} → ${validityLabel(r.validity)}${r.unchanged ? ' (unchanged)' : '; the portal pages follow'}`,
          `${r.id}：有效性 ${validityLabel(r.from)} → ${validityLabel(r.validity)}${r.unchanged ? '（未变化）' : '；门户网站页面随之更新'}`,
        ),
      (api, id, o: Common & { state: string; effectiveFrom?: string; endedAt?: string; reason: string }) =>
        api.request<ValidityChanged>('POST', route(id, '/validity'), {
          state: o.state,
          ...(o.effectiveFrom !== undefined ? { effectiveFrom: o.effectiveFrom } : {}),
          ...(o.endedAt !== undefined ? { endedAt: o.endedAt } : {}),
          reason: o.reason,
        }),
    ),
  );
  withActingOptions(packages.command('show <id>').description('Status, stage, approvals and deliveries of one package')).action(
    async (id: string, options: Common) => {
      const view = await ApiClient.from(options).request<PackageView>('GET', route(id));
      if (options.json) return printJson(view);
      const zh = inChinese();
      console.log(`${view.id}  ${view.title}`);
      const stage = view.currentStage ? stageLabel(view.currentStage, view.currentStageName) : null;
      console.log(
        zh
          ? `状态：${statusZh(view.status)}${stage ? `，当前环节 ${stage}` : ''}，第 ${view.revision} 版${view.releaseAt ? `，发布时间 ${atBeijing(view.releaseAt)}` : ''}`
          : `status ${view.status}${stage ? ` at ${stage}` : ''}, revision ${view.revision}${view.releaseAt ? `, release at ${atBeijing(view.releaseAt)}` : ''}`,
      );
      const waiting = view.waitingFor;
      if (waiting)
        console.log(
          zh
            ? `  正在等待：${waiting.step}，自 ${atBeijing(waiting.since)} 起${waiting.lastFailure ? `（${waiting.lastFailure}）` : ''}`
            : `  waiting for: ${waiting.step} since ${atBeijing(waiting.since)}${waiting.lastFailure ? ` (${waiting.lastFailure})` : ''}`,
        );
      if (view.releasedAt) console.log(zh ? `  发布于 ${atBeijing(view.releasedAt)}` : `  released at ${atBeijing(view.releasedAt)}`);
      // Who asked for it is in the audit trail: govpub audit --package ID --action retract_requested.
      if (view.retraction)
        console.log(
          zh
            ? `  撤稿：${atBeijing(view.retraction.at)}申请${view.status === 'retracted' ? '' : '，各渠道正在撤下'}，原因：${printable(view.retraction.reason)}`
            : `  retraction asked at ${atBeijing(view.retraction.at)}${view.status === 'retracted' ? '' : ' (every channel is taking it down)'}, reason: ${printable(view.retraction.reason)}`,
        );
      if (view.indexNumber) console.log(`索引号 ${view.indexNumber}`);
      if (view.validity) console.log(`有效性 ${validityLabel(view.validity)}`);
      const stageName = (id: string) => stageLabel(id, view.stages.find((s) => s.id === id)?.name);
      // People know reviewers by name (赵审核); the login name beside it is what --user and the audit log use.
      const who = (p: { reviewer: string; reviewerName?: string }) =>
        p.reviewerName && p.reviewerName !== p.reviewer ? `${p.reviewerName} (${p.reviewer})` : p.reviewer;
      for (const a of view.approvals)
        console.log(
          zh
            ? `  ${stageName(a.stage)}：${printable(who(a))} 审核通过（第 ${a.revision} 版）`
            : `  approved at ${stageName(a.stage)} by ${printable(who(a))}, revision ${a.revision}`,
        );
      if (view.lastRejection)
        console.log(
          zh
            ? `  最近一次退回（${stageName(view.lastRejection.stage)}）：${printable(view.lastRejection.comment)}`
            : `  last rejection at ${stageName(view.lastRejection.stage)}: ${printable(view.lastRejection.comment)}`,
        );
      if (view.deliveries.length)
        printTable(
          view.deliveries.map((d) => ({ ...d, state: zh ? deliveryStateZh(String(d.state)) : d.state, [LIVE_AT]: beijingTime(d.liveAt as string | null) })),
          ['channelId', 'state', LIVE_AT, 'publicUrl'],
          { channelId: '渠道', state: '投递状态', [LIVE_AT]: '上线时间（北京时间）', publicUrl: '网址' },
        );
    },
  );
  withActingOptions(
    packages
      .command('list')
      .description('Packages by status and stage (review queues), newest change first, a page at a time')
      .option('--status <status>', 'draft, in_review, approved, scheduled, releasing, released, retracting, retracted')
      .option('--stage <stage>', '初审/复审/终审 or first/second/final')
      .option('--mine', 'only packages you created')
      .option('--limit <n>', 'packages per page (1-200)', '50')
      .option('--cursor <cursor>', 'continue from the page before (the cursor it printed)')
      .option('--all', 'follow the pages to the end'),
  ).action(async (options: Common & { status?: string; stage?: string; mine?: boolean; limit: string; cursor?: string; all?: boolean }) => {
    const api = ApiClient.from(options);
    const rows: Record<string, unknown>[] = [];
    let cursor = options.cursor;
    let next: string | null = null;
    do {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.status ? { status: options.status } : {}),
        ...(options.stage ? { stage: options.stage } : {}),
        ...(options.mine ? { createdBy: 'me' } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const page = await api.request<{ packages: Record<string, unknown>[]; nextCursor: string | null }>('GET', `/api/packages?${query}`);
      rows.push(...page.packages);
      next = page.nextCursor;
      cursor = next ?? undefined;
    } while (options.all && next);
    if (options.json) printJson(rows);
    else
      printTable(
        rows.map((r) => ({
          ...r,
          status: statusLabel(String(r.status)),
          currentStage: r.currentStage ? stageLabel(String(r.currentStage), r.currentStageName as string | null) : null,
        })),
        ['id', 'status', 'currentStage', 'revision', 'title'],
        { id: '编号', status: '状态', currentStage: '当前环节', revision: '版本', title: '标题' },
      );
    // On stderr, so a script reading the table or the JSON is not disturbed.
    if (next && !options.all)
      process.stderr.write(
        say(
          `more packages: add --cursor ${next} for the next page, or --all for every page\n`,
          `还有更多稿件：加 --cursor ${next} 查看下一页，或加 --all 列出全部\n`,
        ),
      );
  });
}

interface PackageView {
  id: string;
  title: string;
  status: string;
  currentStage: string | null;
  currentStageName: string | null;
  stages: { id: string; name: string }[];
  revision: number;
  releaseAt: string | null;
  releasedAt?: string | null;
  retraction?: { reason: string; at: string } | null;
  indexNumber?: string | null;
  validity?: Validity | null;
  waitingFor: { step: string; since: string; lastFailure: string | null } | null;
  approvals: { stage: string; reviewer: string; reviewerName?: string; revision: number }[];
  lastRejection: { stage: string; comment: string } | null;
  deliveries: Record<string, unknown>[];
}
