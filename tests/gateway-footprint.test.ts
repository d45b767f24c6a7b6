/**
 * What a started gateway keeps in memory (docs/operations.md, "Memory"). The gateway runs as a
 * child process (`node bin/vanthu.mjs start`, the compiled CLI, as an operator starts it); a preload
 * (tests/fixtures/footprint/loaded-scripts.mjs) lists the scripts compiled in its main thread. Every
 * module's source stays in the heap for the process's life, so what a started gateway does not use
 * until asked loads on first use: fontkit (2.7 MB of source; PDF book and report printing, issuing),
 * pdf-lib (issuing, the book as PDF, a scan's searchable copy), imapflow (IMAP accounts), ldapts (LDAP
 * logins), @fastify/swagger (the first OpenAPI request), ical-generator and its time zones (the first
 * meeting invitation). Source maps stay off unless VANTHU_SOURCE_MAPS=1
 * asks for them: Node keeps every loaded module's map, dependencies' with their whole sources
 * (~9 MiB of the main heap, measured 2026-12-04). With these the idle gateway was 30 MiB smaller
 * on PGlite (300/310 → 269/280 MiB, bench/e2e/FINDINGS.md "Ninth round").
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';
import { freePort, killHard, spawnVanthu, waitForHttp, type Child } from './helpers/processes.ts';

const PRELOAD = path.resolve(import.meta.dirname, 'fixtures/footprint/loaded-scripts.mjs');
const MiB = 1024 * 1024;
/** Idle RSS measured 2026-12-04 on the loaded 2-core machine: PGlite 269–280 MiB, PostgreSQL ~190; the bounds leave ~25 % margin. */
const IDLE_BOUND = { pglite: 352 * MiB, postgres: 256 * MiB };
/** Packages a started gateway must not load before it needs them. */
const LAZY = ['@pdf-lib/fontkit', 'pdf-lib', 'imapflow', 'ldapts', '@fastify/swagger', 'ical-generator', '@touch4it/ical-timezones'];

function rss(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

describe.each(BACKENDS)('a started gateway on %s', (backend) => {
  let storage: TestStorage;
  let child: Child;
  let out: string;

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    out = path.join(storage.dataDir, 'loaded-scripts.json');
    const env = testEnv(storage, {
      VANTHU_SMTP_PORT: String(await freePort()),
      VANTHU_HTTP_PORT: String(await freePort()),
      VANTHU_LOG_LEVEL: 'warn',
      NODE_OPTIONS: `--import ${PRELOAD}`,
      LOADED_SCRIPTS_OUT: out,
      VANTHU_SOURCE_MAPS: '', // the default, whatever the runner's environment says
    });
    child = spawnVanthu(['start'], env);
    await waitForHttp(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/healthz`, child, 120_000);
    await new Promise((r) => setTimeout(r, 1000)); // settled: workers and timers started
  }, 150_000);

  afterAll(async () => {
    if (child) await killHard(child);
    await storage?.cleanup();
  });

  it('has not loaded what it does not use yet, and keeps no source maps', async () => {
    const idle = rss(child.proc.pid!);
    process.kill(child.proc.pid!, 'SIGUSR2');
    const end = Date.now() + 30_000;
    while (!existsSync(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const { sourceMaps, scripts } = JSON.parse(readFileSync(out, 'utf8')) as { sourceMaps: boolean; scripts: string[] };
    process.stderr.write(`gateway-footprint on ${backend}: idle ${Math.round(idle / MiB)} MiB, ${scripts.length} scripts\n`);
    // The listing works: what every start loads is in it.
    for (const pkg of ['fastify', 'smtp-server', 'bullmq'])
      expect(
        scripts.some((s) => s.includes(`/node_modules/${pkg}/`)),
        pkg,
      ).toBe(true);
    expect(
      scripts.some((s) => /\/dist\/cli\/[^/]+\/chunks\/start-/.test(s)),
      'the compiled CLI',
    ).toBe(true);
    for (const pkg of LAZY)
      expect(
        scripts.filter((s) => s.includes(`/node_modules/${pkg}/`)),
        pkg,
      ).toEqual([]);
    expect(sourceMaps).toBe(false);
    expect(idle).toBeLessThan(IDLE_BOUND[backend]);
  }, 60_000);
});
