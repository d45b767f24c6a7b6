/** "Did you mean …?" for mistyped commands and options (docs/cli.md): the closest known word, if it is close. */
import { createRequire } from 'node:module';

const { get: distance } = createRequire(import.meta.url)('fast-levenshtein') as { get(a: string, b: string): number };

/** The known word nearest to `given` — at most 2 edits away, and fewer than half its length — or null. */
export function nearest(given: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(given.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== null && bestDistance <= 2 && bestDistance < given.length / 2 ? best : null;
}
