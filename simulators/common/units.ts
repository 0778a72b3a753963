// Which platforms have a simulator (from their declarations) and the byte units simulators count limits in.
import { SIMULATED_PLATFORMS, type SimulatedPlatform } from '../../adapters/declarations.js';

/** The platforms with a simulator, as their declarations say (adapters/declarations.ts), in port order. */
export const SIMULATOR_KINDS = SIMULATED_PLATFORMS;
export type SimulatorKind = SimulatedPlatform;

export const MB = 1024 * 1024;
export const KB = 1024;
