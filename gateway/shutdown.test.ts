import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './log.ts';
import { STOP_STEP_MS, stopInReverse } from './shutdown.ts';

function recorder() {
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = { warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }) } as unknown as Logger;
  return { log, warnings };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('stopping the gateway’s parts', () => {
  it('stops them last first, and goes on past one that fails or throws', async () => {
    const { log, warnings } = recorder();
    const order: string[] = [];
    await stopInReverse(
      [
        async () => order.push('storage'),
        async () => {
          order.push('queue');
          throw new Error('connection reset');
        },
        () => {
          order.push('smtp');
          throw new Error('not a promise');
        },
        async () => order.push('http'),
      ],
      log,
    );
    expect(order).toEqual(['http', 'smtp', 'queue', 'storage']);
    expect(warnings.map((w) => [w.msg, w.fields.err])).toEqual([
      ['error while stopping', 'not a promise'],
      ['error while stopping', 'connection reset'],
    ]);
  });

  it('leaves a part that does not stop behind after its time, says which, and stops the rest', async () => {
    vi.useFakeTimers();
    const { log, warnings } = recorder();
    const order: string[] = [];
    const stuck = () => new Promise<void>(() => order.push('worker (never ends)'));
    let done = false;
    const stopping = stopInReverse([async () => order.push('storage'), stuck, async () => order.push('http')], log).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(STOP_STEP_MS - 1);
    expect(done).toBe(false);
    expect(order).toEqual(['http', 'worker (never ends)']);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(order).toEqual(['http', 'worker (never ends)', 'storage']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toBe('a part did not stop in time; stopping the rest without it');
    expect(warnings[0].fields).toMatchObject({ waitedMs: STOP_STEP_MS, step: expect.stringContaining('never ends') });
  });
});
