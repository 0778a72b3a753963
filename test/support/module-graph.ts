/** The modules esbuild finds from an entry of govpub's (static and dynamic imports), with what each imports. */
import { build, type Metafile } from 'esbuild';
import { ROOT_DIR } from '../../config/settings.js';

export async function moduleGraph(entry: string): Promise<Metafile['inputs']> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT_DIR,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return result.metafile.inputs;
}
