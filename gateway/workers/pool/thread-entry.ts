/**
 * The CPU pool thread as the compiled CLI bundles it (bin/build.mjs, entry `pool-thread`): plain
 * JavaScript with only the modules the tasks need, so a thread neither loads tsx's loader nor
 * compiles TypeScript (docs/architecture.md, "The CPU pool", Loading). Run from the sources, the
 * pool starts thread.mjs instead.
 */
import { serve } from './thread.ts';

serve();
