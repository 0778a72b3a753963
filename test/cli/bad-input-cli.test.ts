/**
 * The bad-input corpus (issue 9), CLI part: the real `govpub` command, as a child process, against
 * this file's own API (GOVPUB_API_URL, GOVPUB_TOKEN) and database, with bad files, ids, options,
 * tokens, user names and history files.
 *
 * A refused command exits non-zero within CLI_TIMEOUT_MS, says what is wrong (with --json: the
 * API's `error.code`, never `internal`), and the whole group leaves no trace: no row, no audit
 * entry, no file in the media store, no workflow. The commands run a few at a time (each is a Node
 * process), so traces are compared per group. Valid but tricky input is stored exactly as sent.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { ROOT_DIR } from '../../config/settings.js';
import { buildApi } from '../../api/server.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli, type CliResult } from '../support/cli.js';
import { expectNoStrayWorkflows, expectOnly, traces } from '../support/traces.js';
import { appendAudit } from '../../db/audit.js';

/** A command that has not exited within this is a hang. */
// Generous: on a fresh clone tsx compiles the CLI cold in every process, several at once on two
// cores; a command that truly hangs still fails here.
const CLI_TIMEOUT_MS = 120_000;

let app: TestApp;
let api: FastifyInstance;
let dir: string;
let mediaDir: string;
let env: Record<string, string>;
const tokens = { editor: '', ops: '', first: '' };
let draftId = '';
const files: Record<string, string> = {};

beforeAll(async () => {
  // No worker: refusals never reach a workflow, and creating one needs none.
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'govpub-cli-corpus-'));
  mediaDir = path.join(dir, 'media');
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(mediaDir) });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  tokens.editor = (await app.user('cli-corpus-editor', 'editor')).token;
  tokens.ops = (await app.user('cli-corpus-ops', 'ops')).token;
  tokens.first = (await app.user('cli-corpus-first', 'reviewer', ['初审'])).token;
  env = {
    GOVPUB_API_URL: `http://127.0.0.1:${(api.server.address() as { port: number }).port}`,
    GOVPUB_TOKEN: tokens.editor,
    GOVPUB_DATA_DIR: path.join(dir, 'data'),
    GOVPUB_MEDIA_DIR: mediaDir,
    DATABASE_URL: app.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: app.taskQueue,
  };
  draftId = (await app.packages.create((await app.user('cli-corpus-owner', 'editor')).actor, policyPackage(app.registry, { title: 'CLI 语料库：草稿' }))).id;

  const valid = policyPackage(app.registry) as Record<string, any>;
  const write = async (name: string, content: string | Buffer) => {
    files[name] = path.join(dir, name);
    await writeFile(files[name]!, content);
  };
  await write('not-json.json', 'title: 关于进一步优化营商环境的若干措施\n');
  // A comma missing at the end of line 2: the error names the file, line 3 and its column.
  await write('missing-comma.json', JSON.stringify(valid, null, 2).replace(/,\n/, '\n'));
  // The title in GBK (a file saved by an editor set to the system code page).
  await write('gbk.json', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), Buffer.from('"}')]));
  // The same package saved by Windows PowerShell 5 (`>` or Out-File): UTF-16 with its byte-order mark.
  await write('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(valid), 'utf16le')]));
  await write('twice.json', JSON.stringify(valid).replace('"title":', '"title":"先看到的标题","title":'));
  await write('nul.json', JSON.stringify({ ...valid, title: '标题\u0000' }));
  await write(
    'javascript-url.json',
    JSON.stringify({ ...valid, document: { ...valid.document, attachments: [{ name: '附件', url: 'javascript:alert(1)' }] } }),
  );
  await write('valid.json', JSON.stringify(valid));
  await write('empty.png', '');
  await write('empty.json', '\n');
  await write('notes.jpg', '关于进一步优化营商环境的若干措施\n'.repeat(40));
  await write(
    '封面\u001b[31m.png',
    await sharp({ create: { width: 41, height: 29, channels: 3, background: '#8338ec' } })
      .png()
      .toBuffer(),
  );
  const history = JSON.parse(await readFile(path.join(ROOT_DIR, 'test', 'histories', 'release-time-changed.json'), 'utf8')) as { events: unknown[] };
  await write('faults-not-json.json', '[\n  {"match": "/cgi-bin/*", "kind": }\n]');
  await write('faults-utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[]', 'utf16le')]));
  await write('faults-bogus.json', '[{"match": "/cgi-bin/*", "kind": "busy"}, {"bogus": 1}]');
  await write('history-not-json.json', '{"events": [');
  await write('history-utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"events": []}', 'utf16le')]));
  await write('history-empty.json', '{}');
  await write('history-no-start.json', JSON.stringify({ events: history.events.slice(1) }));
  await write('history-only-start.json', JSON.stringify({ events: history.events.slice(0, 1) }));
  mkdirSync(path.join(dir, 'a-directory.png'));
  files['a-directory.png'] = path.join(dir, 'a-directory.png');
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  const width = Math.max(...[...counts.keys()].map((k) => k.length));
  console.log(
    [
      `bad-input corpus (CLI): ${[...counts.values()].reduce((a, b) => a + b, 0)} cases`,
      ...[...counts].map(([group, n]) => `  ${group.padEnd(width)}  ${String(n).padStart(4)}`),
    ].join('\n'),
  );
});

