/**
 * The gateway's end of the embedded database's thread (gateway/store/pglite-thread.mjs;
 * docs/architecture.md, "The embedded database runs beside the event loop"). PGlite runs
 * Postgres as WebAssembly on the thread that calls it; measured in the gateway (bench/e2e), that
 * and PGlite's protocol decoding were over half of the main thread's time, taking turns with SMTP
 * and the pipeline. Here each call is one message to a worker thread, which runs PGlite and
 * returns decoded rows, so both cores work.
 *
 * The object has the two methods drizzle-orm's PGlite driver calls (`query`, `transaction`) and
 * `exec`; drizzle's query options are recognised by their row mode (its parsers, functions that
 * cannot cross threads, are recreated on the other side). PGlite's own worker (PGliteWorker)
 * needs the browser's Web Locks API, which Node does not have.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
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

export interface QueryResult<Row> {
  rows: Row[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: unknown;
}

type Request =
  | { op: 'open'; dir: string; sharedBuffersMb?: number }
  | { op: 'query'; text: string; params: unknown[]; mode: string; tx?: number }
  | { op: 'exec'; text: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' };

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: Record<string, unknown> };

/** A connection as drizzle sees it: the whole database, or one open transaction. */
export interface EmbeddedConnection {
  query<Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<Row>>;
  exec(text: string): Promise<void>;
  transaction<T>(fn: (tx: EmbeddedConnection) => Promise<T>): Promise<T>;
}

export class EmbeddedDatabase implements EmbeddedConnection {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private gone: Error | null = null;

  private constructor() {
    this.worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url));
    this.worker.on('message', (reply: Reply) => {
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
   * in a thread of its own that then ends: initdb leaves ~500 MB of WebAssembly heap and garbage
   * behind that a live thread would keep for the life of the process.
   */
  static async open(dir: string, opts: { sharedBuffersMb?: number } = {}): Promise<EmbeddedDatabase> {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await (await EmbeddedDatabase.start(dir, {})).close();
    return EmbeddedDatabase.start(dir, opts);
  }

  private static async start(dir: string, opts: { sharedBuffersMb?: number }): Promise<EmbeddedDatabase> {
    const db = new EmbeddedDatabase();
    try {
      await db.call({ op: 'open', dir, sharedBuffersMb: opts.sharedBuffersMb });
    } catch (err) {
      await db.worker.terminate();
      throw err;
    }
    return db;
  }

  query<Row>(text: string, params: unknown[] = [], options?: QueryOptions, tx?: number): Promise<QueryResult<Row>> {
    const mode = options?.parsers ? `drizzle-${options.rowMode ?? 'object'}` : 'plain';
    return this.call({ op: 'query', text, params, mode, tx }) as Promise<QueryResult<Row>>;
  }

  async exec(text: string, tx?: number): Promise<void> {
    await this.call({ op: 'exec', text, tx });
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (tx: EmbeddedConnection) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: 'begin' })) as number;
    const conn: EmbeddedConnection = {
      query: (text, params, options) => this.query(text, params, options, tx),
      exec: (text) => this.exec(text, tx),
      transaction: () => Promise.reject(new Error('nested transactions use savepoints (drizzle does)')),
    };
    let value: T;
    try {
      value = await fn(conn);
    } catch (err) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.call({ op: 'end', tx, commit: true });
    return value;
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
      this.worker.postMessage({ id, ...req });
    });
  }
}
