/** Builds the web console into console/dist: index.html (served at /) and its bundles under console/ (served at /console/). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative URLs: the page at / loads ./console/assets/…, on any host or behind a path prefix.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // pdf.js (the review item's viewer) is written for ES2022 (class static blocks, private fields): kept as is, not lowered.
    target: 'es2022',
    sourcemap: true,
    assetsDir: 'console/assets',
    rollupOptions: { input: { index: fileURLToPath(new URL('index.html', import.meta.url)) } },
  },
});
