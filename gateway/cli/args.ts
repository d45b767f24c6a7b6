/** Argument parsing shared by the commands (node:util parseArgs, with errors a person can act on). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be acted on: exit code 2, and `vanthu <command> --help` shows how. */
export class UsageError extends Error {
  readonly code = 'usage';
  readonly exitCode = 2;
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nUsage: ${usage}`);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * "showing 50 of 3,214 messages": what a list cut at its limit says, or null when nothing was left
 * out (or the total is unknown). Commands print it on stderr when stdout carries JSON.
 */
export function shownOf(shown: number, total: number | null | undefined, what = ''): string | null {
  if (total === null || total === undefined || shown >= total) return null;
  const n = (x: number) => x.toLocaleString('en-US');
  return `showing ${n(shown)} of ${n(total)}${what ? ` ${what}` : ''}`;
}