const counts = new Map<string, number>();

function govpub(args: string[], extraEnv: Record<string, string> = {}, input?: string | Buffer): Promise<CliResult> {
  return runCli(args, { ...env, ...extraEnv }, input, { timeoutMs: CLI_TIMEOUT_MS });
}

interface CliCase {
  name: string;
  args: () => string[];
  env?: () => Record<string, string>;
  input?: string | Buffer;
  /** The error code printed with --json (the API's, or the CLI's own). */
  code?: string;
  /** Commander's refusal (exit 2): a phrase of stderr. */
  usage?: RegExp;
  /** A command without --json (exit 1): a phrase of stdout and stderr. */
  says?: RegExp;
  /** A secret in the arguments that must not be printed back. */
  hides?: string;
  /** What the printed error's message must say (with `code`). */
  message?: RegExp;
}

/** Runs one group of refused commands a few at a time; the group as a whole leaves no trace. */
function refusedCommands(group: string, cases: CliCase[]): void {
  describe(group, () => {
    counts.set(group, cases.length);
    let before: Record<string, string>;
    beforeAll(async () => {
      before = await traces(app.db, mediaDir);
    });
    describe.concurrent('each refused', () => {
      for (const c of cases) {
        it(c.name, async () => {
          const args = c.args();
          const result = await govpub(c.usage || c.says ? args : [...args, '--json'], c.env?.(), c.input);
          const detail = `govpub ${args.join(' ').slice(0, 160)}\nexit ${result.code}\nstdout ${result.stdout.slice(0, 500)}\nstderr ${result.stderr.slice(0, 500)}`;
          if (c.hides) expect(`${result.stdout}\n${result.stderr}`, detail).not.toContain(c.hides);
          // What was typed is quoted back escaped: a raw ANSI escape would clear the terminal, a U+202E reverse the sentence.
          expect(result.stderr, detail).not.toMatch(RAW_CONTROL);
          if (c.usage) {
            expect(result.code, detail).toBe(2);
            expect(result.stderr, detail).toMatch(c.usage);
            return;
          }
          expect(result.code, detail).toBe(1);
          if (c.says) {
            expect(`${result.stdout}\n${result.stderr}`, detail).toMatch(c.says);
            expect(result.stderr, detail).not.toMatch(/unexpected error|panicked|would break running workflows/);
            return;
          }
          const printed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
          expect(printed.error.code, detail).toBe(c.code);
          if (c.message) expect(printed.error.message, detail).toMatch(c.message);
          expect(printed.error.message.length, detail).toBeGreaterThan(10);
          expect(result.stderr, detail).not.toMatch(/unexpected error|at .*\.ts:\d+/);
        });
      }
    });
    it('left no trace: no row, no audit entry, no file, no workflow', async () => {
      expect(await traces(app.db, mediaDir)).toEqual(before);
      await expectNoStrayWorkflows(app.db, app.client, app.taskQueue);
    });
  });
}

