/**
 * Checks the external links of a package before review (a dead link is a warning), without
 * letting a body make govpub fetch an internal address (SSRF):
 *
 *   - only http and https, no user name or password in the URL;
 *   - the host is resolved and every address must be public unicast (ipaddr.js ranges): private,
 *     loopback, link-local, multicast, CGNAT, reserved, IPv4-mapped / NAT64 / 6to4 / Teredo
 *     embeddings and the like are refused;
 *   - the connection goes to the address that was checked (the request's `lookup` returns it), so
 *     a second DNS answer cannot move it (DNS rebinding);
 *   - HEAD first, GET when HEAD is refused (405/501/403), a short timeout, at most MAX_REDIRECTS
 *     redirects, each hop checked as the first;
 *   - GOVPUB_LINK_CHECK_ALLOW (`127.0.0.1:8080,[::1]:9000`) lets named address:port pairs through
 *     (tests use loopback servers).
 * Results are cached for a short time (CACHE_MS), so an editor's repeated preflights cost nothing.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export type LinkVerdict = { state: 'alive'; status: number } | { state: 'dead' | 'refused'; reason: string; reasonEn: string };

export interface LinkCheckOptions {
  timeoutMs?: number;
  maxRedirects?: number;
  /** `address:port` pairs allowed even when not public (tests' loopback servers). */
  allow?: readonly string[];
  cacheMs?: number;
}

export const MAX_REDIRECTS = 3;
export const TIMEOUT_MS = 5_000;
export const CACHE_MS = 10 * 60_000;

/** GOVPUB_LINK_CHECK_ALLOW as a list of `address:port` pairs. */
export function allowListFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.GOVPUB_LINK_CHECK_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Why an address may not be fetched, or null when it is public unicast. */
export function addressProblem(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  // process() turns an IPv4-mapped IPv6 address into the IPv4 address it carries.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}

const refused = (reason: string, reasonEn: string): Exclude<LinkVerdict, { state: 'alive' }> => ({ state: 'refused', reason, reasonEn });
const dead = (reason: string, reasonEn: string): Exclude<LinkVerdict, { state: 'alive' }> => ({ state: 'dead', reason, reasonEn });

/** What can be said of a URL without the network: the scheme and credentials. */
export function staticLinkProblem(raw: string): LinkVerdict | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused('链接地址格式不正确', 'the URL cannot be parsed');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refused(
      `不支持 ${url.protocol.replace(':', '')} 协议的链接，只能链接 http 或 https 网址`,
      `only http and https links are checked, not ${url.protocol}`,
    );
  if (url.username || url.password) return refused('链接中含有用户名或密码，公开页面不能带账号信息', 'the URL carries a user name or password');
  return null;
}

export class LinkChecker {
  private readonly cache = new Map<string, { verdict: LinkVerdict; at: number }>();
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly allow: Set<string>;
  private readonly cacheMs: number;

  constructor(options: LinkCheckOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
    this.allow = new Set((options.allow ?? allowListFromEnv()).map((s) => s.toLowerCase()));
    this.cacheMs = options.cacheMs ?? CACHE_MS;
  }

  /** The cached verdict of a URL, if it is fresh (the unsaved-body preflight uses only this). */
  cached(url: string): LinkVerdict | undefined {
    const hit = this.cache.get(url);
    if (!hit) return undefined;
    if (Date.now() - hit.at > this.cacheMs) {
      this.cache.delete(url);
      return undefined;
    }
    return hit.verdict;
  }

  async check(url: string): Promise<LinkVerdict> {
    const known = this.cached(url);
    if (known) return known;
    const verdict = await this.follow(url);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(url, { verdict, at: Date.now() });
    return verdict;
  }

  private async follow(start: string): Promise<LinkVerdict> {
    let current = start;
    for (let hop = 0; hop <= this.maxRedirects; hop += 1) {
      const problem = staticLinkProblem(current);
      if (problem)
        return hop === 0
          ? problem
          : refused(
              `链接跳转到了不能访问的地址：${problem.state === 'refused' ? problem.reason : ''}`,
              `a redirect goes to ${current}: ${problem.state === 'refused' ? problem.reasonEn : ''}`,
            );
      const url = new URL(current);
      const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
      const target = await this.resolve(url.hostname.replace(/^\[|\]$/g, ''), port);
      if ('state' in target) {
        if (hop === 0 || target.state !== 'refused') return target;
        return refused(`链接跳转到了内部地址（${target.reason}）`, `a redirect goes to ${current}: ${target.reasonEn}`);
      }
      let response = await this.request(url, target, 'HEAD');
      if ('status' in response && [403, 405, 501].includes(response.status)) response = await this.request(url, target, 'GET');
      if ('state' in response) return response;
      const { status, location } = response;
      if (status >= 300 && status < 400 && location) {
        current = new URL(location, url).toString();
        continue;
      }
      if (status >= 200 && status < 400) return { state: 'alive', status };
      return dead(`访问返回 HTTP ${status}`, `it answers HTTP ${status}`);
    }
    return dead(`跳转超过 ${this.maxRedirects} 次`, `more than ${this.maxRedirects} redirects`);
  }

  /** The address to connect to, after checking every address the name resolves to. */
  private async resolve(host: string, port: number): Promise<{ address: string; family: 4 | 6 } | Exclude<LinkVerdict, { state: 'alive' }>> {
    let addresses: { address: string; family: number }[];
    if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
    else {
      try {
        addresses = await dnsLookup(host, { all: true, verbatim: true });
      } catch {
        return dead(`域名 ${host} 无法解析`, `the host name ${host} does not resolve`);
      }
    }
    if (addresses.length === 0) return dead(`域名 ${host} 无法解析`, `the host name ${host} does not resolve`);
    for (const a of addresses) {
      if (this.allow.has(endpoint(a.address, port).toLowerCase())) continue;
      const problem = addressProblem(a.address);
      if (problem)
        return refused(`链接指向内部或保留网络地址（${a.address}），系统不会访问`, `${host} resolves to ${problem}: govpub does not fetch internal addresses`);
    }
    const first = addresses[0]!;
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  private request(
    url: URL,
    target: { address: string; family: 4 | 6 },
    method: 'HEAD' | 'GET',
  ): Promise<{ status: number; location?: string } | Exclude<LinkVerdict, { state: 'alive' }>> {
    // Connect to the checked address whatever the name resolves to now.
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const request = client.request(
        url,
        { method, lookup, timeout: this.timeoutMs, headers: { 'user-agent': 'govpub-link-check/1', accept: '*/*' }, agent: false },
        (response) => {
          const location = response.headers.location;
          response.destroy();
          resolve({ status: response.statusCode ?? 0, ...(typeof location === 'string' ? { location } : {}) });
        },
      );
      const timer = setTimeout(() => request.destroy(new Error('timeout')), this.timeoutMs);
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => {
        const timedOut = error.message === 'timeout';
        resolve(
          timedOut
            ? dead(`${this.timeoutMs / 1000} 秒内没有响应`, `no answer within ${this.timeoutMs / 1000} s`)
            : dead(
                `无法连接（${(error as NodeJS.ErrnoException).code ?? error.message}）`,
                `it cannot be reached (${(error as NodeJS.ErrnoException).code ?? error.message})`,
              ),
        );
      });
      request.on('close', () => clearTimeout(timer));
      request.end();
    });
  }
}
