/** Settings from the environment: the addresses govpub puts in links when none is configured. */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../config/settings.js';

describe('the public address without GOVPUB_PUBLIC_URL', () => {
  it('is one this host reaches the API at, whatever HOST listens on', () => {
    const publicUrl = (host: string | undefined) => loadSettings({ PORT: '8080', ...(host === undefined ? {} : { HOST: host }) }).publicBaseUrl;
    expect(publicUrl(undefined)).toBe('http://127.0.0.1:8080');
    expect(publicUrl('0.0.0.0')).toBe('http://127.0.0.1:8080');
    // Every IPv6 address: `http://:::8080` is no URL.
    expect(publicUrl('::')).toBe('http://127.0.0.1:8080');
    expect(publicUrl('::1')).toBe('http://[::1]:8080');
    expect(publicUrl('10.0.0.5')).toBe('http://10.0.0.5:8080');
    expect(loadSettings({ HOST: '::', GOVPUB_PUBLIC_URL: 'https://gov.example.cn' }).publicBaseUrl).toBe('https://gov.example.cn');
  });
});

/** The message loadSettings refuses `env` with, or null when it takes it. */
function refusal(env: Record<string, string>): string | null {
  try {
    loadSettings(env);
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}

describe('GOVPUB_PUBLIC_URL and GOVPUB_PORTAL_URL', () => {
  it('drop a trailing slash, which made every published address https://…//media/…', () => {
    const settings = loadSettings({ GOVPUB_PUBLIC_URL: 'https://www.beilin.gov.cn/', GOVPUB_PORTAL_URL: 'https://www.beilin.gov.cn/portal//' });
    expect(settings.publicBaseUrl).toBe('https://www.beilin.gov.cn');
    expect(settings.portalUrl).toBe('https://www.beilin.gov.cn/portal');
    expect(loadSettings({ GOVPUB_PUBLIC_URL: 'https://www.beilin.gov.cn/' }).portalUrl).toBe('https://www.beilin.gov.cn/portal');
  });

  it('refuse an address without its scheme, or one no link can be built on, naming the variable and an example', () => {
    // Accepted before: every post linked to "www.beilin.gov.cn/portal/…", a path relative to the platform's own page.
    expect(refusal({ GOVPUB_PUBLIC_URL: 'www.beilin.gov.cn' })).toBe(
      'GOVPUB_PUBLIC_URL=www.beilin.gov.cn is not an http(s) address: give the address the public reaches it at, with its scheme, e.g. https://www.beilin.gov.cn. Fix or unset GOVPUB_PUBLIC_URL.',
    );
    expect(refusal({ GOVPUB_PORTAL_URL: 'ftp://www.beilin.gov.cn/portal' })).toMatch(
      /^GOVPUB_PORTAL_URL=ftp:\/\/www\.beilin\.gov\.cn\/portal is not an http\(s\) address: .*e\.g\. https:\/\/www\.beilin\.gov\.cn\/portal\./,
    );
    expect(refusal({ GOVPUB_PUBLIC_URL: 'https://www.beilin.gov.cn/?from=govpub' })).toMatch(/has a query or fragment/);
    const credentials = refusal({ GOVPUB_PUBLIC_URL: 'https://admin:s3cret-pw@www.beilin.gov.cn' });
    expect(credentials).toMatch(/^GOVPUB_PUBLIC_URL carries a user name or password/);
    expect(credentials).not.toContain('s3cret-pw');
    expect(refusal({ GOVPUB_PUBLIC_URL: 'https://www.beilin.gov.cn' })).toBeNull();
  });
});

describe('switches and lists a typo used to disable silently', () => {
  it('GOVPUB_COOKIE_SECURE takes true or false: 1, yes or on left the session cookie without Secure behind HTTPS', async () => {
    for (const value of ['true', 'false', 'TRUE', ' true ']) expect(refusal({ GOVPUB_COOKIE_SECURE: value })).toBeNull();
    expect(refusal({ GOVPUB_COOKIE_SECURE: 'yes' })).toBe(
      'GOVPUB_COOKIE_SECURE=yes must be "true" (the console is served over HTTPS: the session cookie gets Secure) or "false". Fix or unset GOVPUB_COOKIE_SECURE.',
    );
    expect(refusal({ GOVPUB_COOKIE_SECURE: '1' })).toMatch(/^GOVPUB_COOKIE_SECURE=1 must be "true"/);
    const { cookieSecure } = await import('../../api/session-routes.js');
    expect(cookieSecure({ GOVPUB_COOKIE_SECURE: 'TRUE' })).toBe(true);
    expect(cookieSecure({ GOVPUB_COOKIE_SECURE: 'false' })).toBe(false);
  });

  it('GOVPUB_LINK_CHECK_ALLOW takes address:port pairs: a host name never matched the address a link resolves to', () => {
    expect(refusal({ GOVPUB_LINK_CHECK_ALLOW: '127.0.0.1:8080, [::1]:9000' })).toBeNull();
    expect(refusal({ GOVPUB_LINK_CHECK_ALLOW: '127.0.0.1:8080,localhost:9000' })).toBe(
      'GOVPUB_LINK_CHECK_ALLOW: "localhost:9000" is not <IP address>:<port>; write e.g. 127.0.0.1:8080,[::1]:9000 (addresses, not host names: the check compares the address a link resolves to). Fix or unset GOVPUB_LINK_CHECK_ALLOW.',
    );
    expect(refusal({ GOVPUB_LINK_CHECK_ALLOW: '127.0.0.1' })).toMatch(/"127\.0\.0\.1" is not <IP address>:<port>/);
  });
});

describe('ports', () => {
  it('are decimal numbers: 0x50, 1e3, 80.0 and " 80" are refused naming the variable (Number() read them as ports)', () => {
    for (const raw of ['0x50', '1e3', '80.0', ' 80', '80a', '-1', '65536', '０８０']) {
      expect(refusal({ PORT: raw }), raw).toBe(`PORT=${raw} is not a valid port number (0-65535). Fix or unset PORT.`);
    }
    expect(loadSettings({ PORT: '8081' }).apiPort).toBe(8081);
    expect(loadSettings({ GOVPUB_TEMPORAL_PORT: '0' }).temporal.devServerPort).toBe(0);
  });
});

describe('the task queue', () => {
  it('is a plain name: a quote, a space or a control character is refused naming the variable (repair finds workflows by it in a query)', () => {
    expect(loadSettings({}).temporal.taskQueue).toBe('govpub');
    expect(loadSettings({ GOVPUB_TASK_QUEUE: 'beilin.prod:v2/govpub-1' }).temporal.taskQueue).toBe('beilin.prod:v2/govpub-1');
    for (const raw of ["govpub' OR 'x", 'gov pub', 'govpub\u0007', '-govpub', 'x'.repeat(201), '碑林']) {
      expect(refusal({ GOVPUB_TASK_QUEUE: raw }), raw).toMatch(
        /^GOVPUB_TASK_QUEUE=".*" is not a task queue name: use letters, digits and \. _ : \/ - .*Fix or unset GOVPUB_TASK_QUEUE/,
      );
    }
  });
});
