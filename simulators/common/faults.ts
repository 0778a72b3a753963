// Fault injection for the simulators: the rules a test or an operator writes, validated, and the engine that decides per request which fault applies.
import { seededRandom } from './clock.js';

export const FAULT_KINDS = ['http_error', 'busy', 'rate_limit', 'token_expired', 'timeout', 'slow', 'drop_response', 'never_confirm', 'async_fail'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault rule as written by a test or an operator (JSON). */
export interface FaultRuleInput {
  /** Path pattern: exact path, a glob with `*`, or `re:<regex>`; `*` matches every path. */
  match: string;
  /** HTTP method to match (default: any). */
  method?: string;
  kind: FaultKind;
  /** Chance that a matching request is hit (default 1). Decided with the simulator's seeded RNG. */
  probability?: number;
  /** Hit only the next N matching requests, then the rule is removed (default: unlimited). */
  count?: number;
  /** Let the first K matching requests through before the rule starts to apply. */
  skip?: number;
  /** http_error: the HTTP status (default 503). */
  status?: number;
  /** timeout: how long to hang (default 60000); slow: the added delay (default 1000). */
  delayMs?: number;
  /**
   * timeout: do the work (side effect) before hanging (true) or never do it (false, default).
   * slow: do the work at once and hold the answer back (true: what the work started, such as
   * WeChat's push, may come before the answer), or wait before doing it (false, default).
   */
  process?: boolean;
  /** Override of the platform error code (rate_limit, token_expired, busy, async_fail). */
  code?: number | string;
  message?: string;
  /** rate_limit: Retry-After seconds where the platform sends one (media center). */
  retryAfterSeconds?: number;
  /** token_expired: also expire the presented token for good (default true). */
  invalidate?: boolean;
  /** Free text kept with the rule (shows up in GET /__sim/faults). */
  note?: string;
}

/** A rule as the engine holds it: the input's fields, with `count` kept as what `remaining` of it is left and counters of its matches. */
export interface FaultRule extends Omit<FaultRuleInput, 'probability' | 'count' | 'skip'> {
  id: string;
  probability: number;
  remaining: number | null;
  skip: number;
  hits: number;
  seen: number;
}

/** The input fields a rule keeps as they were given (GET /__sim/faults shows them). */
const KEPT_FIELDS = ['status', 'delayMs', 'process', 'code', 'message', 'retryAfterSeconds', 'invalidate', 'note'] as const;

export class FaultRuleError extends Error {}

/** A fault after which the work is done but its response never arrives (the client cannot know the outcome). */
export function losesResponse(rule: FaultRule): boolean {
  return rule.kind === 'drop_response' || (rule.kind === 'timeout' && rule.process === true);
}

function compilePattern(pattern: string): (path: string) => boolean {
  if (pattern === '*' || pattern === '**') return () => true;
  if (pattern.startsWith('re:')) {
    const re = new RegExp(pattern.slice(3));
    return (p) => re.test(p);
  }
  if (pattern.includes('*')) {
    const re = new RegExp(
      '^' +
        pattern
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    return (p) => re.test(p);
  }
  const exact = pattern.replace(/\/+$/, '');
  return (p) => p.replace(/\/+$/, '') === exact;
}

export function validateFaultRule(input: unknown): FaultRuleInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultRuleError('a fault rule must be a JSON object');
  }
  const r = input as Record<string, unknown>;
  if (typeof r.match !== 'string' || r.match === '') throw new FaultRuleError('fault rule: "match" (path pattern) is required');
  if (typeof r.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(r.kind)) {
    throw new FaultRuleError(`fault rule: "kind" must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (r.match.startsWith('re:')) {
    try {
      new RegExp(r.match.slice(3));
    } catch {
      throw new FaultRuleError(`fault rule: "match" ${r.match} is not a valid regular expression`);
    }
  }
  const num = (key: string, min: number, max: number) => {
    const v = r[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new FaultRuleError(`fault rule: "${key}" must be a number between ${min} and ${max}`);
    }
  };
  num('probability', 0, 1);
  num('count', 1, Number.MAX_SAFE_INTEGER);
  num('skip', 0, Number.MAX_SAFE_INTEGER);
  num('status', 100, 599);
  num('delayMs', 0, 3_600_000);
  num('retryAfterSeconds', 0, 86_400);
  if (r.method !== undefined && typeof r.method !== 'string') throw new FaultRuleError('fault rule: "method" must be a string');
  if (r.process !== undefined && typeof r.process !== 'boolean') throw new FaultRuleError('fault rule: "process" must be true or false');
  if (r.invalidate !== undefined && typeof r.invalidate !== 'boolean') throw new FaultRuleError('fault rule: "invalidate" must be true or false');
  if (r.code !== undefined && typeof r.code !== 'number' && typeof r.code !== 'string')
    throw new FaultRuleError('fault rule: "code" must be a number or string');
  return r as unknown as FaultRuleInput;
}

/** Decides, per request, which fault (if any) applies. One fault at most per request. */
export class FaultEngine {
  private rules: FaultRule[] = [];
  private matchers = new Map<string, (p: string) => boolean>();
  private rng: () => number;
  private nextId = 1;
  private seedValue: number;

  constructor(seed: number) {
    this.seedValue = seed;
    this.rng = seededRandom(seed);
  }

  get seed(): number {
    return this.seedValue;
  }

  reseed(seed: number): void {
    this.seedValue = seed;
    this.rng = seededRandom(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const valid = validateFaultRule(input);
    const rule: FaultRule = {
      id: `f${this.nextId++}`,
      match: valid.match,
      kind: valid.kind,
      method: valid.method?.toUpperCase(),
      probability: valid.probability ?? 1,
      remaining: valid.count ?? null,
      skip: valid.skip ?? 0,
      hits: 0,
      seen: 0,
      ...Object.fromEntries(KEPT_FIELDS.map((key) => [key, valid[key]])),
    };
    this.matchers.set(rule.id, compilePattern(rule.match));
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
    this.matchers.clear();
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.matchers.delete(id);
    return this.rules.length !== before;
  }

  /**
   * Returns the fault to apply to this request, consuming counts. Rules `exempt` says do not apply
   * to this request are passed over as if they did not match (no count, no random draw).
   */
  select(method: string, path: string, exempt?: (rule: FaultRule) => boolean): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (!this.matchers.get(rule.id)?.(path)) continue;
      if (exempt?.(rule)) continue;
      rule.seen++;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      if (rule.probability < 1 && this.rng() >= rule.probability) continue;
      rule.hits++;
      const applied = { ...rule };
      if (rule.remaining !== null) {
        rule.remaining--;
        if (rule.remaining <= 0) this.remove(rule.id);
      }
      return applied;
    }
    return undefined;
  }
}
