// The channel preflight of a body with invalid fields (pure): each invalid field replaced by a neutral valid stand-in (or removed when optional), and the problems about those stand-ins dropped.
/*
 * An editor types a package and meets its field issues (发文单位 too long, a title with a line
 * break) and the channels' problems (Douyin needs a video, WeChat a cover) in the same round.
 * `standInBody` makes a copy of the body the package rules accept, one field at a time, keyed by
 * the issues' paths; `withoutStandIns` keeps of the preflight of that copy only what does not
 * point at (or derive from) a replaced field, so no problem is ever about a stand-in value. A body
 * too broken to stand in for (not an object, no targets, an unknown catalogue item, no document, a
 * path no rule knows) gets no channel preflight: `standInBody` answers null.
 */
import type { PreflightResult } from './preflight.js';
import type { Problem } from './problems.js';

/** A field issue as validation reports it: a path such as `interpretations[1].title` ('' for the whole body). */
export interface IssueAt {
  path: string;
}

/** The neutral values put in place of invalid ones: short, plain, nothing any channel adapts or refuses. */
export const STAND_INS = {
  title: '稿件标题',
  documentTitle: '文件标题',
  documentBody: '<p>正文</p>',
  issuingUnit: '发文单位',
  interpretation: { form: 'text', title: '解读标题', body: '<p>解读正文</p>' },
  interpretationTitle: '解读标题',
  interpretationBody: '<p>解读正文</p>',
  interpreter: '解读人',
  attachment: { name: '附件', url: 'https://www.example.com/attachment' },
  coverAlt: '封面',
} as const;

/** The body's top-level fields (services/package-input.ts): any other is removed. */
const BODY_FIELDS = new Set(['title', 'catalogueItem', 'document', 'interpretations', 'targets', 'releaseAt', 'cover']);
/** Whole-body fields whose invalid value leaves nothing to check channels on. */
const UNREPAIRABLE = new Set(['catalogueItem', 'document', 'targets']);

type Keys = (string | number)[];

/** One field replaced or removed. */
interface Decision {
  /** Where in the body (object keys and array indices). */
  keys: Keys;
  /** The stand-in; undefined: the field is removed. */
  value?: unknown;
  /** The JSON pointer the field is at: problems at or under it are about the stand-in. */
  pointer: string;
  /** Pointers whose problems derive from the field as a whole (the interpretations' count or kinds). */
  around: string[];
}

export interface StandInBody {
  /** A copy of the body with every invalid field replaced or removed. */
  body: Record<string, unknown>;
  /** Pointers of the replaced fields: problems at or under them are dropped. */
  replaced: string[];
  /** Pointers whose own problems (not those under them) derive from a replaced field. */
  around: string[];
  /** The original index of each target left in the copy (invalid targets are removed). */
  targetIndex: number[];
}

/** `interpretations[1].title` as keys: ['interpretations', 1, 'title']. */
export function keysOf(path: string): Keys {
  return path
    .split(/[.[\]]/)
    .filter(Boolean)
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}

