/**
 * The console's usual cast for a browser test: govpub on a fresh database, a browser, and users named
 * `<prefix>-…`: an editor, a reviewer at each of the three stages and an operator (`extra` adds more).
 */
import type { Browser } from 'playwright-core';
import { inject } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { startConsoleSystem, type ConsoleSystem, type ConsoleUser, type Role } from './harness.js';

export interface ConsoleDesk {
  system: ConsoleSystem;
  browser: Browser;
  users: Record<'editor' | 'first' | 'second' | 'final' | 'ops', ConsoleUser> & Record<string, ConsoleUser>;
  close(): Promise<void>;
}

export async function openConsoleDesk(prefix: string, extra: Record<string, Role> = {}): Promise<ConsoleDesk> {
  const database = await freshDatabase();
  let system: ConsoleSystem | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await system?.stop();
    await database.close();
  };
  try {
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    const running = system;
    const [editor, first, second, final, ops, ...more] = await Promise.all([
      running.addUser(`${prefix}-editor`, 'editor'),
      running.addUser(`${prefix}-first`, 'reviewer', { stages: ['初审'] }),
      running.addUser(`${prefix}-second`, 'reviewer', { stages: ['复审'] }),
      running.addUser(`${prefix}-final`, 'reviewer', { stages: ['终审'] }),
      running.addUser(`${prefix}-ops`, 'ops'),
      ...Object.entries(extra).map(([name, role]) => running.addUser(`${prefix}-${name}`, role)),
    ]);
    const users = { editor: editor!, first: first!, second: second!, final: final!, ops: ops! } as ConsoleDesk['users'];
    Object.keys(extra).forEach((name, i) => (users[name] = more[i]!));
    return { system, browser, users, close };
  } catch (error) {
    // Whatever started is stopped: the test's afterAll has no desk to close.
    await close().catch(() => {});
    throw error;
  }
}

/** Adds a fault rule at one of the system's platform simulators (`POST /__sim/faults`); throws if the simulator refuses it. */
export async function addSimulatorFault(system: ConsoleSystem, simulator: string, rule: Record<string, unknown>): Promise<void> {
  const answer = await fetch(`${system.govpub.simulatorUrls()[simulator]!}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  if (answer.status !== 200) throw new Error(`the ${simulator} simulator refused the fault ${JSON.stringify(rule)}: ${answer.status} ${await answer.text()}`);
}
