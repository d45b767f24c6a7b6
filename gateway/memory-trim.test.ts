/**
 * The idle rule of memory-trim.ts on a fake clock: one trim per idle period, none while work goes
 * on, another only after new work (or a released thread); the bytes given back are counted.
 */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { memoryReleased } from './memory-released.ts';
import { MemoryTrimmer, mallocTrimBinding, startMemoryTrim, trimSetting, type TrimTimers } from './memory-trim.ts';
import { silentLogger } from './log.ts';

/** Timers on a clock that moves only when told. */
class FakeTimers implements TrimTimers {
  t = 0;
  private pending: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 0;
  now = () => this.t;
  set = (fn: () => void, ms: number) => {
    const id = ++this.nextId;
    this.pending.push({ at: this.t + ms, fn, id });
    return id;
  };
  clear = (id: unknown) => {
    this.pending = this.pending.filter((p) => p.id !== id);
  };
  get armed(): number {
    return this.pending.length;
  }
  /** Moves the clock, running what falls due in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

function setup(idleMs = 10_000) {
  const timers = new FakeTimers();
  let rss = 400e6;
  const calls: number[] = [];
  const registry = new Registry();
  const trimmer = new MemoryTrimmer({
    idleMs,
    timers,
    registry,
    rss: () => rss,
    trim: () => {
      calls.push(timers.t);
      rss -= 30e6;
      return 1;
    },
  });
  return { timers, calls, trimmer, registry };
}

describe('memory trim when the gateway goes idle', () => {
  it('trims once after the start has been idle for idleMs, then not again while nothing happens', () => {
    const { timers, calls, trimmer } = setup();
    timers.advance(9_999);
    expect(calls).toEqual([]);
    timers.advance(1);
    expect(calls).toEqual([10_000]);
    timers.advance(600_000);
    expect(calls).toEqual([10_000]);
    expect(timers.armed).toBe(0); // no timer left running while idle
    expect(trimmer.stats).toMatchObject({ trims: 1, releasedBytes: 30e6 });
    trimmer.stop();
  });

  it('does not trim while work goes on, and trims once idleMs after the last work', () => {
    const { timers, calls, trimmer } = setup();
    timers.advance(10_000); // the start's trim
    for (let i = 0; i < 100; i++) {
      trimmer.work();
      timers.advance(3_000);
    }
    expect(calls).toEqual([10_000]);
    timers.advance(6_999);
    expect(calls).toEqual([10_000]);
    timers.advance(1);
    expect(calls).toEqual([10_000, 10_000 + 100 * 3_000 + 7_000]);
    timers.advance(100_000);
    expect(calls.length).toBe(2);
    trimmer.stop();
  });

  it('trims again only after new work', () => {
    const { timers, calls, trimmer } = setup();
    timers.advance(20_000);
    trimmer.work();
    timers.advance(20_000);
    timers.advance(20_000);
    trimmer.work();
    timers.advance(20_000);
    expect(calls).toEqual([10_000, 30_000, 70_000]);
    trimmer.stop();
  });

  it('a job of a watched worker is work: started, completed or failed', () => {
    const { timers, calls, trimmer } = setup();
    const worker = new EventEmitter();
    trimmer.watch(worker);
    timers.advance(10_000);
    timers.advance(5_000);
    worker.emit('active');
    timers.advance(8_000);
    worker.emit('completed');
    timers.advance(8_000);
    worker.emit('failed');
    timers.advance(9_999);
    expect(calls).toEqual([10_000]);
    timers.advance(1);
    expect(calls).toEqual([10_000, 41_000]);
    trimmer.stop();
  });

  it('an ended thread or helper asks for a trim: at once when idle, at the next idle moment during work', () => {
    const { timers, calls, trimmer } = setup();
    timers.advance(60_000);
    memoryReleased();
    timers.advance(0);
    expect(calls).toEqual([10_000, 60_000]);
    trimmer.work();
    timers.advance(2_000);
    memoryReleased();
    timers.advance(0);
    expect(calls.length).toBe(2);
    timers.advance(8_000);
    expect(calls).toEqual([10_000, 60_000, 70_000]);
    trimmer.stop();
  });

  it('counts trims and bytes given back in the registry, and a stopped trimmer does nothing', async () => {
    const { timers, trimmer, registry } = setup();
    timers.advance(10_000);
    trimmer.work();
    timers.advance(10_000);
    const text = await registry.metrics();
    expect(text).toMatch(/^vanthu_memory_trims_total 2$/m);
    expect(text).toMatch(/^vanthu_memory_trimmed_bytes_total 60000000$/m);
    trimmer.stop();
    trimmer.work();
    memoryReleased();
    expect(timers.armed).toBe(0);
    timers.advance(60_000);
    expect(trimmer.stats.trims).toBe(2);
  });

  it('reads VANTHU_MEMORY_TRIM: on by default (10 s), off, or the idle seconds', () => {
    expect(trimSetting(undefined)).toEqual({ idleMs: 10_000 });
    expect(trimSetting('off')).toEqual({ off: 'VANTHU_MEMORY_TRIM=off' });
    expect(trimSetting('2.5')).toEqual({ idleMs: 2_500 });
    expect(trimSetting('soon')).toHaveProperty('off');
  });

  it('is off when asked (0 on /metrics); on with the binding on glibc Linux', async () => {
    const registry = new Registry();
    expect(startMemoryTrim(silentLogger, registry, { VANTHU_MEMORY_TRIM: 'off' })).toBeNull();
    expect(await registry.metrics()).toMatch(/^vanthu_memory_trim_enabled 0$/m);
    const binding = mallocTrimBinding();
    // This machine is glibc Linux (the project's): the binding loads without an install script.
    expect(binding).toMatchObject({ ok: true, libc: expect.stringMatching(/^glibc 2\.\d+/) });
    if (binding.ok) expect(binding.trim()).toBeGreaterThanOrEqual(0);
  });

  it('runs without it where malloc_trim cannot be had (musl, no koffi), and says why once', async () => {
    const registry = new Registry();
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    expect(startMemoryTrim(log, registry, {}, () => ({ ok: false, reason: 'no glibc here (libc.so.6: not found)' }))).toBeNull();
    expect(await registry.metrics()).toMatch(/^vanthu_memory_trim_enabled 0$/m);
    expect(lines.map((l) => JSON.parse(l) as { msg: string; reason: string })).toEqual([
      expect.objectContaining({ msg: 'memory trim off: freed C heap stays with the process', reason: 'no glibc here (libc.so.6: not found)' }),
    ]);
    const on = startMemoryTrim(log, new Registry(), { VANTHU_MEMORY_TRIM: '5' }, () => ({ ok: true, trim: () => 1, libc: 'glibc 2.36' }));
    expect(on).toBeInstanceOf(MemoryTrimmer);
    on?.stop();
  });

  it("gives the JavaScript heaps' free memory back first, then trims what that freed", async () => {
    const timers = new FakeTimers();
    const order: string[] = [];
    let done!: () => void;
    const released = new Promise<void>((r) => (done = r));
    const trimmer = new MemoryTrimmer({
      idleMs: 1000,
      timers,
      rss: () => 1,
      release: async () => {
        order.push('release');
        await released;
      },
      trim: () => {
        order.push('trim');
        return 1;
      },
    });
    timers.advance(1000);
    expect(order).toEqual(['release']);
    done();
    await released;
    await Promise.resolve();
    expect(order).toEqual(['release', 'trim']);
    expect(trimmer.stats.trims).toBe(1);
    trimmer.stop();
  });

  it("the gateway's trimmer releases the heaps (heap-release.ts) before malloc_trim", async () => {
    const order: string[] = [];
    const on = startMemoryTrim(silentLogger, new Registry(), { VANTHU_MEMORY_TRIM: '0.01' }, () => ({
      ok: true,
      trim: () => (order.push('trim'), 1),
      libc: 'glibc',
    }));
    for (let i = 0; i < 500 && on && on.stats.trims === 0; i++) await new Promise((r) => setTimeout(r, 10));
    on?.stop();
    expect(on?.stats).toMatchObject({ trims: 1, heapReleases: 1 });
    expect(order).toEqual(['trim']);
  });
});