const NO_DELIVERY = '00000000-0000-4000-8000-000000000000';
/** Characters a terminal acts on rather than shows (line feeds and tabs aside), and the direction overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202d\u202e]/;

refusedCommands('govpub packages', [
  {
    name: 'create: a file that does not exist',
    args: () => ['packages', 'create', '--file', path.join(dir, 'missing.json')],
    code: 'file_unreadable',
    message: /missing\.json: no such file or directory \(ENOENT\)\. Nothing was sent\. Check the path\./,
  },
  {
    name: 'create: a directory (named so, not "EISDIR")',
    args: () => ['packages', 'create', '--file', dir],
    code: 'file_unreadable',
    message: /is a directory, not a file: give a package's JSON file/,
  },
  // A device that never ends, and a pipe of more than the API takes: refused at the limit, not read into memory for ever.
  {
    name: 'create: --file /dev/zero',
    args: () => ['packages', 'create', '--file', '/dev/zero'],
    code: 'file_too_large',
    message: /\/dev\/zero is larger than 8 MB/,
  },
  {
    name: 'create: more than 8 MB on stdin',
    args: () => ['packages', 'create', '--file', '-'],
    input: `{"title": "${'碑'.repeat(3_000_000)}"}`,
    code: 'file_too_large',
    message: /^What came on standard input is larger than 8 MB, the most the API takes as a package: nothing was sent/,
  },
  { name: 'create: a file that is not JSON', args: () => ['packages', 'create', '--file', files['not-json.json']!], code: 'invalid_json' },
  {
    name: 'create: a comma missing in a file (file, line and column named)',
    args: () => ['packages', 'create', '--file', files['missing-comma.json']!],
    code: 'invalid_json',
    message: /missing-comma\.json:3:\d+: not valid JSON/,
  },
  {
    name: 'create: a file in GBK (the byte and line named)',
    args: () => ['packages', 'create', '--file', files['gbk.json']!],
    code: 'invalid_json',
    message: /gbk\.json: the file is not UTF-8: byte 10 \(line 1\)/,
  },
  {
    name: 'create: a file in UTF-16, as Windows PowerShell 5 writes one (said so, with how to save it)',
    args: () => ['packages', 'create', '--file', files['utf16.json']!],
    code: 'invalid_json',
    message: /utf16\.json: the file is UTF-16 \(it begins ff fe 7b 00\), not UTF-8: save it encoded in UTF-8 \(.*Out-File -Encoding utf8\)\.$/,
  },
  {
    name: 'create: a comma after the last field, said in Chinese with where it stands',
    args: () => ['packages', 'create', '--file', '-'],
    input: '{\n  "title": "关于",\n}',
    env: () => ({ GOVPUB_LANG: 'zh' }),
    says: /\(stdin\):3:1：不是有效的 JSON：“}”之前多了一个逗号：JSON 的最后一个字段之后不能有逗号，请删除。/,
  },
  {
    name: 'create: a field given twice in the file (where the second stands)',
    args: () => ['packages', 'create', '--file', files['twice.json']!],
    code: 'invalid_body',
    message: /twice\.json:1:19: title: appears twice in the same object; send each field once$/,
  },
  {
    name: 'create: a field given twice in the file, said in Chinese with where it stands',
    args: () => ['packages', 'create', '--file', files['twice.json']!],
    env: () => ({ GOVPUB_LANG: 'zh' }),
    says: /twice\.json:1:19：title：在同一对象中出现了两次：每个字段只能发送一次/,
  },
  { name: 'create: NUL in the title', args: () => ['packages', 'create', '--file', files['nul.json']!], code: 'invalid_body' },
  { name: 'create: a javascript: attachment URL', args: () => ['packages', 'create', '--file', files['javascript-url.json']!], code: 'invalid_body' },
  {
    name: 'create: garbage on stdin (named as the API names it)',
    args: () => ['packages', 'create', '--file', '-'],
    input: '<xml>not json</xml>',
    code: 'invalid_json',
    message: /^\(stdin\):1:1: not valid JSON/,
  },
  {
    name: 'create: nothing on stdin',
    args: () => ['packages', 'create', '--file', '-'],
    input: '',
    code: 'invalid_json',
    message: /^\(stdin\) is empty: give the package as JSON/,
  },
  {
    name: 'create: an empty file',
    args: () => ['packages', 'create', '--file', files['empty.json']!],
    code: 'invalid_json',
    message: /empty\.json is empty: give the package as JSON/,
  },
  {
    name: 'create: an Idempotency-Key with a space',
    args: () => ['packages', 'create', '--file', files['valid.json']!, '--idempotency-key', 'key with space'],
    code: 'invalid_header',
  },
  { name: 'edit: a path-traversal id', args: () => ['packages', 'edit', '../../../etc/passwd', '--file', files['valid.json']!], code: 'not_found' },
  { name: 'submit: an id with a control character', args: () => ['packages', 'submit', 'pkg-\u0007'], code: 'invalid_params' },
  {
    name: 'decide: --revision abc',
    args: () => ['packages', 'decide', draftId, '--revision', 'abc', '--decision', 'approve'],
    env: () => ({ GOVPUB_TOKEN: tokens.first }),
    code: 'invalid_arguments',
  },
  { name: 'decide: --decision maybe', args: () => ['packages', 'decide', draftId, '--revision', '1', '--decision', 'maybe'], usage: /maybe/ },
  {
    name: "decide: --stage that is not one of the package's stages",
    args: () => ['packages', 'decide', draftId, '--revision', '1', '--stage', 'fourth', '--decision', 'approve'],
    env: () => ({ GOVPUB_TOKEN: tokens.first }),
    code: 'invalid_body',
  },
  {
    name: 'decide: a comment of 2,001 characters',
    args: () => ['packages', 'decide', draftId, '--revision', '1', '--decision', 'reject', '--comment', '长'.repeat(2001)],
    env: () => ({ GOVPUB_TOKEN: tokens.first }),
    code: 'invalid_body',
  },
  { name: 'withdraw: an ANSI escape in the reason', args: () => ['packages', 'withdraw', draftId, '--reason', '撤回\u001b[2J'], code: 'invalid_body' },
  { name: 'schedule: --at tomorrow', args: () => ['packages', 'schedule', draftId, '--at', 'tomorrow'], code: 'invalid_body' },
  { name: 'schedule: neither --at, --now nor --cancel', args: () => ['packages', 'schedule', draftId], code: 'invalid_arguments' },
  {
    name: 'schedule: --at and --now together',
    args: () => ['packages', 'schedule', draftId, '--at', '2027-01-01T09:00:00+08:00', '--now'],
    usage: /cannot be used with/,
  },
  { name: 'schedule: --now and --cancel together', args: () => ['packages', 'schedule', draftId, '--now', '--cancel'], usage: /cannot be used with/ },
  {
    name: 'retract: a blank reason',
    args: () => ['packages', 'retract', draftId, '--reason', '   '],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'invalid_body',
  },
  { name: 'retract: no --reason', args: () => ['packages', 'retract', draftId], usage: /--reason/ },
  { name: 'show: an id that looks like SQL', args: () => ['packages', 'show', "pkg' OR '1'='1"], code: 'not_found' },
  // "No package with id gp_…" quoted the token back.
  { name: 'show: a token typed as the id (never printed)', args: () => ['packages', 'show', tokens.ops], code: 'token_in_url', hides: tokens.ops },
  {
    name: 'show: an id with a direction override, refused as no id can hold one',
    args: () => ['packages', 'show', 'pkg-\u202e1'],
    code: 'invalid_params',
    message: /id: contains a control character \(such as NUL\) or a direction override/,
    hides: '\u202e',
  },
  {
    name: 'decide: --decision with an ANSI escape, quoted back escaped',
    args: () => ['packages', 'decide', draftId, '--revision', '1', '--decision', 'ok\u001b[2J'],
    usage: /ok\\u001b\[2J/,
  },
  { name: 'list: --status lost', args: () => ['packages', 'list', '--status', 'lost'], code: 'invalid_query' },
  {
    name: "release: a delivery's id, named as one",
    args: () => ['packages', 'release', NO_DELIVERY],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'not_found',
    message: /looks like a delivery's id .*govpub deliveries show/,
  },
]);

refusedCommands('govpub deliveries, channels', [
  {
    name: 'deliveries list: --limit abc',
    args: () => ['deliveries', 'list', '--limit', 'abc'],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'invalid_query',
  },
  {
    name: 'deliveries show: path traversal',
    args: () => ['deliveries', 'show', '../../../etc/passwd'],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'not_found',
  },
  { name: 'deliveries retry: a percent sign', args: () => ['deliveries', 'retry', '%'], env: () => ({ GOVPUB_TOKEN: tokens.ops }), code: 'not_found' },
  {
    name: "deliveries retry: a package's id, named as one",
    args: () => ['deliveries', 'retry', draftId],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'not_found',
    message: /that is a package's id\. Its deliveries: .*govpub deliveries list --package/,
  },
  {
    name: 'deliveries retry: a token typed as the id (never printed)',
    args: () => ['deliveries', 'retry', tokens.editor],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'token_in_url',
    hides: tokens.editor,
  },
  {
    name: 'deliveries list: a token typed as --package (never printed)',
    args: () => ['deliveries', 'list', '--package', tokens.editor],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'token_in_url',
    hides: tokens.editor,
  },
  {
    name: 'deliveries skip: an empty reason',
    args: () => ['deliveries', 'skip', NO_DELIVERY, '--reason', ''],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'invalid_body',
  },
  {
    name: 'deliveries confirm: a javascript: URL',
    args: () => ['deliveries', 'confirm', NO_DELIVERY, '--url', 'javascript:alert(1)'],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'invalid_body',
  },
  {
    name: 'channels pause: an ANSI escape in the reason',
    args: () => ['channels', 'pause', 'weibo:blfb-wb', '--reason', '维护\u001b[31m'],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'invalid_body',
  },
  {
    name: 'channels pause: a path-traversal channel',
    args: () => ['channels', 'pause', '../../../etc/passwd', '--reason', '维护'],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'not_found',
  },
  {
    name: 'channels resume: a channel id of 400 characters',
    args: () => ['channels', 'resume', 'c'.repeat(400)],
    env: () => ({ GOVPUB_TOKEN: tokens.ops }),
    code: 'uri_too_long',
  },
]);

refusedCommands('govpub media, audit, tokens', [
  { name: 'media add: a file that does not exist', args: () => ['media', 'add', path.join(dir, 'missing.png')], code: 'file_unreadable' },
  {
    name: 'media add: a directory',
    args: () => ['media', 'add', files['a-directory.png']!],
    code: 'file_unreadable',
    message: /a-directory\.png is a directory, not a file/,
  },
  { name: 'media add: a device', args: () => ['media', 'add', '/dev/zero'], code: 'file_unreadable', message: /\/dev\/zero is not a regular file/ },
  { name: 'media add: an empty file', args: () => ['media', 'add', files['empty.png']!], code: 'media_empty' },
  { name: 'media add: text named .jpg', args: () => ['media', 'add', files['notes.jpg']!], code: 'media_unsupported' },
  { name: 'media add: a file name with an ANSI escape', args: () => ['media', 'add', files['封面\u001b[31m.png']!], code: 'invalid_file_name' },
  { name: 'media list: --kind pdf', args: () => ['media', 'list', '--kind', 'pdf'], code: 'invalid_query' },
  {
    name: 'media status --watch: an interval that is a word, or beyond an hour (setTimeout overflowed into polling every millisecond)',
    args: () => ['media', 'status', 'mj-none', '--watch', '--interval', '99999999999'],
    code: 'invalid_arguments',
    message: /--interval "99999999999" is not a number of milliseconds from 100 to 3600000/,
  },
  { name: 'media status: path traversal', args: () => ['media', 'status', '../../../etc/passwd'], code: 'not_found' },
  { name: 'media cancel: a job id with path traversal', args: () => ['media', 'cancel', 'mj-../../x'], code: 'not_found' },
  { name: 'audit: --limit 0', args: () => ['audit', '--limit', '0'], code: 'invalid_query' },
  { name: 'audit: a control character in --package', args: () => ['audit', '--package', 'pkg-\u0001'], code: 'invalid_query' },
  { name: 'no token', args: () => ['packages', 'list'], env: () => ({ GOVPUB_TOKEN: '' }), code: 'token_required' },
  { name: 'a token with its scheme', args: () => ['packages', 'list'], env: () => ({ GOVPUB_TOKEN: `Bearer ${tokens.editor}` }), code: 'unauthorized' },
  // No header can carry these: the request failed inside fetch and read "Cannot reach the govpub API" while it was up.
  { name: 'a token with a terminal escape', args: () => ['packages', 'list', '--token', '\u001b[31m'], code: 'invalid_token', hides: '\u001b' },
  { name: 'a token in Chinese characters', args: () => ['packages', 'list'], env: () => ({ GOVPUB_TOKEN: '口令x7q9' }), code: 'invalid_token', hides: 'x7q9' },
  {
    name: 'an Idempotency-Key in Chinese characters',
    args: () => ['packages', 'create', '--file', files['valid.json']!, '--idempotency-key', '幂等键'],
    code: 'invalid_arguments',
    message: /--idempotency-key holds a character a request header cannot carry/,
  },
  { name: 'a javascript: API URL', args: () => ['packages', 'list', '--api', 'javascript:alert(1)'], code: 'invalid_api_url' },
  { name: 'an API URL that is not a URL', args: () => ['packages', 'list', '--api', 'not a url'], code: 'invalid_api_url', hides: 'not a url' },
  {
    name: 'an API URL with a password in it (never printed)',
    args: () => ['packages', 'list', '--api', 'http://admin:s3cret-api-pw@127.0.0.1:1'],
    code: 'invalid_api_url',
    hides: 's3cret-api-pw',
  },
  { name: 'a token given as the API URL (never printed)', args: () => ['packages', 'list', '--api', tokens.ops], code: 'invalid_api_url', hides: tokens.ops },
]);

refusedCommands('govpub users (local administration)', [
  { name: 'add: a name with a space', args: () => ['users', 'add', 'wang wei', '--role', 'editor'], code: 'invalid_name' },
  { name: 'add: a name with path traversal', args: () => ['users', 'add', '../../etc/passwd', '--role', 'editor'], code: 'invalid_name' },
  { name: 'add: a name that looks like SQL', args: () => ['users', 'add', "x'OR'1'='1", '--role', 'editor'], code: 'invalid_name' },
  { name: 'add: an unknown role', args: () => ['users', 'add', 'corpus-new-1', '--role', 'god'], code: 'invalid_role' },
  // A live token typed where the name belongs: refused before anything is stored or audited, and never printed back.
  { name: 'add: a token as the name', args: () => ['users', 'add', tokens.editor, '--role', 'editor'], code: 'name_is_token', hides: tokens.editor },
  { name: 'disable: a token as the name', args: () => ['users', 'disable', tokens.editor, '--reason', '调岗'], code: 'name_is_token', hides: tokens.editor },
  { name: 'set-unit: a token as the name', args: () => ['users', 'set-unit', tokens.editor, 'jyj'], code: 'name_is_token', hides: tokens.editor },
  { name: 'add: an unknown stage', args: () => ['users', 'add', 'corpus-new-2', '--role', 'reviewer', '--stages', '终终审'], code: 'unknown_stage' },
  { name: 'add: --token-ttl-days abc', args: () => ['users', 'add', 'corpus-new-4', '--role', 'editor', '--token-ttl-days', 'abc'], code: 'invalid_arguments' },
  {
    name: 'add: an ANSI escape in --display-name',
    args: () => ['users', 'add', 'corpus-new-5', '--role', 'editor', '--display-name', '王伟\u001b[2J'],
    code: 'invalid_display_name',
  },
  {
    name: 'add: a name that exists (says how to get a new token for it)',
    args: () => ['users', 'add', 'cli-corpus-editor', '--role', 'editor'],
    code: 'user_exists',
    message: /govpub users rotate-token cli-corpus-editor/,
  },
  {
    name: 'add: a name that differs from one that exists only in case (the audit trail would mix them up)',
    args: () => ['users', 'add', 'CLI-Corpus-Editor', '--role', 'editor'],
    code: 'user_exists',
    message: /A user named "cli-corpus-editor" exists already, and "CLI-Corpus-Editor" differs from it only in case or in full-width letters/,
  },
  // Typed in a Chinese input method's full-width mode: it reads as cli-corpus-editor and signs in as nobody who types that.
  {
    name: 'add: a name in full-width letters names its half-width form',
    args: () => ['users', 'add', 'ｃｌｉ-corpus-editor', '--role', 'editor'],
    code: 'invalid_name',
    message: /is written in full-width characters \(ｃ.*write it as cli-corpus-editor\.$/,
  },
  // Every users command would read it as an option (users disable -rf: unknown option).
  {
    name: 'add: a name beginning with -',
    args: () => ['users', 'add', '--role', 'editor', '--', '-rf'],
    says: /User name "-rf" begins with "-": begin it with a letter or a digit \(every govpub command would read it as an option\)\./,
  },
  {
    name: 'add: a name with a tab names it and where it stands',
    args: () => ['users', 'add', 'wang\twei', '--role', 'editor'],
    code: 'invalid_name',
    message: /^User name "wang\\twei" holds a tab or line break at position 5/,
  },
  {
    name: 'add: a name of 65 characters',
    args: () => ['users', 'add', 'a'.repeat(65), '--role', 'editor'],
    code: 'invalid_name',
    message: /is 65 characters: a name is 1-64 letters, digits or _ \. @ -\.$/,
  },
  {
    name: 'add: a name with an ANSI escape, quoted back escaped',
    args: () => ['users', 'add', 'wang\u001b[2J', '--role', 'editor'],
    says: /"wang\\u001b\[2J"/,
  },
  {
    name: 'add: a role with a carriage return, quoted back escaped',
    args: () => ['users', 'add', 'corpus-new-9', '--role', 'editor\r'],
    says: /"editor\\u000d"/,
  },
  // Enabling again replaced the token the user was working with.
  { name: 'enable: a user who is not disabled', args: () => ['users', 'enable', 'cli-corpus-owner'], code: 'user_not_disabled' },
  { name: 'disable: an unknown user', args: () => ['users', 'disable', 'nobody-here', '--reason', '调岗'], code: 'user_unknown' },
  {
    name: 'disable: a user name typed wrong names the nearest user',
    args: () => ['users', 'disable', 'cli-corpus-ownr', '--reason', '调岗'],
    code: 'user_unknown',
    message: /^No user named "cli-corpus-ownr" \(did you mean "cli-corpus-owner"\?\)/,
  },
  {
    name: 'set-unit: a user name in the wrong case names the user',
    args: () => ['users', 'set-unit', 'CLI-Corpus-Owner', 'jyj'],
    code: 'user_unknown',
    message: /\(did you mean "cli-corpus-owner"\?\)/,
  },
  { name: 'disable: a blank reason', args: () => ['users', 'disable', 'cli-corpus-owner', '--reason', '   '], code: 'invalid_reason' },
  {
    name: 'disable: a reason with a control character',
    args: () => ['users', 'disable', 'cli-corpus-owner', '--reason', '调岗\u0007'],
    code: 'invalid_reason',
  },
  { name: 'rotate-token: --token-ttl-days 0', args: () => ['users', 'rotate-token', 'cli-corpus-owner', '--token-ttl-days', '0'], code: 'invalid_ttl' },
  { name: 'add: an unknown --unit', args: () => ['users', 'add', 'corpus-new-6', '--role', 'editor', '--unit', '教育局'], code: 'unknown_unit' },
  {
    name: 'add: a password on stdin shorter than 10 characters',
    args: () => ['users', 'add', 'corpus-new-7', '--role', 'editor', '--password-stdin'],
    input: 'short\n',
    code: 'invalid_password',
  },
  {
    name: 'add: a file piped in as the password (stops at the length a password can have)',
    args: () => ['users', 'add', 'corpus-new-9', '--role', 'editor', '--password-stdin'],
    input: 'x'.repeat(5_000_000),
    code: 'invalid_password',
    message: /^More than 800 bytes arrived on standard input: a password is at most 200 characters/,
  },
  {
    name: 'add: a password piped from a file saved in GBK (it would be stored as U+FFFD, typed by no keyboard)',
    args: () => ['users', 'add', 'corpus-new-10', '--role', 'editor', '--password-stdin'],
    input: Buffer.concat([Buffer.from('long-enough-'), Buffer.from([0xc3, 0xdc, 0xc2, 0xeb]), Buffer.from('-password\n')]),
    code: 'invalid_password',
    message: /^What came on standard input is not UTF-8 text \(byte 12 is not\): pipe the password as UTF-8/,
  },
  {
    name: 'add: --password-stdin with nothing piped',
    args: () => ['users', 'add', 'corpus-new-8', '--role', 'editor', '--password-stdin'],
    code: 'invalid_password',
  },
  {
    name: 'set-password: a password with a control character',
    args: () => ['users', 'set-password', 'cli-corpus-owner', '--password-stdin'],
    input: 'long-enough-\u0007-password',
    code: 'invalid_password',
  },
  {
    name: 'add: a reviewer with no stage (as set-role refuses one)',
    args: () => ['users', 'add', 'cli-corpus-stageless', '--role', 'reviewer'],
    code: 'invalid_stages',
    message: /A reviewer decides at one or more review stages/,
  },
  { name: 'set-password: an unknown user', args: () => ['users', 'set-password', 'nobody-here'], code: 'user_unknown' },
  { name: 'set-unit: an unknown unit', args: () => ['users', 'set-unit', 'cli-corpus-owner', 'nowhere'], code: 'unknown_unit' },
  { name: 'set-unit: an unknown user', args: () => ['users', 'set-unit', 'nobody-here', 'jyj'], code: 'user_unknown' },
]);

refusedCommands('govpub simulators', [
  { name: '--events-url without --for-workers', args: () => ['simulators', '--events-url', 'http://127.0.0.1:8080'], code: 'invalid_arguments' },
  { name: '--events-url that is not a URL', args: () => ['simulators', '--for-workers', '--events-url', 'wechat-token-123'], code: 'invalid_arguments' },
  {
    name: '--events-url with a password in it',
    args: () => ['simulators', '--for-workers', '--events-url', 'http://admin:s3cret-pw@127.0.0.1:8080'],
    code: 'invalid_arguments',
    hides: 's3cret-pw',
  },
  { name: '--events-url with a newline', args: () => ['simulators', '--for-workers', '--events-url', 'http://127.0.0.1:80\n80'], code: 'invalid_arguments' },
  // These were "unexpected error: …", or taken silently ("abc" for random ports).
  { name: '--base-port abc', args: () => ['simulators', '--base-port', 'abc'], code: 'invalid_arguments', message: /--base-port "abc" is not a port/ },
  { name: '--base-port 99999', args: () => ['simulators', '--base-port', '99999'], code: 'invalid_arguments' },
  { name: '--seed abc', args: () => ['simulators', '--seed', 'abc'], code: 'invalid_arguments', message: /--seed "abc" is not a whole number/ },
  { name: '--faults: a file that does not exist', args: () => ['simulators', '--faults', path.join(dir, 'no-faults.json')], code: 'file_unreadable' },
  {
    name: '--faults: not JSON (line and column named)',
    args: () => ['simulators', '--faults', files['faults-not-json.json']!],
    code: 'invalid_fault_rules',
    message: /faults-not-json\.json: line 2, column 35: not valid JSON/,
  },
  {
    name: '--faults: a file in UTF-16 (said so)',
    args: () => ['simulators', '--faults', files['faults-utf16.json']!],
    code: 'invalid_fault_rules',
    message: /faults-utf16\.json: the file is UTF-16 \(it begins ff fe 5b 00\), not UTF-8: save it encoded in UTF-8/,
  },
  {
    name: '--faults: a rule without its fields (which rule named)',
    args: () => ['simulators', '--faults', files['faults-bogus.json']!],
    code: 'invalid_fault_rules',
    message: /faults-bogus\.json: rules\[1\]: "match" \(path pattern\) is required/,
  },
]);

refusedCommands('govpub replay (history files)', [
  {
    name: 'a file that does not exist',
    args: () => ['replay', path.join(dir, 'missing-history.json')],
    says: /NOT READ .*missing-history\.json: no such file or directory \(ENOENT\)[\s\S]*not workflow histories/,
  },
  {
    name: 'a file that is not JSON',
    args: () => ['replay', files['history-not-json.json']!],
    says: /NOT READ .*: line 1, column 13: not valid JSON: the text ends before the JSON does/,
  },
  {
    name: 'an export redirected in Windows PowerShell 5 (UTF-16), said so in Chinese',
    args: () => ['replay', files['history-utf16.json']!],
    env: () => ({ GOVPUB_LANG: 'zh' }),
    says: /无法读取  .*history-utf16\.json：文件是 UTF-16 编码（开头为 ff fe 7b 00），不是 UTF-8/,
  },
  { name: 'a directory', args: () => ['replay', dir], says: /NOT READ .*is a directory, not a file: give a workflow history exported as JSON/ },
  { name: 'JSON without events', args: () => ['replay', files['history-empty.json']!], says: /NOT READ .*no "events" list/ },
  // Temporal's core panicked on this one and the command never exited.
  {
    name: 'events that do not start with the workflow start',
    args: () => ['replay', files['history-no-start.json']!],
    says: /NOT READ .*first event is not the start/,
  },
  // The replayer waited for more events forever.
  { name: 'only the start event', args: () => ['replay', files['history-only-start.json']!], says: /NOT READ .*only the start event/ },
]);

describe('govpub: valid but tricky input is stored as sent', () => {
  counts.set('accepted as sent', 3);
  const title = "CLI 😀 👨‍👩‍👧‍👦 سياسة \u202babc\u202c 《通知》 e\u0301 '; DROP TABLE packages; --";

  it('packages create --file: emoji, right-to-left text and SQL in the title', async () => {
    const before = await traces(app.db, mediaDir);
    const file = path.join(dir, 'tricky.json');
    await writeFile(file, JSON.stringify(policyPackage(app.registry, { title })));
    const created = await govpub(['packages', 'create', '--file', file, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const row = await app.db.selectFrom('package_revisions').select('content').where('package_id', '=', id).executeTakeFirstOrThrow();
    expect((row.content as { title: string }).title).toBe(title);
    expect((await app.db.selectFrom('packages').select('title').where('id', '=', id).executeTakeFirstOrThrow()).title).toBe(title);
    expectOnly(before, await traces(app.db, mediaDir), { packages: 1, package_revisions: 1, audit_log: 1 }, ['package_states']);
  });

  it('create: a UTF-8 file that starts with a byte-order mark (Windows editors) is read without it', async () => {
    const title = 'CLI 语料库：带 BOM 的文件';
    const file = path.join(dir, 'with-bom.json');
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(policyPackage(app.registry, { title })))]));
    const created = await govpub(['packages', 'create', '--file', file, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect((await app.db.selectFrom('packages').select('title').where('id', '=', id).executeTakeFirstOrThrow()).title).toBe(title);
  });

  it('media add: a file named with emoji and right-to-left text keeps its name', async () => {
    const name = '封面 😀 ‏صورة‏ 𠮷.png';
    const file = path.join(dir, name);
    await writeFile(
      file,
      await sharp({ create: { width: 43, height: 31, channels: 3, background: '#fb5607' } })
        .png()
        .toBuffer(),
    );
    const added = await govpub(['media', 'add', file, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ kind: 'image', uploadName: name, created: true });
  });

  it('audit --newest reads what just happened and says how to page back', async () => {
    const all = JSON.parse((await govpub(['audit', '--json'], { GOVPUB_TOKEN: tokens.ops })).stdout) as { id: string }[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    const ids = all.map((e) => e.id);
    const newest = await govpub(['audit', '--newest', '--limit', '2', '--json'], { GOVPUB_TOKEN: tokens.ops });
    expect(newest.code, newest.stderr).toBe(0);
    expect((JSON.parse(newest.stdout) as { id: string }[]).map((e) => e.id)).toEqual(ids.slice(-2).reverse());
    expect(newest.stderr).toContain(`more entries: govpub audit --newest --limit 2 --json --before ${ids.at(-2)}`);
    const back = await govpub(['audit', '--newest', '--limit', '2', '--json', '--before', ids.at(-2)!], { GOVPUB_TOKEN: tokens.ops });
    expect((JSON.parse(back.stdout) as { id: string }[]).map((e) => e.id)).toEqual(ids.slice(-4, -2).reverse());
    // A range asked for keeps its other bound in the hint (the hint dropped --after, and paging left the range).
    const ranged = await govpub(['audit', '--newest', '--after', ids.at(-4)!, '--limit', '2', '--json'], { GOVPUB_TOKEN: tokens.ops });
    expect(ranged.stderr).toContain(`more entries: govpub audit --newest --after ${ids.at(-4)} --limit 2 --json --before ${ids.at(-2)}`);
  });

  it('audit --action: an action that looks like SQL is just a filter', async () => {
    const listed = await govpub(['audit', '--action', "create' OR '1'='1", '--json'], { GOVPUB_TOKEN: tokens.ops });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});

describe('govpub audit --action with a name nobody records (a typo)', () => {
  // Before, `audit --action aprove` printed the table's header and nothing else: read as "nobody approved anything".
  it('says there are no entries and names the nearest action govpub records, on stderr (JSON stays parseable)', async () => {
    const typo = await govpub(['audit', '--action', 'aprove'], { GOVPUB_TOKEN: tokens.ops });
    expect(typo.code, typo.stderr).toBe(0);
    expect(typo.stdout).toBe('no audit entries match.\n');
    expect(typo.stderr).toBe('govpub: no audit entry has the action "aprove", and govpub records no action of that name (did you mean "approve"?).\n');

    const json = await govpub(['audit', '--action', 'delivery_skiped', '--json'], { GOVPUB_TOKEN: tokens.ops });
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toContain('(did you mean "delivery_skipped"?)');

    const zh = await govpub(['audit', '--action', 'aprove'], { GOVPUB_TOKEN: tokens.ops, GOVPUB_LANG: 'zh' });
    expect(zh.stdout).toBe('没有符合条件的审计记录。\n');
    expect(zh.stderr).toBe('govpub: 审计记录中没有「aprove」这一操作，govpub 也不记录这一操作；是否要查「approve」？\n');

    // Nothing near: said without a guess.
    const far = await govpub(['audit', '--action', 'quarterly_report_exported'], { GOVPUB_TOKEN: tokens.ops });
    expect(far.stderr).toBe('govpub: no audit entry has the action "quarterly_report_exported", and govpub records no action of that name.\n');
  });

  it('an action govpub records, with no entries yet, and a legacy name older rows carry are filters like any other: no warning', async () => {
    const none = await govpub(['audit', '--action', 'approve'], { GOVPUB_TOKEN: tokens.ops });
    expect(none.stdout).toBe('no audit entries match.\n');
    expect(none.stderr).toBe('');

    // A name an older version recorded: listed, and not taken for a typo even where this package has none of them.
    await appendAudit(app.db, { actor: 'system', action: 'package_approved', packageId: draftId, details: { legacy: true } });
    const legacy = await govpub(['audit', '--action', 'package_approved', '--json'], { GOVPUB_TOKEN: tokens.ops });
    expect((JSON.parse(legacy.stdout) as { action: string }[]).map((e) => e.action)).toEqual(['package_approved']);
    expect(legacy.stderr).toBe('');
    const elsewhere = await govpub(['audit', '--action', 'package_approved', '--package', 'no-such-package'], { GOVPUB_TOKEN: tokens.ops });
    expect(elsewhere.stdout).toBe('no audit entries match.\n');
    expect(elsewhere.stderr).toBe('');
  });
});

describe('govpub users add refuses what it can before it opens a database', () => {
  // Before, a mistyped role opened (or made) the database first: on a fresh data directory the
  // embedded one was created for a command that was then refused.
  it('a mistyped role on a data directory with no database yet: refused, and no database made', async () => {
    const fresh = path.join(dir, 'fresh-data');
    const refused = await govpub(['users', 'add', 'new-person', '--role', 'edtor', '--json'], { DATABASE_URL: '', GOVPUB_DATA_DIR: fresh });
    expect(refused.code, refused.stderr).toBe(1);
    expect((JSON.parse(refused.stdout) as { error: { code: string } }).error.code).toBe('invalid_role');
    expect(refused.stderr).not.toMatch(/made a database|新建/);
    expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
  });
});
