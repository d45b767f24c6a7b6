/**
 * bench:e2e — end to end at the speed of its parts (issue 16). Findings: bench/e2e/FINDINGS.md.
 *
 * Starts the gateway as a user does (`node bin/vanthu.mjs start` with VANTHU_CONFIG naming an
 * override file: every piece of state in a temp folder, free ports, its own Redis key prefix;
 * embedded PGlite, or with --pg a scratch database on that PostgreSQL server, dropped afterwards),
 * mails it a corpus built from tests/corpus (mostly a PDF attachment, some signed PDFs, some plain
 * text: bench/e2e/corpus.ts) over SMTP with nodemailer's pooled transport (10 connections), and
 * times each message from its 250 reply to the moment the gateway decided it (state `decided` or
 * `failed`; the row's updatedAt, read through the HTTP API). Phases:
 *
 *   warm-up  20 messages, not counted
 *   serial   40 messages one at a time: each stage's time without queueing (--serial)
 *   burst    N messages at once (--burst, 600): documents per second, latency percentiles
 *   paced    R messages a second for S seconds (--rate 50, --seconds 20): latency percentiles
 *   big      with --big: 100 concurrent 25 MB messages (--big-count, --big-mb), for the memory figure
 *
 * Also: time per pipeline stage (stage timestamps from GET /api/messages/:id), the outcome of each
 * kind of mail, peak and final VmRSS of the gateway's process tree (sampled every 200 ms), CPU
 * seconds per process and per thread (/proc), Redis CPU and commands, PostgreSQL backends' CPU and
 * pg_stat write counts (--pg), every statement counted by shape (--pg --sql-log), and with
 * --cpu-prof a V8 CPU profile of the gateway summarised by function, file and area (stderr, and
 * "profile_top" in the JSON).
 *
 * One JSON object on stdout; progress on stderr.
 *
 *   npm run bench:e2e [-- --burst 600 --rate 50 --seconds 20 --connections 10 --warmup 20 --serial 40
 *                        --pg [URL] --sql-log --big --cpu-prof --dns zone|system|off
 *                        --ingest-concurrency N --root DIR --poll-ms 1000 --timeout 900 --keep]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PDFDocument } from 'pdf-lib';
import { buildMessages, DEFAULT_MIX, loadCorpus, pdfTemplate, UNIT_ADDRESSES, withMessageId, type Kind, type OutMessage } from './e2e/corpus.ts';
import { apiGet, profiles, startGateway, type Gateway } from './e2e/gateway.ts';
import { makeBenchPki } from './e2e/pki.ts';
import { sendRaw, smtpData } from './e2e/raw-smtp.ts';
import { cpuDelta, cpuSnapshot, round, RssSampler, statOf, type CpuSnapshot } from './e2e/procstat.ts';
import { printSummary, summarize, type ProfileSummary } from './e2e/profile.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// `--pg` may come without a URL: the local server's `test` database (the one the tests use).
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) if (argv[i] === '--pg' && (i + 1 === argv.length || argv[i + 1].startsWith('--'))) argv.splice(i + 1, 0, DEFAULT_PG);

const { values } = parseArgs({
  args: argv,
  options: {
    burst: { type: 'string', default: '600' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '20' },
    serial: { type: 'string', default: '40' },
    pg: { type: 'string' },
    big: { type: 'boolean', default: false },
    'big-count': { type: 'string', default: '100' },
    'big-mb': { type: 'string', default: '25' },
    'cpu-prof': { type: 'boolean', default: false },
    dns: { type: 'string', default: 'zone' },
    'ingest-concurrency': { type: 'string' },
    root: { type: 'string', default: path.resolve(HERE, '..') },
    'poll-ms': { type: 'string', default: '1000' },
    'sql-log': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
    workers: { type: 'string', default: '0' },
  },
});

const BURST = Number(values.burst);
/** Pipeline processes beside one `--role gateway` process (docs/operations.md, "Scaling"); 0: one process, role `all`. */
const WORKERS = Number(values.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 0) throw new Error(`--workers wants a whole number ≥ 0, got ${values.workers}`);
if (WORKERS && !values.pg) throw new Error('--workers needs --pg: the roles share PostgreSQL (PGlite lives inside one process)');
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const WARMUP = Number(values.warmup);
const SERIAL = Number(values.serial);
const ROOT = path.resolve(values.root!);
const POLL_MS = Number(values['poll-ms']);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const log = (line: string) => process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = new Set(['decided', 'failed']);
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

