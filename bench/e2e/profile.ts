/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums sample time: self time by function, by file
 * and by area (a package, a folder of the project, wasm, GC, idle), and the inclusive time of
 * chosen functions, optionally only for samples inside a time window (CLOCK_MONOTONIC µs, the
 * clock V8 stamps samples with and process.hrtime reads).
 *
 * The gateway may run from a compiled bundle (bin/vanthu.mjs runs dist/cli/ when it is fresh):
 * frames in bundle chunks are mapped back to their .ts source through the chunks' source maps.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time in the window, ms; busy = not idle. */
  totalMs: number;
  busyMs: number;
  windowed: boolean;
  byFunction: Row[];
  byFile: Row[];
  byArea: Row[];
  /** Inclusive time of functions that mark the pipeline's steps (a function counted once per sample). */
  inclusive: Row[];
  /** mailparser time by the project function that called it: how often and where MIME is parsed. */
  mailparserByCaller: Row[];
  /** Self time of library code (and wasm) by the nearest project function on the stack; async work resumed by the event loop has none. */
  byProjectCaller: Row[];
}

/** Functions whose inclusive time says where a message's time goes (name, and a piece of its file path). */
const MARKERS: Array<[string, RegExp]> = [
  ['parseMessage', /mail\/parse/],
  ['classifyMessage', /documents\/message/],
  ['verifyMessage', /trust\/verify/],
  ['verifyMailAuth', /trust\/mailauth/],
  ['verifySmime', /trust\/smime/],
  ['verifyAttachments', /trust\/verify/],
  ['verifyPdf', /trust\/pdf/],
  ['attachmentText', /documents\/sources\/attachment/],
  ['intakeMessage', /registry\/.*intake/],
  ['runPipeline', /pipeline/],
  ['accept', /accept\/durable-accept/],
  ['simpleParser', /mailparser/],
  ['checkMime', /mail\/mime-guard/],
  ['put', /store\/blobs/],
  ['read', /store\/blobs/],
  ['stream', /store\/blobs/],
];

const maps = new Map<string, { map: SourceMap; dir: string } | null>();

/** A frame in a bundled chunk, as the TypeScript source it came from (same frame otherwise). */
function sourceFrame(f: CallFrame): CallFrame {
  const { url } = f;
  if (!url.startsWith('file://') || url.includes('/node_modules/') || !/\.m?js$/.test(url)) return f;
  let entry = maps.get(url);
  if (entry === undefined) {
    try {
      const file = fileURLToPath(url);
      entry = { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))), dir: path.dirname(file) };
    } catch {
      entry = null;
    }
    maps.set(url, entry);
  }
  if (!entry) return f;
  const e = entry.map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!e?.originalSource) return f;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(entry.dir, e.originalSource);
  return { functionName: f.functionName, url: `file://${src}`, lineNumber: e.originalLine ?? f.lineNumber, columnNumber: e.originalColumn ?? f.columnNumber };
}

function shortFile(url: string, root: string): string {
  if (!url) return '';
  let p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) return p.slice(nm + '/node_modules/'.length);
  if (p.startsWith(root + '/')) p = p.slice(root.length + 1);
  return p;
}

function areaOf(frame: CallFrame, root: string): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program: native, compiler, not JS)';
    return functionName ? `(native) ${functionName}` : '(native)';
  }
  if (url.startsWith('wasm://')) return 'wasm (PGlite: the embedded PostgreSQL)';
  if (url.startsWith('node:')) return `node internals (${url.replace(/^node:(internal\/)?/, '').split('/')[0]})`;
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (p.startsWith(root + '/')) {
    const parts = p.slice(root.length + 1).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return path.dirname(p);
}

function table(m: Map<string, number>, total: number, n: number): Row[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: total ? Math.round((1000 * us) / total) / 10 : 0 }));
}

