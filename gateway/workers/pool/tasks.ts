/**
 * The pool thread's side of the CPU work (docs/architecture.md, "The CPU pool"): the MIME parse,
 * the classifier and signature verification, the same functions the stages call when the pool is
 * off. A job's parse is made once on the thread and kept for that job's later tasks (the pool sends
 * a job's tasks to one thread), until verify or a release lets go of it; a thread that lacks it
 * (restarted, or the job resumed elsewhere) parses the raw bytes each task carries.
 */
import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { classifyParsed, unparsedResult } from '../../documents/message.ts';
import { textLayerSuffices } from '../../documents/ocr/index.ts';
import type { ClassifyOptions } from '../../documents/types.ts';
import { PermanentError, VanthuError } from '../../errors.ts';
import { LimitExceeded } from '../../limits.ts';
import { parseMail, type FullParse } from '../../mail/parse.ts';
import { configuredDns, configuredTrust } from '../../trust/configured.ts';
import { verifyMessage, type DnsResolver, type SignedRevision, type TrustStore } from '../../trust/index.ts';
import type { Config } from '../../config/load.ts';
import type { ErrorFields, PoolTask, ReadNote, TaskResults } from './protocol.ts';

/** Jobs whose parse a thread keeps at most (the oldest goes first): a job that never released its parse cannot pile up. */
export const MAX_HELD_JOBS = 64;

const held = new Map<string, Promise<FullParse>>();

function jobParse(task: Extract<PoolTask, { raw: Uint8Array }>): Promise<FullParse> {
  let p = held.get(task.job);
  if (!p) {
    const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
    p = Promise.resolve().then(() => parseMail(raw, task.limits));
    p.catch(() => undefined); // kept: a failed parse fails the same way for the job's next task
    held.set(task.job, p);
    while (held.size > MAX_HELD_JOBS) held.delete(held.keys().next().value as string);
  }
  return p;
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
            fullTextLayer: read.pageCount ? textLayerSuffices(read.pages, read.pageCount) : false,
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
        const { trust, dns } = await trustFor(task.trust);
        const attachments = (await jobParse(task).catch(() => null))?.mail.attachments;
        const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
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
