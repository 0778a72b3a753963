/**
 * The facts the compliance checks read (domain/compliance/facts.ts), gathered in a few set-based
 * queries whatever the size of the year: the deliveries live per channel, the package revisions for
 * 三同步 timing and Art. 26 disclosure, the portal's manifest when a web root is configured, the
 * platforms' own post lists (through an injected source) and the site probes of the window.
 */
import type { Channel } from '../../domain/registry.js';

/**
 * The newest post of each account as the platform itself lists it (posts made outside govpub count
 * too). Implemented over the platforms' list APIs where they have them (the surface helper's
 * adapters); accounts the platform cannot list are simply absent from the map.
 */
export interface PlatformPostsSource {
  /** Channel id → the newest post the platform lists. */
  latestPosts(channels: Channel[]): Promise<Map<string, { at: string; source: 'platform' }>>;
}
