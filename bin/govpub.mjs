#!/usr/bin/env node
// Entry point of the `govpub` command. Runs the TypeScript sources directly, so a fresh clone needs
// no build step: from the JavaScript copy bin/compiled-sources.mjs keeps of them (made with
// esbuild when they change), or through tsx when there is none (GOVPUB_COMPILED_SOURCES=off).
// Production may run the same sources or `npm run build`.
import { pathToFileURL } from 'node:url';
import { compiledSources } from './compiled-sources.mjs';

// Checked here, before any TypeScript loads: a value the switch does not know ran as "on" unsaid.
const compiledSetting = process.env.GOVPUB_COMPILED_SOURCES?.trim() ?? '';
if (!['', 'on', 'off'].includes(compiledSetting)) {
  process.stderr.write(
    `govpub: GOVPUB_COMPILED_SOURCES=${JSON.stringify(compiledSetting).slice(1, -1).slice(0, 40)} must be on or off (off runs the TypeScript sources through tsx); unset it for the default, on.\n`,
  );
  process.exit(1);
}
const copy = await compiledSources();
let main;
if (copy) {
  // The copy carries inline source maps: stack traces name the .ts file and line.
  process.setSourceMapsEnabled(true);
  ({ main } = await import(pathToFileURL(`${copy}/cli/main.js`).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
await main(process.argv);
