/**
 * The whole system for a browser test, wired exactly as `govpub start` wires it: the real command
 * runs as a child process with its simulators of every platform, its worker and the API serving
 * the console at /console/, on free ports, against a PostgreSQL database and a Temporal server the
 * caller gives (in tests: the run's shared dev server and a fresh database of the file's own; in
 * the bench: a database it made and the dev server `govpub start` runs itself). Users are made
 * with the CLI, the way an administrator makes them, with a password to sign in with.
 *
 * No vitest imports here: bench/console-budget.ts uses it too.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli } from '../support/cli.js';
import { freePort, startGovpub, type RunningGovpub, simulatorPortBase } from '../support/running.js';

export type Role = 'editor' | 'reviewer' | 'ops' | 'admin';

export interface ConsoleUser {
  name: string;
  role: Role;
  password: string;
  /** The API token `users add` printed: for cross-checks through the API, as a script would. */
  token: string;
}

export interface ConsoleSystem {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/console/ */
  consoleUrl: string;
  databaseUrl: string;
  govpub: RunningGovpub;
  /** `govpub users add` with a password given on stdin; the token is its last line. */
  addUser(name: string, role: Role, options?: { stages?: string[]; unit?: string; displayName?: string }): Promise<ConsoleUser>;
  /** The API as a script calls it, with the user's bearer token. Throws on a non-2xx answer, with its body. */
  api<T = unknown>(user: ConsoleUser, method: string, apiPath: string, body?: unknown): Promise<T>;
  /** Runs a `govpub` command against this system (its database and data directory). */
  cli(args: string[], input?: string): ReturnType<typeof runCli>;
  stop(): Promise<void>;
}

export interface ConsoleSystemOptions {
  databaseUrl: string;
  /** host:port of a running Temporal frontend; without it `govpub start` runs its own dev server. */
  temporalAddress?: string;
  /** Extra environment for the child (e.g. GOVPUB_LOG_LEVEL). */
  env?: Record<string, string>;
}

