/** govpub media: storage, probing and per-platform renditions. See README.md in this folder. */
export * from './binaries.js';
export * from './store.js';
export * from './probe.js';
export * from './specs.js';
export * from './image.js';
export * from './video.js';
export { ProgressReporter, parseProgressLine } from './ffmpeg.js';
export { capBitrateKbps, planAudio, planPoster, planVideo, type VideoPlan } from './video-plan.js';
export * from './video-args.js';
export * from './renditions.js';
export * from './published.js';
export * from './fonts.js';
export { mediaCounters, activeMediaProcesses } from './process.js';
export { formatBytes, formatDuration } from './units.js';
