/**
 * The gateway's end of the embedded database's thread (gateway/store/pglite-thread.mjs;
 * docs/architecture.md, "The embedded database runs beside the event loop"). PGlite runs
 * Postgres as WebAssembly on the thread that calls it; measured in the gateway (bench/e2e), that
 * and PGlite's protocol decoding were over half of the main thread's time, taking turns with SMTP
 * and the pipeline. Here each call is a request to a worker thread, which runs PGlite and returns
 * decoded rows, so both cores work; the requests of one turn of the event loop go in one message,
 * and BEGIN rides with its transaction's first statement (`send`, `transaction`).
 *
 * The object has the two methods drizzle-orm's PGlite driver calls (`query`, `transaction`) and
 * `exec`; drizzle's query options are recognised by their row mode (its parsers, functions that
 * cannot cross threads, are recreated on the other side). PGlite's own worker (PGliteWorker)
 * needs the browser's Web Locks API, which Node does not have.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** An error the database reported (SQLSTATE in `code`), rebuilt on this side of the thread. */
export class EmbeddedDatabaseError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  severity?: string;
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message ?? 'database error'));
    this.name = 'DatabaseError';
    for (const [k, v] of Object.entries(fields))
      if (k !== 'message' && k !== 'name' && k !== 'stack' && k !== 'database') (this as Record<string, unknown>)[k] = v;
  }
}

/** The thread stopped (crashed, or was closed) with calls still waiting. */
export class EmbeddedDatabaseGone extends Error {
  readonly code = 'db-thread-gone';
}

/** A statement's result: its rows, and for a write the rows it changed. No column descriptions. */
export interface QueryResult<Row> {
  rows: Row[];
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: unknown;
}

type Request =
  | { op: 'open'; dir: string; sharedBuffersMb?: number; preparedStatements?: number }
  | { op: 'query'; text: string; params: unknown[]; mode: string; tx?: number; lane?: Lane }
  | { op: 'exec'; text: string; tx?: number }
  | { op: 'begin'; tx: number; lane?: Lane }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'memory' }
  | { op: 'prepared' }
  | { op: 'close' };

/** The database thread's own memory (docs/operations.md, "Memory"): its JavaScript heap and PGlite's WebAssembly heap. */
export interface EmbeddedMemory {
  /** V8 heap of the thread: reserved (`total`) and live (`used`) bytes. */
  heapTotalBytes: number;
  heapUsedBytes: number;
  /** V8's young generation of the thread (its new space, as reserved now): bounded by DB_THREAD_YOUNG_GENERATION_MB. */
  youngGenerationBytes: number | null;
  /** PGlite's WebAssembly memory (it grows and never shrinks). */
  wasmHeapBytes: number | null;
}

/**
 * What the database thread's prepared-statement cache did (gateway/store/pglite-prepared.mjs;
 * docs/architecture.md, "Prepared statements on the embedded database").
 */
export interface PreparedCounts {
  /** Statements run under a name prepared before. */
  hits: number;
  /** Texts parsed under a name (once each, unless dropped). */
  prepared: number;
  /** Statements run unnamed (seen once so far, or never prepared: transaction control, DDL). */
  unprepared: number;
  /** Names closed: least recently used past the limit, or stale after an error. */
  dropped: number;
  /** Row descriptions Postgres sent on the named path: one per text prepared (its columns are kept with its name). */
  described: number;
  /** Times every name was dropped because the schema may have changed. */
  cleared: number;
  /** Names held now. */
  cached: number;
}

/** How many named prepared statements the database thread keeps (least recently used out). */
export const DB_THREAD_PREPARED_STATEMENTS = 128;

/**
 * The thread's young generation, in MiB (V8's default lets it grow to 48). PGlite's result decoding
 * makes short-lived garbage fast enough that the default let the thread's heap grow from 28 to
 * 45–51 MiB after a burst or a few results of thousands of rows, all of it freed space kept. At 16
 * it stays at 29–33 MiB in the same runs; at 8, results of thousands of rows outlive the young
 * generation and the old one grows instead (58–60 MiB). Measured in bench/e2e/FINDINGS.md, "Memory".
 */
