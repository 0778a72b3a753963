// The console's build: Vue single-file components bundled by Vite into web/dist, served by govpub at /console/.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [
    vue(),
    // Each page imports the Element Plus components its template uses (and their styles), so the
    // first page does not carry the whole library. No generated .d.ts: vue-tsc checks the templates.
    components({ resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })], dts: false }),
  ],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The first page loads the shell and the sign-in page; every other page is its own chunk, and a
    // library only one page uses (TipTap, ECharts) goes with that page.
    chunkSizeWarningLimit: 1500,
  },
});
