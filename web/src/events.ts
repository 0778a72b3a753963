/**
 * Live updates from GET /api/events (Server-Sent Events): one stream per page that asks, closed
 * when the page goes away. The browser reconnects by itself and resumes with Last-Event-ID; a
 * stream whose session ended is told so (`signed-out`) and the person is sent to sign in.
 */
import { ElMessage } from 'element-plus';
import { onBeforeUnmount } from 'vue';
import { onSignedOut } from './session';

/** The events' data: the server's own types (services/events.ts). */
export type { ChannelEvent, DeliveryEvent, PackageEvent } from '../../services/events';
import type { ChannelEvent, DeliveryEvent, PackageEvent } from '../../services/events';

export interface LiveHandlers {
  delivery?: (event: DeliveryEvent) => void;
  package?: (event: PackageEvent) => void;
  /** A channel paused or resumed anywhere (another operator, the CLI, govpub itself): its pause now. */
  channel?: (event: ChannelEvent) => void;
  /** Too much changed to replay one by one: read the whole page again. */
  resync?: () => void;
}

/** Subscribes for the life of the calling component. */
export function useLiveEvents(handlers: LiveHandlers): void {
  const source = new EventSource('/api/events', { withCredentials: true });
  if (handlers.delivery) source.addEventListener('delivery', (e) => handlers.delivery!(JSON.parse((e as MessageEvent<string>).data) as DeliveryEvent));
  if (handlers.package) source.addEventListener('package', (e) => handlers.package!(JSON.parse((e as MessageEvent<string>).data) as PackageEvent));
  if (handlers.channel) source.addEventListener('channel', (e) => handlers.channel!(JSON.parse((e as MessageEvent<string>).data) as ChannelEvent));
  if (handlers.resync) source.addEventListener('resync', () => handlers.resync!());
  // The session ended elsewhere (signed out, the user disabled, a new password): to the sign-in page, as a 401 does.
  source.addEventListener('signed-out', () => {
    source.close();
    onSignedOut();
  });
  // Refused outright (too many open in other tabs, 429; the server gone for good): the browser
  // stops trying, so say that this page no longer updates by itself, once.
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED || warned) return;
    warned = true;
    ElMessage({ type: 'warning', message: '本页的实时更新已停止（可能打开的控制台标签页过多）：请关闭一些标签页后刷新本页。', duration: 0, showClose: true });
  });
  onBeforeUnmount(() => source.close());
}

/** One warning for the whole console, however many of its streams were refused. */
let warned = false;
