/**
 * The gateway's threads by kind, with user and system CPU apart (bench/e2e/FINDINGS.md, "Eleventh
 * round: the gateway's other threads"). Node names every thread it starts "node"; which is which
 * follows from the order Node 20 starts them in (start time, then thread id):
 *
 *   main                      the process's own task (JavaScript, the event loop)
 *   v8 platform               the first five: V8's worker pool (--v8-pool-size, 4: optimising
 *                             compiles, concurrent marking, sweeping, parallel scavenges) and its
 *                             delayed-task thread, started with the platform before anything else
 *   inspector signal          one (SIGUSR1), started next
 *   libuv pool                the next UV_THREADPOOL_SIZE (4 when the environment does not set it):
 *                             file operations and fsyncs, zlib and crypto calls with callbacks, dns.lookup
 *   worker threads            every later "node" thread: Worker threads (pdfjs, the CPU pool)
 *   <its name>                a thread that named itself (vanthu-db)
 *
 * A thread that ended is counted in "(ended threads)" by procstat.ts only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { statOf } from './procstat.ts';

export interface UserSystem {
  user: number;
  system: number;
}

const PLATFORM_THREADS = 5;

let ticks = 0;
function clockTicks(): number {
  if (!ticks) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticks = 100; // on every Linux this runs on
    }
  }
  return ticks;
}

function poolSize(pid: number): number {
  try {
    const m = /(?:^|\0)UV_THREADPOOL_SIZE=(\d+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'));
    return m ? Math.max(1, Math.min(1024, Number(m[1]))) : 4;
  } catch {
    return 4;
  }
}

/** The kind of each of the process's live threads, by thread id. */
export function threadKinds(pid: number): Map<number, string> {
  const kinds = new Map<number, string>();
  // Thread ids wrap around (a long-lived machine's pid_max): order by start time, then id.
  let tids: number[];
  try {
    const started = (tid: number) => {
      try {
        return Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? 0);
      } catch {
        return Number.POSITIVE_INFINITY; // ended meanwhile
      }
    };
    tids = readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .map((tid) => ({ tid, at: started(tid) }))
      .sort((a, b) => a.at - b.at || a.tid - b.tid)
      .map((t) => t.tid);
  } catch {
    return kinds;
  }
  const pool = poolSize(pid);
  let unnamed = 0;
  for (const tid of tids) {
    if (tid === pid) {
      kinds.set(tid, 'main');
      continue;
    }
    const comm = statOf(`/proc/${pid}/task/${tid}/stat`)?.comm ?? '';
    if (comm !== 'node') {
      kinds.set(tid, comm.replace(/\d+$/, '').trim() || comm);
      continue;
    }
    const n = unnamed++;
    kinds.set(
      tid,
      n < PLATFORM_THREADS ? 'v8 platform' : n === PLATFORM_THREADS ? 'inspector signal' : n <= PLATFORM_THREADS + pool ? 'libuv pool' : 'worker threads',
    );
  }
  return kinds;
}

/** User and system CPU seconds of the live threads, summed by kind. */
export function cpuByKind(pid: number): Record<string, UserSystem> {
  const out: Record<string, UserSystem> = {};
  for (const [tid, kind] of threadKinds(pid)) {
    let s: string;
    try {
      s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const k = (out[kind] ??= { user: 0, system: 0 });
    k.user += Number(f[11]) / clockTicks();
    k.system += Number(f[12]) / clockTicks();
  }
  return out;
}

/** b − a by kind, in seconds (two decimals). */
export function kindDelta(a: Record<string, UserSystem>, b: Record<string, UserSystem>): Record<string, UserSystem> {
  const out: Record<string, UserSystem> = {};
  const r = (n: number) => Math.round(n * 100) / 100;
  for (const [k, v] of Object.entries(b)) out[k] = { user: r(v.user - (a[k]?.user ?? 0)), system: r(v.system - (a[k]?.system ?? 0)) };
  return out;
}
