/**
 * Readable logs for a person at a terminal (docs/cli.md, "Logs"): pino's JSON lines turned into
 * "14:07:03 INFO  component=registry outbox sweep queued waiting messages queued=3", Hà Nội time,
 * colours unless NO_COLOR is set. Off a terminal the gateway keeps writing JSON lines (log shippers
 * read them); VANTHU_LOG_FORMAT=json|pretty or `vanthu start --log-format` decides otherwise.
 */
import type { DestinationStream } from 'pino';
import { HANOI } from './output.ts';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '90'],
  30: ['INFO ', '32'],
  40: ['WARN ', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

export function formatLine(line: string, opts: { color: boolean; timeZone?: string }): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`; // not pino's: as it came
  }
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: opts.timeZone ?? HANOI,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(typeof rec.time === 'number' ? rec.time : Date.now()));
  const [label, code] = LEVELS[Number(rec.level)] ?? [String(rec.level ?? '').padEnd(5), '0'];
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(rec)) {
    if (SKIP.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object' && typeof (v as { stack?: unknown }).stack === 'string') {
      stack = `\n    ${(v as { stack: string }).stack.split('\n').join('\n    ')}`;
      continue;
    }
    if (typeof v === 'string' && v.includes('\n')) {
      stack += `\n    ${v.split('\n').join('\n    ')}`;
      continue;
    }
    fields.push(`${paint('2', `${k}=`)}${value(v)}`);
  }
  const msg = typeof rec.msg === 'string' ? rec.msg : '';
  return `${paint('2', time)} ${paint(code, label)} ${msg}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}

/** A pino destination that writes formatted lines to `out` (stderr). */
export function prettyDestination(out: NodeJS.WritableStream = process.stderr, opts: { color?: boolean; timeZone?: string } = {}): DestinationStream {
  const color = opts.color ?? (!process.env.NO_COLOR && (out as { isTTY?: boolean }).isTTY === true);
  let pending = '';
  return {
    write(chunk: string) {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line) out.write(formatLine(line, { color, timeZone: opts.timeZone }));
        nl = pending.indexOf('\n');
      }
    },
  };
}

/** Which format `vanthu start` logs in: the option, else VANTHU_LOG_FORMAT, else pretty on a terminal and JSON off one. */
export function logFormat(option: string | undefined, env: NodeJS.ProcessEnv = process.env, stderr: { isTTY?: boolean } = process.stderr): 'json' | 'pretty' {
  const chosen = option ?? env.VANTHU_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return stderr.isTTY ? 'pretty' : 'json';
}
