/**
 * 发文字号 as GB/T 9704-2012 writes it (domain/document-number.ts): what a package accepts as it is
 * typed, and the standard form a typed variant is compared by (and named in the refusal).
 */
import { describe, expect, it } from 'vitest';
import { DOCUMENT_NUMBER, standardDocumentNumber } from '../../domain/document-number.js';
import { issueMessageZh } from '../../api/validation.js';
import { loadRegistry } from '../../config/registry.js';
import { parsePackageInput, ValidationError } from '../../services/package-input.js';
import { policyPackage } from '../support/app.js';

describe('document numbers', () => {
  it('takes the standard form and refuses a serial with 虚位, a year before 1949 or after 2099, and brackets of another kind', () => {
    for (const good of ['碑政发〔2026〕3号', '碑政办发〔1949〕12号', '市政发〔2099〕100号']) expect(DOCUMENT_NUMBER.test(good), good).toBe(true);
    for (const bad of [
      '碑政发〔2026〕03号',
      '碑政发〔2026〕0号',
      '碑政发〔0000〕1号',
      '碑政发〔1948〕1号',
      '碑政发〔2100〕1号',
      '碑政发[2026]3号',
      '〔2026〕3号',
    ])
      expect(DOCUMENT_NUMBER.test(bad), bad).toBe(false);
  });

  it('names the standard form of a number typed another way, and nothing for what is no number', () => {
    expect(standardDocumentNumber('碑政发[2026]07号')).toBe('碑政发〔2026〕7号');
    expect(standardDocumentNumber('碑政发（2026）第3号')).toBe('碑政发〔2026〕3号');
    expect(standardDocumentNumber('碑政发〔0000〕0号')).toBeNull();
    expect(standardDocumentNumber('第3号')).toBeNull();
  });

  it('refuses a typed variant in a package by its field, naming the standard form in English and Chinese', async () => {
    const registry = await loadRegistry();
    const body = policyPackage(registry);
    const refusal = (() => {
      try {
        parsePackageInput({ ...body, document: { ...body.document, documentNumber: '碑政发[2026]07号' } }, registry);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    const issue = (refusal as ValidationError).issues.find((i) => i.path === 'document.documentNumber')!;
    expect(issue.message).toBe('"碑政发[2026]07号" is not written as GB/T 9704 writes a document number: write 碑政发〔2026〕7号');
    expect(issueMessageZh(issue.message)).toContain('应写作 碑政发〔2026〕7号');
    expect(() => parsePackageInput(body, registry)).not.toThrow();
  });
});
