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
