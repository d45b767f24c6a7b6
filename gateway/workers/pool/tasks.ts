/**
 * The pool thread's side of the CPU work (docs/architecture.md, "The CPU pool"): the MIME parse,
 * the classifier and signature verification, the same functions the stages call when the pool is
 * off. A job's raw bytes come once, with the first of its tasks a thread gets; the thread keeps them
 * and the parse it makes of them once for that job's later tasks (the pool sends a job's tasks to one
 * thread), until verify or a release lets go of them. A task that comes without the bytes to a
 * thread that lacks them (let go of as the oldest of MAX_HELD_JOBS) is answered `rawNeeded` and
 * sent again with them (pool.ts).
 */
import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { classifyParsed, unparsedResult } from '../../documents/message.ts';
import { cannotNeedOcr } from '../../documents/ocr/text-layer.ts';
import type { ClassifyOptions } from '../../documents/types.ts';
import { PermanentError, VanthuError } from '../../errors.ts';
import { LimitExceeded } from '../../limits.ts';
import { parseMail, type FullParse } from '../../mail/parse.ts';
import { configuredDns, configuredTrust } from '../../trust/configured.ts';
import { verifyMessage, type DnsResolver, type SignedRevision, type TrustStore } from '../../trust/index.ts';
import type { Config } from '../../config/load.ts';
import type { ErrorFields, PoolTask, ReadNote, TaskResults } from './protocol.ts';

/** Jobs whose bytes and parse a thread keeps at most (the oldest goes first): a job that never released them cannot pile up. */
export const MAX_HELD_JOBS = 64;

/** What a thread keeps of a job between its tasks: the raw bytes it got once, the parse made of them once. */
interface Held {
  raw: Buffer;
  parse?: Promise<FullParse>;
}

const held = new Map<string, Held>();

/** The task came without the raw bytes and this thread does not have the job's: the pool sends them (thread.ts answers `rawNeeded`). */
export class RawNeeded extends Error {
  constructor(job: string) {
    super(`the thread does not hold job ${job}'s raw message`);
    this.name = 'RawNeeded';
  }
}

/** The job's bytes on this thread: kept from the task that brought them (made synchronously, before any other task of the job can ask). */
function jobOf(task: Extract<PoolTask, { job: string; limits: unknown }>): Held {
  let h = held.get(task.job);
  if (!h) {
    if (!task.raw) throw new RawNeeded(task.job);
    h = { raw: Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength) };
    held.set(task.job, h);
    while (held.size > MAX_HELD_JOBS) held.delete(held.keys().next().value as string);
  }
  return h;
}

function jobParse(task: Extract<PoolTask, { job: string; limits: unknown }>, h = jobOf(task)): Promise<FullParse> {
  if (!h.parse) {
    const p = Promise.resolve().then(() => parseMail(h.raw, task.limits));
    p.catch(() => undefined); // kept: a failed parse fails the same way for the job's next task
    h.parse = p;
  }
  return h.parse;
}

/** Trust stores by their settings: loaded once per thread, as the stage loads one per process. */
const trusts = new Map<string, Promise<{ trust: TrustStore; dns: DnsResolver | undefined }>>();

function trustFor(settings: Config['trust']) {
  const key = JSON.stringify(settings);
  let p = trusts.get(key);
  if (!p) {
    const config = { trust: settings } as Config;
    p = (async () => ({ trust: await configuredTrust(config), dns: await configuredDns(config) }))();
    p.catch(() => trusts.delete(key));
    trusts.set(key, p);
  }
  return p;
}

/** A copy of the bytes in an ArrayBuffer of their own (never Node's shared pool), for the transfer list. */
export function own(bytes: Uint8Array, transfer: ArrayBuffer[]): Uint8Array {
  const copy = new Uint8Array(bytes);
  transfer.push(copy.buffer);
  return copy;
}

export interface Done<K extends PoolTask['kind']> {
  value: TaskResults[K];
  transfer: ArrayBuffer[];
}

/** Runs one task on this thread. */
export async function runTask(task: PoolTask): Promise<Done<PoolTask['kind']>> {
  const transfer: ArrayBuffer[] = [];
  switch (task.kind) {
    case 'ping':
    case 'release':
      if (task.kind === 'release') held.delete(task.job);
      return { value: null, transfer };
    case 'parse': {
      const { message } = await jobParse(task);
      const attachments = message.attachments.map((a) => ({ ...a, content: own(a.content, transfer) as Buffer }));
      return { value: { ...message, attachments }, transfer };
    }
    case 'classify': {
      const reads: ReadNote[] = [];
      const opts: ClassifyOptions = {
        now: task.now,
        limits: task.classify,
        onLimit: 'throw',
        onAttachmentRead: (content, read) =>
          reads.push({
            size: content.length,
            sha256: read.pageCount ? createHash('sha256').update(content).digest('hex') : null,
            noScan: read.pageCount ? cannotNeedOcr(read) : false,
          }),
      };
      let parsed: FullParse;
      try {
        parsed = await jobParse(task);
      } catch (err) {
        if (!(err instanceof PermanentError && err.code === 'mime-unreadable')) throw err;
        return { value: { classification: unparsedResult(err.cause, opts), reads, unparsed: true }, transfer };
      }
      return { value: { classification: await classifyParsed(parsed.mail, opts), reads, unparsed: false }, transfer };
    }
    case 'verify': {
      try {
        const h = jobOf(task);
        const { trust, dns } = await trustFor(task.trust);
        const attachments = (await jobParse(task, h).catch(() => null))?.mail.attachments;
        const raw = h.raw;
        const revisions: SignedRevision[] = [];
        const report = await verifyMessage(raw, { trust, dns, smtp: task.smtp, now: task.now, onSignedRevision: (r) => revisions.push(r) }, attachments);
        return { value: { report, revisions: revisions.map((r) => ({ ...r, bytes: own(r.bytes, transfer) as Buffer })) }, transfer };
      } finally {
        held.delete(task.job);
      }
    }
  }
}

/** An error as plain fields, for the other side to rebuild (pool.ts rebuildError). */
export function errorFields(err: unknown): ErrorFields {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: ErrorFields = { name: e.name, message: e.message };
  if (err instanceof VanthuError) Object.assign(fields, { code: err.code, permanent: err.permanent });
  if (err instanceof LimitExceeded) Object.assign(fields, { limit: err.limit, max: err.max, observed: err.observed, detail: err.detail, where: err.where });
  return fields;
}

/** This thread's id (the main thread's is 0). */
export const THREAD_ID = threadId;
