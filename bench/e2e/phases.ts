/**
 * bench:e2e (bench/e2e.ts), its phases: each sends its messages, waits for the backlog to empty,
 * and measures the gateway's CPU, memory and the side services over that window.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { PDFDocument } from 'pdf-lib';
import type { Redis } from 'ioredis';
import { machineCpu, log, monoUs, sleep, TERMINAL } from './common.ts';
import { UNIT_ADDRESSES, withMessageId, type OutMessage } from './corpus.ts';
import { apiGet, type Gateway } from './gateway.ts';
import { cpuDelta, cpuSnapshot, round, type CpuSnapshot, type RssSampler } from './procstat.ts';
import { cpuByKind, kindDelta, type UserSystem } from './threads.ts';
import { sendRaw, smtpData } from './raw-smtp.ts';
import { accepted, type Poller, type Rec, send, transportFor } from './sending.ts';
import { type PgWatch, redisInfo } from './watch.ts';

export interface PhaseResult {
  name: string;
  recs: Rec[];
  startedAt: number;
  lastAckAt: number;
  /** When the poller first saw the backlog empty (the decision times themselves come from the details). */
  emptySeenAt: number;
  settled: boolean;
  cpu: ReturnType<typeof cpuDelta>;
  /** User and system CPU seconds by kind of thread (threads.ts). */
  kinds: Record<string, UserSystem>;
  clientCpu: number;
  redis: { cpu: number; commands: number } | null;
  postgresCpu: number | null;
  machineBusyCores: number;
  rssPeakMb: number;
  backlogPeak: number;
  loadavg: number[];
  monoUs: [number, number];
}

export interface Ctx {
  gw: Gateway;
  poller: Poller;
  sampler: RssSampler;
  redis: Redis | null;
  pgWatch: PgWatch | null;
  /** How long a phase waits for its backlog to empty. */
  timeoutMs: number;
}

export async function phase(ctx: Ctx, name: string, run: () => Promise<Rec[]>, timeoutMs = ctx.timeoutMs): Promise<PhaseResult> {
  const loadavg = os.loadavg().map((v) => round(v, 2));
  log(`${name}: starting (load average ${loadavg.join(' ')})`);
  ctx.sampler.begin(name);
  ctx.poller.resetPeak();
  const cpu0 = cpuSnapshot(ctx.gw.pid);
  const kinds0 = cpuByKind(ctx.gw.pid);
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
  // CPU and memory until the backlog was seen empty (the poller's lag is at most its interval).
  const mono1 = monoUs();
  const cpu1: CpuSnapshot = cpuSnapshot(ctx.gw.pid);
  const kinds = kindDelta(kinds0, cpuByKind(ctx.gw.pid));
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
    kinds,
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

export async function burstPhase(ctx: Ctx, name: string, msgs: OutMessage[], connections: number): Promise<PhaseResult> {
  const transport = transportFor(ctx.gw.smtpPort, connections);
  try {
    return await phase(ctx, name, () => Promise.all(msgs.map((m) => send(transport, m, name))));
  } finally {
    transport.close();
  }
}

/** One message at a time, the next sent once the last is decided: each stage's time without queueing or interleaving. */
export async function serialPhase(ctx: Ctx, msgs: OutMessage[]): Promise<PhaseResult> {
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

export async function pacedPhase(
  ctx: Ctx,
  msgs: OutMessage[],
  rate: number,
  connections: number,
): Promise<PhaseResult & { offeredPerS: number; sentPerS: number }> {
  const transport = transportFor(ctx.gw.smtpPort, connections);
  let lastSendAt = 0;
  try {
    const r = await phase(ctx, 'paced', async () => {
      const t0 = performance.now();
      const sends: Promise<Rec>[] = [];
      for (let i = 0; i < msgs.length; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        sends.push(send(transport, msgs[i], 'paced'));
      }
      lastSendAt = Date.now();
      return Promise.all(sends);
    });
    return { ...r, offeredPerS: rate, sentPerS: round(msgs.length / ((lastSendAt - r.startedAt) / 1000 || 1), 1) };
  } finally {
    transport.close();
  }
}

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

export async function bigPhase(ctx: Ctx, root: string, count: number, bytes: number): Promise<PhaseResult> {
  const { header, body } = await bigMessage(root, bytes);
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
            accepted();
          } else rec.error = r.reply;
          return rec;
        }),
      ),
    // 100 × 25 MB take this machine ~13 minutes of CPU to decide: wait an hour at least.
    Math.max(ctx.timeoutMs, 3_600_000),
  );
}
