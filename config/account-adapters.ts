// The registry check that an account published through the API is on a platform govpub has an API adapter for.
/*
 * Whether govpub publishes to a platform through an API is its declaration's `publishing`
 * (adapters/<platform>/declaration.ts): adapters/index.ts must give every `api` declaration an API
 * adapter (a compile error otherwise) and gives every `manual` one the manual hand-off. So an `api`
 * account on a `manual` platform is refused here, at `govpub config check`, instead of failing at
 * delivery time.
 */
import { PLATFORM_DECLARATIONS } from '../adapters/declarations.js';
import type { Platform, PublishingMode } from '../domain/registry.js';

/** The problem with publishing to `platform` in this mode, or undefined when an adapter can. */
export function accountAdapterProblem(platform: Platform | undefined, publishing: PublishingMode | undefined): string | undefined {
  if (!platform || publishing !== 'api') return undefined;
  const declared = PLATFORM_DECLARATIONS.find((d) => d.id === platform);
  if (declared?.publishing === 'api') return undefined;
  return `${platform} has no public publishing API; use publishing: manual (a person posts the prepared bundle)`;
}

/** Reports the problem (if any) through `issue`; true when there is none. */
export function checkAccountAdapter(platform: Platform | undefined, publishing: PublishingMode | undefined, issue: (message: string) => void): boolean {
  const problem = accountAdapterProblem(platform, publishing);
  if (problem) issue(problem);
  return !problem;
}