function percentiles(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return {
    n: s.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell others' load from ours. */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------
// Sending and following messages

interface Rec {
  phase: string;
  kind: Kind;
  source: string;
  bytes: number;
  sendAt: number;
  ackAt: number | null;
  id: string | null;
  state: string | null;
  decidedAt: number | null;
  error: string | null;
}

/**
 * Watches the backlog: each poll asks for the number of messages in each terminal state (a list
 * request with limit=1 and state=decided, then state=failed, read for its `total`, a count on the
 * state index): two small requests every POLL_MS, whatever the backlog, instead of paging through
 * hundreds of rows. The database holds this run's messages only, so once decided + failed
 * reaches the number of messages that got a 250, every one of them is decided. When each one was
 * decided is read afterwards from the message itself (GET /api/messages/:id: the row's updatedAt,
 * set when the register stage, or a failure, left it in a terminal state, by the gateway's clock,
 * this machine's).
 */
class Poller {
  requests = 0;
  /** Messages that got a 250 so far (all phases). */
  accepted = 0;
  terminal = 0;
  backlogPeak = 0;
  /** Time at which the last poll that found every accepted message terminal started. */
  emptyAt = 0;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly api: string) {}

  get backlog(): number {
    return Math.max(0, this.accepted - this.terminal);
  }

  resetPeak(): void {
    this.backlogPeak = this.backlog;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const t = Date.now();
        try {
          await this.pollOnce();
        } catch (err) {
          log(`poll failed: ${(err as Error).message}`);
        }
        await sleep(Math.max(0, POLL_MS - (Date.now() - t)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async pollOnce(): Promise<void> {
    const t = Date.now();
    const accepted = this.accepted;
    const [decided, failed] = await Promise.all(
      ['decided', 'failed'].map((state) => apiGet<{ total: number }>(this.api, `/api/messages?limit=1&state=${state}`)),
    );
    this.requests += 2;
    this.terminal = decided.total + failed.total;
    this.backlogPeak = Math.max(this.backlogPeak, this.backlog);
    if (this.terminal >= accepted) this.emptyAt = t;
  }

  /** Resolves at the first poll that started after `since` and found every accepted message terminal (false: time is up). */
  async settle(since: number, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    let said = Date.now();
    while (Date.now() < until) {
      if (this.emptyAt >= since) return true;
      if (Date.now() - said > 15_000) {
        log(`  backlog ${this.backlog}`);
        said = Date.now();
      }
      await sleep(25);
    }
    return false;
  }
}

function transportFor(port: number, connections: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
    connectionTimeout: 60_000,
    greetingTimeout: 60_000,
    socketTimeout: 900_000,
    name: 'bench.vanthu.invalid',
  } as never);
}

/** Set by main: counts each 250 for the poller. */
let onAccepted: (() => void) | null = null;

async function send(transport: ReturnType<typeof transportFor>, msg: OutMessage, phase: string): Promise<Rec> {
  const rec: Rec = {
    phase,
    kind: msg.kind,
    source: msg.source,
    bytes: msg.raw.length,
    sendAt: Date.now(),
    ackAt: null,
    id: null,
    state: null,
    decidedAt: null,
    error: null,
  };
  try {
    const info = await transport.sendMail({ envelope: { from: msg.from, to: [msg.to] }, raw: msg.raw } as never);
    rec.ackAt = Date.now();
    const m = /queued as ([0-9A-Z]{26})/.exec(String((info as { response?: string }).response ?? ''));
    if (m) {
      rec.id = m[1];
      onAccepted?.();
    } else rec.error = `no id in the reply: ${(info as { response?: string }).response}`;
  } catch (err) {
    rec.error = (err as Error).message;
  }
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Side measurements: Redis (shared server), PostgreSQL backends of our database

async function redisInfo(redis: Redis | null): Promise<{ cpu: number; commands: number } | null> {
  if (!redis) return null;
  try {
    const text = await redis.info();
    const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    return { cpu: num('used_cpu_user') + num('used_cpu_sys'), commands: num('total_commands_processed') };
  } catch {
    return null;
  }
}

class PgWatch {
  private cpuByPid = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        const r = await this.client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [this.database]);
        for (const { pid } of r.rows) {
          const st = statOf(`/proc/${pid}/stat`);
          if (st) this.cpuByPid.set(pid, Math.max(this.cpuByPid.get(pid) ?? 0, st.cpu));
        }
      } catch {
        /* the server is busy or gone: the next tick */
      }
    };
    void tick();
    this.timer = setInterval(tick, 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** CPU seconds of the backends that served the gateway's database so far. */
  cpu(): number {
    let s = 0;
    for (const v of this.cpuByPid.values()) s += v;
    return s;
  }

  backends(): number {
    return this.cpuByPid.size;
  }

  async tableStats(): Promise<{ database: Record<string, number>; tables: Record<string, Record<string, number>> }> {
    const [db] = (
      await this.client.query(
        'select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched from pg_stat_database where datname = $1',
        [this.database],
      )
    ).rows;
    const tables: Record<string, Record<string, number>> = {};
    for (const r of (await this.client.query('select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, seq_scan, idx_scan from pg_stat_user_tables'))
      .rows) {
      tables[r.relname] = {
        ins: Number(r.n_tup_ins),
        upd: Number(r.n_tup_upd),
        hot_upd: Number(r.n_tup_hot_upd),
        del: Number(r.n_tup_del),
        seq_scan: Number(r.seq_scan),
        idx_scan: Number(r.idx_scan ?? 0),
      };
    }
    return { database: Object.fromEntries(Object.entries(db ?? {}).map(([k, v]) => [k, Number(v)])), tables };
  }
}

// ---------------------------------------------------------------------------------------------

interface PhaseResult {
  name: string;
  recs: Rec[];
  startedAt: number;
  lastAckAt: number;
  /** When the poller first saw the backlog empty (the decision times themselves come from the details). */
  emptySeenAt: number;
  settled: boolean;
  cpu: ReturnType<typeof cpuDelta>;
  clientCpu: number;
  redis: { cpu: number; commands: number } | null;
  postgresCpu: number | null;
  machineBusyCores: number;
  rssPeakMb: number;
  backlogPeak: number;
  loadavg: number[];
  monoUs: [number, number];
}

interface Ctx {
  gw: Gateway;
  poller: Poller;
  sampler: RssSampler;
  redis: Redis | null;
  pgWatch: PgWatch | null;
}

async function phase(ctx: Ctx, name: string, run: () => Promise<Rec[]>, timeoutMs = TIMEOUT_MS): Promise<PhaseResult> {
  const loadavg = os.loadavg().map((v) => round(v, 2));
  log(`${name}: starting (load average ${loadavg.join(' ')})`);
  ctx.sampler.begin(name);
  ctx.poller.resetPeak();
  const cpu0 = cpuSnapshot(ctx.gw.pid);
  const client0 = process.cpuUsage();
  const redis0 = await redisInfo(ctx.redis);
  const pg0 = ctx.pgWatch?.cpu() ?? null;
  const m0 = machineCpu();
  const mono0 = monoUs();
  const startedAt = Date.now();
  const recs = await run();
  const lastAckAt = Math.max(...recs.map((r) => r.ackAt ?? 0));
  const errors = new Map<string, number>();
  for (const r of recs) if (r.error) errors.set(r.error.slice(0, 160), (errors.get(r.error.slice(0, 160)) ?? 0) + 1);
  for (const [e, n] of errors) log(`${name}: ${n} × not accepted: ${e}`);
  log(`${name}: ${recs.filter((r) => r.id).length}/${recs.length} accepted in ${((lastAckAt - startedAt) / 1000).toFixed(1)} s; waiting for decisions`);
  const settled = await ctx.poller.settle(lastAckAt, timeoutMs);
  if (!settled) log(`${name}: about ${ctx.poller.backlog} messages still pending after ${timeoutMs / 1000} s`);
  const emptySeenAt = Date.now();
  // CPU and memory until the backlog was seen empty (the poller's lag is at most POLL_MS).
  const mono1 = monoUs();
  const cpu1: CpuSnapshot = cpuSnapshot(ctx.gw.pid);
  const client = process.cpuUsage(client0);
  const redis1 = await redisInfo(ctx.redis);
  const m1 = machineCpu();
  const rss = ctx.sampler.end(name);
  const cpu = cpuDelta(cpu0, cpu1);
  const machineBusyCores = round((m1.busy - m0.busy) / ((m1.total - m0.total) / os.cpus().length), 2);
  log(
    `${name}: ${settled ? 'backlog empty' : 'stopped waiting'} after ${((emptySeenAt - startedAt) / 1000).toFixed(1)} s; gateway CPU ${cpu.total} s over ${cpu.seconds} s; machine busy ${machineBusyCores} of ${os.cpus().length} cores`,
  );
  return {
    name,
    recs,
    startedAt,
    lastAckAt,
    emptySeenAt,
    settled,
    cpu,
    clientCpu: round((client.user + client.system) / 1e6, 2),
    redis: redis0 && redis1 ? { cpu: round(redis1.cpu - redis0.cpu, 2), commands: redis1.commands - redis0.commands } : null,
    postgresCpu: pg0 === null ? null : round(ctx.pgWatch!.cpu() - pg0, 2),
    machineBusyCores,
    rssPeakMb: rss.peakMb,
    backlogPeak: ctx.poller.backlogPeak,
    loadavg,
    monoUs: [mono0, mono1],
  };
}

async function burstPhase(ctx: Ctx, name: string, msgs: OutMessage[], connections: number): Promise<PhaseResult> {
  const transport = transportFor(ctx.gw.smtpPort, connections);
  try {
    return await phase(ctx, name, () => Promise.all(msgs.map((m) => send(transport, m, name))));
  } finally {
    transport.close();
  }
}

/** One message at a time, the next sent once the last is decided: each stage's time without queueing or interleaving. */
async function serialPhase(ctx: Ctx, msgs: OutMessage[]): Promise<PhaseResult> {
  const transport = transportFor(ctx.gw.smtpPort, 1);
  try {
    return await phase(ctx, 'serial', async () => {
      const recs: Rec[] = [];
      for (const m of msgs) {
        const rec = await send(transport, m, 'serial');
        recs.push(rec);
        const until = Date.now() + 120_000;
        while (rec.id && Date.now() < until) {
          // One message in flight, so it is the newest: the first row of the list, one small request.
          const d = await apiGet<{ items: Array<{ id: string; state: string }> }>(ctx.gw.api, '/api/messages?limit=1');
          ctx.poller.requests++;
          if (d.items[0]?.id !== rec.id || TERMINAL.has(d.items[0].state)) break;
          await sleep(100);
        }
      }
      return recs;
    });
  } finally {
    transport.close();
  }
}

async function pacedPhase(ctx: Ctx, msgs: OutMessage[]): Promise<PhaseResult & { offeredPerS: number; sentPerS: number }> {
  const transport = transportFor(ctx.gw.smtpPort, CONNECTIONS);
  let lastSendAt = 0;
  try {
    const r = await phase(ctx, 'paced', async () => {
      const t0 = performance.now();
      const sends: Promise<Rec>[] = [];
      for (let i = 0; i < msgs.length; i++) {
        const due = t0 + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        sends.push(send(transport, msgs[i], 'paced'));
      }
      lastSendAt = Date.now();
      return Promise.all(sends);
    });
    return { ...r, offeredPerS: RATE, sentPerS: round(msgs.length / ((lastSendAt - r.startedAt) / 1000 || 1), 1) };
  } finally {
    transport.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Details after the run: stage times and outcomes

interface Detail {
  receivedAt: string;
  updatedAt: string;
  state: string;
  lastError: string | null;
  stages: Record<string, { status: string; updatedAt: string; result: unknown }>;
}

async function details(api: string, recs: Rec[]): Promise<Map<string, Detail>> {
  const out = new Map<string, Detail>();
  const ids = recs.filter((r) => r.id).map((r) => r.id!);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        try {
          out.set(id, await apiGet<Detail>(api, `/api/messages/${id}`));
        } catch (err) {
          log(`detail ${id}: ${(err as Error).message}`);
        }
      }
    }),
  );
  for (const r of recs) {
    const x = r.id ? out.get(r.id) : undefined;
    if (!x) continue;
    r.state = x.state;
    if (TERMINAL.has(x.state)) r.decidedAt = Date.parse(x.updatedAt);
  }
  return out;
}