export const DB_THREAD_YOUNG_GENERATION_MB = 16;

/**
 * Whose statement it is: 'accept' (the row an SMTP 250 waits for) is served before the pipeline's
 * waiting statements and transactions (pglite-thread.mjs; docs/architecture.md, "The accept lane").
 */
export type Lane = 'accept' | 'pipeline';

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: Record<string, unknown> };

/**
 * What crossed the thread boundary (docs/architecture.md, "The embedded database runs beside the
 * event loop"): calls made, messages posted to the thread (a post carries every call made while the
 * event loop's current callback and its promise continuations ran), replies received.
 */
export interface BridgeCounts {
  calls: number;
  posts: number;
  replies: number;
}

/** A connection as drizzle sees it: the whole database, or one open transaction. */
export interface EmbeddedConnection {
  query<Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<Row>>;
  exec(text: string): Promise<void>;
  transaction<T>(fn: (tx: EmbeddedConnection) => Promise<T>): Promise<T>;
  /**
   * In a transaction: the next statement is its last, and the commit goes in the same post as it
   * (no round trip of its own; see `transaction`). Nothing may be sent, and nothing may throw,
   * after that statement.
   */
  commitWithNext?(): void;
}

export interface EmbeddedOptions {
  /** shared_buffers in MiB (config database.embeddedSharedBuffersMb). */
  sharedBuffersMb?: number;
  /** Named prepared statements to keep; 0 runs every statement unnamed, as PGlite's `query` does. */
  preparedStatements?: number;
}

export class EmbeddedDatabase implements EmbeddedConnection {
  private readonly worker: Worker;
  private nextId = 1;
  private nextTx = 1;
  /** Calls not posted yet: they go together once the current callback's promise continuations have run. */
  private outbox: Array<Request & { id?: number }> = [];
  readonly counts: BridgeCounts = { calls: 0, posts: 0, replies: 0 };
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private gone: Error | null = null;

