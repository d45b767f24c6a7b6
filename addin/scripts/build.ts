/**
 * Builds the task pane with Vite into addin/dist (addin/scripts/vite-app.ts does the work).
 *   tsx addin/scripts/build.ts             build now (npm run build:addin)
 *   tsx addin/scripts/build.ts --if-stale  build only when dist is missing or older than the sources
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as viteApp from './vite-app.ts';

const ADDIN: viteApp.ViteApp = {
  name: 'add-in',
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  inputs: ['taskpane.html', 'vite.config.ts', 'src', 'public'],
  entry: 'taskpane.html',
  script: 'build:addin',
  scriptFile: fileURLToPath(import.meta.url),
};

export const DIST = viteApp.distOf(ADDIN);
export const sourceStamp = () => viteApp.sourceStamp(ADDIN);
export const isFresh = () => viteApp.isFresh(ADDIN);
export const build = () => viteApp.build(ADDIN);
export const ensureBuilt = () => viteApp.ensureBuilt(ADDIN);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await viteApp.main(ADDIN, process.argv.slice(2));
}