function lastDecision(recs: Rec[]): number {
  return Math.max(0, ...recs.map((r) => r.decidedAt ?? 0));
}

/**
 * Time per stage: each stage's completion time minus the previous one's (the stages a message went
 * through, in the order they completed, whatever the gateway's list of stages is); the first
 * counts from the row's receivedAt, so it includes the wait in the queue.
 */
function stageTimes(recs: Rec[], d: Map<string, Detail>) {
  const seg = new Map<string, number[]>();
  const push = (k: string, v: number) => {
    const list = seg.get(k);
    if (list) list.push(v);
    else seg.set(k, [v]);
  };
  for (const r of recs) {
    const x = r.id ? d.get(r.id) : undefined;
    if (!x) continue;
    const received = Date.parse(x.receivedAt);
    push('end of DATA (receivedAt) → 250 at the client', (r.ackAt ?? received) - received);
    const done = Object.entries(x.stages)
      .map(([name, st]) => ({ name, at: Date.parse(st.updatedAt) }))
      .sort((a, b) => a.at - b.at);
    let prev = received;
    done.forEach(({ name, at }, i) => {
      push(i === 0 ? `queue wait + ${name}` : name, at - prev);
      prev = at;
    });
    if (r.decidedAt !== null && done.length) push(`${done[done.length - 1].name} → row decided`, r.decidedAt - prev);
  }
  return Object.fromEntries([...seg].map(([k, v]) => [k, percentiles(v)]));
}

