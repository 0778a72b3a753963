#!/usr/bin/env node
// Entry point of the `govpub` command. Runs the TypeScript sources directly through tsx,
// so a fresh clone needs no build step; production may run the same sources or `npm run build`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
