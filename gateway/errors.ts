/**
 * Errors the pipeline acts on: each has a `code` (what happened, stable, for people and tests) and
 * `permanent` (would the same input fail the same way again?). A permanent failure is never
 * retried; a transient one (database or Redis away, a blob not readable yet) is. Everything is
 * decided with instanceof on classes, never by reading messages or names.
 */
import { DrizzleQueryError } from 'drizzle-orm';
import { cleanField } from './sanitize.ts';

export abstract class VanthuError extends Error {
  abstract readonly code: string;
  abstract readonly permanent: boolean;
}

/** The same input fails the same way every time: hostile or broken mail, a limit, a bug on this input. */
export class PermanentError extends VanthuError {
  readonly permanent = true;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Worth another try later: storage, database or queue not answering. */
export class TransientError extends VanthuError {
  readonly permanent = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * Database driver error classes (node-postgres's and PGlite's DatabaseError). db.ts registers the
 * class of the driver it opens, so this module does not load either driver itself.
 */
const databaseErrorClasses = new Set<abstract new (...args: never[]) => Error>();

export function registerDatabaseErrorClass(cls: abstract new (...args: never[]) => Error): void {
  databaseErrorClasses.add(cls);
}

function isDatabaseError(err: unknown): err is Error & { code?: string } {
  for (const cls of databaseErrorClasses) if (err instanceof cls) return true;
  return false;
}

/**
 * SQLSTATE classes that fail the same way on a retry: 22 data exception (e.g. a NUL byte or an
 * invalid byte sequence in text), 42 syntax or access rule, 54 program limit (a value too large
 * for an index), 0A feature not supported. Connection loss (08), serialization failures and
 * deadlocks (40), lack of resources (53), shutdown (57), constraint races (23) are retried.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '42', '54', '0A']);

export interface ErrorInfo {
  code: string;
  message: string;
  permanent: boolean;
}

/** At most this many characters of an error message are kept (in the database and in logs). */
export const MAX_ERROR_TEXT = 1000;

function text(s: string): string {
  const clean = cleanField(s) ?? '';
  return clean.length > MAX_ERROR_TEXT ? `${clean.slice(0, MAX_ERROR_TEXT - 1)}…` : clean;
}

/**
 * What the pipeline records and decides on. The message never carries query parameters (Drizzle
 * puts them in its own message; they are mail text, possibly megabytes, possibly a NUL byte that
 * the database refuses to store — which is how a failure once ended with no lastError at all).
 */
export function describeError(err: unknown): ErrorInfo {
  if (err instanceof VanthuError) return { code: err.code, message: text(err.message), permanent: err.permanent };
  if (err instanceof DrizzleQueryError) {
    const cause = err.cause;
    if (cause !== undefined && cause !== err) {
      const inner = describeError(cause);
      return inner.code === 'internal' ? { ...inner, code: 'db' } : inner;
    }
    return { code: 'db', message: 'database query failed', permanent: false };
  }
  if (isDatabaseError(err)) {
    const state = typeof err.code === 'string' ? err.code : '';
    return { code: state ? `db:${state}` : 'db', message: text(err.message), permanent: PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2)) };
  }
  if (err instanceof Error) return { code: 'internal', message: text(err.message), permanent: false };
  return { code: 'internal', message: text(String(err)), permanent: false };
}

/** "code: message", as stored in lastError and message_stages.error. */
export function errorText(info: ErrorInfo): string {
  return `${info.code}: ${info.message}`;
}
