/** What the console journeys share: a package body a script would post, keyboard moves, waiting on what a person sees. */
import type { Locator, Page } from 'playwright-core';
import type { ConsoleSystem, ConsoleUser } from './harness.js';

export interface CatalogueItem {
  id: string;
  name?: string;
  title?: string;
  requiresInterpretation: boolean;
  portalColumnId: string;
  contentClass: string;
}

export async function policyItem(system: ConsoleSystem, user: ConsoleUser): Promise<CatalogueItem> {
  const { items } = await system.api<{ items: CatalogueItem[] }>(user, 'GET', '/api/catalogue');
  const item = items.find((i) => i.requiresInterpretation && i.contentClass === 'policy') ?? items.find((i) => i.requiresInterpretation);
  if (!item) throw new Error('The catalogue has no item that requires an interpretation.');
  return item;
}

/** A policy package as a script posts it: document, text interpretation, the catalogue item's portal column. */
export async function policyBody(system: ConsoleSystem, user: ConsoleUser, title = '关于进一步优化营商环境的若干措施'): Promise<Record<string, unknown>> {
  const item = await policyItem(system, user);
  return {
    title,
    catalogueItem: item.id,
    document: {
      title: `碑林区人民政府${title}`,
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。</p>',
      issuingUnit: '西安市碑林区人民政府',
      documentNumber: '碑政发〔2026〕9号',
      formedAt: '2026-11-20',
    },
    interpretations: [{ form: 'text', title: `《${title}》政策解读`, body: '<p>一、出台背景……</p><p>二、主要内容……</p>' }],
    targets: [`portal:${item.portalColumnId}`],
  };
}

/** True when the element the locator finds has the keyboard focus (or holds it inside). */
async function focused(locator: Locator): Promise<boolean> {
  return locator
    .first()
    .evaluate((el) => {
      // The test project compiles without the DOM library: the few members used, typed here.
      const node = el as unknown as { ownerDocument: { activeElement: unknown }; contains(other: unknown): boolean };
      const active = node.ownerDocument.activeElement;
      return active === node || node.contains(active);
    })
    .catch(() => false);
}

/**
 * Presses Tab (forwards) until the element has the focus: how a keyboard user reaches it. Fails
 * after `limit` presses, naming what had the focus, so an unreachable action is a clear failure.
 */
export async function tabUntil(page: Page, target: string | Locator, limit = 80): Promise<void> {
  const locator = typeof target === 'string' ? page.locator(target) : target;
  await locator.first().waitFor({ state: 'attached', timeout: 20_000 });
  for (let i = 0; i < limit; i++) {
    if (await focused(locator)) return;
    await page.keyboard.press('Tab');
  }
  const active = await page.evaluate('document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "(nothing)"');
  throw new Error(`${String(target)} was not reached with ${limit} Tab presses; the focus is on ${String(active)}`);
}
