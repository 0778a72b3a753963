// How a platform answers the generic conditions (faults, limits, unknown paths), written as a table of status and error code a condition.
import type { GenericCondition, PlatformDefinition, RenderedError } from './launcher.js';

/** One condition's answer in the platform's error format. */
export interface ConditionAnswer<C> {
  status: number;
  code: C;
  /** A fault rule's `code` may stand in for this one (the platform has several codes for it). */
  overridable?: boolean;
  /** The message to send (default: the platform's text for the code). */
  message?: string;
  /** A message the fault rule or the failing route gives comes before `message`. */
  passMessage?: boolean;
  /** Headers sent with it (Retry-After, WWW-Authenticate). */
  headers?: (extra: { retryAfterSeconds?: number } | undefined) => Record<string, string>;
}

/** Every condition a platform answers its own way; the rest are answered as `bad_request`. */
export type ConditionTable<C> = Partial<Record<GenericCondition, ConditionAnswer<C>>> & { bad_request: ConditionAnswer<C> };

/** A `render` for PlatformDefinition from a condition table and the platform's error body. */
export function renderFromTable<C extends number | string>(
  table: ConditionTable<C>,
  body: (code: C, message: string | undefined) => unknown,
): PlatformDefinition<unknown>['render'] {
  return (cond, _req, _ctx, extra): RenderedError => {
    const answer = table[cond] ?? table.bad_request;
    const overridden = answer.overridable && extra?.code !== undefined && typeof extra.code === typeof answer.code;
    const code = overridden ? (extra!.code as C) : answer.code;
    const message = (answer.passMessage ? extra?.message : undefined) ?? answer.message;
    return { status: answer.status, body: body(code, message), headers: answer.headers?.(extra) };
  };
}
