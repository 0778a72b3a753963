/**
 * `govpub config check` as an operator runs it before a deployment: every configuration file the
 * worker reads is checked (platforms.yaml and watermarks.yaml too, not only the registry), one
 * answer lists the problems of all of them with file and line, a secret written where its name
 * belongs is never printed back, and `--secrets` names the platforms.yaml secrets a worker
 * publishes with (the media center's client secrets), not only the accounts'.
 */
import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { collectSecretRefs } from '../../config/secrets.js';
import { ROOT_DIR } from '../../config/settings.js';
import { loadComplianceSettings } from '../../config/compliance-settings.js';
import { runCli } from '../support/cli.js';

const TIMEOUT_MS = 60_000;
let dir: string;

/** A copy of the shipped configuration with one file's text changed. */
async function configWith(file: string, change: (text: string) => string): Promise<{ configDir: string; line: (pattern: RegExp) => number }> {
  const configDir = await mkdtemp(path.join(dir, 'config-'));
  await cp(path.join(ROOT_DIR, 'config', 'registry'), path.join(configDir, 'registry'), { recursive: true });
  const target = path.join(configDir, 'registry', file);
  const changed = change(await readFile(target, 'utf8'));
  await writeFile(target, changed);
  const lines = changed.split('\n');
  return { configDir, line: (pattern) => lines.findIndex((l) => pattern.test(l)) + 1 };
}

