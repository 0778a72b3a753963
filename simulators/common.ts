/**
 * Shared machinery of the platform simulators, one idea a file under simulators/common/: an HTTP server per platform on loopback, a
 * recorder of every accepted publication, fault injection (seeded, reproducible), a shiftable
 * clock, token bookkeeping and small parsers (JSON, forms, multipart, media magic bytes).
 *
 * Every simulator also serves the control API under `/__sim/` (never subject to faults):
 *   GET  /__sim/health        GET  /__sim/publications   POST /__sim/reset
 *   GET  /__sim/faults        POST /__sim/faults         DELETE /__sim/faults
 *   GET  /__sim/clock         POST /__sim/clock          GET  /__sim/requests
 * See simulators/README.md for the formats.
 */
export * from './common/units.js';
export * from './common/clock.js';
export * from './common/faults.js';
export * from './common/publications.js';
export * from './common/credentials.js';
export * from './common/requests.js';
export * from './common/launcher.js';
export * from './common/html.js';
