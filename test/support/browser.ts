/**
 * Debian's Chromium through playwright-core, for every browser test (the portal as a reader sees
 * it, the console's journeys). Without Chromium a browser test is skipped on a developer's
 * machine; with CI=true it fails instead (nothing may be skipped in CI): `skipBrowser` is false
 * there and the launch fails with the reason.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM);
/** For describe.skipIf: true only on a machine without Chromium outside CI. */
export const skipBrowser = chromiumMissing && process.env.CI !== 'true';

if (chromiumMissing && process.env.CI === 'true') {
  console.error(`Chromium not found at ${CHROMIUM}; set CHROMIUM_PATH or install Debian's chromium package (.ci/run does).`);
}

/** Headless and quiet: no GPU, no QUIC, no background traffic to Google, no first-run pages. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (chromiumMissing) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH.`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A browser of one person's own: a fresh user-data directory, so cookies and storage never leak
 * between roles (an editor and three reviewers each hold their own session cookie).
 */
export async function launchPersonalBrowser(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (chromiumMissing) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH.`);
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'govpub-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...options });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