/** The command with no secret of the environment this test runs in. */
function check(args: string[], env: Record<string, string>) {
  return runCli(['config', 'check', ...args], { GOVPUB_SECRETS_FILE: '', ...env }, undefined, { timeoutMs: TIMEOUT_MS });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'govpub-config-check-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('govpub config check', () => {
  it(
    'checks the wording list of GOVPUB_CONFIG_DIR, not the one shipped beside the code',
    async () => {
      const { configDir } = await configWith('wording.yaml', () => 'entries: [\n');
      const result = await check([], { GOVPUB_CONFIG_DIR: configDir, GOVPUB_WORDING_FILE: '' });
      expect(result.code, result.stdout).toBe(1);
      expect(result.stderr).toContain(path.join(configDir, 'registry', 'wording.yaml'));
      expect(result.stdout).not.toContain('config OK');
    },
    TIMEOUT_MS,
  );

  it(
    'refuses a broken platforms.yaml and watermarks.yaml with file and line, both in one answer',
    async () => {
      const { configDir } = await configWith('platforms.yaml', (t) => t.replace(/^(\s+concurrency:) \d+/m, '$1 lots'));
      const watermarks = path.join(configDir, 'registry', 'watermarks.yaml');
      const text = await readFile(watermarks, 'utf8');
      await writeFile(watermarks, text.replace(/^(\s+opacity:) [\d.]+/m, '$1 lots'));
      const opacityLine = text.split('\n').findIndex((l) => /^\s+opacity:/.test(l)) + 1;
      const concurrencyLine =
        (await readFile(path.join(configDir, 'registry', 'platforms.yaml'), 'utf8')).split('\n').findIndex((l) => /concurrency: lots/.test(l)) + 1;
      const result = await check([], { GOVPUB_CONFIG_DIR: configDir });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).not.toContain('config OK');
      expect(result.stderr).toMatch(/Configuration is invalid \(2 problems\)/);
      expect(result.stderr).toMatch(new RegExp(`platforms\\.yaml:${concurrencyLine}: platforms\\.\\w+\\.concurrency: expected a positive number, got "lots"`));
      expect(result.stderr).toMatch(new RegExp(`watermarks\\.yaml:${opacityLine}: defaults\\.opacity: .*"lots"`));
    },
    TIMEOUT_MS * 2,
  );

  it(
    'a secret value written where its name belongs (accounts.yaml, platforms.yaml) is refused with its line and never printed',
    async () => {
      const accountSecret = 'wx-app-secret-0f9e8d77';
      const clientSecret = 'Zx9-real-client-secret-41';
      const accounts = await configWith('accounts.yaml', (t) => t.replace('{ secret: WECHAT_OA_BLFB_APP_SECRET }', `{ secret: "${accountSecret}" }`));
      const accountLine = accounts.line(new RegExp(accountSecret));
      const platforms = path.join(accounts.configDir, 'registry', 'platforms.yaml');
      const text = (await readFile(platforms, 'utf8')).replace('{ secret: NEWS_SITE_CLIENT_SECRET }', `{ secret: "${clientSecret}" }`);
      await writeFile(platforms, text);
      const platformLine = text.split('\n').findIndex((l) => l.includes(clientSecret)) + 1;
      for (const json of [false, true]) {
        const result = await check(json ? ['--json'] : [], { GOVPUB_CONFIG_DIR: accounts.configDir });
        const printed = `${result.stdout}\n${result.stderr}`;
        expect(result.code, printed).toBe(1);
        expect(printed).not.toContain(accountSecret);
        expect(printed).not.toContain(clientSecret);
        if (json) continue;
        expect(result.stderr).toMatch(
          new RegExp(`accounts\\.yaml:${accountLine}: accounts\\[0\\]\\.credentials\\.appSecret\\.secret: must be an environment-variable style name`),
        );
        expect(result.stderr).toMatch(
          new RegExp(
            `platforms\\.yaml:${platformLine}: platforms\\.news_site\\.credentials\\.clientSecret\\.secret: must be an environment-variable style name`,
          ),
        );
      }
    },
    TIMEOUT_MS * 3,
  );

  it(
    '--secrets names the media center client secrets platforms.yaml refers to; WeChat’s optional eventToken is not required',
    async () => {
      const registry = await loadRegistry(path.join(ROOT_DIR, 'config', 'registry'));
      const accountSecrets = Object.fromEntries(collectSecretRefs(registry).map((use) => [use.secret, 'x'.repeat(16)]));
      const secretsFile = path.join(dir, 'secrets.yaml');
      const env = { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config'), GOVPUB_SECRETS_FILE: secretsFile };
      await writeFile(secretsFile, JSON.stringify(accountSecrets));
      const missing = await check(['--secrets'], env);
      expect(missing.code, missing.stderr).toBe(1);
      expect(missing.stderr).toMatch(/2 platform secrets are missing/);
      expect(missing.stderr).toMatch(
        /Secret NEWS_SITE_CLIENT_SECRET is not provided\. It is needed by every news_site channel, credential clientSecret \(platforms\.yaml/,
      );
      expect(missing.stderr).toMatch(/Secret MEDIA_APP_CLIENT_SECRET is not provided/);
      expect(missing.stderr).not.toContain('WECHAT_OA_EVENT_TOKEN');
      await writeFile(secretsFile, JSON.stringify({ ...accountSecrets, NEWS_SITE_CLIENT_SECRET: 'y'.repeat(16), MEDIA_APP_CLIENT_SECRET: 'z'.repeat(16) }));
      const ok = await check(['--secrets'], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('config OK');
      // None provided: every one is named, in text and in --json (the error's 4,000-character cut named 9 of 29).
      await writeFile(secretsFile, '{}');
      const needed = [...new Set(collectSecretRefs(registry).map((use) => use.secret)), 'NEWS_SITE_CLIENT_SECRET', 'MEDIA_APP_CLIENT_SECRET'];
      const none = await check(['--secrets'], env);
      const noneJson = await check(['--secrets', '--json'], env);
      expect(none.stderr).not.toContain('characters left out');
      for (const secret of needed) {
        expect(none.stderr).toContain(`Secret ${secret} is not provided`);
        expect(JSON.parse(noneJson.stdout).error.message).toContain(`Secret ${secret} is not provided`);
      }
      // …and by name, for a script.
      expect([...JSON.parse(noneJson.stdout).error.missing].sort()).toEqual([...new Set(needed)].sort());
    },
    TIMEOUT_MS * 3,
  );

  it(
    'a missing or malformed secrets file is reported without --secrets, with the other problems (it said "config OK")',
    async () => {
      const broken = path.join(dir, 'secrets-tab.yaml');
      await writeFile(broken, 'WECHAT_OA_BLFB_APP_SECRET: "tab-below-7f3e"\n\tWEIBO_BLFB_WB_APP_SECRET: x\n', { mode: 0o600 });
      const { configDir } = await configWith('platforms.yaml', (t) => t.replace(/^(\s+concurrency:) \d+/m, '$1 lots'));
      const tabbed = await check([], { GOVPUB_CONFIG_DIR: configDir, GOVPUB_SECRETS_FILE: broken });
      expect(tabbed.code, tabbed.stderr).toBe(1);
      expect(tabbed.stdout).not.toContain('config OK');
      expect(tabbed.stderr).toMatch(/Configuration is invalid \(2 problems\)/);
      expect(tabbed.stderr).toContain(`${broken}:2: a tab indents this line: YAML indents with spaces`);
      expect(tabbed.stderr).not.toContain('tab-below-7f3e');
      const absent = path.join(dir, 'no-such-secrets.yaml');
      const missing = await check([], { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config'), GOVPUB_SECRETS_FILE: absent });
      expect(missing.code, missing.stderr).toBe(1);
      expect(missing.stderr).toContain(
        `${absent}: secrets file not found (GOVPUB_SECRETS_FILE names it): create it, correct the path, or unset GOVPUB_SECRETS_FILE`,
      );
    },
    TIMEOUT_MS * 3,
  );

  it(
    'GOVPUB_FONT_PATH naming no file is a problem of its answer (it said config OK; each watermarked rendition then failed)',
    async () => {
      const absent = path.join(dir, 'no-such-font.ttc');
      const result = await check([], { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config'), GOVPUB_FONT_PATH: absent });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).not.toContain('config OK');
      expect(result.stderr).toContain(
        `${absent}: GOVPUB_FONT_PATH: GOVPUB_FONT_PATH=${absent} does not exist. Point it at a font file with Chinese characters`,
      );
      const fine = await check(['--json'], { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config') });
      expect(fine.code, fine.stderr).toBe(0);
      expect(JSON.parse(fine.stdout)).toHaveProperty('watermarkFont');
    },
    TIMEOUT_MS * 2,
  );

  it(
    'GOVPUB_FONT_PATH naming a named pipe or a device is refused at once, saying what it is (a pipe hung config check and every worker start)',
    async () => {
      const pipe = path.join(dir, 'font-pipe');
      execFileSync('mkfifo', [pipe]);
      for (const [file, what] of [
        [pipe, 'a named pipe'],
        ['/dev/zero', 'a device'],
      ] as const) {
        const result = await check([], { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config'), GOVPUB_FONT_PATH: file });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(`${file}: GOVPUB_FONT_PATH: GOVPUB_FONT_PATH=${file} is ${what}, not a font file. Point it at a font file`);
      }
    },
    TIMEOUT_MS * 2,
  );

  it(
    'a secrets file every user of the host can read is pointed out with the chmod that fixes it; one kept to its owner is not',
    async () => {
      const registry = await loadRegistry(path.join(ROOT_DIR, 'config', 'registry'));
      const secretsFile = path.join(dir, 'secrets-mode.yaml');
      const all = {
        ...Object.fromEntries(collectSecretRefs(registry).map((use) => [use.secret, 'x'.repeat(16)])),
        NEWS_SITE_CLIENT_SECRET: 'y'.repeat(16),
        MEDIA_APP_CLIENT_SECRET: 'z'.repeat(16),
      };
      await writeFile(secretsFile, JSON.stringify(all));
      const env = { GOVPUB_CONFIG_DIR: path.join(ROOT_DIR, 'config'), GOVPUB_SECRETS_FILE: secretsFile };
      await chmod(secretsFile, 0o644);
      const open = await check(['--secrets'], env);
      expect(open.code, open.stderr).toBe(0);
      expect(open.stderr).toContain(
        `the secrets file ${secretsFile} (GOVPUB_SECRETS_FILE) is readable by every user of this host (mode 0644); restrict it: chmod 600 ${secretsFile}`,
      );
      await chmod(secretsFile, 0o600);
      const kept = await check(['--secrets'], env);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stderr).not.toContain('the secrets file');
    },
    TIMEOUT_MS * 3,
  );
});

describe('govpub config check: the organ codes of 索引号', () => {
  it(
    'warns of a placeholder organ code with its file and line, and passes; a real code draws no warning',
    async () => {
      // The shipped sample's codes end in XXXX: every 索引号 on the portal would carry them.
      const sample = await configWith('index-numbers.yaml', (text) => text);
      const warned = await check([], { GOVPUB_CONFIG_DIR: sample.configDir });
      expect(warned.code, warned.stderr).toBe(0);
      // Named as every registry problem names its file (outside the checkout: the whole path).
      const file = path.join(sample.configDir, 'registry', 'index-numbers.yaml');
      expect(warned.stderr).toContain(
        `govpub: warning: ${file}:${sample.line(/^defaultOrganCode:/)}: defaultOrganCode 11610103MB2968XXXX is not a valid 统一社会信用代码 (GB 32100-2015): its check character, the 18th, should be 6`,
      );
      expect(warned.stderr).toContain(`${file}:${sample.line(/^\s+jyj:/)}: units.jyj 11610103MB2968JYJX is not a valid`);
      const json = await check(['--json'], { GOVPUB_CONFIG_DIR: sample.configDir });
      expect(JSON.parse(json.stdout).organCodeWarnings).toHaveLength(3);

      const real = await configWith('index-numbers.yaml', (text) =>
        text.replace('defaultOrganCode: 11610103MB2968XXXX', 'defaultOrganCode: 11100000000013127D').replace(/\nunits:[\s\S]*$/, '\nunits: {}\n'),
      );
      const quiet = await check([], { GOVPUB_CONFIG_DIR: real.configDir });
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).not.toContain('统一社会信用代码');
      expect(quiet.stdout).toContain('config OK');
    },
    TIMEOUT_MS,
  );
});

describe('govpub config check: the media tools the host needs', () => {
  it(
    'fails when ffmpeg is missing, naming FFMPEG_PATH and how to check an API-only host; --for api needs only ffprobe',
    async () => {
      const nowhere = path.join(dir, 'no-such-dir', 'ffmpeg');
      const missing = await check([], { FFMPEG_PATH: nowhere });
      expect(missing.code, missing.stdout).toBe(1);
      expect(missing.stdout).not.toContain('config OK');
      expect(missing.stderr).toContain(`${nowhere}: FFMPEG_PATH: FFMPEG_PATH is set to "${nowhere}", but no executable file is there`);
      expect(missing.stderr).toContain('workers make video and audio renditions with it');
      expect(missing.stderr).toContain('govpub config check --for api');

      const asWorker = await check(['--for', 'worker', '--json'], { FFMPEG_PATH: nowhere });
      expect(asWorker.code).toBe(1);

      // An API-only host probes uploads with ffprobe and never runs ffmpeg.
      const apiOnly = await check(['--for', 'api'], { FFMPEG_PATH: nowhere });
      expect(apiOnly.code, apiOnly.stderr).toBe(0);
      expect(apiOnly.stdout).toContain('config OK');
      expect(apiOnly.stdout).toMatch(/^ffmpeg NOT FOUND: .* \(not needed on an API-only host\)$/m);

      const noProbe = await check(['--for', 'api'], { FFPROBE_PATH: path.join(dir, 'no-such-dir', 'ffprobe') });
      expect(noProbe.code, noProbe.stdout).toBe(1);
      expect(noProbe.stderr).toContain('FFPROBE_PATH');
      expect(noProbe.stderr).toContain('the API probes audio and video uploads with it');

      const typo = await check(['--for', 'workers'], {});
      expect(typo.code).not.toBe(0);
      expect(typo.stderr).toContain('--for "workers" is not what a host runs; use all (the default), worker or api.');
    },
    TIMEOUT_MS * 5,
  );

  it(
    'fails when the ffmpeg FFMPEG_PATH names lacks the encoders renditions need',
    async () => {
      // A program that answers -version as an ffmpeg does but has neither libx264 nor aac.
      const fake = path.join(dir, 'ffmpeg-without-encoders');
      await writeFile(
        fake,
        '#!/bin/sh\nif [ "$1" = "-version" ]; then echo "ffmpeg version 4.4.1 Copyright (c) 2000-2021"; echo "libavcodec     58.134.100 / 58.134.100"; fi\nexit 0\n',
      );
      await chmod(fake, 0o755);
      const result = await check([], { FFMPEG_PATH: fake });
      expect(result.code, result.stdout).toBe(1);
      expect(result.stderr).toMatch(/FFMPEG_PATH: this ffmpeg lacks .*libx264/);
      expect((await check(['--for', 'api'], { FFMPEG_PATH: fake })).code).toBe(0);
    },
    TIMEOUT_MS * 3,
  );
});

describe('compliance settings', () => {
  it('a password given where the name of its secret belongs is refused without printing it', () => {
    const password = 'S3cr3t!pass word';
    let message = '';
    try {
      loadComplianceSettings({
        GOVPUB_SMTP_HOST: 'smtp.example',
        GOVPUB_SMTP_FROM: 'govpub@beilin.gov.cn',
        GOVPUB_SMTP_USER: 'u',
        GOVPUB_SMTP_PASSWORD_SECRET: password,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/GOVPUB_SMTP_PASSWORD_SECRET=<hidden> must name a secret/);
    expect(message).not.toContain(password);
    expect(() => loadComplianceSettings({ GOVPUB_NOTIFY_WEBHOOK_URL: 'https://hooks.example/x', GOVPUB_NOTIFY_WEBHOOK_SECRET: 'hunter2-signing-key' })).toThrow(
      /^(?!.*hunter2).*GOVPUB_NOTIFY_WEBHOOK_SECRET=<hidden> must name a secret/s,
    );
  });
});
