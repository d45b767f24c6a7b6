/**
 * The latest load wins: a page whose filters reload it (the overview and the report, docs/console.md)
 * may have an earlier answer still on its way when a later one is asked for; that earlier answer is
 * dropped, so the page never shows the filters of one load with the figures of another. A failed
 * load is shown whichever it was.
 */
import type { Ctx } from './app.ts';

/**
 * A load function for the page: `request` the data, then `show` it unless a later load began
 * meanwhile. Arguments of the load (say, "append the next page") go to `request`, which returns
 * whatever `show` needs of them along with the data.
 */
export function latestLoad<A extends unknown[], T>(
  ctx: Pick<Ctx, 'fail'>,
  request: (...args: A) => Promise<T>,
  show: (data: T) => void,
): (...args: A) => Promise<void> {
  let loads = 0;
  return async (...args: A) => {
    const mine = ++loads;
    let data: T;
    try {
      data = await request(...args);
    } catch (err) {
      return ctx.fail(err);
    }
    if (mine !== loads) return;
    show(data);
  };
}
