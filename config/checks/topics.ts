/**
 * Checks `topics.yaml`: the 主题分类 taxonomy, two levels (a category and its topics), as the
 * State Council's pages use it (综合政务\政务公开). Names are plain text without the separator,
 * each category once, each topic once within its category.
 */
import type { TopicCategory } from '../../domain/registry.js';
import { readEntries, readListUnder, readString, readStringList, type Shape } from '../yaml-fields.js';
import type { At, FileCheck } from '../yaml-lines.js';

const CATEGORY_SHAPE: Shape = { required: ['name', 'children'] };
const NAME_RULE = { pattern: /^[^\\/\s][^\\/]{0,39}$/, patternHint: 'must be a name of at most 40 characters without "\\" or "/"' };

/** The categories, or `undefined` when any has a problem (all reported). */
export function checkTopics(fc: FileCheck, root: At): TopicCategory[] | undefined {
  const items = readListUnder(fc, root, 'topics', 'the topic taxonomy (主题分类)', 'topic categories');
  if (!items) return undefined;
  if (items.length === 0) {
    fc.issue('topics', 'must list at least one category', root.line);
    return undefined;
  }
  const names = new Map<string, At>();
  const { entries, complete } = readEntries(fc, items, CATEGORY_SHAPE, 'a topic category', (fields): TopicCategory | undefined => {
    const nameAt = fields.get('name');
    const name = readString(fc, nameAt, NAME_RULE);
    let ok = name !== undefined;
    if (name !== undefined && nameAt) {
      const first = names.get(name);
      if (first) {
        fc.issue(nameAt.path, `duplicate category "${name}" (first at line ${first.line ?? '?'})`, nameAt.line);
        ok = false;
      } else names.set(name, nameAt);
    }
    // readStringList reports empty lists and duplicates within the category.
    const children = readStringList(fc, fields.get('children'), 'topics of the category', NAME_RULE);
    if (!ok || !children) return undefined;
    return { name: name!, children };
  });
  return complete ? entries : undefined;
}
