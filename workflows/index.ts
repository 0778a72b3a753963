// Every workflow the worker registers. Workflow code is bundled for Temporal's sandbox:
// import only deterministic modules here (domain/, contracts/, workflows/, and types of activities).
export { packageWorkflow } from './package-release.js';
export { deliveryWorkflow } from './delivery.js';
export { takedownWorkflow } from './takedown.js';
export { channelCredentialCheckWorkflow } from './channel-check.js';
export * from './media-renditions.js';
export { documentValidityWorkflow } from './document-validity.js';
export { complianceRunWorkflow, siteProbeWorkflow } from './compliance.js';
