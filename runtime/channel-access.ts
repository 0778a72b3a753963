/**
 * What the delivery activities need to reach a channel: its adapter, base URL, credentials
 * (secrets resolved from the environment or the secrets file, never logged), platform settings,
 * media renditions and the portal's public address.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { findAccount, findChannel, isSecretRef, type Channel, type Registry } from '../domain/registry.js';
import type { ChannelAdapter, MediaInfo } from '../adapters/types.js';
import { DeliveryError } from '../adapters/errors.js';
import { storeRenditionSource } from '../adapters/renditions.js';
import { PUSH_CREDENTIALS } from '../adapters/declarations.js';
import type { PlatformConfigs } from '../config/platforms.js';
import { baseUrlEnvName, platformSecret } from '../config/platforms.js';
import { readNamedSecrets, resolveSecrets, type SecretSources, type SecretStore } from '../config/secrets.js';
import type { DeliveryDeps } from '../activities/delivery-activities.js';
import type { MediaStore, ProbeResult, WatermarkOptions } from '../media/index.js';

export interface ChannelAccessOptions {
  db: Kysely<DB>;
  registry: Registry;
  platforms: PlatformConfigs;
  secrets: SecretSources;
  mediaStore: MediaStore;
  portalUrl: string;
  taskQueue: string;
  adapterFor(channel: Channel): ChannelAdapter;
  /** The channel's watermark for renditions (config/registry/watermarks.yaml). */
  watermarkFor?: (target: { platform: string; channelId: string }) => Promise<WatermarkOptions | undefined>;
  /** How long resolved secrets are reused (default 30 s), so a fixed secrets file is picked up without a restart. */
  secretsTtlMs?: number;
}

const SECRETS_TTL_MS = 30_000;

export function buildDeliveryDeps(options: ChannelAccessOptions): DeliveryDeps {
  let secrets: { store: SecretStore; at: number } | null = null;
  /** Whether each platform's push Token is provided, looked at again after the same TTL as the secrets. */
  const pushTokens = new Map<string, { set: boolean; at: number }>();
  const secretStore = () => {
    if (!secrets || Date.now() - secrets.at > (options.secretsTtlMs ?? SECRETS_TTL_MS))
      secrets = { store: resolveSecrets(options.registry, options.secrets), at: Date.now() };
    return secrets.store;
  };
  const missingCredential = (channel: Channel, what: string) =>
    new DeliveryError(
      'needs_reconnect',
      `${channel.name} (${channel.id}) cannot be reached: ${what}. Provide it (environment or GOVPUB_SECRETS_FILE), then resume the channel.`,
    );

  return {
    db: options.db,
    registry: options.registry,
    taskQueue: options.taskQueue,
    portalBaseUrl: options.portalUrl,
    channel: (id) => findChannel(options.registry, id),
    reloadSecrets: () => {
      secrets = null;
      pushTokens.clear();
    },
    adapterFor: options.adapterFor,
    account: (channel) => (channel.kind === 'new_media_account' ? findAccount(options.registry, channel.ref) : undefined),
    platformConfig: (platform) => options.platforms[platform as keyof PlatformConfigs],
    resultsPushed: (platform) => {
      const credential = PUSH_CREDENTIALS.get(platform);
      if (!credential) return false;
      const cached = pushTokens.get(platform);
      if (cached && Date.now() - cached.at < (options.secretsTtlMs ?? SECRETS_TTL_MS)) return cached.set;
      const set = platformSecret(options.platforms, platform as keyof PlatformConfigs, credential, options.secrets) !== undefined;
      pushTokens.set(platform, { set, at: Date.now() });
      return set;
    },
    baseUrlFor(channel) {
      const config = options.platforms[channel.platform];
      if (channel.platform === 'portal') return options.portalUrl;
      if (!config?.baseUrl) {
        if (channel.publishing === 'manual') return '';
        throw missingCredential(channel, `no base URL for ${channel.platform} (set ${baseUrlEnvName(channel.platform)} or platforms.yaml)`);
      }
      return config.baseUrl;
    },
    credentialsFor(channel) {
      if (channel.kind === 'new_media_account') {
        if (channel.publishing === 'manual') return {};
        try {
          return secretStore().credentials(channel.ref);
        } catch (error) {
          throw missingCredential(channel, (error as Error).message.split('\n')[0]!);
        }
      }
      const declared = options.platforms[channel.platform]?.credentials ?? {};
      const names = Object.values(declared)
        .filter(isSecretRef)
        .map((ref) => ref.secret);
      const values = readNamedSecrets(names, options.secrets);
      const resolved: Record<string, string> = {};
      for (const [key, value] of Object.entries(declared)) {
        if (typeof value === 'string') resolved[key] = value;
        else if (values.has(value.secret)) resolved[key] = values.get(value.secret)!;
        else throw missingCredential(channel, `the secret ${value.secret} (platforms.yaml: ${channel.platform}.credentials.${key}) is not set`);
      }
      return resolved;
    },
    renditions: (signal, onProgress, channel, onWaiting) =>
      storeRenditionSource(options.mediaStore, {
        signal,
        onProgress,
        onWaiting,
        ...(channel && options.watermarkFor ? { watermarkFor: () => options.watermarkFor!({ platform: channel.platform, channelId: channel.id }) } : {}),
      }),
    async mediaInfo(mediaId): Promise<MediaInfo | null> {
      if (!/^[0-9a-f]{64}$/.test(mediaId)) return null;
      const probe = await options.mediaStore.readRecord<ProbeResult>(`probes/${mediaId}`);
      if (!probe) return null;
      return {
        mediaId,
        kind: probe.kind,
        mime: probe.mime,
        sizeBytes: probe.sizeBytes,
        ...(probe.width !== undefined ? { width: probe.width } : {}),
        ...(probe.height !== undefined ? { height: probe.height } : {}),
        ...(probe.durationSec !== undefined ? { durationSec: probe.durationSec } : {}),
        ...(probe.uploadName ? { name: probe.uploadName } : {}),
      };
    },
  };
}
