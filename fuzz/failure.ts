/** What a failure is, where it happened, and how two failures are told to be the same bug. */
import { createHash } from 'node:crypto';
import { ROOT } from './seeds.ts';

export type FailureKind =
  /** the target threw/rejected with something other than a documented typed error */
  | 'exception'
  /** the target returned, but broke its contract (e.g. a confidence of NaN, an unexplained verdict) */
  | 'invariant'
  /** an exception nobody awaited (uncaughtException / unhandledRejection) or the process died */
  | 'process-crash'
  /** one input took longer than the time limit */
  | 'hang'
  /** the process's resident memory went over the bound */
  | 'rss';

/** Thrown by a target's checks when a result breaks the target's contract. */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

export function invariant(ok: unknown, message: string): asserts ok {
  if (!ok) throw new InvariantViolation(message);
}

/**
 * The documented typed errors of a module: every exported class that extends Error. A parser that
 * says "bad input" by throwing its own exported error class is doing its job, not crashing.
 */
export function exportedErrorClasses(...modules: object[]): Array<new (...a: never[]) => Error> {
  const out: Array<new (...a: never[]) => Error> = [];
  for (const m of modules) {
    for (const v of Object.values(m)) {
      if (typeof v === 'function' && v.prototype instanceof Error) out.push(v as new (...a: never[]) => Error);
    }
  }
  return out;
}

export function isTyped(err: unknown, classes: ReadonlyArray<new (...a: never[]) => Error>): boolean {
  return err instanceof Error && !(err instanceof InvariantViolation) && classes.some((c) => err instanceof c);
}

export interface Frame {
  fn: string;
  file: string;
  line: number;
}

export function frames(stack: string | undefined): Frame[] {
  const out: Frame[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = /^\s+at (?:(.*?) \()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/.exec(line);
    if (!m) continue;
    out.push({ fn: m[1] ?? '<anonymous>', file: m[2].startsWith(ROOT) ? m[2].slice(ROOT.length) : m[2], line: Number(m[3]) });
  }
  return out;
}

/** The function at fault: the first frame in the project's code (not the harness), else the first frame. */
export function faultFrame(stack: string | undefined): Frame | null {
  const all = frames(stack);
  return all.find((f) => /^(gateway|workers)\//.test(f.file)) ?? all.find((f) => !f.file.startsWith('fuzz/') && !f.file.startsWith('node:')) ?? all[0] ?? null;
}

export function describeError(err: unknown): { name: string; message: string; stack: string } {
  if (err instanceof Error) return { name: err.constructor?.name || err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
  return { name: typeof err, message: String(err), stack: String(err) };
}

/**
 * Same bug, same signature: target, kind, error class and the function at fault (not the line, so
 * an unrelated edit of the file keeps the signature). Messages are left out: they carry input bytes.
 */
export function signature(target: string, kind: FailureKind, errName: string, stack: string | undefined, message = ''): string {
  const f = faultFrame(stack);
  const where = f ? `${f.file}:${f.fn}` : '?';
  const what = kind === 'invariant' ? message.replace(/\d+/g, 'N').slice(0, 80) : errName;
  return `${target}/${kind}/${what}@${where}`;
}

export function signatureSlug(sig: string): string {
  const [target, kind] = sig.split('/');
  const fn =
    /@.*:(.*)$/
      .exec(sig)?.[1]
      ?.replace(/[^A-Za-z0-9_.-]+/g, '-')
      .slice(0, 40) ?? 'x';
  return `${target}-${kind}-${fn}-${createHash('sha256').update(sig).digest('hex').slice(0, 8)}`;
}

type ErrorClass = new (...a: never[]) => Error;

/** The project's error hierarchy (gateway/errors.ts, gateway/limits.ts), where it exists. */
export async function projectErrors(): Promise<{ vanthu: ErrorClass[]; limit: ErrorClass[] }> {
  const errors = (await import('../gateway/errors.ts').catch(() => ({}))) as { VanthuError?: ErrorClass };
  const limits = (await import('../gateway/limits.ts').catch(() => ({}))) as { LimitExceeded?: ErrorClass };
  return { vanthu: errors.VanthuError ? [errors.VanthuError] : [], limit: limits.LimitExceeded ? [limits.LimitExceeded] : [] };
}

/** A programming error (a bug, including a blown stack) somewhere in the error's cause chain. */
export function wrapsBug(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) return true;
  }
  return false;
}

/**
 * A documented typed error: an instance of one of `classes` that does not wrap a programming
 * error (a TypeError wrapped in PermanentError is still a bug on that input).
 */
export function expected(err: unknown, classes: readonly ErrorClass[]): boolean {
  return isTyped(err, classes) && !wrapsBug(err);
}
