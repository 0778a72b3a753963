/**
 * The package body's web addresses (an attachment's url, an interpretation's url) as the OpenAPI
 * document describes them and as the server applies them (domain/web-link.ts after trimming): the
 * documented pattern refuses what the rule refuses, short of what only a URL parser can tell, and
 * refuses nothing the rule accepts.
 */
import { describe, expect, it } from 'vitest';
import { PackageInput, WEB_LINK } from '../../api/schemas.js';
import { check } from '../../api/validation.js';
import { unsafeTextProblem } from '../../domain/text.js';
import { WEB_LINK_MESSAGES, webLinkProblem } from '../../domain/web-link.js';

/** What the schema (as Ajv compiles it for a request body) says about an attachment's and an H5 interpretation's url. */
function schemaRefuses(url: string): boolean {
  const body = {
    title: 't',
    catalogueItem: 'c',
    document: { title: 't', body: 'b', attachments: [{ name: 'a', url }] },
    interpretations: [{ form: 'h5', title: 't', url }],
    targets: ['x'],
  };
  const paths = check(PackageInput, body).map((issue) => issue.path);
  expect(paths.includes('document.attachments[0].url')).toBe(paths.includes('interpretations[0].url'));
  return paths.includes('document.attachments[0].url');
}

/** What the server accepts: the schema's scheme, the text rule, then the web-link rule on the trimmed value. */
function ruleProblem(url: string): string | null {
  if (!/^https?:\/\//.test(url)) return WEB_LINK_MESSAGES.scheme;
  if (unsafeTextProblem(url)) return 'unsafe text';
  return webLinkProblem(url.trim());
}

describe('the documented pattern of a package web address', () => {
  it.each([
    ['http://', WEB_LINK_MESSAGES.noHost],
    ['http:///h5/index.html', WEB_LINK_MESSAGES.noHost],
    ['https://?page=1', WEB_LINK_MESSAGES.noHost],
    ['http://:8080/', WEB_LINK_MESSAGES.noHost],
    ['http://...:80/a', WEB_LINK_MESSAGES.noHost],
    ['https://user@/h5', WEB_LINK_MESSAGES.noHost],
    ['https://user:pw@www.beilin.gov.cn/', WEB_LINK_MESSAGES.credentials],
    ['https://user@www.beilin.gov.cn/h5', WEB_LINK_MESSAGES.credentials],
    ['https://www.beilin.gov.cn/h5 page.html', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/\th5', WEB_LINK_MESSAGES.spaces],
    ['https://www.beilin.gov.cn/h5\u3000page', WEB_LINK_MESSAGES.spaces],
  ])('refuses %j, which the server refuses too', (url, problem) => {
    expect(ruleProblem(url)).toBe(problem);
    expect(schemaRefuses(url)).toBe(true);
  });

  it.each([
    'https://www.beilin.gov.cn/h5/2026/index.html?from=wx#top',
    'http://10.0.0.8:8080/h5',
    'http://[::1]:8080/h5',
    'https://www.beilin.gov.cn/h5/a%20b',
    'https://www.beilin.gov.cn/h5 ',
    'https://www.beilin.gov.cn/h5\u3000',
    'https://www.beilin.gov.cn',
    'http://a.b/?q=@x#@y',
  ])('takes %j, which the server takes', (url) => {
    expect(ruleProblem(url)).toBeNull();
    expect(schemaRefuses(url)).toBe(false);
  });

  it('agrees with the rule on generated addresses: never refusing one it accepts, and letting through only what a URL parser refuses', () => {
    const pieces = ['a', 'b.cn', '.', '..', ':', ':80', '/', '//', '?', '#', '@', '[', ']', '::1', ' ', '\u3000', '\n', '%20', '\\', 'x:y', '-'];
    let seed = 20261205;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 20_000; n++) {
      let url = next() % 2 ? 'https://' : 'http://';
      const count = next() % 6;
      for (let i = 0; i < count; i++) url += pieces[next() % pieces.length];
      const problem = ruleProblem(url);
      const refused = schemaRefuses(url);
      if (problem === null) expect(refused, url).toBe(false);
      else if (!refused) expect(problem, url).toBe(WEB_LINK_MESSAGES.invalid);
    }
  });

  it('is the pattern the schema states, with the rule named in its description', () => {
    const attachment = PackageInput.properties.document.properties.attachments;
    const url = (attachment as unknown as { items: { properties: { url: { pattern: string; description: string } } } }).items.properties.url;
    expect(url.pattern).toBe(WEB_LINK);
    expect(url.description).toMatch(/host/);
    expect(url.description).toMatch(/spaces or control characters/);
  });
});
