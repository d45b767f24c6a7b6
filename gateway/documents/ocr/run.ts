/**
 * Runs one OCR tool (tesseract, pdftoppm, pdfinfo, pdftotext, pdfimages) as a child process: the
 * program and its arguments go to the kernel as they are (spawn with shell: false, as execFile
 * does), never through a shell. Output is bounded: past `maxStdout` bytes the child is killed and
 * OcrTooLarge is thrown. An abort (the caller's signal, or the document's time budget) kills the
 * child with SIGKILL and the promise settles only once the child has exited, so a rejected call
 * never leaves a process behind. The children are forked by a small helper process (spawner.ts),
 * not by this large one (docs/ocr.md, "Started from a small helper").
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { VanthuError } from '../../errors.ts';
import { OcrAborted, OcrTooLarge, OcrUnavailable } from './errors.ts';
import { Spawner, type StartOptions, type ToolChild } from './spawner.ts';

export interface RunOptions {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Bytes of standard output kept; more kills the child (OcrTooLarge). Default 16 MiB. */
  maxStdout?: number;
  /** Told the pid of every child started (for logs and for tests that check it is gone). */
  onSpawn?: (child: { pid: number; tool: string }) => void;
  /**
   * Written to the child's standard input, which is then closed (e.g. a page image for `tesseract
   * stdin …`); given in parts (a PGM header and the pixels), it is written part by part, not copied into one.
   */
  input?: Uint8Array | readonly Uint8Array[];
  /**
   * Standard output handed over chunk by chunk as the pipe delivers it, and not kept (`stdout` is
   * then empty): a 26 MB rendering is split into planes as it arrives (planes.ts), never joined.
   * What it throws kills the child and rejects the call.
   */
  onStdout?: (chunk: Buffer) => void;
}

export interface RunResult {
  stdout: Buffer;
  /** The last 4 KiB of standard error. */
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_KEEP = 4096;

/** The error an aborted signal stands for: its reason when that is one of ours, else OcrAborted. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof VanthuError ? signal.reason : new OcrAborted({ cause: signal.reason });
}

/** glibc's tunable asking malloc for transparent huge pages (madvise) on its large blocks. */
export const HUGE_PAGES = 'glibc.malloc.hugetlb=1';

/**
 * The environment a tool runs with: glibc's malloc told to ask for transparent huge pages, so the
 * page image pdftoppm renders (26 MB in colour) and the images tesseract makes of it take a few
 * hundred page faults instead of thousands — about a third of pdftoppm's CPU and a tenth of
 * tesseract's, the output the same byte for byte (docs/ocr.md, "Huge pages for the children, and
 * the split in SIMD"). A `glibc.malloc.hugetlb` already set (`=0` turns it off) is left as it is;
 * glibc older than 2.35, or transparent huge pages set to `never`, ignore it.
 */
const envCache = new WeakMap<object, NodeJS.ProcessEnv>();

export function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // Worked out once per environment object, not copied at every call (1.3 % of the gateway's main
  // thread did that): the same object back for the same object. A variable changed later in that same
  // object is not seen; the tools' environment is set at start.
  let out = envCache.get(env);
  if (out) return out;
  const tunables = env.GLIBC_TUNABLES;
  out = tunables && /(^|:)glibc\.malloc\.hugetlb=/.test(tunables) ? env : { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES };
  envCache.set(env, out);
  return out;
}

/**
 * Who starts the tools: the spawn helper (spawner.ts), unless VANTHU_OCR_SPAWN=direct asks for the
 * gateway's own process (as before; kept for comparison and as a way out).
 */
export const toolSpawner = new Spawner();
const DIRECT = process.env.VANTHU_OCR_SPAWN === 'direct';

