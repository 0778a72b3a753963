import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.js';
import { loadPlatformConfigs } from '../../config/platforms.js';
import { ROOT_DIR } from '../../config/settings.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function configDir(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'govpub-platforms-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'registry'));
  writeFileSync(path.join(dir, 'registry', 'platforms.yaml'), yaml);
  return dir;
}

/** The problem a platforms.yaml is refused with. */
function problemOf(yaml: string): string {
  try {
    loadPlatformConfigs(configDir(yaml), { env: {} });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('platforms.yaml: confirmFirstPollSec', () => {
  it('asks asynchronous platforms after half a second unless a platform says otherwise (the quota-bound media center later)', () => {
    const configs = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
    expect(configs.wechat_oa.confirmFirstPollSec).toBe(0.5);
    expect(configs.douyin.confirmFirstPollSec).toBe(0.5);
    expect(configs.news_site.confirmFirstPollSec).toBe(2);
    expect(configs.media_app.confirmFirstPollSec).toBe(2);
  });

  it('refuses a value that is not a positive number, naming the file, line and key', () => {
    const dir = configDir('platforms:\n  wechat_oa:\n    confirmFirstPollSec: soon\n');
    let error: unknown;
    try {
      loadPlatformConfigs(dir, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/platforms\.yaml:3.*platforms\.wechat_oa\.confirmFirstPollSec: expected a positive number, got "soon"/);
  });
});

describe('platforms.yaml: baseUrl', () => {
  it('refuses a URL carrying a user name and password without printing them, in the file and in GOVPUB_<PLATFORM>_BASE_URL', () => {
    const password = 'S3cretPass';
    const inFile = problemOf(`platforms:\n  weibo:\n    baseUrl: https://app:${password}@api.weibo.com\n`);
    expect(inFile).toMatch(/platforms\.yaml:3: platforms\.weibo\.baseUrl: the URL carries a user name or password \(not shown here\)/);
    expect(inFile).not.toContain(password);
    for (const value of [`https://app:${password}@api.weibo.com`, `https://app:${password}@api.weibo.com/ x`]) {
      let message = '';
      try {
        loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: { GOVPUB_WEIBO_BASE_URL: value } });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as ConfigError).message;
      }
      expect(message).toContain('environment GOVPUB_WEIBO_BASE_URL');
      expect(message).not.toContain(password);
    }
    expect(problemOf('platforms:\n  weibo:\n    baseUrl: ftp://api.weibo.com\n')).toMatch(/baseUrl: expected an http\(s\) URL, got "ftp:\/\/api\.weibo\.com"/);
  });
});

describe('platforms.yaml: statusSweepSec', () => {
  it('the media center sweeps its status queries every second; other platforms do not sweep', () => {
    const configs = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
    expect([configs.news_site.statusSweepSec, configs.media_app.statusSweepSec]).toEqual([1, 1]);
    expect(configs.wechat_oa.statusSweepSec).toBeUndefined();
  });

  it('0 turns the sweep off (a server without the batch read)', () => {
    const configs = loadPlatformConfigs(configDir('platforms:\n  news_site:\n    statusSweepSec: 0\n'), { env: {} });
    expect(configs.news_site.statusSweepSec).toBeUndefined();
  });

  it('refuses it on a platform whose API cannot sweep, and a value that is not a number of seconds, with file and line', () => {
    expect(problemOf('platforms:\n  wechat_oa:\n    statusSweepSec: 1\n')).toMatch(
      /platforms\.yaml:3.*platforms\.wechat_oa\.statusSweepSec: wechat_oa cannot sweep its status queries .* Platforms that can: news_site, media_app/,
    );
    expect(problemOf('platforms:\n  media_app:\n    statusSweepSec: -1\n')).toMatch(
      /platforms\.yaml:3.*platforms\.media_app\.statusSweepSec: expected a number of seconds \(0 turns the sweep off\), got -1/,
    );
  });
});

