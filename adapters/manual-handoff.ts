// The manual hand-off (platforms without a public publishing API: a person posts a prepared bundle and confirms its URL), as other layers import it.
export { createManualHandoffAdapter, type ManualHandoffOptions } from './manual-handoff/adapter.js';
export { isManualPlatform } from './manual-handoff/kits.js';
export { handoffBundleEntries, writeHandoffBundle, type BundleEntry } from './manual-handoff/write-bundle.js';
export type { HandoffFile, ManualHandoffPayload, ManualPlatform } from './manual-handoff/payload.js';
