/** Checks `catalogue.yaml`: the disclosure catalogue items, each pointing at a portal column and a reviewed content class. */
import { DISCLOSURE_ATTRIBUTES, POLICY_CONTENT_CLASS, type CatalogueItem, type DisclosureAttribute } from '../../domain/registry.js';
import { didYouMean } from '../did-you-mean.js';
import { IdSet, readSlug } from '../registry-ids.js';
import { readBool, readEntries, readEnum, readListUnder, readString, readStringList, type Shape } from '../yaml-fields.js';
import { join, type At, type FileCheck } from '../yaml-lines.js';

const ITEM_TEXT_FIELDS = [
  'category',
  'name',
  'content',
  'basis',
  'subject',
  'responsibleDepartment',
  'responsibleSection',
  'timeLimit',
  'audience',
  'method',
] as const;

const ITEM_SHAPE: Shape = {
  required: ['id', ...ITEM_TEXT_FIELDS, 'channels', 'attribute', 'portalColumnId', 'contentClass'],
  optional: ['requiresInterpretation', 'normative'],
};

export interface CatalogueContext {
  /** Portal column ids, or `undefined` when the portal file could not be read. */
  portalIds: Set<string> | undefined;
  /** Portal columns with sub-columns (an item goes into a sub-column, never into one of these). */
  parentColumnIds?: Set<string>;
  /** Content classes, or `undefined` when the review file could not be read. */
  classes: Set<string> | undefined;
  portalFile: string;
  reviewFile: string;
}

/** The items, or `undefined` when any has a problem (all reported). */
export function checkCatalogue(fc: FileCheck, root: At, ctx: CatalogueContext): CatalogueItem[] | undefined {
  const items = readListUnder(fc, root, 'items', 'the disclosure catalogue', 'catalogue items');
  if (!items) return undefined;
  const ids = new IdSet(fc, 'catalogue item id');
  const { entries, complete } = readEntries(fc, items, ITEM_SHAPE, 'a catalogue item', (fields, at): CatalogueItem | undefined => {
    const idAt = fields.get('id');
    const id = readSlug(fc, idAt);
    const text: Partial<Record<(typeof ITEM_TEXT_FIELDS)[number], string>> = {};
    let itemOk = true;
    for (const key of ITEM_TEXT_FIELDS) {
      const value = readString(fc, fields.get(key));
      if (value === undefined) itemOk = false;
      else text[key] = value;
    }
    const channels = readStringList(fc, fields.get('channels'), 'channels');
    const attribute = readEnum<DisclosureAttribute>(fc, fields.get('attribute'), DISCLOSURE_ATTRIBUTES);

    const columnAt = fields.get('portalColumnId');
    const portalColumnId = readString(fc, columnAt);
    if (portalColumnId !== undefined && ctx.portalIds && !ctx.portalIds.has(portalColumnId)) {
      fc.issue(
        columnAt!.path,
        `unknown portal column "${portalColumnId}" (not in ${ctx.portalFile})${didYouMean(portalColumnId, ctx.portalIds)}`,
        columnAt!.line,
      );
      itemOk = false;
    } else if (portalColumnId !== undefined && ctx.parentColumnIds?.has(portalColumnId)) {
      // Every package of the item would be suggested a column that refuses it as a target.
      fc.issue(
        columnAt!.path,
        `portal column "${portalColumnId}" has sub-columns (${ctx.portalFile}): an item goes into one of them; name the sub-column its documents are published in`,
        columnAt!.line,
      );
      itemOk = false;
    }
    const classAt = fields.get('contentClass');
    const contentClass = readString(fc, classAt);
    if (contentClass !== undefined && ctx.classes && !ctx.classes.has(contentClass)) {
      fc.issue(
        classAt!.path,
        `content class "${contentClass}" has no review stages in ${ctx.reviewFile} (configured: ${[...ctx.classes].join(', ')})`,
        classAt!.line,
      );
      itemOk = false;
    }
    const interpretationAt = fields.get('requiresInterpretation');
    let requiresInterpretation: boolean | undefined = false;
    if (interpretationAt) {
      requiresInterpretation = readBool(fc, interpretationAt);
    } else if (contentClass === POLICY_CONTENT_CLASS) {
      fc.issue(
        join(at.path, 'requiresInterpretation'),
        'a policy item must say whether it is released with an interpretation (三同步): set true or false',
        at.line,
      );
      itemOk = false;
    }
    // 行政规范性文件 carry 有效性; only policy documents can be normative.
    const normativeAt = fields.get('normative');
    const normative = normativeAt ? readBool(fc, normativeAt) : false;
    if (normative && contentClass !== undefined && contentClass !== POLICY_CONTENT_CLASS) {
      fc.issue(
        normativeAt!.path,
        `only a policy item (contentClass: ${POLICY_CONTENT_CLASS}) can be normative (行政规范性文件); this one is ${contentClass}`,
        normativeAt!.line,
      );
      itemOk = false;
    }
    const unique = ids.add(id, idAt);
    if (
      !itemOk ||
      !unique ||
      id === undefined ||
      !channels ||
      !attribute ||
      portalColumnId === undefined ||
      contentClass === undefined ||
      requiresInterpretation === undefined ||
      normative === undefined
    ) {
      return undefined;
    }
    return {
      id,
      category: text.category!,
      name: text.name!,
      content: text.content!,
      basis: text.basis!,
      subject: text.subject!,
      responsibleDepartment: text.responsibleDepartment!,
      responsibleSection: text.responsibleSection!,
      timeLimit: text.timeLimit!,
      audience: text.audience!,
      channels,
      method: text.method!,
      attribute,
      portalColumnId,
      contentClass,
      requiresInterpretation,
      normative,
    };
  });
  return complete ? entries : undefined;
}
