import path from 'node:path';
import { PROJECT_ROOT } from '../../gateway/config/load.ts';

export { PROJECT_ROOT };
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'gateway', 'store', 'migrations');
/** A migrated PGlite data dir (<template>/db) made by tests/setup/global.ts. */
export const PGLITE_TEMPLATE = path.join(PROJECT_ROOT, 'var', 'test', 'pglite-template');
export const BIN = path.join(PROJECT_ROOT, 'bin', 'vanthu.mjs');