export async function startConsoleSystem(options: ConsoleSystemOptions): Promise<ConsoleSystem> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-console-'));
  const port = await freePort();
  const env: Record<string, string> = {
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress ?? '',
    // A task queue of its own: workers of other test files on the shared server never take its tasks.
    GOVPUB_TASK_QUEUE: `govpub-console-${randomBytes(4).toString('hex')}`,
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    // The simulators take consecutive ports from here; a random base keeps parallel files apart.
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    GOVPUB_LOG_LEVEL: 'warn',
    ...options.env,
  };
  let govpub: RunningGovpub;
  try {
    govpub = await startGovpub(env);
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = govpub.api;
  // A hang is still caught, but a CLI process that starts and compiles on two oversubscribed cores
  // (load average 22 in a full run beside other work) once took over 60 s for `users add`.
  const cli = (args: string[], input?: string) => runCli(args, env, input, { timeoutMs: 180_000 });

  return {
    url,
    consoleUrl: `${url}/console/`,
    databaseUrl: options.databaseUrl,
    govpub,
    cli,
    async addUser(name, role, extra = {}) {
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const args = ['users', 'add', name, '--role', role, '--password-stdin'];
      if (extra.stages?.length) args.push('--stages', extra.stages.join(','));
      if (extra.unit) args.push('--unit', extra.unit);
      if (extra.displayName) args.push('--display-name', extra.displayName);
      const added = await cli(args, `${password}\n`);
      if (added.code !== 0) throw new Error(`govpub ${args.join(' ')} failed (${added.code}):\n${added.stderr}${added.stdout}`);
      const token = added.stdout.trim().split('\n').at(-1)!.trim();
      return { name, role, password, token };
    },
    async api<T>(user: ConsoleUser, method: string, apiPath: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${apiPath}`, {
        method,
        headers: { authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${apiPath} as ${user.name}: HTTP ${response.status} ${text.slice(0, 2000)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async stop() {
      // These files test the console, not Ctrl+C (test/cli/start.test.ts does): a stop that hangs is
      // reported with govpub's last lines and the process killed, without failing the page's tests.
      // Seen twice under a full suite's load, with no line from the stop at all (open on issue 14).
      await govpub.stop().catch((error: Error) => console.warn(`console test system: ${error.message}`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database outside vitest (the bench): created on the PostgreSQL server of `adminUrl` and
 * migrated by `govpub start` itself. Dropped again by the returned `drop`.
 */
export async function createScratchDatabase(adminUrl: string, prefix = 'govpub_console'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Signs a person in through the sign-in page, as they would: name, password, 登录. Resolves once
 * the console left the sign-in page (their role's home).
 */
export async function signIn(page: Page, system: ConsoleSystem, user: ConsoleUser): Promise<void> {
  await page.goto(`${system.consoleUrl}signin`);
  await inputOf(page, 'signin-name').fill(user.name);
  await inputOf(page, 'signin-password').fill(user.password);
  await page.getByTestId('signin-submit').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/signin'), { timeout: 20_000 });
  await page.getByTestId('current-user').waitFor({ timeout: 20_000 });
}

/**
 * The typing target of a form control by its test id: Element Plus puts the attribute on the
 * native input for some controls and on their wrapper for others.
 */
export function inputOf(page: Page, testId: string) {
  return page
    .locator(`input[data-testid="${testId}"], textarea[data-testid="${testId}"], [data-testid="${testId}"] input, [data-testid="${testId}"] textarea`)
    .first();
}

/** A fresh browser context for one person (zh-CN, Beijing time), signed in, its page watched for errors. */
export async function signedInPage(
  browser: Browser,
  system: ConsoleSystem,
  user: ConsoleUser,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', viewport });
  const page = await context.newPage();
  const { errors } = watchPage(page);
  await signIn(page, system, user);
  return { page, errors, close: () => context.close() };
}

/** A page that remembers what went wrong in it: console errors and failed requests, for assertions and failure messages. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    // axe-core is evaluated into the page by the tests (axe.ts), without a URL: an error whose stack
    // has frames and none of them from a served script is the tooling's (its global-object probe
    // trips the CSP's no-eval now and then), not the console's. The console's own carry their URL.
    const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    const fromTooling = frames.length > 0 && !frames.some((line) => /https?:\/\//.test(line));
    errors.push(`${fromTooling ? 'test-tooling error' : 'pageerror'}: ${error.message}${frames[0] ? ` (${frames[0].trim()})` : ''}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return { errors };
}

export const SCREENSHOT_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '.artifacts', 'screenshots');

/** A full-page PNG under test/.artifacts/screenshots/<role>-<page>.png (CI keeps the folder). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Finite animations (Element Plus tags zoom in) are shown finished, as a person sees the page a moment later.
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** The cookies a context holds for the system, by name (the session cookie's flags are checked). */
export async function cookiesOf(context: BrowserContext, system: ConsoleSystem) {
  return context.cookies(system.url);
}

/**
 * `count` packages seeded straight into the database with SQL, cloned from one real package (so
 * every column, whatever the migrations added, holds what the service writes): ids
 * `pkg-seed-00001`…, titles numbered, updated one minute apart going back from now, every third
 * released. Takes a second or two for 10,000 rows.
 */
export async function seedPackages(databaseUrl: string, templatePackageId: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into packages
       select (jsonb_populate_record(null::packages, to_jsonb(t) || jsonb_build_object(
         'id', 'pkg-seed-' || lpad(n::text, 5, '0'),
         'title', t.title || '（批量第' || n || '号）',
         'status', case when n % 3 = 0 then 'released' else 'draft' end,
         'current_stage', null,
         'released_at', case when n % 3 = 0 then now() - make_interval(mins => n) else null end,
         'created_at', now() - make_interval(mins => n + 1),
         'updated_at', now() - make_interval(mins => n)))).*
       from packages t, generate_series(1, $2::int) n where t.id = $1`,
      [templatePackageId, count],
    );
    await client.query(
      `insert into package_revisions
       select (jsonb_populate_record(null::package_revisions, to_jsonb(r) || jsonb_build_object(
         'package_id', 'pkg-seed-' || lpad(n::text, 5, '0')))).*
       from package_revisions r, generate_series(1, $2::int) n where r.package_id = $1 and r.revision = 1`,
      [templatePackageId, count],
    );
    await client.query('commit');
    await client.query('analyze packages');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
