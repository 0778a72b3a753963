/**
 * A channel that only records what it would publish (the delivery row holds the payload). Tests
 * of the release orchestration use it where the platform itself is not the point.
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
    capabilities: { publishing: 'api', canDelete: true, limits: {} },
    format(unit, channel) {
      // Document and interpretations link to each other: the unit is released as one.
      return {
        payload: {
          channelId: channel.id,
          document: { title: unit.document.title, link: pageUrl(channel.id, unit, 'document') },
          interpretations: unit.interpretations.map((i, n) => ({ form: i.form, title: i.title, link: pageUrl(channel.id, unit, `interpretation-${n + 1}`) })),
        },
        renditions: [],
        warnings: [],
      };
    },
    async transmit(payload, ctx) {
      return { state: 'live', externalId: ctx.businessKey, publicUrl: payload.document.link };
    },
    async takeDown() {},
  };
}
