/**
 * Runs one OCR tool (tesseract, pdftoppm, pdfinfo, pdftotext, pdfimages) as a child process: the
 * program and its arguments go to the kernel as they are (spawn with shell: false, as execFile
 * does), never through a shell. Output is bounded: past `maxStdout` bytes the child is killed and
 * OcrTooLarge is thrown. An abort (the caller's signal, or the document's time budget) kills the
 * child with SIGKILL and the promise settles only once the child has exited, so a rejected call
 * never leaves a process behind.
 */
import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { VanthuError } from '../../errors.ts';
import { OcrAborted, OcrTooLarge, OcrUnavailable } from './errors.ts';

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
export function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES;
  if (tunables && /(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return env;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES };
}

export function runTool(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { signal } = opts;
  const maxStdout = opts.maxStdout ?? 16 * 1024 * 1024;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      const stdin = opts.input ? 'pipe' : 'ignore';
      child = spawn(file, args, { shell: false, stdio: [stdin, 'pipe', 'pipe'], env: toolEnv(opts.env ?? process.env), windowsHide: true });
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
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => kill(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) opts.onSpawn?.({ pid: child.pid, tool: file });
    if (opts.input && child.stdin) {
      // A child that exits before reading all of it (an error, a kill) closes the pipe: EPIPE is
      // not a failure of its own, the exit status says what happened.
      child.stdin.on('error', () => {});
      const parts = opts.input instanceof Uint8Array ? [opts.input] : opts.input;
      for (const part of parts.slice(0, -1)) child.stdin.write(part);
      child.stdin.end(parts[parts.length - 1]);
    }
    child.stdout?.on('data', (chunk: Buffer) => {
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
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      // ENOENT/EACCES: spawn failed, no process exists; 'close' still follows.
      if (e.code === 'ENOENT' || e.code === 'EACCES')
        failure ??= new OcrUnavailable(`không tìm thấy ${file} — ${file} not found or not executable (${e.code})`, { cause: e });
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
