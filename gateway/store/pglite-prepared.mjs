/**
 * Named prepared statements for the embedded database's thread (docs/architecture.md, "Prepared
 * statements on the embedded database"). PGlite's `query` parses, analyses and plans its SQL text
 * afresh on every call (an unnamed statement: Parse, Describe, Bind, Describe, Execute, Sync —
 * six calls into the WebAssembly Postgres), and the planner reads every relation's size from the
 * file system each time. The gateway sends the same few dozen texts thousands of times, so a text
 * seen a second time is parsed once under a name (Parse + Describe once) and from then on runs as
 * Bind + Describe + Execute + Sync in one call, with Postgres's own plan cache behind it.
 *
 * The results are the same as PGlite's `query` (rows decoded by its parsers, parameters encoded by
 * its serializers for the types Postgres inferred at Parse), and so are the errors (PGlite's
 * DatabaseError with the SQLSTATE): one statement is still one statement, inside or outside a
 * transaction. Invalidation: a statement that changes the schema (DDL through `query`, or any
 * `exec`) drops every prepared statement before it runs, so a cached plan or row type never meets a
 * changed table; a prepared statement that fails with "cached plan must not change result type"
 * (0A000) or a missing name (26000) is dropped too. At most `max` statements are kept (least
 * recently used out; their Close is sent with the next call).
 *
 * Plain JavaScript: it is loaded by the thread (pglite-thread.mjs) from the sources and from the
 * compiled CLI alike.
 */

/** Texts that are never prepared: transaction control, session settings and schema changes. */
const NOT_PREPARED = /^\s*(begin|start|commit|end|rollback|abort|savepoint|release|set|reset|show|prepare|execute|deallocate|discard|listen|notify|unlisten|lock|vacuum|analyze|checkpoint|copy|do|call)\b/i;
/** Statements after which the schema may have changed: every prepared statement is dropped first. */
const SCHEMA_CHANGE = /^\s*(create|alter|drop|comment|truncate|grant|revoke|reindex|cluster|refresh|security|import|discard|deallocate)\b/i;

/** SQLSTATEs that mean a prepared statement cannot be used again as it is. */
const STALE = new Set(['0A000', '26000']);

export class PreparedStatements {
  /**
   * @param {object} db PGlite instance
   * @param {object} pglite the '@electric-sql/pglite' module (protocol serializer, result parser)
   * @param {{ max?: number, after?: number }} [opts] keep at most `max`; prepare a text on its `after`-th use
   */
  constructor(db, pglite, { max = 128, after = 2 } = {}) {
    this.db = db;
    this.serialize = pglite.protocol.serialize;
    this.parseResults = pglite.parse.parseResults;
    this.parseDescribe = pglite.parse.parseDescribeStatementResults;
    this.max = max;
    this.after = after;
    /** text → { name, types } in least-recently-used order (a hit moves it to the end). */
    this.cache = new Map();
    /** text → times seen without being prepared (bounded). */
    this.seen = new Map();
    /** Names to close with the next call into the database. */
    this.closing = [];
    this.nextName = 1;
    this.counts = { hits: 0, prepared: 0, unprepared: 0, dropped: 0, cleared: 0, described: 0 };
    /** Caller's parsers object → PGlite's parsers with those on top (PGlite's own are fixed once it is open). */
    this.merged = new WeakMap();
  }

  /** Whether `text` changes the schema: call before running it by other means (`exec`, an unprepared `query`). */
  beforeOther(text) {
    if (SCHEMA_CHANGE.test(text) || /;\s*\S/.test(text)) this.clear();
  }

  /** Drops every prepared statement (their Close goes with the next call). */
  clear() {
    if (!this.cache.size) return;
    for (const st of this.cache.values()) this.closing.push(st.name);
    this.cache.clear();
    this.seen.clear();
    this.counts.cleared++;
  }

