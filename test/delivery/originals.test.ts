/**
 * Originals stay private (issue 9, point 4). A phone photo with GPS in its EXIF is uploaded
 * through the API, used as a package's cover and in its text, reviewed and released by a real
 * `govpub start` (its worker, API, portal and local platform simulators) to the portal, two
 * media-center columns, WeChat and Weibo. Then nothing anyone outside govpub can see — the
 * portal as served, what each platform received, the files they link — names the original's
 * SHA-256, every picture they link is a rendition without EXIF/GPS, and the original answers
 * only with a token.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import { loadRegistry } from '../../config/registry.js';
import type { Registry } from '../../domain/registry.js';
import { makePhoto } from '../media/fixtures.js';
import { runCli } from '../support/cli.js';
import { startGovpub, freePort, type RunningGovpub, simulatorPortBase } from '../support/running.js';
import { freshDatabase, uniqueTaskQueue } from '../support/services.js';

let govpub: RunningGovpub;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let registry: Registry;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-originals-'));
const tokens: Record<string, string> = {};
let photoSha = '';
let photoBytes: Buffer;
let packageId = '';

async function call(method: string, route: string, token: string | null, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const init: RequestInit = { method, headers };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${govpub.api}${route}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** What a picture carries beyond pixels: EXIF (GPS is an EXIF IFD) and XMP. */
async function metadataOf(bytes: Buffer) {
  const meta = await sharp(bytes).metadata();
  return { exif: meta.exif !== undefined, xmp: meta.xmp !== undefined, format: meta.format };
}

beforeAll(async () => {
  registry = await loadRegistry();
  database = await freshDatabase();
  const port = await freePort();
  govpub = await startGovpub({
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: database.url,
    // The test run's Temporal server, with a task queue of this file's own.
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: uniqueTaskQueue('govpub-originals'),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    GOVPUB_PUBLIC_URL: '',
    GOVPUB_PORTAL_URL: '',
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_SECRETS_FILE: '',
  });
  const cliEnv = { ...govpub.env };
  for (const [name, role, stages] of [
    ['wang', 'editor', ''],
    ['zhao', 'reviewer', '初审'],
    ['qian', 'reviewer', '复审'],
    ['sun', 'reviewer', '终审'],
  ] as const) {
    const added = await runCli(['users', 'add', name, '--role', role, ...(stages ? ['--stages', stages] : [])], cliEnv);
    expect(added.code, added.stderr).toBe(0);
    tokens[name] = added.stdout.trim().split('\n').at(-1)!;
  }
  const photo = path.join(dataDir, 'phone-photo.jpg');
  await makePhoto(photo, 2000, 1333, { gps: true });
  photoBytes = fs.readFileSync(photo);
  photoSha = createHash('sha256').update(photoBytes).digest('hex');
}, 200_000);

