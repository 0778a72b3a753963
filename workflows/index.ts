// Every workflow the worker registers. Workflow code is bundled for Temporal's sandbox:
// import only deterministic modules here (domain/, workflows/, and types of activities).
export { packageWorkflow } from './package-release.js';
export { deliveryWorkflow, takedownWorkflow } from './delivery.js';
export * from './media-renditions.js';
