/** One check for http(s) addresses in settings and options (config/http-url.ts), phrased by each caller. */
import { describe, expect, it } from 'vitest';
import { loadComplianceSettings } from '../../config/compliance-settings.js';
import { httpUrlProblem } from '../../config/http-url.js';
import { loadSettings } from '../../config/settings.js';

describe('http(s) addresses', () => {
  it('names what is wrong with each bad address', () => {
    expect(httpUrlProblem('http://127.0.0.1:8080')).toBeNull();
    expect(httpUrlProblem('https://hooks.example.gov.cn/notify?unit=jyj')).toBeNull();
    // The URL parser would drop the newline and the tab silently.
    expect(httpUrlProblem('http://127.0.0.1:80\n80')).toBe('control_character');
    expect(httpUrlProblem('http://example.gov.cn/\thook')).toBe('control_character');
    expect(httpUrlProblem('wechat-token-123')).toBe('not_a_url');
    expect(httpUrlProblem('ftp://example.gov.cn/')).toBe('not_http');
    expect(httpUrlProblem('https://admin:pw@example.gov.cn/')).toBe('carries_credentials');
  });

  it('refuses a bad webhook setting by name, and never prints a password or a garbled value back', () => {
    const refused = (url: string) => {
      try {
        loadComplianceSettings({ GOVPUB_NOTIFY_WEBHOOK_URL: url, GOVPUB_NOTIFY_WEBHOOK_SECRET: 'HOOK_KEY' });
      } catch (error) {
        return (error as Error).message;
      }
      return null;
    };
    expect(refused('https://hooks.example.gov.cn/notify')).toBeNull();
    expect(refused('not a url')).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL.*is not a URL/);
    const withPassword = refused('https://admin:s3cret-pw@hooks.example.gov.cn/');
    expect(withPassword).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL.*must not carry a user name or password/);
    expect(withPassword).not.toContain('s3cret-pw');
    const withNewline = refused('https://hooks.example.gov.cn/\nsecret-tail');
    expect(withNewline).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL.*control character/);
    expect(withNewline).not.toContain('secret-tail');
    // A password in what is no URL at all (a space in the host) is hidden too, in every URL setting.
    const broken = refused('http://u:hunter2secret@x y');
    expect(broken).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL=http:\/\/<hidden>@x y is not a URL/);
    for (const [name, load] of [
      ['GOVPUB_PROBE_URLS', () => loadComplianceSettings({ GOVPUB_PROBE_URLS: 'http://u:hunter2secret@x y' })],
      ['GOVPUB_PUBLIC_URL', () => loadSettings({ GOVPUB_PUBLIC_URL: 'http://u:hunter2secret@x y' })],
    ] as const) {
      expect(load, name).toThrow(new RegExp(`${name}=http://<hidden>@x y`));
      try {
        load();
      } catch (error) {
        expect((error as Error).message, name).not.toContain('hunter2');
      }
    }
  });
});
