/** Builds the task pane into addin/dist (served by the gateway under /addin/). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative URLs: the same build works under /addin/ on any host or behind a path prefix.
  base: './',
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    rollupOptions: { input: { taskpane: fileURLToPath(new URL('taskpane.html', import.meta.url)) } },
  },
});
