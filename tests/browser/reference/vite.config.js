// Builds the reference pages into dist/ with relative URLs, so the
// benchmark's static server can serve them from any path: index.html (the
// local workloads) and sync.html (sync with the dev server).
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  optimizeDeps: { exclude: ['@powersync/web', '@journeyapps/wa-sqlite'] },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { index: 'index.html', sync: 'sync.html' } },
  },
  logLevel: 'warn',
});
