/**
 * Builds the web console with Vite into console/dist (addin/scripts/vite-app.ts does the work).
 *   tsx console/scripts/build.ts             build now (npm run build:console)
 *   tsx console/scripts/build.ts --if-stale  build only when dist is missing or older than the sources
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as viteApp from '../../addin/scripts/vite-app.ts';

const CONSOLE: viteApp.ViteApp = {
  name: 'console',
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  inputs: [
    'index.html',
    'vite.config.ts',
    'src',
    '../addin/src/api.ts',
    '../addin/src/dom.ts',
    '../addin/src/i18n.ts',
    '../addin/src/outgoing.ts',
    '../addin/src/registry.ts',
    '../addin/src/types.ts',
    '../gateway/documents/rules/type-codes.ts',
  ],
  entry: 'index.html',
  script: 'build:console',
  scriptFile: fileURLToPath(import.meta.url),
};

export const DIST = viteApp.distOf(CONSOLE);
export const sourceStamp = () => viteApp.sourceStamp(CONSOLE);
export const isFresh = () => viteApp.isFresh(CONSOLE);
export const build = () => viteApp.build(CONSOLE);
export const ensureBuilt = () => viteApp.ensureBuilt(CONSOLE);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await viteApp.main(CONSOLE, process.argv.slice(2));
}
