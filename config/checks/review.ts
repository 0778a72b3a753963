/** Checks `review.yaml`: the review stages in their order, and which stages each content class passes through. */
import { isMap, isSeq } from 'yaml';
import type { ReviewStage } from '../../domain/registry.js';
import { IdSet, SLUG_RULE, readSlug } from '../registry-ids.js';
import { readEntries, readMap, readSeq, readString, readStringList } from '../yaml-fields.js';
import { describe, forEachKey, join, type At, type FileCheck } from '../yaml-lines.js';

export interface ReviewResult {
  stages: ReviewStage[];
  classes: Record<string, string[]>;
}

const STAGE_SHAPE = { required: ['id', 'name', 'description', 'roles'] };
const CONTENT_CLASS = /^[a-z][a-z0-9_]*$/;

/** The stages and classes, or `undefined` when either has a problem (all reported). */
export function checkReview(fc: FileCheck, root: At): ReviewResult | undefined {
  const top = readMap(fc, root, { required: ['stages', 'classes'] }, 'the review configuration');
  if (!top) return undefined;
  const stagesAt = top.get('stages');
  const stages = stagesAt && readStages(fc, stagesAt);
  const classesAt = top.get('classes');
  // Classes are checked against the stages that could be read, even when others could not.
  const classes = classesAt && readClasses(fc, classesAt, stages?.entries);
  return stages?.complete && classes ? { stages: stages.entries, classes } : undefined;
}

function readStages(fc: FileCheck, stagesAt: At): { entries: ReviewStage[]; complete: boolean } | undefined {
  const stageItems = readSeq(fc, stagesAt, 'review stages');
  if (!stageItems) return undefined;
  let complete = true;
  if (stageItems.length === 0) {
    fc.issue(stagesAt.path, 'must define at least one review stage', stagesAt.line);
    complete = false;
  }
  const stageIds = new IdSet(fc, 'stage id');
  const read = readEntries(fc, stageItems, STAGE_SHAPE, 'a review stage', (fields): ReviewStage | undefined => {
    const idAt = fields.get('id');
    const id = readSlug(fc, idAt);
    const name = readString(fc, fields.get('name'));
    const description = readString(fc, fields.get('description'));
    const roles = readStringList(fc, fields.get('roles'), 'roles', SLUG_RULE);
    const unique = stageIds.add(id, idAt);
    if (id === undefined || name === undefined || description === undefined || !roles || !unique) return undefined;
    return { id, name, description, roles };
  });
  return { entries: read.entries, complete: complete && read.complete };
}

/**
 * Each content class with its stages, in the order the stages are defined; `stages` is
 * `undefined` when the stage list itself could not be read (unknown stages then go unreported).
 */
function readClasses(fc: FileCheck, classesAt: At, stages: ReviewStage[] | undefined): Record<string, string[]> | undefined {
  if (!isMap(classesAt.node)) {
    fc.issue(classesAt.path, `expected a mapping of content class to stage ids, got ${describe(classesAt.node)}`, classesAt.line);
    return undefined;
  }
  let ok = true;
  if (classesAt.node.items.length === 0) {
    fc.issue(classesAt.path, 'must configure at least one content class', classesAt.line);
    ok = false;
  }
  const defined = stages ?? [];
  const order = new Map(defined.map((s, i) => [s.id, i]));
  const classes: Record<string, string[]> = {};
  const keysOk = forEachKey(
    fc,
    classesAt,
    classesAt.node,
    'content class names must be ASCII identifiers like policy or news',
    CONTENT_CLASS,
    (cls, value, keyLine) => {
      const listAt = fc.at(value, join(classesAt.path, cls), keyLine);
      const list = readStringList(fc, listAt, 'stages', SLUG_RULE);
      if (!list) {
        ok = false;
        return;
      }
      const items = isSeq(listAt.node) ? listAt.node.items : [];
      let last = -1;
      let classOk = true;
      list.forEach((stageId, i) => {
        const itemLine = fc.lineOf(fc.deref(items[i])) ?? listAt.line;
        const pos = order.get(stageId);
        if (pos === undefined) {
          if (stages) {
            fc.issue(`${listAt.path}[${i}]`, `unknown review stage "${stageId}" (defined: ${defined.map((s) => s.id).join(', ')})`, itemLine);
          }
          classOk = false;
        } else if (pos < last) {
          fc.issue(
            `${listAt.path}[${i}]`,
            `stage "${stageId}" is out of order: stages run in the order they are defined (${defined.map((s) => s.id).join(' → ')})`,
            itemLine,
          );
          classOk = false;
        } else {
          last = pos;
        }
      });
      if (!classOk) ok = false;
      else classes[cls] = list;
    },
  );
  return keysOk && ok ? classes : undefined;
}
