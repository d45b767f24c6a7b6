/**
 * The embedded database's own thread (docs/architecture.md, "The embedded database runs beside the
 * event loop"): PGlite — Postgres compiled to WebAssembly, and its JavaScript protocol and result
 * decoding — runs here, so that work no longer takes turns with SMTP, parsing and classification on
 * the gateway's main thread. gateway/store/pglite-client.ts is the other end: it posts one message
 * per call and gets the decoded rows back (structured clone).
 *
 * Plain JavaScript on purpose: a worker thread loads it by path, and it must load the same way from
 * the TypeScript sources (tsx, vitest) and from the compiled CLI.
 *
 * Requests: { id, op, ... } with op
 *   open   { dir, sharedBuffersMb, preparedStatements } → null (PGlite.create on the data directory;
 *          preparedStatements: how many to keep, 0 for none)
 *   query  { text, params, mode, tx?, lane? } → { rows, affectedRows }
 *   exec   { text, tx?, lane? }               → null (several statements, no parameters)
 *   begin  { tx, lane? }                      → no reply: transaction `tx` (the caller's number) begins
 *          in its turn; its statements and its end wait for that, and fail if BEGIN failed
 *   end    { tx, commit }              → null once committed or rolled back (after the transaction's
 *          statements sent before it: a commit may ride in the same post as the last one)
 *   memory {}                          → { heapTotalBytes, heapUsedBytes, youngGenerationBytes, wasmHeapBytes }
 *   prepared {}                        → counts of the prepared-statement cache (pglite-prepared.mjs), or null
 *   close  {}                          → null
 * A message is one request or an array of them (handled in order). Replies, one message each:
 * { id, ok: true, value } or { id, ok: false, error: { message, name, ...fields } }.
 *
 * The one connection is taken in turns (docs/architecture.md, "The accept lane"): a statement
 * outside a transaction, or a transaction from begin to end, is one turn. Waiting turns are served
 * in order, except that those of the accept lane (`lane: 'accept'`: the row that lets SMTP answer
 * 250) go before the pipeline's — so the sender waits for at most the turn in progress, not for
 * every pipeline transaction queued before it. PGlite takes its own lock per turn too; this queue
 * only chooses who is next.
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';

// The thread's name on Linux (top -H, /proc/<pid>/task/*/comm; bench/e2e's CPU per thread): every
// worker thread is otherwise "node". A thread may rename itself through /proc/thread-self.
try {
  writeFileSync('/proc/thread-self/comm', 'vanthu-db');
} catch {
  /* not Linux */
}

// Postgres's WebAssembly is compiled by V8's baseline compiler only (Liftoff), never a second time
// optimised (TurboFan): that second copy of its hot functions was ~35–50 MiB of the gateway's
// resident memory, and the database thread was no slower without it in the same runs (2-core
// machine under load; docs/operations.md, "Memory"). Process-wide, and set before PGlite compiles
// its module; the gateway has no other WebAssembly on its hot path.
setFlagsFromString('--liftoff-only');
const pglite = await import('@electric-sql/pglite');
const { PGlite, types } = pglite;
const { PreparedStatements } = await import('./pglite-prepared.mjs');

/** The parsers drizzle-orm's PGlite driver passes with its queries: dates and intervals stay text. */
const keepText = (value) => value;
const DRIZZLE_PARSERS = {
  [types.TIMESTAMP]: keepText,
  [types.TIMESTAMPTZ]: keepText,
  [types.INTERVAL]: keepText,
  [types.DATE]: keepText,
  1231: keepText, // numeric[]
  1115: keepText, // timestamp[]
  1185: keepText, // timestamptz[]
  1187: keepText, // interval[]
  1182: keepText, // date[]
};

let db = null;
/** The hot SQL texts as named prepared statements (pglite-prepared.mjs); null when turned off at open. */
let prepared = null;

/** Whose turn it is on the connection; waiting turns by lane. */
let busy = false;
const waiting = { accept: [], other: [] };

function takeTurn(lane) {
  if (!busy) {
    busy = true;
    return Promise.resolve();
  }
  return new Promise((go) => waiting[lane === 'accept' ? 'accept' : 'other'].push(go));
}

function endTurn() {
  const next = waiting.accept.shift() ?? waiting.other.shift();
  if (next) next();
  else busy = false;
}

/** Runs one statement outside a transaction as a turn of its own; inside one, at once (the transaction holds the turn). */
async function inTurn(tx, lane, run) {
  if (tx !== undefined && tx !== null) return run();
  await takeTurn(lane);
  try {
    return await run();
  } finally {
    endTurn();
  }
}
/** Open transactions: the PGlite transaction object, and how to end it. */
const txs = new Map();
/** Transactions by the caller's number → their BEGIN (a promise: statements wait for it, and fail with its error). */
const beginnings = new Map();
/** Transactions by the caller's number → their statements not yet answered (the end waits for them: a commit may come in the same post as the last). */
const inFlight = new Map();
const ROLLBACK = Symbol('rollback');

function queryOptions(mode) {
  if (mode === 'drizzle-array') return { rowMode: 'array', parsers: DRIZZLE_PARSERS };
  if (mode === 'drizzle-object') return { rowMode: 'object', parsers: DRIZZLE_PARSERS };
  return undefined;
}

function target(tx) {
  if (tx === undefined || tx === null) return db;
  const open = txs.get(tx);
  if (!open) throw new Error(`no open transaction ${tx}`);
  return open.client;
}

