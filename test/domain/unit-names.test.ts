/** Units as people type them: by id or full name, and the near misses an error names. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import type { Registry } from '../../domain/registry.js';
import { unitByIdOrName, unitSuggestions } from '../../domain/units.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

describe('unitByIdOrName and unitSuggestions', () => {
  it('finds a unit by its id or its full name, nothing else', () => {
    expect(unitByIdOrName(registry, 'jyj')?.name).toBe('区教育局');
    expect(unitByIdOrName(registry, '区教育局')?.id).toBe('jyj');
    expect(unitByIdOrName(registry, ' 区教育局 ')?.id).toBe('jyj');
    expect(unitByIdOrName(registry, '教育局')).toBeUndefined();
    expect(unitByIdOrName(registry, 'JYJ')).toBeUndefined();
  });

  it('names what a short or differently cased entry probably meant, and nothing for a stranger', () => {
    expect(unitSuggestions(registry, '区政府办')).toEqual(['zfb（区政府办公室）']);
    expect(unitSuggestions(registry, '教育局')).toEqual(['jyj（区教育局）']);
    expect(unitSuggestions(registry, 'JYJ')).toEqual(['jyj（区教育局）']);
    expect(unitSuggestions(registry, '区')).toEqual([]);
    expect(unitSuggestions(registry, '西安市公安局')).toEqual([]);
    expect(unitSuggestions(registry, '')).toEqual([]);
  });
});
