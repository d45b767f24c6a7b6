/** The compiled CLI (dist/cli, bin/build.mjs) for tests that run `vanthu` as users do. */
import { build, freshBuild } from '../../bin/build.mjs';

/**
 * Waits until dist/cli is fresh, building it when no other test file is (a stale build would send
 * every child through tsx). For a beforeAll with a generous timeout: a build takes seconds.
 */
export async function ensureBuiltCli(): Promise<void> {
  for (let i = 0; i < 20 && !freshBuild(); i++) if (!(await build())) await new Promise((r) => setTimeout(r, 500));
}
