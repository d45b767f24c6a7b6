/**
 * A job's CPU work on the pool (docs/architecture.md, "The CPU pool"): what the parse, classify and
 * verify stages ask of the pool's thread instead of running it on the main thread. The raw bytes
 * are read once per job on the main thread (parsed-message.ts rawMessage); the first task of the
 * job a thread gets carries one copy of them, transferred, and the thread keeps it and the parse it
 * makes of it for the job's later tasks (tasks.ts), which carry none (pool.ts MakeTask): one copy
 * and one parse per job.
 */
import { randomUUID } from 'node:crypto';
import { classifyLimits } from '../../documents/limits.ts';
import type { ParsedMessage } from '../../mail/parse.ts';
import type { SignedRevision } from '../../trust/index.ts';
import type { StageContext } from '../pipeline.ts';
import { rawMessage } from '../parsed-message.ts';
import type { CpuPool } from './pool.ts';
import type { PoolTask, TaskResults } from './protocol.ts';

/** The key of this job's tasks on the pool (one per JobMime: a job that let go of its parse gets a new one). */
export function jobKey(ctx: Pick<StageContext, 'mime'>): string {
  const mime = (ctx.mime ??= {});
  mime.job ??= randomUUID();
  return mime.job;
}

/** Bytes that crossed a thread (a Uint8Array) as a Buffer over the same memory. */
const buffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** What every task of a job carries: its key, the limits, and a copy of the raw bytes (transferred) when the pool asks for them. */
interface Carried {
  job: string;
  raw?: Uint8Array;
  limits: StageContext['config']['limits'];
}

/** Makes a task of the job's raw bytes: a fresh copy for an attempt that must carry them (transferred, they are gone from here). */
async function carrying(ctx: StageContext) {
  const raw = await rawMessage(ctx);
  const job = jobKey(ctx);
  const limits = ctx.config.limits;
  return <T extends PoolTask>(task: (carried: Carried) => T) =>
    (o: { raw: boolean }): { task: T; transfer: ArrayBuffer[] } => {
      if (!o.raw) return { task: task({ job, limits }), transfer: [] };
      const copy = new Uint8Array(raw);
      return { task: task({ job, raw: copy, limits }), transfer: [copy.buffer] };
    };
}

/** The parse stage's message, parsed on the pool; held on the context for the job (the scan check reads attachment bytes from it). */
export function pooledMessage(ctx: StageContext, pool: CpuPool): Promise<ParsedMessage> {
  const mime = (ctx.mime ??= {});
  mime.message ??= carrying(ctx)
    .then((make) =>
      pool.run(
        jobKey(ctx),
        make((c) => ({ ...c, kind: 'parse' as const })),
      ),
    )
    .then((m) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, content: buffer(a.content) })) }));
  return mime.message;
}

/** The classifier on the pool; what it read is noted on the context for the scan check (stages/ocr-input.ts). */
export async function pooledClassify(ctx: StageContext, pool: CpuPool): Promise<TaskResults['classify']> {
  const make = await carrying(ctx);
  const extra = { now: ctx.message.receivedAt, classify: classifyLimits(ctx.config.limits) };
  const result = await pool.run(
    jobKey(ctx),
    make((c) => ({ ...c, ...extra, kind: 'classify' as const })),
  );
  const reads = ((ctx.mime ??= {}).reads ??= []);
  for (const r of result.reads) reads.push({ size: r.size, sha256: () => r.sha256, noScan: () => r.noScan });
  return result;
}

/** Signature verification on the pool; the thread lets go of the job's parse after it. */
export async function pooledVerify(ctx: StageContext, pool: CpuPool): Promise<{ report: TaskResults['verify']['report']; revisions: SignedRevision[] }> {
  const { message, config, clock } = ctx;
  const make = await carrying(ctx);
  const smtp = message.remoteIp ? { ip: message.remoteIp, helo: message.helo ?? '', mailFrom: message.mailFrom ?? '' } : undefined;
  const extra = { trust: config.trust, smtp, now: clock.now() };
  const { report, revisions } = await pool.run(
    jobKey(ctx),
    make((c) => ({ ...c, ...extra, kind: 'verify' as const })),
  );
  return { report, revisions: revisions.map((r) => ({ ...r, bytes: buffer(r.bytes) })) };
}
