/**
 * A channel adapter = declared capabilities + a pure `format` step (approved package revision →
 * platform payload) + a `transmit` step (payload → platform). Workflows never see adapters: the
 * delivery activities pick one by the channel's platform, so adding a platform touches no workflow.
 */
import type { Channel } from '../domain/registry.js';

/** The approved content of one package revision, as every adapter receives it. */
export interface ReleaseUnit {
  packageId: string;
  revision: number;
  contentHash: string;
  title: string;
  document: { title: string; body: string; documentNumber?: string; issuingUnit?: string; formedAt?: string };
  interpretations: { form: string; title: string; body: string }[];
}

export interface AdapterCapabilities {
  publishing: 'api' | 'manual';
  canDelete: boolean;
  pollsStatus: boolean;
  mediaKinds: ('image' | 'video' | 'audio')[];
}

export interface TransmitResult {
  externalId: string;
  publicUrl: string | null;
  state: 'live' | 'unconfirmed' | 'awaiting_manual';
}

export interface ChannelAdapter<Payload = unknown> {
  platform: string;
  capabilities: AdapterCapabilities;
  format(unit: ReleaseUnit, channel: Channel): Payload;
  transmit(payload: Payload, channel: Channel, context: { businessKey: string }): Promise<TransmitResult>;
  takeDown?(externalId: string, channel: Channel, context: { businessKey: string; reason: string }): Promise<void>;
}