  /**
   * Runs `text` as a named prepared statement when it is worth it, else through PGlite's `query`
   * (on `conn`: the database or an open transaction). Same result either way.
   */
  async query(conn, text, params, options) {
    let st = this.cache.get(text);
    if (st) {
      this.cache.delete(text);
      this.cache.set(text, st);
      this.counts.hits++;
    } else {
      if (NOT_PREPARED.test(text) || SCHEMA_CHANGE.test(text) || options?.paramTypes) {
        this.beforeOther(text);
        this.counts.unprepared++;
        return conn.query(text, params, options);
      }
      const n = (this.seen.get(text) ?? 0) + 1;
      if (n < this.after) {
        if (this.seen.size >= 4 * this.max) this.seen.clear();
        this.seen.set(text, n);
        this.counts.unprepared++;
        return conn.query(text, params, options);
      }
      this.seen.delete(text);
    }
    try {
      st ??= await this.prepare(text);
      return await this.run(st, params, options);
    } catch (err) {
      if (STALE.has(err?.code)) this.drop(text);
      // PGlite's `query` names the statement on its errors; so does this path.
      if (err && typeof err === 'object' && err.query === undefined) err.query = text;
      throw err;
    }
  }

  /** Parse + Describe under a new name; kept once Postgres accepted it. */
  async prepare(text) {
    const name = `v${this.nextName++}`;
    const s = this.serialize;
    const { messages } = await this.call([s.parse({ name, text }), s.describe({ type: 'S', name }), s.sync()]);
    // The statement's row description, read once here: an execution by name then sends no Describe
    // of its own (Postgres would describe the same columns again, and this thread parse them again).
    const st = { name, types: this.parseDescribe(messages), rowDescription: messages.find((m) => m.name === 'rowDescription') ?? null };
    this.cache.set(text, st);
    this.counts.prepared++;
    while (this.cache.size > this.max) {
      const [oldest, old] = this.cache.entries().next().value;
      this.cache.delete(oldest);
      this.closing.push(old.name);
      this.counts.dropped++;
    }
    return st;
  }

  async run(st, params, options) {
    const s = this.serialize;
    const values = (params ?? []).map((value, i) => {
      if (value === null || value === undefined) return null;
      const oid = st.types[i];
      const encode = options?.serializers?.[oid] ?? this.db.serializers[oid];
      return encode ? encode(value) : value.toString();
    });
    const { messages: out } = await this.call([s.bind({ statement: st.name, values }), s.execute({}), s.sync()]);
    const messages = st.rowDescription ? [st.rowDescription, ...out] : out;
    if (!this.db.isInTransaction()) await this.db.syncToFs();
    if (!options?.parsers) return this.parseResults(messages, this.db.parsers, options)[0];
    return this.parseResults(messages, this.parsersWith(options.parsers), { ...options, parsers: undefined })[0];
  }

  /**
   * PGlite's parsers with a caller's own on top, merged once per parsers object: PGlite merges them
   * on every call (a copy of its ~200 type parsers per statement, a tenth of the database thread's
   * JavaScript time with drizzle's queries, which all carry the same parsers object).
   */
  parsersWith(own) {
    let merged = this.merged.get(own);
    if (!merged) this.merged.set(own, (merged = { ...this.db.parsers, ...own }));
    return merged;
  }

  drop(text) {
    const st = this.cache.get(text);
    if (!st) return;
    this.cache.delete(text);
    this.closing.push(st.name);
    this.counts.dropped++;
  }

  /** One call into the database: the pending Closes, then `parts`; the statements' errors thrown as PGlite throws them. */
  async call(parts) {
    const closes = this.closing.splice(0).map((name) => this.serialize.close({ type: 'S', name }));
    const all = [...closes, ...parts];
    let size = 0;
    for (const p of all) size += p.length;
    const buf = new Uint8Array(size);
    let at = 0;
    for (const p of all) {
      buf.set(p, at);
      at += p.length;
    }
    const r = await this.db.execProtocol(buf, { syncToFs: false });
    for (const m of r.messages) if (m.name === 'rowDescription') this.counts.described++;
    return r;
  }
}
