/**
 * Each channel's health for the operations board: where it is reached (base URL only, never
 * credentials), whether its credentials are in place, its last success and failure (from the
 * deliveries) and its pause. Secret values are only checked for presence, never returned.
 *
 * Credential state, as this process sees the secrets (environment and GOVPUB_SECRETS_FILE):
 *   ok       every secret the channel needs resolves (or it needs none: portal, manual hand-off)
 *   missing  a secret reference does not resolve
 *   expired  a stored refresh token has expired: the account must be authorized again
 *   invalid  the platform refused the credentials and the channel is held (needs reconnect)
 *   unknown  this process was not given the secret sources, or the secrets file cannot be read
 */
import { channelPauses, isRefusedCredentialsPause } from '../db/channels.js';
import { channelDeliveryTimes, expiredChannelTokens } from '../db/console-reads.js';
import type { PlatformConfigs } from '../config/platforms.js';
import { readNamedSecrets, type SecretSources } from '../config/secrets.js';
import { findAccount, isSecretRef, type Channel, type Registry } from '../domain/registry.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export const CREDENTIAL_STATES = ['ok', 'missing', 'expired', 'invalid', 'unknown'] as const;
export type CredentialState = (typeof CREDENTIAL_STATES)[number];

export interface ChannelHealth {
  endpoint: string | null;
  credential: CredentialState;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  paused: boolean;
  pausedReason: string | null;
}

export interface ChannelHealthSources {
  /** Platform settings (base URLs, the media center's credentials). */
  platforms?: PlatformConfigs;
  /** Where secrets come from; without it every credential that needs one is `unknown`. */
  secrets?: SecretSources;
  /** The portal's public address (its "endpoint"). */
  portalUrl?: string;
}

/** Stored tokens whose expiry means the account must be authorized again (an access token is renewed by itself). */
const REAUTHORIZE_TOKENS = ['refresh_token'];
const SECRETS_TTL_MS = 10_000;

/** A base URL as it may be shown: scheme, host and path; user, password, query and fragment dropped. */
export function shownEndpoint(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return null;
  }
}

/** The secret names a channel needs: an account's references, or its platform's (the media center). */
/** What the health reader needs of a channel (the API's channel items carry more). */
type HealthChannel = Pick<Channel, 'id' | 'kind' | 'platform' | 'ref' | 'publishing'>;

function secretNamesOf(channel: HealthChannel, registry: Registry, platforms: PlatformConfigs | undefined): string[] {
  if (channel.publishing === 'manual' || channel.kind === 'portal_column') return [];
  const credentials =
    channel.kind === 'new_media_account' ? (findAccount(registry, channel.ref)?.credentials ?? {}) : (platforms?.[channel.platform]?.credentials ?? {});
  return Object.values(credentials)
    .filter(isSecretRef)
    .map((ref) => ref.secret);
}

export function channelHealthReader(db: Kysely<DB>, registry: Registry, sources: ChannelHealthSources) {
  let present: { names: Set<string> | null; at: number } | null = null;
  /** Names of the secrets that resolve now (null: cannot tell), re-read every few seconds so a fixed file shows at once. */
  const presentSecrets = (names: string[]): Set<string> | null => {
    if (!sources.secrets) return null;
    if (present && Date.now() - present.at < SECRETS_TTL_MS) return present.names;
    let found: Set<string> | null;
    try {
      found = new Set(readNamedSecrets(names, sources.secrets).keys());
    } catch {
      found = null; // an unreadable secrets file: the state is unknown, not "missing"
    }
    present = { names: found, at: Date.now() };
    return found;
  };

  /** Health of the given channels, by id. */
  return async (channels: HealthChannel[], now = new Date()): Promise<Map<string, ChannelHealth>> => {
    const [pauses, times, expired] = await Promise.all([channelPauses(db), channelDeliveryTimes(db), expiredChannelTokens(db, now, REAUTHORIZE_TOKENS)]);
    const needs = new Map(channels.map((c) => [c.id, secretNamesOf(c, registry, sources.platforms)]));
    const resolved = presentSecrets([...new Set([...needs.values()].flat())]);
    const health = new Map<string, ChannelHealth>();
    for (const channel of channels) {
      const pause = pauses.get(channel.id);
      const paused = Boolean(pause?.paused_at);
      const pausedReason = paused ? (pause?.paused_reason ?? null) : null;
      const names = needs.get(channel.id) ?? [];
      let credential: CredentialState = 'ok';
      if (names.length > 0) {
        if (resolved === null) credential = 'unknown';
        else if (names.some((n) => !resolved.has(n))) credential = 'missing';
        else if (paused && pausedReason && isRefusedCredentialsPause(pausedReason)) credential = 'invalid';
        else if (expired.has(channel.id)) credential = 'expired';
      }
      const time = times.get(channel.id);
      health.set(channel.id, {
        endpoint: channel.kind === 'portal_column' ? shownEndpoint(sources.portalUrl) : shownEndpoint(sources.platforms?.[channel.platform]?.baseUrl),
        credential,
        lastSuccessAt: time?.lastSuccessAt?.toISOString() ?? null,
        lastFailureAt: time?.lastFailureAt?.toISOString() ?? null,
        paused,
        pausedReason,
      });
    }
    return health;
  };
}
