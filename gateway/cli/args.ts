/** Argument parsing shared by the commands (node:util parseArgs, with errors a person can act on). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearest } from './nearest.ts';

/** A command line that cannot be acted on: exit code 2, and `vanthu <command> --help` shows how. */
export class UsageError extends Error {
  readonly code = 'usage';
  readonly exitCode = 2;
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  // An option the command does not have is named, with the nearest one it has.
  for (const arg of args) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0];
    if (name in options) continue;
    const near = nearest(name, Object.keys(options));
    throw new UsageError(
      `không có tùy chọn --${name} (unknown option --${name})${near ? `; có phải --${near}? (did you mean --${near}?)` : ''}\nUsage: ${usage}`,
    );
  }
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
