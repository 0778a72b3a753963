/** The web addresses a package may link to (domain/web-link.ts), and what the channels make of the ones an older revision holds. */
import { describe, expect, it } from 'vitest';
import { isHttpUrl } from '../../adapters/text.js';
import { WEB_LINK_MESSAGES, WEB_LINK_MESSAGES_ZH, webLinkProblem } from '../../domain/web-link.js';

describe('webLinkProblem', () => {
  it.each([
    ['http://', WEB_LINK_MESSAGES.noHost],
    ['https://', WEB_LINK_MESSAGES.noHost],
    ['http:///h5/index.html', WEB_LINK_MESSAGES.noHost],
    ['https://?page=1', WEB_LINK_MESSAGES.noHost],
    ['http://:8080/', WEB_LINK_MESSAGES.noHost],
    ['http://.', WEB_LINK_MESSAGES.noHost],
    ['https://www.beilin.gov.cn/h5 page.html', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/\nh5', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/\th5', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/h5\u3000', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/\u0001', WEB_LINK_MESSAGES.spaces],
    ['javascript:alert(1)', WEB_LINK_MESSAGES.scheme],
    ['JavaScript://www.beilin.gov.cn/%0aalert(1)', WEB_LINK_MESSAGES.scheme],
    ['www.beilin.gov.cn/h5', WEB_LINK_MESSAGES.scheme],
    ['http://[::1', WEB_LINK_MESSAGES.invalid],
  ])('refuses %j', (url, problem) => {
    expect(webLinkProblem(url)).toBe(problem);
    expect(isHttpUrl(url)).toBe(false);
    expect(WEB_LINK_MESSAGES_ZH[problem]).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each([
    'https://www.beilin.gov.cn/h5/2026/index.html?from=wx#top',
    'HTTP://WWW.BEILIN.GOV.CN/',
    'http://10.0.0.8:8080/h5',
    'https://www.beilin.gov.cn/h5/a%20b',
  ])('accepts %j', (url) => {
    expect(webLinkProblem(url)).toBeNull();
    expect(isHttpUrl(url)).toBe(true);
  });
});
