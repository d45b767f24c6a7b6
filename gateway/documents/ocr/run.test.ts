import { describe, expect, it } from 'vitest';
import { OcrAborted, OcrTimeout, OcrTooLarge, OcrUnavailable } from './errors.ts';
import { runTool } from './run.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runTool', () => {
  it('runs a program without a shell and returns its output', async () => {
    const r = await runTool('printf', ['%s', 'a; echo injected $(id)']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('a; echo injected $(id)');
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
    const t0 = Date.now();
    const p = runTool('sleep', ['30'], { signal: ctl.signal, onSpawn: (c) => (pid = c.pid) });
    setTimeout(() => ctl.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(OcrAborted);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    const timeout = AbortSignal.abort(new OcrTimeout(5));
    await expect(runTool('sleep', ['30'], { signal: timeout })).rejects.toBeInstanceOf(OcrTimeout);
  });
});
