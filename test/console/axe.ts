/**
 * axe-core in the page as it is: injected through the DevTools protocol (page.evaluate), not a
 * script tag, so the console's CSP (script-src 'self') stays on and is tested with it. Serious and
 * critical violations fail the console (the portal: every violation, axeViolations); each is printed with its rule id, the elements and the help text.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Every page checked so far in this process, with what it found: the test prints the tally. */
export const checkedPages: { name: string; violations: number; url: string }[] = [];

/** `include`: CSS selectors of the parts to check (default the whole document). */
export async function seriousViolations(page: Page, include?: string[]): Promise<AxeViolation[]> {
  return (await axeViolations(page, include)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Every violation of the WCAG 2.0/2.1 A and AA rules and axe's best practices, whatever its impact (the public portal is held to all of them). */
export async function axeViolations(page: Page, include?: string[]): Promise<AxeViolation[]> {
  // Element Plus fades tags and dialogs in: colours measured mid-transition are not the page's own.
  await page.waitForFunction('document.getAnimations().every((a) => a.playState !== "running")', undefined, { timeout: 5000, polling: 100 }).catch(() => {});
  const loaded = await page.evaluate('typeof axe !== "undefined"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  // A string: the test project compiles without the DOM library.
  const violations = (await page.evaluate(`axe.run(${include ? JSON.stringify({ include: include.map((selector) => [selector]) }) : 'document'}, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  return violations;
}

export function describeViolations(name: string, violations: AxeViolation[]): string {
  return [
    `${name}: ${violations.length} accessibility violation(s)`,
    ...violations.map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes
          .slice(0, 8)
          .map((n) => `      ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`)
          .join('\n')}`,
    ),
  ].join('\n');
}

/** Runs axe on the page and throws, with the list, when anything serious or critical is found. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  let violations = await seriousViolations(page);
  // A live update can start a fade between the wait and axe's measurement: a real violation is
  // still there a moment later, a colour caught mid-transition is not.
  if (violations.length > 0) {
    await page.waitForTimeout(600);
    violations = await seriousViolations(page);
  }
  checkedPages.push({ name, violations: violations.length, url: page.url() });
  if (violations.length > 0) throw new Error(describeViolations(name, violations));
}