/** Starts a tool from this process itself, with Node's child_process. */
function startDirect(file: string, args: string[], opts: StartOptions): ToolChild {
  const child = spawn(file, args, { shell: false, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: opts.env, windowsHide: true });
  const tool = new EventEmitter() as ToolChild;
  tool.kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  if (opts.input && child.stdin) {
    // A child that exits before reading all of it (an error, a kill) closes the pipe: EPIPE is
    // not a failure of its own, the exit status says what happened.
    child.stdin.on('error', () => {});
    for (const part of opts.input.slice(0, -1)) child.stdin.write(part);
    child.stdin.end(opts.input[opts.input.length - 1]);
  }
  child.stdout?.on('data', (chunk: Buffer) => tool.emit('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => tool.emit('stderr', chunk.toString('utf8')));
  child.on('error', (e) => tool.emit('error', e));
  child.on('close', (code, sig) => tool.emit('close', code, sig));
  if (child.pid !== undefined) {
    const pid = child.pid;
    process.nextTick(() => tool.emit('spawn', pid));
  }
  return tool;
}

export function runTool(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { signal } = opts;
  const maxStdout = opts.maxStdout ?? 16 * 1024 * 1024;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let child: ToolChild;
    try {
      const input = opts.input === undefined ? undefined : opts.input instanceof Uint8Array ? [opts.input] : opts.input;
      const start: StartOptions = { env: toolEnv(opts.env ?? process.env), input };
      child = DIRECT ? startDirect(file, args, start) : toolSpawner.start(file, args, start);
    } catch (err) {
      reject(new OcrUnavailable(`không chạy được ${file} — cannot run ${file}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | null = null;
    const kill = (why: Error) => {
      failure ??= why;
      child.kill();
    };
    const onAbort = () => kill(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('spawn', (pid) => opts.onSpawn?.({ pid, tool: file }));
    child.on('stdout', (chunk) => {
      if (failure) return;
      outBytes += chunk.length;
      if (outBytes > maxStdout) {
        kill(new OcrTooLarge(`kết quả của ${file} quá lớn — output of ${file} over ${maxStdout} bytes`));
        return;
      }
      if (!opts.onStdout) out.push(chunk);
      else
        try {
          opts.onStdout(chunk);
        } catch (e) {
          kill(e instanceof Error ? e : new Error(String(e)));
        }
    });
    child.on('stderr', (text) => {
      err += text;
      if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
    });
    child.on('error', (e) => {
      // ENOENT/EACCES: spawn failed, no process exists; 'close' still follows.
      if (e.code === 'ENOENT' || e.code === 'EACCES')
        failure ??= new OcrUnavailable(`không tìm thấy ${file} — ${file} not found or not executable (${e.code})`, { cause: e });
      // The spawn helper died under it (spawner.ts): its child was killed; the next call starts another.
      else if (e.code === 'EHELPER') failure ??= new OcrUnavailable(`không chạy được ${file} — cannot run ${file}: ${e.message}`, { cause: e });
      else failure ??= e;
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(out), stderr: err.slice(-STDERR_KEEP), code, signal: sig });
    });
  });
}

let inputSeq = 0;

/**
 * An image handed to a child as a file in the document's work folder rather than on its standard
 * input, removed once `fn` settles. tesseract reads standard input a byte at a time (a C++ stream
 * iterator): 0.15 s of CPU for the 8.7 MB PGM of an A4 page at 300 dpi, against a few ms to write
 * the file and none for it to read it (docs/ocr.md, "Through a file, not a pipe"). The parts (a
 * PGM header and the page's own pixels) are written one after the other, not joined.
 */
export async function withInputFile<T>(dir: string, parts: Uint8Array | readonly Uint8Array[], fn: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(dir, `input-${process.pid}-${++inputSeq}.img`);
  const list = parts instanceof Uint8Array ? [parts] : parts;
  try {
    const fh = await open(file, 'wx', 0o600);
    try {
      // writeFile on a handle writes from where the last part ended, the whole part (looping on short writes).
      for (const part of list) await fh.writeFile(part);
    } finally {
      await fh.close();
    }
    return await fn(file);
  } finally {
    await rm(file, { force: true });
  }
}
