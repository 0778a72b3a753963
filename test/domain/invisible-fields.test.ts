/**
 * Optional one-line fields and 主题词 that show nothing: a value of zero-width spaces (a paste's
 * leftover) was stored where a value of spaces is left out, and every page showed an empty
 * 解读人, 发文机关 or 主题词. Such a value is refused with its path, as it is in a required field.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import type { Registry } from '../../domain/registry.js';
import { packageInputIssues, parsePackageInput, type FieldIssue } from '../../services/package-input.js';
import { policyPackage } from '../support/app.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

/** The body's field issues; it must be refused. */
function issuesOf(body: unknown): FieldIssue[] {
  const issues = packageInputIssues(body, registry);
  expect(issues, 'expected the body to be refused').not.toEqual([]);
  return issues;
}

const base = () => policyPackage(registry) as Record<string, any>;
const INVISIBLE = '\u200b\u200d\ufeff';

describe('a field that shows nothing', () => {
  it('an optional one-line field of invisible characters is refused by path (an interpretation text’s 解读人)', () => {
    const body = base();
    body.interpretations[0].interpreter = INVISIBLE;
    expect(issuesOf(body)).toEqual([{ path: 'interpretations[0].interpreter', message: expect.stringMatching(/only invisible characters/) }]);
  });

  it('a 主题词 of invisible characters is refused; one that differs from another only by a joiner is listed twice; a zero-width space inside is named', () => {
    const body = base();
    body.document.keywords = ['政务公开', INVISIBLE, '政务\u200d公开', '政务\u200b公开'];
    expect(issuesOf(body)).toEqual([
      { path: 'document.keywords[1]', message: expect.stringMatching(/only invisible characters/) },
      { path: 'document.keywords[2]', message: expect.stringMatching(/listed twice/) },
      { path: 'document.keywords[3]', message: expect.stringMatching(/^contains an invisible zero-width space \(\\u200b\) at position 3/) },
    ]);
  });

  it('spaces alone in an optional field are still left out, as before', () => {
    const body = base();
    body.interpretations[0].interpreter = '   ';
    const { content } = parsePackageInput(body, registry);
    expect(content.interpretations[0]).not.toHaveProperty('interpreter');
  });
});
