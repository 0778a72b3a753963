// Each manual platform's hand-off kit (its format, bundle texts, 说明.txt, post URL rules), by platform.
import { toutiaoHandoff } from '../toutiao/handoff.js';
import { wechatChannelsHandoff } from '../wechat-channels/handoff.js';
import { xiaohongshuHandoff } from '../xiaohongshu/handoff.js';
import type { HandoffKit, ManualPlatform } from './payload.js';

/** One line per platform the declarations call manual; the type makes a missing one a compile error. */
const KITS = {
  toutiao: toutiaoHandoff,
  wechat_channels: wechatChannelsHandoff,
  xiaohongshu: xiaohongshuHandoff,
} satisfies { [P in ManualPlatform]: HandoffKit<never> };

/** The limits each manual platform's format step reads. */
export type HandoffLimits = { [P in ManualPlatform]: (typeof KITS)[P] extends HandoffKit<infer L> ? L : never };

export function handoffKit<P extends ManualPlatform>(platform: P): HandoffKit<HandoffLimits[P]> {
  return KITS[platform] as HandoffKit<HandoffLimits[P]>;
}
