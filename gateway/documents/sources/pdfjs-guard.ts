/**
 * Bounded decoding inside pdfjs-dist. pdfjs decodes streams in two places, and has no option to
 * bound either, so a flate bomb in a PDF the fast reader hands over (encrypted, Type3 fonts,
 * other filters, damage) grew one process to 4.9 GB:
 *   - DecodeStream.ensureBuffer(), which grows the output buffer of every decoder (FlateDecode,
 *     LZW, Brotli, RunLength, ASCII85/Hex, decryption, predictors, concatenated content);
 *   - asyncGetBytesFromDecompressionStream(), where content streams, forms and font files go
 *     through the platform's DecompressionStream first, collecting every chunk.
 * This module loads pdfjs's worker code with one line added at each: before a buffer grows, or
 * after each decompressed chunk, a hook checks the growth against the budget of the document being
 * read and throws LimitExceeded when it passes a limit. (pdfjs catches the second and falls back to
 * its own decoder, which the first stops at once: the budget stays exceeded.)
 *
 * The guarded copy is written next to the original (or, when node_modules is read-only, to the
 * temp directory) under a name that includes a hash of its content, and imported instead of the
 * original. If pdfjs-dist changes so that an anchor is not found exactly once, loading fails: PDFs
 * the fast reader cannot read are then not read at all (a reason says so) rather than read without
 * bounds. gateway/documents/sources/pdf-limits.test.ts fails on such an upgrade.
 *
 * pdf.mjs is loaded from a copy too, and in both copies the one dynamic `import()` of each is
 * called through a function of this module instead. That is for memory: the gateway runs through
 * tsx, whose loader rewrites every dynamic import of a module it loads and keeps the result with a
 * source map; for pdfjs's two 1–2 MB files that held about 400 MB for the life of the process, as
 * much as the rest of the gateway. Without a dynamic import, tsx passes them through (~90 MB).
 *
 * The same copy checks the document's time budget at every token pdfjs's lexer reads, and lets the
 * budget's verdicts through the one catch that reads on over the same tokens (parseCMap), which
 * otherwise caught them again at every token for ever (docs/security-limits.md, "How the PDF
 * readers are bounded").
 *
 * The hook is process-wide, so documents are read by pdfjs one at a time (withDecodeBudget): the
 * fast reader handles the common producers, pdfjs only the rest, each within its time budget.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_LIMITS_CONFIG, LimitExceeded } from '../../limits.ts';

const HOOK = 'vanthu.pdfjs.ensureBuffer';
const CALL = `globalThis[Symbol.for("${HOOK}")]?.`;
const TICK_HOOK = 'vanthu.pdfjs.tick';
const TICK_CALL = `globalThis[Symbol.for("${TICK_HOOK}")]?.`;
const RETHROW_HOOK = 'vanthu.pdfjs.rethrow';
const RETHROW_CALL = `globalThis[Symbol.for("${RETHROW_HOOK}")]?.`;
/** [where, the same with the hook]: each must occur exactly once in pdf.worker.mjs. */
const PATCHES: Array<[string, string]> = [
  [
    '    while (size < requested) {\n      size *= 2;\n    }\n    const buffer2 = new Uint8Array(size);',
    `    while (size < requested) {\n      size *= 2;\n    }\n    ${CALL}(requested, size - buffer.byteLength);\n    const buffer2 = new Uint8Array(size);`,
  ],
  [
    '        chunks.push(chunk);\n        totalLength += chunk.byteLength;\n',
    `        chunks.push(chunk);\n        totalLength += chunk.byteLength;\n        ${CALL}(totalLength, chunk.byteLength);\n`,
  ],
  // The strings pdfjs's lexer reads (literal and hex) are charged to the document's decoded bytes
  // like a stream, at the memory they take while read (an 8-byte array slot per character, in an
  // array that doubles as it grows: 16 bytes):
  // XRef.indexObjects re-parses the object after each repeated "n g obj" line, and an
  // unterminated string there is read to the end of the file each time (quadratic work, and its
  // garbage took the process past 1 GB).
  ['    return strBuf.join("");\n  }\n  getName() {', `    ${CALL}(strBuf.length, 16 * strBuf.length);\n    return strBuf.join("");\n  }\n  getName() {`],
  ['    return strBuf.join("");\n  }\n  getObj() {', `    ${CALL}(strBuf.length, 16 * strBuf.length);\n    return strBuf.join("");\n  }\n  getObj() {`],
  // Every token pdfjs's lexer reads checks the document's time budget. pdfjs parses synchronously
  // in this thread (its "fake worker"), so a timer cannot stop it: a damaged file whose repair
  // (XRef.indexObjects) re-reads an unterminated string from each of thousands of "n g obj" lines
  // is quadratic and held the thread for minutes.
  [
    '  getObj() {\n    let comment = false;\n    let ch = this.currentChar;\n',
    `  getObj() {\n    ${TICK_CALL}();\n    let comment = false;\n    let ch = this.currentChar;\n`,
  ],
  // parseCMap (embedded CMaps: a font's /ToUnicode or /Encoding) reads tokens in a loop that
  // catches every error but MissingDataException, warns and reads on. The budget's own verdicts
  // were caught there too: once the deadline passed, every token threw PdfjsTimeout again, and once
  // a limit was passed (a CMap stream decoded synchronously while the lexer reads, e.g.
  // /RunLengthDecode), every read threw LimitExceeded again; the loop caught each and never ended.
  // The catch now rethrows them, and whatever it caught once the budget is spent: the font fails,
  // pdfjs stops at its next token, and the verdict is read as usual (docs/fuzzing.md,
  // fuzz/regressions/{classify,pdf}/*-parseCMap-*).
  [
    '    } catch (ex) {\n      if (ex instanceof MissingDataException) {\n        throw ex;\n      }\n      warn("Invalid cMap data: " + ex);\n      continue;\n',
    `    } catch (ex) {\n      if (ex instanceof MissingDataException) {\n        throw ex;\n      }\n      ${RETHROW_CALL}(ex);\n      warn("Invalid cMap data: " + ex);\n      continue;\n`,
  ],
  // Catalog.getPageDict prefetches every kid of the top-level page tree into a cache and awaits
  // only the ones its walk reaches. A kid whose xref entry is damaged rejects with nobody
  // listening when the walk stops earlier (the first page failed, or the wanted page came first):
  // an unhandled rejection after pdfText had returned, fatal to a process without a handler
  // (fuzz/regressions/classify/…-c19ab5d7). The prefetch is marked handled; a visit that awaits
  // it still sees the rejection.
  [
    '          pageDictCache.put(lastKid, xref.fetchAsync(lastKid));\n',
    '          const prefetch = xref.fetchAsync(lastKid);\n          prefetch.catch(() => undefined);\n          pageDictCache.put(lastKid, prefetch);\n',
  ],
];

