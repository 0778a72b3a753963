// The manual hand-off adapter every platform without a publishing API shares: format through the platform's kit, transmit prepares the bundle and waits for the operator.
/*
 * An operator downloads the bundle (texts within the platform's limits plus the renditions), posts
 * it by hand in the platform's web console and confirms with the post's URL
 * (`govpub deliveries confirm`). Limits: BRIEF §7 names no numbers for these platforms; the
 * declarations carry the figures the platforms' editors show (secondary sources), and they are
 * options so a deployment can correct them.
 */
import { declarationOf } from '../declarations.js';
import { documentLinkLabel } from '../release-unit.js';
import type { AdapterCapabilities, ChannelAdapter, ReleaseUnit, TransmitContext, TransmitResult } from '../types.js';
import type { Channel } from '../../domain/registry.js';
import { writeHandoffBundle } from './write-bundle.js';
import { handoffKit, type HandoffLimits } from './kits.js';
import type { HandoffBase, ManualHandoffPayload, ManualPlatform } from './payload.js';

export interface ManualHandoffOptions {
  /** Corrections of the declared limits, per platform. */
  limits?: { [P in ManualPlatform]?: Partial<HandoffLimits[P]> };
  /** Where transmit writes the bundle (a directory per delivery); without it transmit only prepares the renditions. */
  bundleDir?: (ctx: TransmitContext) => string;
}

/** The portal pages of the unit ("read the full text"), labelled for the bundle. */
function portalLinks(unit: ReleaseUnit): { label: string; url: string }[] {
  const links: { label: string; url: string }[] = [];
  if (unit.portalLinks) {
    links.push({ label: documentLinkLabel(unit), url: unit.portalLinks.document });
    unit.interpretations.forEach((i, n) => {
      const url = unit.portalLinks!.interpretations[n];
      if (url) links.push({ label: `解读：${i.title.trim()}`, url });
    });
  }
  return links;
}

export function createManualHandoffAdapter<P extends ManualPlatform>(platform: P, options: ManualHandoffOptions = {}): ChannelAdapter<ManualHandoffPayload> {
  const declaration = declarationOf(platform);
  const kit = handoffKit(platform);
  const limits = { ...declaration.limits, ...options.limits?.[platform] } as HandoffLimits[P];
  const capabilities: AdapterCapabilities = { publishing: 'manual', canDelete: declaration.canDelete, limits: kit.shownLimits(limits) };

  const base = (unit: ReleaseUnit, channel: Channel): HandoffBase => ({
    platform,
    platformName: declaration.localName,
    channelId: channel.id,
    account: channel.name,
    ownerUnit: channel.ownerUnit ?? null,
    packageId: unit.packageId,
    revision: unit.revision,
    links: portalLinks(unit),
    limits: capabilities.limits,
  });

  return {
    platform,
    capabilities,
    format: (unit, channel) => kit.format(unit, channel, { limits, base: base(unit, channel) }),
    async transmit(payload: ManualHandoffPayload, ctx: TransmitContext): Promise<TransmitResult> {
      // Every file must be ready before an operator is asked to post.
      for (const f of payload.files) {
        await ctx.renditions.get(f.mediaId, f.spec);
        ctx.heartbeat();
      }
      if (options.bundleDir) await writeHandoffBundle(payload, ctx.renditions, options.bundleDir(ctx));
      return { state: 'awaiting_manual', externalId: ctx.businessKey };
    },
  };
}