  private constructor() {
    this.worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: DB_THREAD_YOUNG_GENERATION_MB },
    });
    this.worker.on('message', (reply: Reply) => {
      this.counts.replies++;
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      // Idle, the thread does not keep the process alive (a CLI command that forgot close() still exits).
      if (this.waiting.size === 0) this.worker.unref();
      if (reply.ok) w.resolve(reply.value);
      else
        w.reject(
          reply.error.database ? new EmbeddedDatabaseError(reply.error) : Object.assign(new Error(String(reply.error.message)), { name: reply.error.name }),
        );
    });
    const fail = (err: Error) => {
      this.gone ??= err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', (err) => fail(new EmbeddedDatabaseGone(`the embedded database's thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new EmbeddedDatabaseGone(`the embedded database's thread ended (exit code ${code})`)));
  }

  /**
   * Starts the thread and opens the database in `dir`. A new directory is first created (initdb)
   * in a child process (pglite-initdb.mjs) that then exits: initdb peaks at ~780 MB, and when it
   * ran on a thread of this process, ~130–160 MB stayed resident for the process's whole life even
   * after that thread ended (docs/operations.md, "Memory").
   */
  static async open(dir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await initdb(dir);
    return EmbeddedDatabase.start(dir, opts);
  }

  private static async start(dir: string, opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
    const db = new EmbeddedDatabase();
    try {
      await db.call({ op: 'open', dir, sharedBuffersMb: opts.sharedBuffersMb, preparedStatements: opts.preparedStatements ?? DB_THREAD_PREPARED_STATEMENTS });
    } catch (err) {
      await db.worker.terminate();
      throw err;
    }
    return db;
  }

  query<Row>(text: string, params: unknown[] = [], options?: QueryOptions, tx?: number, lane?: Lane): Promise<QueryResult<Row>> {
    const mode = options?.parsers ? `drizzle-${options.rowMode ?? 'object'}` : 'plain';
    return this.call({ op: 'query', text, params, mode, tx, lane }) as Promise<QueryResult<Row>>;
  }

  async exec(text: string, tx?: number): Promise<void> {
    await this.call({ op: 'exec', text, tx });
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. BEGIN is
   * not a round trip of its own: it is posted without a reply, in the same message as the first
   * statement `fn` makes, and takes its turn on the connection in the order of this call. When
   * BEGIN fails, the statements and the commit fail with its error. Neither need the commit be:
   * `commitWithNext()` before the last statement posts the commit with it. The connection is held
   * from BEGIN to the commit, every other statement waiting, and each round trip inside holds it
   * for as long as this thread takes to answer the reply (docs/architecture.md, "Database writes").
   */
  async transaction<T>(fn: (tx: EmbeddedConnection) => Promise<T>): Promise<T> {
    if (this.gone) throw this.gone;
    const tx = this.nextTx++;
    this.send({ op: 'begin', tx });
    // The commit posted with the statement `commitWithNext` named (the thread runs it once that statement is done).
    let commitNext = false;
    let committed: Promise<unknown> | null = null;
    const last = <R>(sent: Promise<R>): Promise<R> => {
      if (commitNext) {
        commitNext = false;
        committed = this.call({ op: 'end', tx, commit: true });
        committed.catch(() => undefined);
      }
      return sent;
    };
    const conn: EmbeddedConnection = {
      query: (text, params, options) => last(this.query(text, params, options, tx)),
      exec: (text) => last(this.exec(text, tx)),
      transaction: () => Promise.reject(new Error('nested transactions use savepoints (drizzle does)')),
      commitWithNext: () => {
        commitNext = true;
      },
    };
    let value: T;
    try {
      value = await fn(conn);
    } catch (err) {
      // A failed last statement fails the commit sent with it: Postgres rolls the transaction back.
      if (committed) await (committed as Promise<unknown>).catch(() => undefined);
      else await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await (committed ?? this.call({ op: 'end', tx, commit: true }));
    return value;
  }

  /** What the prepared-statement cache did so far (null when it is off). */
  preparedCounts(): Promise<PreparedCounts | null> {
    return this.call({ op: 'prepared' }) as Promise<PreparedCounts | null>;
  }

  /** What the database thread holds now (for tests and the memory figures of bench/e2e). */
  memory(): Promise<EmbeddedMemory> {
    return this.call({ op: 'memory' }) as Promise<EmbeddedMemory>;
  }

  async close(): Promise<void> {
    if (!this.gone) await this.call({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private call(req: Request): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.send({ id, ...req });
    });
  }

  /**
   * Queues a request for the next post. Posting costs the main thread far more than the message's
   * size (bench/e2e/FINDINGS.md, "Tenth round: the database thread's bridge"), so the requests made
   * while one callback of the event loop and its promise continuations run go as one message: the
   * post waits for the microtask queue to drain (a tick queued from a microtask runs after it), not
   * for another turn of the event loop.
   */
  private send(req: Request & { id?: number }): void {
    this.counts.calls++;
    if (this.outbox.push(req) === 1) queueMicrotask(() => process.nextTick(this.flush));
  }

  private readonly flush = (): void => {
    const batch = this.outbox;
    this.outbox = [];
    if (!batch.length || this.gone) return;
    this.counts.posts++;
    this.worker.postMessage(batch.length === 1 ? batch[0] : batch);
  };
}

/** Thrown when the child process that creates a new database directory fails. */
export class EmbeddedInitdbFailed extends Error {
  readonly code = 'db-initdb-failed';
}

/** Runs initdb for `dir` in a child process (pglite-initdb.mjs); its memory goes when it exits. */
function initdb(dir: string): Promise<void> {
  const script = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    // No execArgv: the script is plain JavaScript and needs none of a TypeScript loader's flags.
    execFile(process.execPath, [script, dir], { maxBuffer: 1 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new EmbeddedInitdbFailed(`creating the embedded database in ${dir} failed: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}
