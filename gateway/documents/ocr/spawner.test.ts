import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OcrAborted, OcrTooLarge, OcrUnavailable } from './errors.ts';
import { runTool, toolEnv, toolSpawner } from './run.ts';
import { Spawner } from './spawner.ts';
import { pidAlive } from '../../../tests/helpers/processes.ts';

const alive = pidAlive;

/** The parent's pid of a running process (/proc/<pid>/stat, the field after the state). */
function parentOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
}

async function gone(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 10));
}

describe('the spawn helper', () => {
  it('starts the tools from one helper process, started once, not from this process', async () => {
    const before = toolSpawner.started;
    let pid = 0;
    let parent = 0;
    const r = await runTool('sh', ['-c', 'echo $PPID'], { onSpawn: (c) => (pid = c.pid) });
    parent = Number(r.stdout.toString().trim());
    expect(parent).toBe(toolSpawner.pid);
    expect(parent).not.toBe(process.pid);
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await runTool('true', [])).code).toBe(0);
    // Started on the first call at most, and kept.
    expect(toolSpawner.started - before).toBeLessThanOrEqual(1);
    // A running tool's parent is the helper.
    const ctl = new AbortController();
    const p = runTool('sleep', ['30'], {
      signal: ctl.signal,
      onSpawn: (c) => {
        expect(parentOf(c.pid)).toBe(toolSpawner.pid);
        ctl.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(OcrAborted);
  });

  it('works out the environment once per environment object', () => {
    const env = { PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' };
    const once = toolEnv(env);
    expect(once).not.toBe(env);
    expect(toolEnv(env)).toBe(once);
    expect(toolEnv({ ...env })).not.toBe(once);
  });

  it('is started again after it was killed, and the next call succeeds; a call it was running fails and its tool is killed', async () => {
    expect((await runTool('true', [])).code).toBe(0);
    const first = toolSpawner.pid as number;
    const started = toolSpawner.started;
    let sleeper = 0;
    const running = runTool('sleep', ['30'], { onSpawn: (c) => (sleeper = c.pid) });
    while (!sleeper) await new Promise((r) => setTimeout(r, 5));
    process.kill(first, 'SIGKILL');
    await expect(running).rejects.toBeInstanceOf(OcrUnavailable);
    await gone(sleeper);
    await gone(first);
    const r = await runTool('printf', ['%s', 'again']);
    expect(r.stdout.toString()).toBe('again');
    expect(toolSpawner.started).toBe(started + 1);
    expect(toolSpawner.pid).not.toBe(first);
  });

  it('an abort before the tool has even started kills it, and the call settles once it is gone', async () => {
    const ctl = new AbortController();
    let pid = 0;
    const p = runTool('sleep', ['30'], { signal: ctl.signal, onSpawn: (c) => (pid = c.pid) });
    ctl.abort();
    await expect(p).rejects.toBeInstanceOf(OcrAborted);
    // The helper had not told its pid yet when the abort came; if it did, the process is gone.
    if (pid) expect(alive(pid)).toBe(false);
  });

  it('still bounds the output, and the tool is gone when the call fails', async () => {
    let pid = 0;
    await expect(runTool('yes', [], { maxStdout: 100_000, onSpawn: (c) => (pid = c.pid) })).rejects.toBeInstanceOf(OcrTooLarge);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it('hands a large output over whole, read by this process from the tool itself', async () => {
    const size = 26 * 1024 * 1024;
    let bytes = 0;
    const r = await runTool('head', ['-c', String(size), '/dev/zero'], { onStdout: (c) => void (bytes += c.length), maxStdout: size });
    expect(r.code).toBe(0);
    expect(bytes).toBe(size);
  });

  it('ends its tools when the gateway lets it go', async () => {
    let pid = 0;
    const running = runTool('sleep', ['30'], { onSpawn: (c) => (pid = c.pid) });
    while (!pid) await new Promise((r) => setTimeout(r, 5));
    const helper = toolSpawner.pid as number;
    toolSpawner.stop();
    // A call made while the old helper is on its way out goes to a new one; only the old one's calls fail.
    const next = runTool('printf', ['%s', 'next']);
    await expect(running).rejects.toBeInstanceOf(OcrUnavailable);
    expect((await next).stdout.toString()).toBe('next');
    expect(toolSpawner.pid).not.toBe(helper);
    await gone(pid);
    await gone(helper);
    expect((await runTool('true', [])).code).toBe(0);
  });

  it('lets its helper go once idle, and the next call starts another', async () => {
    const spawner = new Spawner(50);
    const call = (file: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawner.start(file, [], { env: process.env });
        child.on('error', reject);
        child.on('close', (code) => resolve(code));
      });
    expect(await call('true')).toBe(0);
    const first = spawner.pid!;
    expect(alive(first)).toBe(true);
    await gone(first);
    expect(spawner.pid).toBeNull();
    expect(await call('true')).toBe(0);
    expect(spawner.started).toBe(2);
    spawner.stop();
  });
});
