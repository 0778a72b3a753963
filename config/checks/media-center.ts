/** Checks `media-center.yaml`: the columns of each media-center system (news site, app) and the content kinds they take. */
import { CONTENT_KINDS, MEDIA_CENTER_SYSTEMS, type ContentKind, type MediaCenterColumn, type MediaCenterSystem } from '../../domain/registry.js';
import { IdSet, readSlug } from '../registry-ids.js';
import { readEntries, readListUnder, readMap, readString, readStringList } from '../yaml-fields.js';
import type { At, FileCheck } from '../yaml-lines.js';

const COLUMN_SHAPE = { required: ['id', 'name', 'contentKinds'] };

/** The columns of every system, or `undefined` when any has a problem (all reported). */
export function checkMediaCenter(fc: FileCheck, root: At): MediaCenterColumn[] | undefined {
  const top = readMap(fc, root, { required: MEDIA_CENTER_SYSTEMS }, 'the media-center systems');
  if (!top) return undefined;
  const out: MediaCenterColumn[] = [];
  let ok = true;
  for (const system of MEDIA_CENTER_SYSTEMS) {
    const sysAt = top.get(system);
    const items = sysAt && readListUnder(fc, sysAt, 'columns', `the ${system} system`, 'columns');
    if (!items) {
      ok = false;
      continue;
    }
    const ids = new IdSet(fc, `${system} column id`);
    const { entries, complete } = readEntries(fc, items, COLUMN_SHAPE, 'a media-center column', (fields): MediaCenterColumn | undefined => {
      const idAt = fields.get('id');
      const id = readSlug(fc, idAt);
      const name = readString(fc, fields.get('name'));
      const contentKinds = readStringList<ContentKind>(fc, fields.get('contentKinds'), 'content kinds', { values: CONTENT_KINDS });
      const unique = ids.add(id, idAt);
      if (id === undefined || name === undefined || !contentKinds || !unique) return undefined;
      return { id, name, system: system as MediaCenterSystem, contentKinds };
    });
    out.push(...entries);
    if (!complete) ok = false;
  }
  return ok ? out : undefined;
}
