/**
 * The CLI's API client sends its bearer token only to the API it was pointed at: a file address in
 * an answer (a hand-off bundle's renditions) that names another origin is refused before any request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client.js';
import { GovpubError } from '../../domain/errors.js';

const seen: { server: string; authorization: string | undefined; url: string | undefined }[] = [];
let api: http.Server;
let elsewhere: http.Server;
const address = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function listening(name: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    seen.push({ server: name, authorization: request.headers.authorization, url: request.url });
    response.writeHead(200, { 'content-type': 'image/jpeg' });
    response.end(Buffer.from('jpeg bytes'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  api = await listening('api');
  elsewhere = await listening('elsewhere');
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await new Promise((resolve) => elsewhere.close(resolve));
});

describe('ApiClient.download', () => {
  it('fetches a route of its API with the token', async () => {
    const client = new ApiClient(address(api), 'gp_secret-token');
    const got = await client.download('/api/media/abc/renditions/weibo.image');
    expect(got).toEqual({ bytes: Buffer.from('jpeg bytes'), mime: 'image/jpeg' });
    expect(seen.at(-1)).toEqual({ server: 'api', authorization: 'Bearer gp_secret-token', url: '/api/media/abc/renditions/weibo.image' });
  });

  it('refuses an address on another origin without sending it anything', async () => {
    const client = new ApiClient(address(api), 'gp_secret-token');
    const before = seen.length;
    for (const url of [`${address(elsewhere)}/steal`, `//127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`]) {
      const refused = await client.download(url).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GovpubError);
      expect((refused as GovpubError).code).toBe('api_unexpected');
      expect((refused as GovpubError).message).toMatch(/not at itself .*the token was not sent there/);
      expect((refused as GovpubError).message).not.toContain('gp_secret-token');
    }
    expect(seen.slice(before)).toEqual([]);
  });
});
