// Each manual platform's hand-off kit (its format, bundle texts, 说明.txt), by platform, as adapters/platform-code.ts names them.
import { PLATFORM_DECLARATIONS } from '../declarations.js';
import { PLATFORM_CODE } from '../platform-code.js';
import type { HandoffKit, ManualPlatform } from './payload.js';

/** The limits each manual platform's format step reads. */
export type HandoffLimits = { [P in ManualPlatform]: (typeof PLATFORM_CODE)[P]['handoff'] extends HandoffKit<infer L> ? L : never };

export function handoffKit<P extends ManualPlatform>(platform: P): HandoffKit<HandoffLimits[P]> {
  return PLATFORM_CODE[platform].handoff as HandoffKit<HandoffLimits[P]>;
}

/** True for a platform an operator posts on by hand (declared `publishing: 'manual'`): it has a hand-off bundle. */
export function isManualPlatform(platform: string): platform is ManualPlatform {
  return PLATFORM_DECLARATIONS.some((d) => d.id === platform && d.publishing === 'manual');
}
