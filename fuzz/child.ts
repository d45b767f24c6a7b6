/**
 * A target's child process: receives one job (a range of input indexes, or fixtures to replay),
 * starts the target, runs the inputs one by one and tells the parent before each one, so the
 * parent's watchdog can time it and name the input that hung, blew up or took the process down.
 * A failure found for the first time is minimised here (the parent times every attempt too).
 */
import { describeError, InvariantViolation, signature, type FailureKind } from './failure.ts';
import { fromWire, toWire, type FromChild, type ToChild } from './protocol.ts';
import { inputSeed } from './rng.ts';
import { describeCorpus, loadCorpus } from './seeds.ts';
import { startStackWatch } from './stack-watch.ts';
import { target as targetNamed, type FuzzInput, type Runner, type Target } from './targets/index.ts';

let current = -1;
let currentInput: FuzzInput | null = null;
let targetName = '?';

function send(m: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

function processCrash(err: unknown): void {
  const e = describeError(err);
  const sig = signature(targetName, 'process-crash', e.name, e.stack);
  void send({ t: 'fail', i: current, kind: 'process-crash', error: e, signature: sig, input: currentInput ? toWire(currentInput) : null, fresh: true }).then(
    () => process.exit(70),
  );
}
// Libraries under test print per input (xmldom warns for every bad attribute, pdfjs for damage):
// through the pipe to the harness that costs more than the input. Fatal errors still reach stderr.
for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[k] = () => {};

process.on('uncaughtException', processCrash);
process.on('unhandledRejection', processCrash);
process.on('disconnect', () => process.exit(0));

function failureOf(t: Target, err: unknown): { kind: FailureKind; error: ReturnType<typeof describeError>; signature: string } {
  const kind: FailureKind = err instanceof InvariantViolation ? 'invariant' : 'exception';
  const error = describeError(err);
  return { kind, error, signature: signature(t.name, kind, error.name, error.stack, error.message) };
}

async function runOne(t: Target, runner: Runner, i: number, input: FuzzInput, known: Set<string>, minimizeMs: number): Promise<void> {
  current = i;
  currentInput = input;
  await send({ t: 'start', i, phase: 'run', rss: process.memoryUsage.rss() });
  try {
    await runner.run(input);
    // A promise the target left behind and that rejects right after (pdfjs behind a deadline) is this input's
    await new Promise((resolve) => setImmediate(resolve));
  } catch (err) {
    const f = failureOf(t, err);
    const fresh = !known.has(f.signature);
    await send({ t: 'fail', i, ...f, input: toWire(input), fresh });
    if (fresh) {
      known.add(f.signature);
      if (minimizeMs > 0) await minimize(t, runner, i, input, f.signature, Date.now() + minimizeMs);
    }
  }
}

/** Removes chunks of the input (halves, quarters, … single bytes) while the same failure remains. */
async function minimize(t: Target, runner: Runner, i: number, input: FuzzInput, sig: string, deadline: number): Promise<void> {
  let best = input;
  let attempts = 0;
  let lastReport = Date.now();
  const fails = async (candidate: FuzzInput): Promise<boolean> => {
    attempts++;
    currentInput = candidate;
    await send({ t: 'start', i, phase: 'min', rss: process.memoryUsage.rss() });
    try {
      await runner.run(candidate);
      return false;
    } catch (err) {
      return failureOf(t, err).signature === sig;
    } finally {
    }
  };
  const report = (final: boolean) => send({ t: 'minimized', signature: sig, input: toWire(best), attempts, final });
  const tryCandidate = async (c: FuzzInput) => {
    if (await fails(c)) best = c;
  };
  if (best.splits?.length) await tryCandidate({ ...best, splits: [] });
  if (best.mode === 'stream') await tryCandidate({ ...best, mode: 'buffer', splits: undefined });
  for (let chunk = Math.max(1, best.bytes.length >> 1); Date.now() < deadline && attempts < 20_000; chunk >>= 1) {
    for (let at = 0; at < best.bytes.length && Date.now() < deadline && attempts < 20_000; ) {
      const candidate = { ...best, bytes: Buffer.concat([best.bytes.subarray(0, at), best.bytes.subarray(at + chunk)]) };
      if (await fails(candidate)) best = candidate;
      else at += chunk;
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        await report(false);
      }
    }
    if (chunk <= 1) break;
  }
  await report(true);
}

process.once('message', async (m: ToChild) => {
  targetName = m.target;
  startStackWatch(m.watch.dir);
  const t = targetNamed(m.target);
  const corpus = await loadCorpus();
  const runner = await t.start(corpus);
  await send({ t: 'ready', seeds: describeCorpus(corpus) });
  const known = new Set(m.known);
  if (m.t === 'job') {
    for (let i = m.from; i < m.to; i++) {
      current = i;
      currentInput = null;
      await send({ t: 'start', i, phase: 'gen', rss: process.memoryUsage.rss() });
      const input = t.generate(corpus, inputSeed(m.seed, m.target, i), i);
      await runOne(t, runner, i, input, known, m.minimizeMs);
    }
  } else {
    for (const { id, input } of m.inputs) await runOne(t, runner, id, fromWire(input), known, m.minimizeMs);
  }
  current = -1;
  currentInput = null;
  try {
    await runner.close();
  } catch (err) {
    // e.g. the SMTP listener no longer greets: found after the last input, reported at index -1
    await send({ t: 'fail', i: -1, ...failureOf(t, err), input: null, fresh: true });
  }
  await send({ t: 'done' });
  process.exit(0);
});