/**
 * pdf.mjs loads the native @napi-rs/canvas (skia, ~20 MiB resident, never unloaded) at import to
 * polyfill DOMMatrix, ImageData and Path2D for rendering. Text extraction renders nothing: a pdfjs
 * thread (pdfjs-thread.ts) hands over stand-ins under this symbol instead; elsewhere the library
 * is loaded as before.
 */
export const CANVAS_STANDIN = 'vanthu.pdfjs.canvas';
const CANVAS_PATCH: [string, string] = [
  '      canvas = require("@napi-rs/canvas");\n',
  `      canvas = globalThis[Symbol.for("${CANVAS_STANDIN}")] ?? require("@napi-rs/canvas");\n`,
];

export class PdfjsUnguarded extends Error {}

/** The time budget of the document pdfjs is reading ran out (thrown inside pdfjs at every token from then on). */
export class PdfjsTimeout extends Error {
  constructor() {
    super('PDF text extraction exceeded its time budget');
    this.name = 'PdfjsTimeout';
  }
}

/** Decoded bytes of one document read by pdfjs. */
export class DecodeBudget {
  /** Bytes the document's decode buffers grew by (a buffer doubles, so this is at most twice the decoded bytes). */
  grown = 0;
  /** Set at the first limit passed; every later growth throws it again, and the caller reports it. */
  exceeded: LimitExceeded | null = null;

  /** Set once the deadline has passed; every later token pdfjs reads throws it again. */
  timedOut: PdfjsTimeout | null = null;

  constructor(
    readonly maxStreamBytes: number,
    readonly maxDocumentBytes: number,
    /** Date.now() after which pdfjs's lexer stops reading; Infinity for none. */
    readonly deadline = Number.POSITIVE_INFINITY,
  ) {}

  /** Throws the verdict if the document is over a limit or its time. */
  check(): void {
    if (this.exceeded) throw this.exceeded;
    this.tick();
  }

  tick(): void {
    if (this.timedOut) throw this.timedOut;
    // Every time: one token may be a string read to the end of the file.
    if (Date.now() > this.deadline) throw (this.timedOut = new PdfjsTimeout());
  }

  grow(requested: number, extra: number): void {
    if (this.exceeded) throw this.exceeded;
    if (requested > this.maxStreamBytes) {
      throw (this.exceeded = new LimitExceeded(
        'pdf-inflated-bytes',
        this.maxStreamBytes,
        requested,
        `a PDF stream decodes to more than ${this.maxStreamBytes} bytes`,
      ));
    }
    if (this.grown + extra > this.maxDocumentBytes) {
      throw (this.exceeded = new LimitExceeded(
        'pdf-document-bytes',
        this.maxDocumentBytes,
        this.grown + extra,
        `PDF streams decode to more than ${this.maxDocumentBytes} bytes together`,
      ));
    }
    this.grown += extra;
  }
}

