/**
 * The console's "latest load wins" (console/src/latest.ts): when the filters change while an
 * earlier answer is on its way, only the later answer is shown; a failure is shown whichever load
 * it belonged to.
 */
import { describe, expect, it } from 'vitest';
import { latestLoad } from '../console/src/latest.ts';

describe('latestLoad', () => {
  it('shows the answer of the latest load only, in whatever order the answers come, and every failure', async () => {
    const pending: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
    const shown: string[] = [];
    const failed: string[] = [];
    const load = latestLoad(
      { fail: (err) => failed.push((err as Error).message) },
      () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
      (data) => shown.push(data),
    );

    const first = load();
    const second = load();
    pending[1].resolve('second');
    await second;
    pending[0].resolve('first'); // late: a later load began after it
    await first;
    expect(shown).toEqual(['second']);

    const third = load();
    const fourth = load();
    pending[2].reject(new Error('403'));
    await third;
    pending[3].resolve('fourth');
    await fourth;
    expect(failed).toEqual(['403']);
    expect(shown).toEqual(['second', 'fourth']);

    const fifth = load();
    pending[4].resolve('fifth');
    await fifth;
    expect(shown).toEqual(['second', 'fourth', 'fifth']);
  });

  it("passes the load's arguments to the request", async () => {
    const calls: string[] = [];
    const load = latestLoad(
      { fail: () => undefined },
      async (append = false) => ({ page: append ? 'next page' : 'first page', append }),
      ({ page, append }) => calls.push(`${page} ${append ? 'appended' : 'replaced'}`),
    );
    await load();
    await load(true);
    expect(calls).toEqual(['first page replaced', 'next page appended']);
  });
});
