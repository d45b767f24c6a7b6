/**
 * The compiled CLI (docs/cli.md, "Fast start"): bin/build.mjs bundles the CLI into a build the bin
 * runs while no source changed; a changed source makes it stale; modules keep their own
 * import.meta.url (files next to the sources are found) and strings that spell "import.meta.url"
 * are left alone; tsx stays the fallback.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, freshBuild } from '../bin/build.mjs';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';

const exec = promisify(execFile);
const out = mkdtempSync(path.join(tmpdir(), 'vanthu-cli-build-'));
let entry: string;

beforeAll(async () => {
  entry = (await build({ out }))!;
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bin/build.mjs', () => {
  it('writes a bundle with source maps and a manifest of every source with its mtime and size', () => {
    expect(entry).toMatch(/main\.mjs$/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { inputs: Array<[string, number, number]> };
    const files = manifest.inputs.map(([f]) => f);
    expect(files).toEqual(expect.arrayContaining(['gateway/cli/main.ts', 'gateway/cli/commands/messages.ts', 'gateway/config/load.ts', 'package.json']));
    expect(readdirSync(path.dirname(entry))).toContain('main.mjs.map');
  });

  it('counts a build fresh while the sources are unchanged, stale once one changed', () => {
    // Sources may change under the test (others edit the tree): then there is nothing to assert here.
    if (!freshBuild(out)) return;
    expect(freshBuild(out)).toBe(entry);
    const file = path.join(out, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { inputs: Array<[string, number, number]> };
    const i = manifest.inputs.findIndex(([f]) => f === 'gateway/cli/main.ts');
    manifest.inputs[i][1] -= 1000; // as if main.ts had been edited since
    writeFileSync(file, JSON.stringify(manifest));
    expect(freshBuild(out)).toBeNull();
    manifest.inputs[i][1] += 1000;
    manifest.inputs.push(['gateway/cli/gone.ts', 1, 1]); // a source that was deleted
    writeFileSync(file, JSON.stringify(manifest));
    expect(freshBuild(out)).toBeNull();
  });

  it("keeps each module's import.meta.url: the version is read from package.json next to the sources", async () => {
    const { version } = (await import(pathToFileURL(entry).href)) as { version(): string };
    expect(version()).toBe((JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const code = readdirSync(path.join(path.dirname(entry), 'chunks'))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(path.join(path.dirname(entry), 'chunks', f), 'utf8'))
      .join('\n');
    expect(code).toContain(JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'gateway', 'config', 'load.ts')).href));
    // gateway/documents/sources/pdfjs-guard.ts rewrites the string 'import.meta.url' in pdfjs's source: strings stay.
    expect(code).toMatch(/replaceAll\(\s*["']import\.meta\.url["']/);
  });

  it("bundles the CPU pool's thread: the compiled pool starts it, and it loads plain JavaScript only, never tsx", () => {
    const dir = path.dirname(entry);
    const thread = path.join(dir, 'pool-thread.mjs');
    const chunks = readdirSync(path.join(dir, 'chunks')).filter((f) => f.endsWith('.mjs'));
    const read = (f: string) => readFileSync(f, 'utf8');
    expect(chunks.map((f) => read(path.join(dir, 'chunks', f))).join('\n')).toContain(JSON.stringify(thread)); // pool.ts THREAD_ENTRY
    // Everything the thread's module imports, followed through the chunks: no TypeScript, no loader.
    const seen = new Set<string>();
    const imports: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of read(file).matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        if (m[1].startsWith('.')) walk(path.resolve(path.dirname(file), m[1]));
        else imports.push(m[1]);
      }
    };
    walk(thread);
    expect(imports).toEqual(expect.arrayContaining(['mailparser', 'node:worker_threads']));
    expect(imports.filter((i) => i.startsWith('tsx') || i.endsWith('.ts'))).toEqual([]);
    expect([...seen].every((f) => f.endsWith('.mjs'))).toBe(true);
  });

  it("stops esbuild's service once built: a gateway that built itself on start keeps no esbuild process beside it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-cli-build-stop-'));
    try {
      // A process of its own (vitest runs an esbuild service of its own): build, then list its children by name.
      const script = `
        import { readdirSync, readFileSync } from 'node:fs';
        const { build } = await import(${JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'bin/build.mjs')).href)});
        await build({ out: ${JSON.stringify(dir)} });
        const children = () => {
          const names = [];
          for (const pid of readdirSync('/proc').filter((n) => /^\\d+$/.test(n))) {
            try {
              const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
              const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
              if (Number(f[1]) === process.pid && f[0] !== 'Z') names.push(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
            } catch {}
          }
          return names;
        };
        // A stopped service is sent SIGTERM: give it time to go (and be reaped); a running one stays.
        for (let i = 0; i < 50 && children().includes('esbuild'); i++) await new Promise((r) => setTimeout(r, 100));
        process.stdout.write(JSON.stringify(children()));
        process.exit(0);`;
      const r = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
      expect(JSON.parse(r.stdout)).not.toContain('esbuild');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs through tsx when asked (VANTHU_TSX=1), as when no build can be had', async () => {
    const r = await exec(process.execPath, [BIN, 'help'], { cwd: PROJECT_ROOT, env: { ...process.env, VANTHU_TSX: '1' } });
    expect(r.stdout).toContain('Cách dùng (Usage)');
  });
});