/** pdfjs's dynamic imports (the worker module, an optional JPEG 2000 decoder) go through here. */
const IMPORT_HOOK = 'vanthu.pdfjs.import';
(globalThis as Record<symbol, unknown>)[Symbol.for(IMPORT_HOOK)] = (specifier: string) => import(specifier);
const DYNAMIC_IMPORT = /await import\(\s*\/\*webpackIgnore: true\*\/\s*\/\*@vite-ignore\*\/\s*([\w.]+)\)/g;

/** The source with its dynamic import(s) called through IMPORT_HOOK (see the top of this file); unchanged when there is none. */
export function withoutDynamicImport(source: string): string {
  return source.replace(DYNAMIC_IMPORT, (_, expr: string) => `await globalThis[Symbol.for("${IMPORT_HOOK}")](${expr})`);
}

let current: DecodeBudget | null = null;
(globalThis as Record<symbol, unknown>)[Symbol.for(HOOK)] = (requested: number, extra: number) => {
  // Outside withDecodeBudget (nobody should use pdfjs there) one stream is still bounded.
  (current ?? new DecodeBudget(DEFAULT_LIMITS_CONFIG.pdfStreamBytes, Number.MAX_SAFE_INTEGER)).grow(requested, extra);
};

(globalThis as Record<symbol, unknown>)[Symbol.for(TICK_HOOK)] = () => current?.tick();

/** Where pdfjs catches an error and reads on (parseCMap): the budget's verdicts go through, and anything once the budget is spent. */
(globalThis as Record<symbol, unknown>)[Symbol.for(RETHROW_HOOK)] = (caught: unknown) => {
  if (caught instanceof LimitExceeded || caught instanceof PdfjsTimeout) throw caught;
  current?.check();
};

let queue: Promise<unknown> = Promise.resolve();
let decodedTotal = 0;

/** Bytes the decode buffers of every document read in this thread grew by, together (DecodeBudget.grown): a pdfjs thread that decoded a lot is replaced (pdfjs-worker.ts). */
export function decodedBytes(): number {
  return decodedTotal;
}

/** Runs fn with `budget` charged for every pdfjs decode; one document at a time. */
export function withDecodeBudget<T>(budget: DecodeBudget, fn: () => Promise<T>): Promise<T> {
  const run = queue.then(async () => {
    current = budget;
    try {
      return await fn();
    } finally {
      current = null;
      decodedTotal += budget.grown;
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

/** The worker source with the hooks added; throws PdfjsUnguarded when an anchor is not there exactly once. */
export function guardedWorkerSource(source: string): string {
  return withoutDynamicImport(patchedOnce(source, PATCHES));
}

function patchedOnce(source: string, patches: Array<[string, string]>): string {
  let out = source;
  for (const [anchor, guarded] of patches) {
    const first = out.indexOf(anchor);
    if (first < 0 || out.indexOf(anchor, first + 1) >= 0) {
      throw new PdfjsUnguarded(
        'pdfjs-dist does not decode streams where vanthu expects it to; PDFs that need pdfjs are not read until gateway/documents/sources/pdfjs-guard.ts is updated',
      );
    }
    out = out.slice(0, first) + guarded + out.slice(first + anchor.length);
  }
  return out;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/** pdfjs's main module and its worker module (guarded), both from the copies described at the top. */
export async function importPdfjs(): Promise<{ pdfjs: PdfJs; worker: unknown }> {
  const require = createRequire(import.meta.url);
  const main = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
  const worker = require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
  const pdfjs = (await importCopy(main, withoutDynamicImport(patchedOnce(readFileSync(main, 'utf8'), [CANVAS_PATCH])))) as PdfJs;
  return { pdfjs, worker: await importCopy(worker, guardedWorkerSource(readFileSync(worker, 'utf8'))) };
}

async function importCopy(original: string, pdfjsSource: string): Promise<unknown> {
  const base = path.basename(original, '.mjs');
  // The copy resolves what pdfjs finds next to itself (@napi-rs/canvas, wasm helpers) from the original's place, wherever it is written.
  const source = pdfjsSource.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(original).href));
  const name = `${base}.vanthu-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.mjs`;
  let lastError: unknown = null;
  // Next to the original first (loaded there as a dependency, untransformed by test runners); the temp directory if that is read-only.
  for (const dir of [path.dirname(original), os.tmpdir()]) {
    const file = path.join(dir, name);
    try {
      if (!existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, source);
        renameSync(tmp, file);
      }
      return await import(pathToFileURL(file).href);
    } catch (err) {
      lastError = err;
    }
  }
  throw new PdfjsUnguarded(`cannot write a copy of ${base}: ${(lastError as Error)?.message ?? lastError}`);
}
