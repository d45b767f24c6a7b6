/**
 * `vanthu help`, `vanthu help <command>`, `vanthu <command> --help` and `--version` (docs/cli.md):
 * every registered command answers its help with exit 0, Vietnamese ("Cách dùng") and English
 * ("Usage"); help and --version load none of the gateway's dependencies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, freshBuild } from '../bin/build.mjs';
import { commands, main } from '../gateway/cli/main.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';

const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function vanthu(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Run> {
  try {
    const r = await exec(process.execPath, [...nodeArgs, BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs fn over items, at most `n` at a time (each is a process: the machine has two cores). */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

const names = Object.keys(commands);

// The compiled CLI, as users run it (a stale build would send every child through tsx).
beforeAll(async () => {
  for (let i = 0; i < 20 && !freshBuild(); i++) if (!(await build())) await new Promise((r) => setTimeout(r, 500));
}, 120_000);
const version = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('vanthu <command> --help for every registered command', () => {
  it('knows the commands', () => {
    expect(names).toEqual(expect.arrayContaining(['start', 'messages', 'search', 'review', 'register', 'verify', 'classify', 'book']));
  });

  it('exits 0 with usage in Vietnamese and English, for --help, -h and help <command>', async () => {
    const runs = await pool(names, 3, async (name) => ({ name, help: await vanthu([name, '--help']), short: await vanthu(['help', name]) }));
    for (const { name, help, short } of runs) {
      expect([name, help.code], help.stderr).toEqual([name, 0]);
      expect(help.stdout).toContain('Cách dùng');
      expect(help.stdout).toContain('Usage');
      expect(help.stdout).toContain(`vanthu ${name}`);
      expect(help.stdout.indexOf('Cách dùng')).toBeLessThan(help.stdout.indexOf('Usage:')); // Vietnamese first
      expect([name, short.code, short.stdout]).toEqual([name, 0, help.stdout]);
    }
  }, 240_000); // some 45 processes on a shared two-core machine

  it('answers --help after other arguments too, where a parser used to refuse it (in-process)', async () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      for (const args of [
        ['review', 'approve', '--help'],
        ['book', 'print', '-h'],
        ['classify', 'x.pdf', '--help'],
        ['users', '--unit', 'stc', '--help'],
      ]) {
        out.length = 0;
        expect(await main(args)).toBe(0);
        expect(out.join('')).toContain('Cách dùng');
      }
    } finally {
      process.stdout.write = write;
    }
  });
});

describe('vanthu help and --version', () => {
  it('help lists every command in both languages; no command is exit 2 with the list on stderr', async () => {
    const help = await vanthu(['help']);
    expect(help.code).toBe(0);
    for (const name of names) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help.stdout).toContain('Cách dùng (Usage)');
    const bare = await vanthu([]);
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toContain('Lệnh (Commands)');
    const unknown = await vanthu(['help', 'khong-co']);
    expect(unknown.code).toBe(2);
  });

  it('--version, -V and version print the package version', async () => {
    for (const flag of ['--version', '-V', 'version']) {
      const r = await vanthu([flag]);
      expect([r.code, r.stdout]).toEqual([0, `vanthu ${version}\n`]);
    }
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-cli-help-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The modules a run resolves, recorded by a module resolution hook in the child. */
  async function resolved(args: string[]): Promise<string[]> {
    const log = path.join(dir, `resolved-${args.join('_') || 'none'}.txt`);
    const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`;
    const r = await vanthu(args, {}, ['--import', `data:text/javascript,${encodeURIComponent(register)}`]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(log, 'utf8').trim().split('\n');
  }

  it('help and --version load none of the gateway (no Fastify, BullMQ, database, config or pino)', async () => {
    for (const args of [['help'], ['--version'], ['messages', '--help']]) {
      const urls = await resolved(args);
      expect(urls.length).toBeGreaterThan(0);
      const heavy = urls.filter(
        (u) => /node_modules\/(fastify|bullmq|drizzle-orm|@electric-sql|pg|pino|yaml|zod|tsx)\//.test(u) || /gateway\/(app|config|store)\b/.test(u),
      );
      expect([args.join(' '), heavy]).toEqual([args.join(' '), []]);
    }
  });

  it('names a mistyped command or option and suggests the nearest one', async () => {
    const cmd = await vanthu(['mesages']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "mesages"');
    expect(cmd.stderr).toContain('did you mean "messages"?');
    const opt = await vanthu(['search', 'ngan sach', '--lmit', '5']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('không có tùy chọn --lmit (unknown option --lmit); có phải --limit? (did you mean --limit?)');
    const far = await vanthu(['messages', '--frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown option --frobnicate');
    expect(far.stderr).not.toContain('did you mean');
  });
});
