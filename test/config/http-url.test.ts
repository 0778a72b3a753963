/** One check for http(s) addresses in settings and options (config/http-url.ts), phrased by each caller. */
import { describe, expect, it } from 'vitest';
import { loadComplianceSettings } from '../../config/compliance-settings.js';
import { httpUrlProblem } from '../../config/http-url.js';

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
    expect(withPassword).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL.*must not carry a user or password/);
    expect(withPassword).not.toContain('s3cret-pw');
    const withNewline = refused('https://hooks.example.gov.cn/\nsecret-tail');
    expect(withNewline).toMatch(/GOVPUB_NOTIFY_WEBHOOK_URL.*control character/);
    expect(withNewline).not.toContain('secret-tail');
  });
});