afterAll(async () => {
  await govpub?.stop();
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('originals never leave govpub', () => {
  it('a GPS photo as cover and in-article picture is released to the portal, the media center, WeChat and Weibo', { timeout: 300_000 }, async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photoBytes)]), '现场照片.jpg');
    const uploaded = await call('POST', '/api/media', tokens.wang!, form);
    expect(uploaded.status).toBe(201);
    expect(uploaded.json).toMatchObject({ id: photoSha, probe: { hasGps: true } });

    const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
    const created = await call('POST', '/api/packages', tokens.wang!, {
      title: '关于进一步优化营商环境的若干措施',
      catalogueItem: item.id,
      cover: { mediaId: photoSha, alt: '政务服务大厅' },
      document: {
        title: '碑林区人民政府关于进一步优化营商环境的若干措施',
        body: `<p>为深入贯彻落实优化营商环境决策部署，制定以下措施。</p><p><img src="/api/media/${photoSha}/content" alt="政务服务大厅"></p><p>一、优化政务服务。</p>`,
        issuingUnit: '碑林区人民政府',
        documentNumber: '碑政发〔2026〕3号',
        formedAt: '2026-11-20',
      },
      interpretations: [
        {
          form: 'text',
          title: '《关于进一步优化营商环境的若干措施》政策解读',
          body: `<p>一、出台背景。</p><p><img src="/api/media/${photoSha}/content" alt="图解"></p>`,
        },
      ],
      targets: [`portal:${item.portalColumnId}`, 'news_site:zcjd', 'media_app:zcjd', 'wechat_oa:blfb', 'weibo:blfb-wb'],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    packageId = created.json.id;
    expect((await call('POST', `/api/packages/${packageId}/submit`, tokens.wang!)).status).toBe(200);
    for (const reviewer of ['zhao', 'qian', 'sun']) {
      const decided = await call('POST', `/api/packages/${packageId}/decisions`, tokens[reviewer]!, { revision: 1, decision: 'approve', comment: '同意' });
      expect(decided.status, JSON.stringify(decided.json)).toBe(200);
    }
    let view: any = null;
    const deadline = Date.now() + 240_000;
    do {
      await new Promise((r) => setTimeout(r, 1000));
      view = (await call('GET', `/api/packages/${packageId}`, tokens.wang!)).json;
    } while (view.status !== 'released' && Date.now() < deadline);
    expect({ status: view.status, deliveries: view.deliveries.map((d: any) => `${d.channelId}=${d.state} ${d.errorMessage ?? ''}`) }).toMatchObject({
      status: 'released',
    });
  });

  it('the portal as served: no file names or contains the original hash; every picture it shows is a rendition without EXIF/GPS', async () => {
    const root = path.join(dataDir, 'portal', 'current');
    const served: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue; // never served (.govpub/: the site state)
        const p = path.join(dir, entry.name);
        // A generation's units (art/<b>, col/<id>, …) are symlinks into the web root's store: followed as served.
        if (entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(p).isDirectory())) walk(p, `${rel}${entry.name}/`);
        else served.push(`${rel}${entry.name}`);
      }
    };
    walk(root, '');
    expect(served).toContain(portalPagePaths(packageId, 0).document);
    for (const file of served) {
      expect(file).not.toContain(photoSha);
      expect(fs.readFileSync(path.join(root, file)).includes(photoSha), file).toBe(false);
    }

    const pictures = new Set<string>();
    for (const page of served.filter((f) => f.endsWith('.html'))) {
      const url = new URL(`/portal/${page}`, govpub.api);
      const res = await fetch(url);
      expect(res.status, page).toBe(200);
      const html = await res.text();
      expect(html).not.toContain(photoSha);
      expect(html).not.toContain('/api/media/');
      for (const m of html.matchAll(/\b(?:src|poster)="([^"]+)"|\bsrcset="([^"]+)"/g)) {
        const refs = m[1] ? [m[1]] : m[2]!.split(',').map((s) => s.trim().split(/\s+/)[0]!);
        for (const ref of refs) pictures.add(new URL(ref.replaceAll('&amp;', '&'), url).toString());
      }
    }
    const images = [...pictures].filter((u) => /\.(jpe?g|png|webp)$/.test(u));
    expect(images.length).toBeGreaterThanOrEqual(3); // cover thumbnail, picture variants
    for (const image of images) {
      const res = await fetch(image);
      expect(res.status, image).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).not.toBe(photoSha);
      expect(await metadataOf(bytes), image).toMatchObject({ exif: false, xmp: false });
    }
  });

  it('what each platform received names no original, and every picture it links is a rendition without EXIF/GPS', async () => {
    const urls = govpub.simulatorUrls();
    const linked = new Set<string>();
    const received: Record<string, number> = {};
    for (const kind of ['news_site', 'media_app', 'wechat_oa', 'weibo'] as const) {
      const text = await (await fetch(`${urls[kind]}/__sim/publications`)).text();
      const publications = (JSON.parse(text) as { publications: { url?: string; body?: string }[] }).publications;
      received[kind] = publications.length;
      expect(text, kind).not.toContain(photoSha);
      expect(text, kind).not.toContain('/api/media/');
      for (const m of text.matchAll(/https?:\/\/[^"'\s\\<>]+/g)) {
        if (/\.(jpe?g|png|webp)$/.test(m[0]) || m[0].startsWith(`${govpub.api}/media/`)) linked.add(m[0]);
      }
      // The articles as the platform shows them to readers.
      for (const p of publications.filter((p) => p.url)) {
        const page = await fetch(p.url!);
        if (page.status === 200) expect(await page.text(), p.url).not.toContain(photoSha);
      }
    }
    expect(received).toMatchObject({ news_site: 2, media_app: 2, wechat_oa: 1, weibo: 1 });
    // The media center fetches govpub's public renditions: cover and in-article pictures.
    const fromGovpub = [...linked].filter((u) => u.startsWith(`${govpub.api}/media/`));
    expect(fromGovpub.length).toBeGreaterThanOrEqual(2);
    for (const u of fromGovpub) expect(u).toMatch(/\/media\/[0-9a-f]{64}\.(jpg|png|webp)$/);
    expect(linked.size).toBeGreaterThanOrEqual(4);
    for (const u of linked) {
      const res = await fetch(u);
      expect(res.status, u).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex'), u).not.toBe(photoSha);
      expect(await metadataOf(bytes), u).toMatchObject({ exif: false, xmp: false });
    }
  });

  it('the original answers only with a token; the public rendition route cannot be led to it', async () => {
    const anonymous = await fetch(`${govpub.api}/api/media/${photoSha}/content`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('cache-control') ?? '').not.toContain('public');
    expect((await fetch(`${govpub.api}/api/media/${photoSha}/renditions/news_site.cover`)).status).toBe(401);

    const withToken = await fetch(`${govpub.api}/api/media/${photoSha}/content`, { headers: { authorization: `Bearer ${tokens.wang}` } });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('cache-control')).toMatch(/^private\b/);
    const original = Buffer.from(await withToken.arrayBuffer());
    expect(createHash('sha256').update(original).digest('hex')).toBe(photoSha);
    expect(await metadataOf(original)).toMatchObject({ exif: true }); // the original keeps its GPS: it is what must stay inside

    // A published rendition (positive control) is public; nothing else under /media/ is.
    const text = await (await fetch(`${govpub.simulatorUrls().news_site}/__sim/publications`)).text();
    const published = new RegExp(`${govpub.api.replace(/[.:/]/g, '\\$&')}/media/([0-9a-f]{64})\\.jpg`).exec(text)!;
    expect((await fetch(published[0])).status).toBe(200);
    const probes: [string, number][] = [
      [`/media/${photoSha}.jpg`, 404],
      [`/media/${photoSha}`, 404],
      [`/media/${photoSha}/news_site.cover`, 404],
      [`/media/${photoSha}/original`, 404],
      [`/media/${photoSha}/..%2F..%2F${photoSha}`, 404],
      [`/media/..%2F${photoSha}.jpg`, 404],
      [`/media/${published[1]}.png`, 404],
      [`/media/${published[1]}.jpg%00`, 404],
      [`/media/${'0'.repeat(64)}.jpg`, 404],
      // Dot segments are resolved before the request leaves: this is /api/media/<sha>/content, behind the token.
      [`/media/%2e%2e/api/media/${photoSha}/content`, 401],
    ];
    for (const [probe, status] of probes) {
      const res = await fetch(`${govpub.api}${probe}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect({ probe, status: res.status, original: createHash('sha256').update(bytes).digest('hex') === photoSha }).toEqual({
        probe,
        status,
        original: false,
      });
    }
  });
});