function outcomes(recs: Rec[], d: Map<string, Detail>) {
  const out: Record<string, Record<string, number>> = {};
  for (const r of recs) {
    const x = r.id ? d.get(r.id) : undefined;
    let what: string;
    if (r.error) what = 'not accepted';
    else if (!x) what = r.state ?? 'unknown';
    else if (x.state === 'failed') what = `failed (${(x.lastError ?? '').split(':').slice(0, 2).join(':')})`;
    else {
      const res = (x.stages.register?.result ?? {}) as { decisions?: Array<{ action: string; status?: string | null }>; outcome?: string };
      const actions = (res.decisions ?? []).map((dd) => dd.action);
      what = (actions.join('+') || x.state) + (res.outcome ? ` (${res.outcome})` : '');
    }
    (out[r.kind] ??= {})[what] = (out[r.kind][what] ?? 0) + 1;
  }
  return out;
}

function mixOf(msgs: Array<{ kind: Kind }>): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of msgs) m[x.kind] = (m[x.kind] ?? 0) + 1;
  return m;
}

function latencies(recs: Rec[]): number[] {
  return recs.filter((r) => r.ackAt !== null && r.decidedAt !== null).map((r) => Math.max(0, r.decidedAt! - r.ackAt!));
}

function phaseReport(p: PhaseResult, d: Map<string, Detail>) {
  const accepted = p.recs.filter((r) => r.id).length;
  const decided = p.recs.filter((r) => r.decidedAt !== null).length;
  const seconds = (lastDecision(p.recs) - p.startedAt) / 1000;
  return {
    messages: p.recs.length,
    mix: mixOf(p.recs),
    megabytes: round(p.recs.reduce((a, r) => a + r.bytes, 0) / 1e6, 1),
    accepted,
    decided,
    failed: p.recs.filter((r) => r.state === 'failed').length,
    not_accepted: p.recs.filter((r) => r.error).length,
    not_accepted_why: Object.fromEntries(
      [...new Set(p.recs.filter((r) => r.error).map((r) => r.error!.slice(0, 160)))].map((e) => [e, p.recs.filter((r) => r.error?.slice(0, 160) === e).length]),
    ),
    all_decided: p.settled && decided === accepted,
    seconds_to_last_250: round((p.lastAckAt - p.startedAt) / 1000, 2),
    seconds_to_last_decision: round(seconds, 2),
    accepted_per_s: round(accepted / ((p.lastAckAt - p.startedAt) / 1000), 1),
    docs_per_s: round(decided / seconds, 1),
    latency_ms: percentiles(latencies(p.recs)),
    latency_ms_by_kind: Object.fromEntries(
      ['pdf', 'signed', 'text', 'other'].map((k) => [k, percentiles(latencies(p.recs.filter((r) => r.kind === k)))]).filter(([, v]) => v),
    ),
    accept_latency_ms: percentiles(p.recs.filter((r) => r.ackAt !== null).map((r) => r.ackAt! - r.sendAt)),
    backlog_peak: p.backlogPeak,
    stage_ms: stageTimes(p.recs, d),
    outcomes: outcomes(p.recs, d),
    rss_peak_mb: p.rssPeakMb,
    cpu_seconds: {
      gateway: p.cpu.total,
      gateway_per_message_ms: round((1000 * p.cpu.total) / Math.max(1, decided), 1),
      gateway_by_process: p.cpu.processes,
      gateway_by_thread: p.cpu.threads,
      redis_shared_server: p.redis?.cpu ?? null,
      redis_commands: p.redis?.commands ?? null,
      postgres_backends: p.postgresCpu,
      bench_client: p.clientCpu,
      wall_seconds: p.cpu.seconds,
      machine_busy_cores: p.machineBusyCores,
    },
    load_average_at_start: p.loadavg,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * A mail of about `bytes` with one PDF attachment: two-page.pdf with an extra stream object of
 * random (incompressible, like a scan's images) bytes, saved by pdf-lib with a correct xref.
 */
async function bigMessage(root: string, bytes: number): Promise<{ header: string; body: Buffer }> {
  const doc = await PDFDocument.load(readFileSync(path.join(root, 'tests/corpus/two-page.pdf')), { updateMetadata: false });
  const pad = Math.max(0, Math.floor((bytes - 4096) / 1.37) - 40_000);
  const junk = Buffer.alloc(pad);
  for (let i = 0; i + 4 <= pad; i += 4) junk.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (i >>> 7)) >>> 0, i);
  doc.context.register(
    doc.context.stream(junk, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 2480,
      Height: 3508,
      BitsPerComponent: 8,
      ColorSpace: 'DeviceGray',
      Filter: 'DCTDecode',
    }),
  );
  const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
  const raw = await new Promise<Buffer>((resolve, reject) =>
    new MailComposer({
      from: 'Văn thư Sở TTTT <vanthu@sotttt.binhthuan.gov.vn>',
      to: UNIT_ADDRESSES[0],
      subject: 'Báo cáo số 215/BC-STTTT (bản quét)',
      text: 'Gửi kèm bản quét báo cáo số 215/BC-STTTT.\n',
      messageId: '<big-template@bench.vanthu.invalid>',
      attachments: [{ filename: '215_BC-STTTT-scan.pdf', content: pdf, contentType: 'application/pdf' }],
    })
      .compile()
      .build((err, msg) => (err ? reject(err) : resolve(msg))),
  );
  const end = raw.indexOf('\r\n\r\n');
  return { header: raw.subarray(0, end).toString('latin1'), body: raw.subarray(end) };
}

