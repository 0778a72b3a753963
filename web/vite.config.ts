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
    // The first page loads the shell and the sign-in page; every other page is its own chunk.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // Big libraries in their own long-cached chunks, fetched only by the pages that use them.
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts';
          if (id.includes('node_modules/@tiptap') || id.includes('node_modules/prosemirror')) return 'editor';
          return undefined;
        },
      },
    },
  },
});
