import { readdirSync, readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

/** Unit tests, next to the code they test. */
const UNIT_DIRS = ['gateway', 'addin'];

/**
 * Unit test files share their worker's module cache with the files it ran before (project
 * `shared`), so the gateway's modules are evaluated once per worker rather than once per file (the
 * suite's "import" time; docs/testing.md, "How the suite runs"). A unit file that replaces a module
 * (`vi.mock`), the clock or a global through vitest, or that says `// own-process: <why>` (it
 * checks what its process has loaded or kept), runs in a process of its own, as do the
 * integration suites under tests/ (project `isolated`).
 */
const OWN_PROCESS = /\bvi\.(?:mock|doMock|unmock|useFakeTimers|stubGlobal|stubEnv)\(|^\/\/ own-process:/m;
const ownProcess = UNIT_DIRS.flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts') && !f.split('/').includes('node_modules'))
    .map((f) => `${dir}/${f}`),
).filter((f) => OWN_PROCESS.test(readFileSync(f, 'utf8')));

export default defineConfig({
  test: {
    globalSetup: ['tests/setup/global.ts'],
    pool: 'forks',
    // Two cores: integration suites start real servers; more parallel files only adds contention.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: UNIT_DIRS.map((d) => `${d}/**/*.test.ts`), exclude: [...configDefaults.exclude, ...ownProcess], isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: ['tests/**/*.test.ts', ...ownProcess], isolate: true } },
    ],
  },
});
