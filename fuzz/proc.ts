/** What the harness reads of a child process from /proc (Linux), and what it keeps of its output. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frames } from './failure.ts';

/** Resident set size and its high-water mark of a process, in bytes (Linux /proc; null elsewhere). */
export function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

export interface ProcStat {
  /** CPU time of all its threads, user + system. */
  cpuMs: number;
  /** State of the main thread: R running, S sleeping, D disk wait… */
  state: string;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** Output of a child kept for crash reports (the last 16 KiB). */
export class Tail {
  private text = '';
  push = (chunk: Buffer) => {
    this.text = (this.text + chunk.toString('utf8')).slice(-16384);
  };
  toString() {
    return this.text;
  }
}

/** The stack the child's watchdog thread wrote for input `index` (stack-watch.ts); '' when none. */
export function readStack(dir: string, why: 'hang' | 'rss', index: number): { stack: string } {
  try {
    const text = readFileSync(join(dir, `stack-${why}-${index}.txt`), 'utf8');
    if (!frames(text).length) return { stack: '' };
    return { stack: `${why === 'hang' ? 'Hang' : 'MemoryBound'}\n${text.replace(/file:\/\//g, '')}` };
  } catch {
    return { stack: '' };
  }
}
