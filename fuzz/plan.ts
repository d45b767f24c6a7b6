/**
 * From a seed to input bytes. fast-check draws a plan — mutate seed file K with these operations,
 * or generate from the grammar and mutate that — and the plan is applied. The first inputs of a
 * run are the seed files themselves, unchanged, so a real input that fails is found first.
 */
import fc from 'fast-check';
import { generate } from './generate.ts';
import { applyOps } from './mutate/apply.ts';
import { opArbitrary, opsArbitrary, type Format, type Op } from './mutate/ops.ts';
import { prng } from './rng.ts';

export type Plan = { kind: 'mutate'; pick: number; ops: Op[] } | { kind: 'generate'; gen: number; ops: Op[] };

const arbs = new Map<Format, fc.Arbitrary<Plan>>();

function planArbitrary(format: Format): fc.Arbitrary<Plan> {
  let arb = arbs.get(format);
  if (!arb) {
    arb = fc.oneof(
      { weight: 7, arbitrary: fc.record({ kind: fc.constant('mutate' as const), pick: fc.nat(), ops: opsArbitrary(format) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('generate' as const), gen: fc.integer(), ops: fc.array(opArbitrary(format), { maxLength: 3 }) }) },
    );
    arbs.set(format, arb);
  }
  return arb;
}

/** One value of `arb` for `seed`; a quarter of the inputs use fast-check's bias towards edge values. */
export function draw<T>(arb: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(seed & 3 ? fc.noBias(arb) : arb, { seed, numRuns: 1 })[0];
}

export function planFor(format: Format, seed: number): Plan {
  return draw(planArbitrary(format), seed);
}

/** Bytes of a plan: seeds are the files mutated, `others` the material spliced in and used by generators. */
export function makeBytes(format: Format, seed: number, seeds: readonly Buffer[], others: readonly Buffer[]): Buffer {
  const plan = planFor(format, seed);
  const base = plan.kind === 'mutate' && seeds.length ? seeds[plan.pick % seeds.length] : generate(format, plan.kind === 'generate' ? plan.gen : seed, others);
  return applyOps(base, plan.ops, { format, others });
}

/** Cut points for chunked delivery (stream chunks, SMTP writes). */
export function splitsFor(seed: number, length: number): number[] {
  const r = prng(seed ^ 0x5bd1e995);
  const n = r() < 0.5 ? 0 : Math.floor(r() * 8);
  const cuts = new Set<number>();
  for (let i = 0; i < n && length > 1; i++) cuts.add(1 + Math.floor(r() * (length - 1)));
  return [...cuts].sort((x, y) => x - y);
}

export function chunks(bytes: Buffer, splits: readonly number[] = []): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const s of splits) {
    if (s <= at || s >= bytes.length) continue;
    out.push(bytes.subarray(at, s));
    at = s;
  }
  out.push(bytes.subarray(at));
  return out;
}

/** Weighted choice of a pool for input `seed`. */
export function choose<T extends { weight: number }>(pools: readonly T[], seed: number): T {
  const total = pools.reduce((s, p) => s + p.weight, 0);
  let x = (((seed >>> 0) % 10007) / 10007) * total;
  for (const p of pools) {
    if (x < p.weight) return p;
    x -= p.weight;
  }
  return pools[pools.length - 1];
}