const pointerOfKeys = (keys: Keys) => (keys.length === 0 ? '' : `/${keys.join('/')}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What to do with an invalid field at `keys` of `body`, or null when nothing sensible stands in for it. */
function decide(keys: Keys, body: Record<string, unknown>): Decision | 'drop_target' | null {
  const [top, second, third] = keys;
  const at = (k: Keys, value: unknown, around: string[] = []): Decision => ({ keys: k, value, pointer: pointerOfKeys(k), around });
  const removed = (k: Keys, around: string[] = []): Decision => ({ keys: k, pointer: pointerOfKeys(k), around });
  if (typeof top !== 'string') return null;
  if (!BODY_FIELDS.has(top)) return removed([top]);
  if (UNREPAIRABLE.has(top) && keys.length === 1) return null;
  switch (top) {
    case 'title':
      return keys.length === 1 ? at(['title'], STAND_INS.title) : null;
    case 'releaseAt':
      // The format steps name the release time `releasedAt`.
      return removed(['releaseAt'], ['/releasedAt']);
    case 'cover':
      if (second === 'alt' && keys.length === 2) return at(['cover', 'alt'], STAND_INS.coverAlt);
      return removed(['cover']);
    case 'targets':
      return typeof second === 'number' ? 'drop_target' : null;
    case 'interpretations': {
      if (second === undefined) return removed(['interpretations']);
      if (typeof second !== 'number') return null;
      const element = ['interpretations', second];
      const elementPointer = pointerOfKeys(element);
      // An interpretation whose kind is unknown (or that cannot be one) is replaced as a whole: what
      // the channels say of the interpretations together (a video for Douyin) derives from it.
      if (third === undefined || third === 'form') return at(element, { ...STAND_INS.interpretation }, ['/interpretations']);
      const raw = Array.isArray(body.interpretations) ? body.interpretations[second] : undefined;
      const form = isObject(raw) ? raw.form : undefined;
      if (keys.length > 3) return null;
      if (third === 'title') return at([...element, 'title'], STAND_INS.interpretationTitle);
      if (third === 'interpreter') return at([...element, 'interpreter'], STAND_INS.interpreter);
      // A body, a file or a link decides how a channel adapts the interpretation (a video with or
      // without text): what is said of the interpretation itself derives from it too.
      if (third === 'body' && (form === 'text' || form === 'leader_interview')) return at([...element, 'body'], STAND_INS.interpretationBody, [elementPointer]);
      return removed([...element, third], [elementPointer]);
    }
    case 'document': {
      if (typeof second !== 'string') return null;
      if (second === 'title' && keys.length === 2) return at(['document', 'title'], STAND_INS.documentTitle);
      if (second === 'body' && keys.length === 2) return at(['document', 'body'], STAND_INS.documentBody);
      if (second === 'issuingUnit' && keys.length === 2) return at(['document', 'issuingUnit'], STAND_INS.issuingUnit);
      if (second === 'attachments' && typeof third === 'number')
        return at(['document', 'attachments', third], { ...STAND_INS.attachment }, ['/document/attachments']);
      // The rest is optional (文号, 成文日期, 主题分类, 主题词, 有效性, the attachments' list): removed.
      return removed(['document', second]);
    }
  }
  return null;
}

/** Whether `pointer` is `base` or under it. */
const within = (pointer: string, base: string) => pointer === base || pointer.startsWith(`${base}/`);

/**
 * Builds the stand-in copy of `body` from the decisions taken so far: shallow ones first, none
 * under a field already replaced or removed, then the invalid targets left out.
 */
function build(body: Record<string, unknown>, decisions: Decision[], droppedTargets: Set<number>): StandInBody {
  const copy = structuredClone(body);
  const applied: Decision[] = [];
  for (const d of [...decisions].sort((a, b) => a.keys.length - b.keys.length)) {
    if (applied.some((a) => within(d.pointer, a.pointer))) continue;
    let parent: unknown = copy;
    for (const key of d.keys.slice(0, -1)) parent = isObject(parent) || Array.isArray(parent) ? (parent as Record<string | number, unknown>)[key] : undefined;
    const last = d.keys[d.keys.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number') {
      if (last < parent.length) parent[last] = d.value === undefined ? null : structuredClone(d.value);
    } else if (isObject(parent) && typeof last === 'string') {
      if (d.value === undefined) delete parent[last];
      else parent[last] = structuredClone(d.value);
    }
    applied.push(d);
  }
  const targetIndex: number[] = [];
  if (Array.isArray(copy.targets)) {
    copy.targets = copy.targets.filter((_t, i) => {
      if (droppedTargets.has(i)) return false;
      targetIndex.push(i);
      return true;
    });
  }
  const replaced = applied.map((d) => d.pointer);
  for (const i of droppedTargets) replaced.push(`/targets/${i}`);
  // A target left out may have been the portal's: "no portal target" would be about the removal.
  const around = [...applied.flatMap((d) => d.around), ...(droppedTargets.size > 0 ? ['/targets'] : [])];
  return { body: copy, replaced, around: [...new Set(around)], targetIndex };
}

/**
 * The stand-in copy of a body that failed validation with `issues`, or null when the body is too
 * broken to stand in for. `check` validates a copy and returns its issues ([] when valid): a field
 * hidden behind another's issue (the body's control characters are reported alone) shows up on a
 * later round and is stood in for then; those of its issues that are not about a stand-in are
 * returned in `revealed` (paths as in the original body), for the editor to see with the others.
 */
export function standInBody(
  body: unknown,
  issues: readonly IssueAt[],
  check: (candidate: Record<string, unknown>) => readonly IssueAt[],
): (StandInBody & { revealed: IssueAt[] }) | null {
  if (!isObject(body) || issues.length === 0) return null;
  const decisions: Decision[] = [];
  const droppedTargets = new Set<number>();
  const revealed: IssueAt[] = [];
  let pending: readonly IssueAt[] = issues;
  let current = build(body, decisions, droppedTargets);
  for (let round = 0; round < 4; round += 1) {
    const decidedBefore = new Set(decisions.map((d) => d.pointer));
    for (const issue of pending) {
      let keys = keysOf(issue.path);
      // A path in the copy: its targets are renumbered once invalid ones are left out.
      if (round > 0 && keys[0] === 'targets' && typeof keys[1] === 'number') {
        const original = current.targetIndex[keys[1]];
        if (original === undefined) return null;
        keys = ['targets', original, ...keys.slice(2)];
      }
      const pointer = pointerOfKeys(keys);
      const aboutStandIn = current.replaced.some((p) => within(pointer, p) || within(p, pointer));
      if (round > 0 && !aboutStandIn) revealed.push({ ...issue, path: issue.path.replace(/^targets\[\d+\]/, `targets[${String(keys[1])}]`) });
      let decision = decide(keys, body);
      // Asked again about a field stood in for on an earlier round (an H5 link removed, then
      // required): the interpretation (or attachment) as a whole, or nothing.
      if (decision !== null && decision !== 'drop_target' && decidedBefore.has(decision.pointer)) {
        const element = keys[0] === 'interpretations' ? keys.slice(0, 2) : keys[0] === 'document' && keys[1] === 'attachments' ? keys.slice(0, 3) : null;
        decision = element && element.length < keys.length ? decide(element, body) : null;
        if (decision !== null && decision !== 'drop_target' && decidedBefore.has(decision.pointer)) return null;
      }
      if (decision === null) return null;
      if (decision === 'drop_target') droppedTargets.add(keys[1] as number);
      else decisions.push(decision);
    }
    current = build(body, decisions, droppedTargets);
    pending = check(current.body);
    if (pending.length === 0) return { ...current, revealed };
  }
  return null;
}

/** A problem's pointer into the copy as a pointer into the original body (its targets renumbered back). */
function originalField(field: string, targetIndex: readonly number[]): string {
  const m = /^\/targets\/(\d+)(\/.*)?$/.exec(field);
  if (!m) return field;
  const original = targetIndex[Number(m[1])];
  return original === undefined ? field : `/targets/${original}${m[2] ?? ''}`;
}

/**
 * The preflight of the stand-in copy without anything about a stand-in: problems at or under a
 * replaced field, problems of a field that derives from one (`around`), a channel's problems of
 * the whole package (which could derive from anything) and the previews (which would show the
 * stand-ins). Never `ok`: the body itself is invalid.
 */
export function withoutStandIns(result: PreflightResult, standIns: Pick<StandInBody, 'replaced' | 'around' | 'targetIndex'>): PreflightResult {
  const about = (p: Problem) => standIns.replaced.some((r) => within(p.field, r)) || standIns.around.includes(p.field);
  const kept = (list: readonly Problem[], channel: boolean) =>
    list.map((p) => ({ ...p, field: originalField(p.field, standIns.targetIndex) })).filter((p) => !about(p) && !(channel && p.field === ''));
  return {
    ...result,
    ok: false,
    package: { blocking: kept(result.package.blocking, false), warnings: kept(result.package.warnings, false) },
    channels: result.channels.map((c) => ({ ...c, blocking: kept(c.blocking, true), warnings: kept(c.warnings, true), preview: null })),
  };
}