async function bigPhase(ctx: Ctx, count: number, bytes: number): Promise<PhaseResult> {
  const { header, body } = await bigMessage(ROOT, bytes);
  // The body in SMTP form once; each message is its own header (own Message-ID) and this body.
  const data = smtpData(body);
  const size = header.length + body.length;
  log(`big: ${count} messages of ${(size / 1e6).toFixed(1)} MB, all at once, one connection each`);
  return phase(
    ctx,
    'big',
    () =>
      Promise.all(
        Array.from({ length: count }, async (_, i): Promise<Rec> => {
          const head = smtpData(withMessageId(Buffer.from(header, 'latin1'), `<e2e-big-${i}.${process.pid}@bench.vanthu.invalid>`));
          const rec: Rec = {
            phase: 'big',
            kind: 'pdf',
            source: 'big: two-page.pdf + 18 MB stream',
            bytes: size,
            sendAt: Date.now(),
            ackAt: null,
            id: null,
            state: null,
            decidedAt: null,
            error: null,
          };
          const r = await sendRaw(ctx.gw.smtpPort, 'vanthu@sotttt.binhthuan.gov.vn', UNIT_ADDRESSES[0], [head.subarray(0, head.length - 2), data]);
          const m = /queued as ([0-9A-Z]{26})/.exec(r.reply);
          if (r.ok && m) {
            rec.ackAt = r.ackAt;
            rec.id = m[1];
            onAccepted?.();
          } else rec.error = r.reply;
          return rec;
        }),
      ),
    // 100 × 25 MB take this machine ~13 minutes of CPU to decide: wait an hour at least.
    Math.max(TIMEOUT_MS, 3_600_000),
  );
}

/** The newest PostgreSQL server log (Debian: /var/log/postgresql/postgresql-<ver>-main.log). */
function serverLog(): string | null {
  const dir = '/var/log/postgresql';
  try {
    const logs = readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .map((n) => path.join(dir, n));
    return logs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] ?? null;
  } catch {
    return null;
  }
}

function logSize(file: string | null): number {
  try {
    return file ? statSync(file).size : 0;
  } catch {
    return 0;
  }
}

/**
 * Statements the gateway sent to its database (log_statement = all, set on the scratch database
 * only), between two offsets of the server log, counted by shape: parameters, numbers and quoted
 * strings folded, so `update inbound_messages set ... where id = $1` counts once per execution.
 */
