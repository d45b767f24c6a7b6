import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OcrAborted, OcrTimeout, OcrTooLarge, OcrUnavailable } from './errors.ts';
import { HUGE_PAGES, runTool, toolEnv, withInputFile } from './run.ts';
import { pidAlive } from '../../../tests/helpers/processes.ts';

const alive = pidAlive;

describe('runTool', () => {
  it('gives every tool glibc malloc on transparent huge pages, keeping the tunables already set and an explicit choice', async () => {
    expect(HUGE_PAGES).toBe('glibc.malloc.hugetlb=1');
    const seen = async (env: NodeJS.ProcessEnv) => (await runTool('sh', ['-c', 'printf %s "$GLIBC_TUNABLES"'], { env })).stdout.toString();
    expect(await seen({ PATH: process.env.PATH })).toBe('glibc.malloc.hugetlb=1');
    expect(await seen({ PATH: process.env.PATH, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    // An operator's own setting (=0 turns it off) is left alone.
    expect(await seen({ PATH: process.env.PATH, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })).toBe('glibc.malloc.hugetlb=0');
    const env = { PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0' };
    expect(toolEnv(env)).toBe(env);
    // Not a prefix match on another tunable's name.
    expect(toolEnv({ GLIBC_TUNABLES: 'x.glibc.malloc.hugetlb=0' }).GLIBC_TUNABLES).toBe('x.glibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1');
  });

  it('runs a program without a shell and returns its output', async () => {
    const r = await runTool('printf', ['%s', 'a; echo injected $(id)']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('a; echo injected $(id)');
  });

  it('writes the input to standard input, and a child that does not read it is no failure', async () => {
    const input = new Uint8Array(3 * 1024 * 1024).fill(0x61);
    const r = await runTool('wc', ['-c'], { input });
    expect(r.stdout.toString().trim()).toBe(String(input.length));
    // `true` exits without reading: the pipe breaks (EPIPE) and the exit status is what counts.
    expect((await runTool('true', [], { input })).code).toBe(0);
    expect((await runTool('false', [], { input })).code).toBe(1);
  });

  it('writes input given in parts one after the other (a PGM header, then the pixels, uncopied)', async () => {
    const pixels = new Uint8Array(2 * 1024 * 1024).fill(0x62);
    const r = await runTool('cat', [], { input: [Buffer.from('P5\n2 3\n255\n'), pixels, Buffer.from('end')], maxStdout: 4 * 1024 * 1024 });
    expect(r.stdout.subarray(0, 11).toString()).toBe('P5\n2 3\n255\n');
    expect(r.stdout.length).toBe(11 + pixels.length + 3);
    expect(r.stdout.subarray(11, 11 + pixels.length).every((b) => b === 0x62)).toBe(true);
    expect(r.stdout.subarray(-3).toString()).toBe('end');
  });

  it('hands standard output over chunk by chunk, unkept, and what the consumer throws kills the child', async () => {
    const chunks: number[] = [];
    const r = await runTool('head', ['-c', String(1024 * 1024), '/dev/zero'], { onStdout: (c) => chunks.push(c.length), maxStdout: 2 * 1024 * 1024 });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(1024 * 1024);
    let pid = 0;
    const refused = runTool('yes', [], {
      onSpawn: (c) => (pid = c.pid),
      onStdout: () => {
        throw new OcrTooLarge('no more');
      },
    });
    await expect(refused).rejects.toThrow('no more');
    expect(alive(pid)).toBe(false);
  });

  it('a missing program is OcrUnavailable', async () => {
    await expect(runTool('vanthu-no-such-tool', [])).rejects.toBeInstanceOf(OcrUnavailable);
    await expect(runTool('sleep', ['1'], { env: { PATH: '/nonexistent' } })).rejects.toMatchObject({ code: 'ocr-unavailable' });
  });

  it('kills a child whose output passes the limit', async () => {
    await expect(runTool('yes', [], { maxStdout: 100_000 })).rejects.toBeInstanceOf(OcrTooLarge);
  });

  it('an abort kills the child and settles once it is gone, with the reason given', async () => {
    const ctl = new AbortController();
    let pid = 0;
    // Aborted once the child runs; `sleep 30` outlives the test's timeout unless the abort kills it.
    const p = runTool('sleep', ['30'], { signal: ctl.signal, onSpawn: (c) => ((pid = c.pid), setImmediate(() => ctl.abort())) });
    await expect(p).rejects.toBeInstanceOf(OcrAborted);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    const timeout = AbortSignal.abort(new OcrTimeout(5));
    await expect(runTool('sleep', ['30'], { signal: timeout })).rejects.toBeInstanceOf(OcrTimeout);
  });
});

describe('withInputFile', () => {
  it('writes the parts one after the other into a file of the folder, gives its path, and removes it after', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-input-'));
    try {
      const pixels = new Uint8Array(3 * 1024 * 1024).fill(0x62);
      const seen = await withInputFile(dir, [Buffer.from('P5\n2 3\n255\n'), pixels], async (file) => {
        expect(path.dirname(file)).toBe(dir);
        const bytes = readFileSync(file);
        expect(bytes.subarray(0, 11).toString()).toBe('P5\n2 3\n255\n');
        expect(bytes.length).toBe(11 + pixels.length);
        expect(bytes.subarray(11).every((b) => b === 0x62)).toBe(true);
        return 'read';
      });
      expect(seen).toBe('read');
      expect(readdirSync(dir)).toEqual([]);
      // Removed when the child fails too; a second file never takes the first's name.
      const names: string[] = [];
      await expect(
        withInputFile(dir, new Uint8Array([1, 2]), async (file) => {
          names.push(file);
          await withInputFile(dir, new Uint8Array([3]), async (inner) => void names.push(inner));
          throw new Error('child failed');
        }),
      ).rejects.toThrow('child failed');
      expect(new Set(names).size).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
