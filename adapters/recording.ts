/**
 * A channel that only records what it would publish (the delivery row holds the payload).
 * It proves the release orchestration for platforms whose real adapter is not plugged in yet.
 */
import type { ChannelAdapter, ReleaseUnit } from './types.js';

export interface RecordedUnit {
  channelId: string;
  document: { title: string; link: string };
  interpretations: { form: string; title: string; link: string }[];
}

export function createRecordingAdapter(platform: string, baseUrl = 'https://recorded.invalid'): ChannelAdapter<RecordedUnit> {
  const pageUrl = (channelId: string, unit: ReleaseUnit, part: string) =>
    `${baseUrl}/${encodeURIComponent(channelId)}/${unit.packageId}/r${unit.revision}/${part}`;
  return {
    platform,
    capabilities: { publishing: 'api', canDelete: true, pollsStatus: false, mediaKinds: ['image', 'video', 'audio'] },
    format(unit, channel) {
      // Document and interpretations link to each other: the unit is released as one.
      return {
        channelId: channel.id,
        document: { title: unit.document.title, link: pageUrl(channel.id, unit, 'document') },
        interpretations: unit.interpretations.map((i, n) => ({ form: i.form, title: i.title, link: pageUrl(channel.id, unit, `interpretation-${n + 1}`) })),
      };
    },
    async transmit(payload, _channel, context) {
      return { externalId: context.businessKey, publicUrl: payload.document.link, state: 'live' };
    },
    async takeDown() {},
  };
}