function sqlShapes(file: string, from: number, to: number, db: string, messages: number) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(Math.max(0, to - from));
  readSync(fd, buf, 0, buf.length, from);
  closeSync(fd);
  const counts = new Map<string, number>();
  let total = 0;
  let current: string | null = null;
  const flush = () => {
    if (current === null) return;
    const shape = current
      .replace(/\s+/g, ' ')
      .replace(/'(?:[^']|'')*'/g, "'?'")
      .replace(/\$\d+(\s*,\s*\$\d+)*/g, '$n')
      .replace(/\b\d+\b/g, 'N')
      .trim()
      .slice(0, 220);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
    total++;
    current = null;
  };
  const marker = `@${db} `;
  for (const line of buf.toString('utf8').split('\n')) {
    if (/^\d{4}-\d\d-\d\d /.test(line)) {
      flush();
      if (!line.includes(marker)) continue;
      const m = /LOG:\s+(?:execute [^:]*|statement):\s(.*)$/.exec(line);
      if (m) current = m[1];
    } else if (current !== null && /^\s/.test(line)) current += ` ${line.trim()}`;
  }
  flush();
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return {
    statements: total,
    per_message: round(total / Math.max(1, messages), 1),
    by_shape: rows.slice(0, 40).map(([shape, n]) => ({ per_message: round(n / Math.max(1, messages), 2), count: n, shape })),
  };
}

async function scratchDatabase(url: string): Promise<{ url: string; name: string; admin: pg.Client; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `vanthu_e2e_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const watch = new pg.Client({ connectionString: u.toString() });
  await watch.connect();
  return {
    url: u.toString(),
    name,
    admin: watch,
    async drop() {
      await watch.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`).catch((err) => log(`could not drop ${name}: ${(err as Error).message}`));
      await admin.end();
    },
  };
}

/** What was measured: the commit, how many files differ from it, and the compiled CLI build if any (git read-only). */
function treeState(root: string): { head: string | null; changed_files: number | null; cli_build: string | null } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain']);
  let build: string | null = null;
  try {
    build = (JSON.parse(readFileSync(path.join(root, 'dist/cli/manifest.json'), 'utf8')) as { build?: string }).build ?? null;
  } catch {
    /* no compiled CLI: the gateway runs through tsx */
  }
  return { head: git(['rev-parse', '--short', 'HEAD']), changed_files: status === null ? null : status.split('\n').filter(Boolean).length, cli_build: build };
}