/** Waits for transaction `tx`'s BEGIN (if the statement is in one); throws its error when it failed. */
async function opened(tx) {
  if (tx === undefined || tx === null) return;
  const begun = beginnings.get(tx);
  if (!begun) throw new Error(`no open transaction ${tx}`);
  await begun;
}

/** Starts transaction `n` (the caller's number) once it has the connection. */
async function begin(lane, n) {
  await takeTurn(lane);
  return new Promise((started, failedToStart) => {
    const open = { client: null, commit: null, rollback: null, done: null };
    open.done = db
      .transaction(
        (client) =>
          new Promise((commit, rollback) => {
            Object.assign(open, { client, commit, rollback });
            txs.set(n, open);
            started(n);
          }),
      )
      .then(
        () => ({ ok: true }),
        (err) => (err === ROLLBACK ? { ok: true } : { ok: false, err }),
      )
      .finally(() => {
        txs.delete(n);
        endTurn();
      });
    // BEGIN itself failed: the callback never ran, so nobody waits on `done` yet.
    open.done.then((r) => {
      if (!open.client && !r.ok) failedToStart(r.err);
    });
  });
}

async function end(tx, commit) {
  try {
    await opened(tx);
    await inFlight.get(tx);
  } finally {
    beginnings.delete(tx);
    inFlight.delete(tx);
  }
  const open = txs.get(tx);
  if (!open) throw new Error(`no open transaction ${tx}`);
  if (commit) open.commit();
  else open.rollback(ROLLBACK);
  const r = await open.done;
  if (!r.ok) throw r.err;
  return null;
}

/** One statement on the database or an open transaction: prepared when it is worth it (same result either way). */
function run(tx, text, params, options) {
  const conn = target(tx);
  return prepared ? prepared.query(conn, text, params, options) : conn.query(text, params, options);
}

async function handle(msg) {
  switch (msg.op) {
    case 'open': {
      const startParams = [...PGlite.defaultStartParams];
      if (msg.sharedBuffersMb) startParams.push('-c', `shared_buffers=${msg.sharedBuffersMb}MB`);
      db = await PGlite.create(msg.dir, { startParams });
      if (msg.preparedStatements !== 0) prepared = new PreparedStatements(db, pglite, { max: msg.preparedStatements ?? undefined });
      return null;
    }
    case 'query': {
      // (Only inside a transaction: a statement outside one asks for its turn without a pause, in the order it came.)
      if (msg.tx != null) await opened(msg.tx);
      const r = await inTurn(msg.tx, msg.lane, () => run(msg.tx, msg.text, msg.params ?? [], queryOptions(msg.mode)));
      // No `fields`: nothing reads them (drizzle maps rows by its own column list), and a reply's
      // column descriptions were a third of its structured clone (bench/e2e/FINDINGS.md, sixteenth round).
      return { rows: r.rows, affectedRows: r.affectedRows };
    }
    case 'exec':
      // Whatever it runs (several statements, DDL), no prepared name may outlive a schema change.
      prepared?.clear();
      if (msg.tx != null) await opened(msg.tx);
      await inTurn(msg.tx, msg.lane, () => target(msg.tx).exec(msg.text));
      return null;
    case 'end':
      return end(msg.tx, msg.commit);
    case 'prepared':
      return prepared ? { ...prepared.counts, cached: prepared.cache.size } : null;
    case 'memory': {
      const h = getHeapStatistics();
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      return {
        heapTotalBytes: h.total_heap_size,
        heapUsedBytes: h.used_heap_size,
        youngGenerationBytes: young?.space_size ?? null,
        wasmHeapBytes: db?.Module?.HEAPU8?.byteLength ?? null,
      };
    }
    case 'close':
      if (db && !db.closed) await db.close();
      return null;
    default:
      throw new Error(`unknown request ${msg.op}`);
  }
}

function describe(err) {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const out = { name: err.name, message: err.message, database: err instanceof pglite.messages.DatabaseError };
  for (const [k, v] of Object.entries(err)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  return out;
}

/**
 * One request. `begin` has no reply: it is registered at once, in the order the requests came, so
 * that it takes its turn on the connection before anything posted after it, and the transaction's
 * statements (in the same post or later ones) wait for it.
 */
function receive(msg) {
  if (msg.op === 'begin') {
    const begun = begin(msg.lane, msg.tx);
    begun.catch(() => undefined); // its error is the statements' and the commit's
    beginnings.set(msg.tx, begun);
    return;
  }
  const done = handle(msg);
  if (msg.tx != null && msg.op !== 'end') inFlight.set(msg.tx, Promise.all([inFlight.get(msg.tx), done.catch(() => undefined)]));
  done.then(
    (value) => parentPort.postMessage({ id: msg.id, ok: true, value }),
    (err) => parentPort.postMessage({ id: msg.id, ok: false, error: describe(err) }),
  );
}

/**
 * A post carries one request or several (pglite-client.ts sends what one turn of its event loop
 * asked for together). They are taken one per turn of this thread's event loop, in order, as
 * separate posts were: a statement then runs, and its rows are posted and become garbage, before
 * the next one is taken. Taken all at once, four results of 3,000 rows lived long enough to be
 * promoted and grew the thread's heap by ~40 MiB (pglite-memory.test.ts).
 */
const inbox = [];
function takeNext() {
  const msg = inbox.shift();
  if (inbox.length) setImmediate(takeNext);
  receive(msg);
}
parentPort.on('message', (msg) => {
  const idle = inbox.length === 0;
  if (Array.isArray(msg)) inbox.push(...msg);
  else inbox.push(msg);
  if (idle) takeNext();
});