/** `window`: [fromUs, toUs] on CLOCK_MONOTONIC; samples outside are ignored. */
export function summarize(file: string, root: string, window?: [number, number], top = 20): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, { ...n, callFrame: sourceFrame(n.callFrame) });
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  let t = prof.startTime;
  let inWindow = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    const dt = prof.timeDeltas[i + 1] ?? 0;
    if (window && (t < window[0] || t > window[1])) continue;
    inWindow++;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const windowed = !!window && inWindow > 0;
  if (window && !inWindow) return summarize(file, root, undefined, top);

  const fnKey = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortFile(f.url, root)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const mpCaller = new Map<string, number>();
  const projCaller = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    total += us;
    if (f.functionName === '(idle)') idle += us;
    byFunction.set(fnKey(f), (byFunction.get(fnKey(f)) ?? 0) + us);
    const file = f.url ? shortFile(f.url, root) : f.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    const area = areaOf(f, root);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    // Walk up once: markers (each counted once per sample) and mailparser's caller.
    const seen = new Set<string>();
    let inMailparser = false;
    let caller: string | null = null;
    let project: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (!project && cf.url.startsWith('file://') && !cf.url.includes('/node_modules/'))
        project = `${cf.functionName || '(anonymous)'} (${shortFile(cf.url, root)})`;
      for (const [name, re] of MARKERS) {
        if (cf.functionName === name && re.test(cf.url) && !seen.has(name)) {
          seen.add(name);
          inclusive.set(`${name} (${shortFile(cf.url, root)})`, (inclusive.get(`${name} (${shortFile(cf.url, root)})`) ?? 0) + us);
        }
      }
      if (cf.url.includes('/node_modules/mailparser/')) inMailparser = true;
      else if (inMailparser && !caller && cf.url.startsWith('file://') && !cf.url.includes('/node_modules/'))
        caller = `${cf.functionName || '(anonymous)'} (${shortFile(cf.url, root)})`;
    }
    if (f.functionName !== '(idle)') {
      const key = project ?? `(no project frame) ${area}`;
      projCaller.set(key, (projCaller.get(key) ?? 0) + us);
    }
    if (inMailparser) mpCaller.set(caller ?? '(no project caller on the stack)', (mpCaller.get(caller ?? '(no project caller on the stack)') ?? 0) + us);
  }
  const busy = total - idle;
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    windowed,
    byFunction: table(new Map([...byFunction].filter(([k]) => !k.startsWith('(idle)'))), busy, top),
    byFile: table(new Map([...byFile].filter(([k]) => k !== '(idle)')), busy, top),
    byArea: table(new Map([...byArea].filter(([k]) => k !== '(idle)')), busy, top),
    inclusive: table(inclusive, busy, 40),
    mailparserByCaller: table(mpCaller, busy, 10),
    byProjectCaller: table(projCaller, busy, 30),
  };
}

export function printSummary(s: ProfileSummary, out: (line: string) => void): void {
  out(`profile ${path.basename(s.file)}: ${s.busyMs} ms busy of ${s.totalMs} ms sampled${s.windowed ? ' (in the measured window)' : ''}`);
  const section = (title: string, rows: Row[]) => {
    out(`  ${title}`);
    for (const r of rows) out(`    ${String(r.ms).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  };
  section('self time by function (top 20)', s.byFunction);
  section('self time by file (top 20)', s.byFile);
  section('self time by area', s.byArea);
  section('inclusive time of pipeline functions', s.inclusive);
  section('mailparser time by calling project function', s.mailparserByCaller);
  section('self time by nearest project function on the stack (top 30)', s.byProjectCaller);
}

/**
 * Which thread of the gateway a profile file is: node --cpu-prof writes one per thread, named
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, thread 0 being the main thread. The
 * embedded database's thread (gateway/store/pglite-thread.mjs) is the one whose frames include
 * that file; the others are the CPU pool's and pdfjs's short-lived threads.
 */
export function threadOf(file: string): 'main' | 'database' | 'other' {
  if (/\.\d+\.0\.\d+\.cpuprofile$/.test(path.basename(file))) return 'main';
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return prof.nodes.some((n) => n.callFrame.url.endsWith('/pglite-thread.mjs')) ? 'database' : 'other';
}