async function main(): Promise<void> {
  const loadStart = os.loadavg().map((v) => round(v, 2));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vanthu-e2e-'));
  log(`run folder ${dir}; gateway from ${ROOT}; load average ${loadStart.join(' ')} on ${os.cpus().length} cores`);

  // The mail, built before anything is timed.
  const tBuild = Date.now();
  const pki = makeBenchPki(dir);
  const corpus = loadCorpus(ROOT);
  const templates = (await Promise.all(corpus.pdfCases.map(pdfTemplate))).filter((t) => t !== null);
  if (!templates.length) throw new Error('no corpus PDF could be made into a signed-document template');
  const paced = Math.round(RATE * SECONDS);
  const batch = (count: number, tag: string, seed: number) => buildMessages(corpus, { count, mix: DEFAULT_MIX, tag, templates, signer: pki.signer, seed });
  const warmMsgs = await batch(WARMUP, 'warm', 7);
  const serialMsgs = await batch(SERIAL, 'serial', 99);
  const burstMsgs = await batch(BURST, 'burst', 20261123);
  const pacedMsgs = await batch(paced, 'paced', 424242);
  log(
    `built ${WARMUP + SERIAL + BURST + paced} messages in ${((Date.now() - tBuild) / 1000).toFixed(1)} s (corpus: ${corpus.pdfCases.length} PDF cases, ${corpus.textCases.length} text cases, ${corpus.otherCases.length} others, ${templates.length} signed-document templates: ${templates.map((t) => t.case.replace(/\.eml$/, '')).join(' ')})`,
  );

  // DNS for SPF/DMARC/DKIM: by default a zone file with the senders' SPF and DMARC records (the
  // bench then depends on no network); --dns system uses this machine's resolver.
  let dns = values.dns!;
  if (dns === 'zone') {
    const domains = new Set([...warmMsgs, ...burstMsgs, ...pacedMsgs].map((m) => m.from.split('@')[1]?.toLowerCase()).filter(Boolean));
    domains.add('sotttt.binhthuan.gov.vn');
    const zone = [...domains].flatMap((d) => [`${d} TXT "v=spf1 ip4:127.0.0.1 -all"`, `_dmarc.${d} TXT "v=DMARC1; p=none"`]);
    dns = path.join(dir, 'senders.zone');
    writeFileSync(dns, zone.join('\n') + '\n');
  }

  // The registry mails receipts to senders: through a smarthost, the bench's sink.
  let outgoingMails = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('end', () => {
        outgoingMails++;
        cb(null);
      });
      stream.resume();
    },
  });
  const sinkPort = await new Promise<number>((resolve) => sink.listen(0, '127.0.0.1', () => resolve((sink.server.address() as { port: number }).port)));

  let database: Awaited<ReturnType<typeof scratchDatabase>> | null = null;
  let sqlLog: string | null = null;
  if (values.pg) {
    database = await scratchDatabase(values.pg);
    log(`PostgreSQL: scratch database ${database.name}`);
    if (values['sql-log']) {
      sqlLog = serverLog();
      if (sqlLog) {
        // Only this scratch database's sessions log their statements (the gateway's pool connects after this).
        await database.admin.query(`alter database ${database.name} set log_statement = 'all'`);
        log(`--sql-log: statements of ${database.name} go to ${sqlLog} (this slows PostgreSQL down: use it for counts, not for timing)`);
      } else log('--sql-log: no PostgreSQL server log found under /var/log/postgresql; no statement counts');
    }
  } else if (values['sql-log']) log('--sql-log needs --pg (PGlite logs no statements)');
  const redisPrefix = `e2e${process.pid}x${Date.now().toString(36)}`;
  const profDir = values['cpu-prof'] ? path.join(dir, 'profile') : null;
  const gw = await startGateway({
    root: ROOT,
    dir,
    databaseUrl: database?.url ?? null,
    trustAnchor: pki.rootPem,
    dns,
    smarthostPort: sinkPort,
    redisPrefix,
    cpuProfDir: profDir,
    ingestConcurrency: values['ingest-concurrency'] ? Number(values['ingest-concurrency']) : null,
    workers: WORKERS,
    log,
  });
  // Read once the gateway is up: its start may have rebuilt the compiled CLI.
  const tree = treeState(ROOT);
  // Interrupted (Ctrl-C, a timeout): the gateway must not outlive the bench.
  const killGateway = () => {
    if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
  };
  process.once('exit', killGateway);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(sig, () => {
      log(`${sig}: killing the gateway (pid ${gw.pid}); run folder ${dir} left behind`);
      killGateway();
      process.exit(130);
    });
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => log('Redis INFO unavailable: no Redis CPU figures'));
  const pgWatch = database ? new PgWatch(database.admin, database.name) : null;
  pgWatch?.start();
  const pgStart = pgWatch ? await pgWatch.tableStats() : null;
  const sampler = new RssSampler(gw.pid, 200);
  sampler.start();
  const poller = new Poller(gw.api);
  onAccepted = () => poller.accepted++;
  // What the watching costs the gateway: its CPU idle, then idle but polled.
  await sleep(1000);
  const idle0 = cpuSnapshot(gw.pid);
  await sleep(4000);
  const idle1 = cpuSnapshot(gw.pid);
  poller.start();
  const polled0 = cpuSnapshot(gw.pid);
  await sleep(4000);
  const polled1 = cpuSnapshot(gw.pid);
  const idleCpuPerS = cpuDelta(idle0, idle1).total / ((idle1.at - idle0.at) / 1000);
  const pollCpuMsPerRequest = round(
    (1000 * (cpuDelta(polled0, polled1).total - idleCpuPerS * ((polled1.at - polled0.at) / 1000))) / Math.max(1, poller.requests),
    2,
  );
  log(`idle gateway: ${(idleCpuPerS * 1000).toFixed(0)} ms CPU/s; a poll request costs it about ${pollCpuMsPerRequest} ms of CPU`);
  const ctx: Ctx = { gw, poller, sampler, redis: redis.status === 'ready' ? redis : null, pgWatch };
  const cpuStart = cpuSnapshot(gw.pid);
  const rssIdleMb = round(sampler.sample() / 1024);

  let result: Record<string, unknown> = {};
  let stopped: Awaited<ReturnType<Gateway['stop']>> | null = null;
  try {
    const warm = await burstPhase(ctx, 'warm-up', warmMsgs, CONNECTIONS);
    const serial = SERIAL ? await serialPhase(ctx, serialMsgs) : null;
    const sqlFrom = logSize(sqlLog);
    const burst = await burstPhase(ctx, 'burst', burstMsgs, CONNECTIONS);
    const pacedRun = await pacedPhase(ctx, pacedMsgs);
    const sqlTo = logSize(sqlLog);
    const big = values.big ? await bigPhase(ctx, Number(values['big-count']), Number(values['big-mb']) * 1e6) : null;
    // Idle a little: what the gateway keeps once the work is done.
    await sleep(3000);
    const rssFinalMb = round(sampler.sample() / 1024);
    await poller.stop();
    log('reading stage times and outcomes (GET /api/messages/:id)');
    const all = [...warm.recs, ...(serial?.recs ?? []), ...burst.recs, ...pacedRun.recs, ...(big?.recs ?? [])];
    const d = await details(gw.api, all);
    const cpuEnd = cpuSnapshot(gw.pid);
    const rssPeakByProcess = Object.fromEntries(Object.entries(sampler.peakByProcess).map(([k, v]) => [k, round(v / 1024)]));
    sampler.stop();
    log('stopping the gateway');
    stopped = await gw.stop(values['cpu-prof'] ? 120_000 : 30_000);
    pgWatch?.stop();
    const pgEnd = pgWatch ? await pgWatch.tableStats() : null;

    let profileTop: (ProfileSummary & { others: string[] }) | null = null;
    let profileBig: ProfileSummary | null = null;
    if (profDir) {
      const files = profiles(profDir);
      if (files.length) {
        process.stderr.write('\n== CPU profile of the gateway, burst + paced phases ==\n');
        const s = summarize(files[0], ROOT, [burst.monoUs[0], pacedRun.monoUs[1]]);
        printSummary(s, (l) => process.stderr.write(l + '\n'));
        profileTop = { ...s, others: files.slice(1) };
        if (big) {
          process.stderr.write('\n== CPU profile of the gateway, big phase ==\n');
          profileBig = summarize(files[0], ROOT, big.monoUs);
          printSummary(profileBig, (l) => process.stderr.write(l + '\n'));
        }
      } else log(`no .cpuprofile in ${profDir} (the gateway ${stopped.killed ? 'was killed' : 'exited'} ${JSON.stringify(stopped)})`);
    }

    const burstReport = phaseReport(burst, d);
    const pacedReport = { offered_per_s: pacedRun.offeredPerS, sent_per_s: pacedRun.sentPerS, ...phaseReport(pacedRun, d) };
    const bigReport = big ? phaseReport(big, d) : null;
    const serialReport = serial
      ? {
          ...phaseReport(serial, d),
          stage_ms_by_kind: Object.fromEntries(
            ['pdf', 'signed', 'text', 'other'].map((k) => [
              k,
              stageTimes(
                serial.recs.filter((r) => r.kind === k),
                d,
              ),
            ]),
          ),
        }
      : null;
    const perMessage = (n: number) => round(n / Math.max(1, all.filter((r) => r.id).length), 2);
    result = {
      bench: 'e2e',
      at: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        load_average_start: loadStart,
        load_average_end: os.loadavg().map((v) => round(v, 2)),
      },
      backend: database ? 'postgres' : 'pglite',
      tree: tree,
      settings: {
        burst: BURST,
        rate: RATE,
        seconds: SECONDS,
        connections: CONNECTIONS,
        warmup: WARMUP,
        dns: values.dns,
        ingest_concurrency: values['ingest-concurrency'] ? Number(values['ingest-concurrency']) : 'default (4)',
        processes: WORKERS ? { gateway: 1, workers: WORKERS } : 'one, role all',
        poll_ms: POLL_MS,
        root: ROOT,
        mix: DEFAULT_MIX,
      },
      docs_per_s: burstReport.docs_per_s,
      latency_ms: { burst: burstReport.latency_ms, paced: pacedReport.latency_ms },
      stage_ms: {
        serial: serialReport?.stage_ms ?? null,
        serial_by_kind: serialReport?.stage_ms_by_kind ?? null,
        burst: burstReport.stage_ms,
        paced: pacedReport.stage_ms,
      },
      rss_mb: {
        idle_after_start: rssIdleMb,
        peak: round(sampler.peakKb / 1024),
        final: rssFinalMb,
        peak_by_process: rssPeakByProcess,
        burst_peak: burst.rssPeakMb,
        paced_peak: pacedRun.rssPeakMb,
        big_peak: big?.rssPeakMb ?? null,
      },
      cpu_seconds: {
        // The whole run, gateway start-up excluded, the after-run detail fetch included.
        gateway_by_process: cpuDelta(cpuStart, cpuEnd).processes,
        gateway_by_thread: cpuDelta(cpuStart, cpuEnd).threads,
        burst: burstReport.cpu_seconds,
        paced: pacedReport.cpu_seconds,
        big: bigReport?.cpu_seconds ?? null,
      },
      serial: serialReport && {
        messages: serialReport.messages,
        latency_ms: serialReport.latency_ms,
        latency_ms_by_kind: serialReport.latency_ms_by_kind,
        outcomes: serialReport.outcomes,
        cpu_seconds: serialReport.cpu_seconds,
      },
      burst: burstReport,
      paced: pacedReport,
      warmup: {
        messages: warm.recs.length,
        seconds_to_last_decision: round((lastDecision(warm.recs) - warm.startedAt) / 1000, 2),
        latency_ms: percentiles(latencies(warm.recs)),
      },
      big: bigReport,
      postgres:
        pgStart && pgEnd
          ? {
              backends_seen: pgWatch!.backends(),
              per_message: {
                transactions: perMessage(pgEnd.database.xact_commit - pgStart.database.xact_commit),
                rows_inserted: perMessage(pgEnd.database.tup_inserted - pgStart.database.tup_inserted),
                rows_updated: perMessage(pgEnd.database.tup_updated - pgStart.database.tup_updated),
                rows_deleted: perMessage(pgEnd.database.tup_deleted - pgStart.database.tup_deleted),
              },
              tables: Object.fromEntries(
                Object.entries(pgEnd.tables)
                  .map(([t, v]) => [t, Object.fromEntries(Object.entries(v).map(([k, n]) => [k, n - (pgStart.tables[t]?.[k] ?? 0)]))] as const)
                  .filter(([, v]) => Object.values(v).some((n) => n > 0)),
              ),
            }
          : null,
      sql_statements:
        sqlLog && database ? { window: 'burst + paced', ...sqlShapes(sqlLog, sqlFrom, sqlTo, database.name, burst.recs.length + pacedRun.recs.length) } : null,
      poll: {
        requests: poller.requests,
        interval_ms: POLL_MS,
        gateway_cpu_ms_per_request: pollCpuMsPerRequest,
        idle_gateway_cpu_ms_per_s: round(idleCpuPerS * 1000),
        share_of_gateway_cpu_in_burst: round(
          (pollCpuMsPerRequest * ((burstReport.seconds_to_last_decision * 1000) / POLL_MS) * 2) / 1000 / Math.max(0.001, burstReport.cpu_seconds.gateway),
          3,
        ),
        how: 'GET /api/messages?limit=1&state=decided and &state=failed (their totals) every interval; serial phase: GET /api/messages?limit=1 every 100 ms; then GET /api/messages/:id once per message after the run',
      },
      outgoing_mails_to_smarthost: outgoingMails,
      gateway_exit: stopped,
      profile_top: profileTop,
      profile_big: profileBig,
      run_folder: values.keep ? dir : null,
    };
  } finally {
    await poller.stop().catch(() => undefined);
    sampler.stop();
    if (!stopped) await gw.stop().catch(() => undefined);
    sink.close();
    if (ctx.redis && !values.keep) await deleteKeys(ctx.redis, `${redisPrefix}:*`).catch(() => undefined);
    redis.disconnect();
    if (database && !values.keep) await database.drop();
    else if (database) await database.admin.end();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:e2e failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