describe("platforms.yaml: WeChat's pushed results (eventToken, pushWaitSec)", () => {
  it('names the Token as a secret and waits up to 5 s for the push before the first query', () => {
    const configs = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
    expect(configs.wechat_oa.credentials.eventToken).toEqual({ secret: 'WECHAT_OA_EVENT_TOKEN' });
    expect(configs.wechat_oa.pushWaitSec).toBe(5);
    expect(configs.weibo.pushWaitSec).toBeUndefined();
  });

  it('refuses a Token written into the file, and a wait that is not a positive number', () => {
    expect(problemOf('platforms:\n  wechat_oa:\n    credentials:\n      eventToken: abc123\n')).toMatch(
      /platforms\.yaml:4.*platforms\.wechat_oa\.credentials\.eventToken: "eventToken" is a secret: name it as \{ secret: NAME \}/,
    );
    expect(problemOf('platforms:\n  wechat_oa:\n    pushWaitSec: -1\n')).toMatch(/platforms\.yaml:3.*pushWaitSec: expected a positive number, got -1/);
  });
});

describe('platforms.yaml: syntax', () => {
  it('a tab or a key given twice is named with its line and what to do, as in the registry files', () => {
    // They said "YAML syntax error (TAB_AS_INDENT)": the parser's code, not what to change.
    expect(problemOf('platforms:\n  wechat_oa:\n\tconcurrency: 4\n')).toMatch(
      /platforms\.yaml:3: YAML syntax error: .* \(column 1; indent with spaces, not tabs\)/,
    );
    expect(problemOf('platforms:\n  weibo:\n    concurrency: 4\n    concurrency: 2\n')).toMatch(
      /platforms\.yaml:4: YAML syntax error: Map keys must be unique \(column 5; each key may appear only once per entry\)/,
    );
  });
});

describe('platforms.yaml: postHosts (where the posts confirmed by hand may be)', () => {
  it('takes a list of host names, lower-cased; none set leaves the declared hosts', () => {
    const configs = loadPlatformConfigs(configDir('platforms:\n  media_app:\n    postHosts: [App.Beilin.example.cn, m.xiancn.com.]\n'), { env: {} });
    expect(configs.media_app.postHosts).toEqual(['app.beilin.example.cn', 'm.xiancn.com']);
    expect(configs.weibo.postHosts).toBeUndefined();
  });

  it('refuses an address, a wildcard, an empty list, a control character and what is no host name, with file, line and item', () => {
    expect(problemOf('platforms:\n  media_app:\n    postHosts:\n      - https://app.beilin.example.cn/a/\n')).toMatch(
      /platforms\.yaml:4.*platforms\.media_app\.postHosts\.0: expected the host name alone \(www\.example\.cn\), not an address: got "https:\/\/app\.beilin\.example\.cn\/a\/"/,
    );
    expect(problemOf('platforms:\n  weibo:\n    postHosts: ["*"]\n')).toMatch(
      /platforms\.weibo\.postHosts\.0: expected a host name such as www\.xiancn\.com, got "\*"/,
    );
    expect(problemOf('platforms:\n  weibo:\n    postHosts: []\n')).toMatch(/platforms\.yaml:3.*platforms\.weibo\.postHosts: expected a list of host names/);
    expect(problemOf('platforms:\n  weibo:\n    postHosts: weibo.com\n')).toMatch(
      /platforms\.weibo\.postHosts: expected a list of host names such as \[www\.xiancn\.com\], got "weibo\.com"/,
    );
    expect(problemOf('platforms:\n  weibo:\n    postHosts: ["weibo.com\\nevil.example"]\n')).toMatch(
      /platforms\.weibo\.postHosts\.0: expected a host name, but the value holds a control character/,
    );
    expect(problemOf('platforms:\n  weibo:\n    postHosts: [localhost, 12]\n')).toMatch(
      /postHosts\.0: expected a host name such as www\.xiancn\.com, got "localhost"[\s\S]*postHosts\.1: expected a host name such as www\.xiancn\.com, got 12/,
    );
  });
});
