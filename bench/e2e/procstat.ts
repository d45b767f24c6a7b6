/**
 * Memory and CPU of a process tree from /proc: VmRSS of the process and its descendants sampled
 * on a timer, and utime+stime per process and per thread (grouped by thread name) read on demand.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticks = 100;
try {
  ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  /* 100 on every Linux this runs on */
}

/** Fields of /proc/<pid>/stat (or a task's): name, parent, CPU seconds. */
export function statOf(file: string): { comm: string; ppid: number; cpu: number; children: number } | null {
  let s: string;
  try {
    s = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const open = s.indexOf('(');
  const close = s.lastIndexOf(')');
  const comm = s.slice(open + 1, close);
  const f = s.slice(close + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17 (children that exited and were waited for).
  return { comm, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / ticks, children: (Number(f[13]) + Number(f[14])) / ticks };
}

export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and every descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = statOf(`/proc/${name}/stat`);
    if (!st) continue;
    const list = children.get(st.ppid);
    if (list) list.push(Number(name));
    else children.set(st.ppid, [Number(name)]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

export interface CpuSnapshot {
  at: number;
  /** CPU seconds by "<comm> <pid>". */
  processes: Record<string, number>;
  /** CPU seconds of the root process's threads, by thread name (libuv workers, V8 helpers, ...); "(ended threads)": those gone. */
  threads: Record<string, number>;
}

export function cpuSnapshot(root: number): CpuSnapshot {
  const processes: Record<string, number> = {};
  for (const pid of processTree(root)) {
    const st = statOf(`/proc/${pid}/stat`);
    if (st) processes[`${st.comm} ${pid}`] = st.cpu;
  }
  // Short-lived children (pdftoppm, pdfinfo, ... for OCR) are gone by the next snapshot: their CPU is the root's cutime + cstime.
  const own = statOf(`/proc/${root}/stat`);
  if (own) processes['exited children'] = own.children;
  const threads: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${root}/task`)) {
      const st = statOf(`/proc/${root}/task/${tid}/stat`);
      if (!st) continue;
      const name = tid === String(root) ? 'main (JS, event loop)' : st.comm.replace(/\d+$/, '').trim() || st.comm;
      threads[name] = (threads[name] ?? 0) + st.cpu;
    }
    // A thread that ended (a per-document worker thread, say) leaves no task behind: its CPU is
    // still in the process's own utime+stime, so the difference is what ended threads used.
    if (own) {
      const live = Object.values(threads).reduce((s, v) => s + v, 0);
      threads['(ended threads)'] = Math.max(0, own.cpu - live);
    }
  } catch {
    /* the process is gone */
  }
  return { at: Date.now(), processes, threads };
}

export function cpuDelta(
  a: CpuSnapshot,
  b: CpuSnapshot,
): { seconds: number; processes: Record<string, number>; threads: Record<string, number>; total: number } {
  const diff = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(y)) out[k] = round(v - (x[k] ?? 0), 2);
    return out;
  };
  const processes = diff(a.processes, b.processes);
  return {
    seconds: round((b.at - a.at) / 1000, 2),
    processes,
    threads: diff(a.threads, b.threads),
    total: round(
      Object.values(processes).reduce((s, v) => s + v, 0),
      2,
    ),
  };
}

export function round(n: number, d = 1): number {
  return Math.round(n * 10 ** d) / 10 ** d;
}

/** Samples the tree's total VmRSS every `everyMs`; peaks are kept per named window. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peakKb = 0;
  lastKb = 0;
  peakByProcess: Record<string, number> = {};
  private windows = new Map<string, { peakKb: number; samples: number }>();
  private open = new Set<string>();
  samples = 0;

  constructor(
    private readonly root: number,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  begin(name: string): void {
    this.windows.set(name, { peakKb: 0, samples: 0 });
    this.open.add(name);
    this.sample();
  }

  end(name: string): { peakMb: number; samples: number } {
    this.sample();
    this.open.delete(name);
    const w = this.windows.get(name) ?? { peakKb: 0, samples: 0 };
    return { peakMb: round(w.peakKb / 1024), samples: w.samples };
  }

  private pids: number[] = [];

  sample(): number {
    // Scanning /proc for descendants costs a few ms: once a second is enough to see a child come or go.
    if (this.samples % 5 === 0 || !this.pids.length) this.pids = processTree(this.root);
    let total = 0;
    for (const pid of this.pids) {
      const kb = rssKb(pid);
      total += kb;
      const st = statOf(`/proc/${pid}/stat`);
      const key = `${st?.comm ?? '?'} ${pid}`;
      this.peakByProcess[key] = Math.max(this.peakByProcess[key] ?? 0, kb);
    }
    if (total === 0) return 0; // the process has exited
    this.samples++;
    this.lastKb = total;
    this.peakKb = Math.max(this.peakKb, total);
    for (const name of this.open) {
      const w = this.windows.get(name)!;
      w.peakKb = Math.max(w.peakKb, total);
      w.samples++;
    }
    return total;
  }
}
