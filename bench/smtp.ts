/**
 * bench:smtp — durable SMTP accept throughput and latency, against a null sink in the same run.
 *
 * Load: Postfix's smtp-source reusing connections (`-d`) when installed, else a nodemailer pool.
 * Target: the gateway's listener + DurableAccept (spool, fsync, rename, INSERT, WAL fsync) on the
 * embedded PGlite (default) or PostgreSQL (`--pg`, DATABASE_URL or the local server). The null
 * sink is smtp-server draining each message and answering 250 without storing anything.
 * The load comes from 127.0.0.1, a relay in the default config (smtp.relays), so the edge's
 * per-address connection and message-rate limits do not throttle it (docs/security-smtp.md).
 * Usage: npm run bench:smtp [-- --messages 20000 --size 20000 --connections 20 --pg]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import { DurableAccept, type AcceptEnvelope } from '../gateway/accept/durable-accept.ts';
import { openStorage } from '../gateway/store/storage.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { createSmtpListener, listen } from '../gateway/smtp/server.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    size: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '20' },
    pg: { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(values.messages);
const SIZE = Number(values.size);
const CONNECTIONS = Number(values.connections);
const RCPT = 'vanthu@stc.lamdong.gov.vn';
const haveSmtpSource = spawnSync('sh', ['-c', 'command -v smtp-source']).status === 0;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function drive(port: number): Promise<number> {
  const start = process.hrtime.bigint();
  if (haveSmtpSource) {
    const args = ['-d', '-s', String(CONNECTIONS), '-m', String(MESSAGES), '-l', String(SIZE), '-f', 'bench@sender.gov.vn', '-t', RCPT, `127.0.0.1:${port}`];
    await new Promise<void>((resolve, reject) => {
      const p = spawn('smtp-source', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`smtp-source exited ${code}: ${err}`))));
    });
  } else {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity, ignoreTLS: true } as never);
    const body = 'X'.repeat(SIZE);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < MESSAGES) {
          const i = next++;
          await t.sendMail({ from: 'bench@sender.gov.vn', to: RCPT, subject: `bench ${i}`, text: body, messageId: `<bench-${i}-${Date.now()}@sender.gov.vn>` });
        }
      }),
    );
    t.close();
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function nullSink(): Promise<{ rate: number; p50: number; p99: number }> {
  const lat: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      const t0 = performance.now();
      stream.on('end', () => {
        lat.push(performance.now() - t0);
        cb(null, 'ok');
      });
      stream.resume();
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
  const seconds = await drive(port);
  await new Promise<void>((r) => server.close(() => r()));
  lat.sort((a, b) => a - b);
  return { rate: MESSAGES / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

interface DurableRun {
  rate: number;
  p50: number;
  p99: number;
  stored: number;
  backend: string;
  drive: number;
  unpack: { messages: number; seconds: number };
}

const dataDirs: string[] = [];

/** `alongside`: packs are unpacked as soon as they are checkpointed, while mail keeps coming. */
async function durable(alongside: boolean): Promise<DurableRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-'));
  dataDirs.push(dataDir); // deleted at the end: deleting thousands of files slows ext4's next creations
  const env = { ...process.env, VANTHU_DATA_DIR: dataDir } as NodeJS.ProcessEnv;
  if (values.pg) env.DATABASE_URL ??= 'postgres://127.0.0.1:5432/test';
  else delete env.DATABASE_URL;
  const config = loadConfig(env);
  config.smtp.maxClients = CONNECTIONS + 10;
  const storage = await openStorage(config);
  const { database, blobs } = storage;
  const lat: number[] = [];
  let stored = 0;
  // Alongside: unpack every pack as soon as it is checkpointed, and hold mail past 64 MiB of packs.
  const unpacking = alongside ? { unpackIdleMs: 1, unpackMaxAgeMs: 1, maxPackedBytes: 64 * 1024 ** 2 } : {};
  const inner = new DurableAccept({ database, blobs, maxBytes: config.smtp.maxMessageBytes, ...unpacking, onCommitted: (ids) => (stored += ids.length) });
  await inner.init();
  // Time each accept from the start of DATA to the durable commit.
  const timed = {
    accept: async (stream: NodeJS.ReadableStream, env: AcceptEnvelope) => {
      const t0 = performance.now();
      const r = await inner.accept(stream as never, env);
      lat.push(performance.now() - t0);
      return r;
    },
  } as unknown as DurableAccept;
  const smtp = createSmtpListener(config, timed, silentLogger);
  const port = await listen(smtp, 0, '127.0.0.1');
  const seconds = await drive(port);
  await smtp.close();
  const u0 = performance.now();
  const unpacked = await inner.unpackAll();
  const unpack = { messages: unpacked, seconds: (performance.now() - u0) / 1000 };
  await inner.close();
  await storage.close();
  lat.sort((a, b) => a - b);
  return { rate: MESSAGES / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), stored, backend: database.kind, drive: seconds, unpack };
}

const sink = await nullSink();
const gw = await durable(false);
const both = await durable(true);
for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
process.stdout.write(
  JSON.stringify({
    bench: 'smtp',
    driver: haveSmtpSource ? 'smtp-source -d' : 'nodemailer pool',
    messages: MESSAGES,
    messageBytes: SIZE,
    connections: CONNECTIONS,
    backend: gw.backend,
    durable: { messagesPerSecond: round(gw.rate), acceptLatencyMs: { p50: round(gw.p50, 2), p99: round(gw.p99, 2) }, stored: gw.stored },
    unpackAfterwards: { messages: gw.unpack.messages, seconds: round(gw.unpack.seconds, 2), messagesPerSecond: round(gw.unpack.messages / gw.unpack.seconds) },
    durableUnpackingAlongside: {
      messagesPerSecond: round(both.rate),
      acceptLatencyMs: { p50: round(both.p50, 2), p99: round(both.p99, 2) },
      leftToUnpackAfterwards: both.unpack.messages,
      messagesPerSecondUntilAllLoose: round(MESSAGES / (both.drive + both.unpack.seconds)),
    },
    nullSink: { messagesPerSecond: round(sink.rate), acceptLatencyMs: { p50: round(sink.p50, 2), p99: round(sink.p99, 2) } },
    ratioDurableToNullSink: round(gw.rate / sink.rate, 3),
    target: { messagesPerSecond: 1600, met: gw.rate >= 1600 },
  }) + '\n',
);
process.exit(0);
