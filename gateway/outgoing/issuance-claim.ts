/**
 * Issuing a claimed draft, and repairing one a crash left claimed (docs/issuance.md, "A crash while
 * issuing"). A claim has an id; the outgoing-book number is tied to it in the transaction that
 * takes the number, and the draft becomes `issued` in the transaction that records the sent
 * document. Whoever holds the claim when those transactions commit issued the draft, once.
 *
 * A draft still `issuing` after `staleMs` belongs to a process that died: the repair (run when the
 * delivery worker starts and at each of its sweeps) takes the claim over and
 * - not numbered yet: puts it back to `pending` for the clerk, with the reason (nothing was sent);
 * - numbered but not recorded: issues it with that number, as the clerk asked (same options, same
 *   actor), so the book has no number without its document; a failure leaves it `pending` and the
 *   number kept for the next attempt;
 * - numbered and recorded already (a document of that book entry exists): marks it `issued`.
 */
import { and, eq, isNotNull, lt } from 'drizzle-orm';
import { appendAudit } from '../registry/audit.ts';
import type { OutgoingEntry } from '../registry/books/books.ts';
import type { Tx } from '../registry/db.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { outgoingEntries } from '../registry/schema.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../store/ids.ts';
import type { IssuanceRow } from './issuance-view.ts';
import { issuanceRequests, outgoingDeliveries, outgoingMessages, type IssuanceOptions } from './schema.ts';
import { SendError, sendDocument, type Enqueue, type SendClaim, type SendResult } from './send.ts';

/** How long an `issuing` claim may last before the repair takes it over: issuing takes seconds (TSA, OCSP included). */
export const STALE_CLAIM_MS = 10 * 60_000;

export interface Claim {
  row: IssuanceRow;
  claimId: string;
  actor: string;
  opts: IssuanceOptions;
}

export const newClaimId = (now: Date) => `c${newId(now.getTime())}`;

const REPAIRER = 'system:issuance-repair';
const t = issuanceRequests;
const held = (c: Claim) => and(eq(t.id, c.row.id), eq(t.state, 'issuing'), eq(t.claimId, c.claimId));
const lost = () => new SendError(409, 'Văn bản đã được tiến trình khác phát hành tiếp (the draft was taken over by another issuing)', { reason: 'claim-lost' });

function hooks(rt: RegistryRuntime, c: Claim, entry: OutgoingEntry | null, repaired: boolean): SendClaim {
  return {
    entry,
    async numbered(tx: Tx, e: OutgoingEntry) {
      const [r] = await tx.update(t).set({ entryId: e.id, updatedAt: rt.clock.now() }).where(held(c)).returning({ id: t.id });
      if (!r) throw lost();
    },
    async recorded(tx: Tx, outgoingId: string, notation: string) {
      const now = rt.clock.now();
      const [r] = await tx
        .update(t)
        .set({ state: 'issued', outgoingId, decidedBy: c.actor, decidedAt: now, lastError: null, updatedAt: now })
        .where(held(c))
        .returning({ id: t.id });
      if (!r) throw lost();
      const data = { notation, outgoingId, confirmUnsigned: Boolean(c.opts.confirmUnsigned), ...(repaired ? { repaired: true } : {}) };
      await appendAudit(tx, { actor: c.actor, action: 'outgoing.issue', entity: 'issuance', entityId: c.row.id, data }, now);
    },
  };
}

/**
 * Numbers, issues and sends a claimed draft (send.ts) under its claim. A send that fails puts the
 * draft back to `pending` with the reason (and the number, when one was taken, for the next try).
 */
export async function sendClaimed(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue, c: Claim, repaired = false): Promise<SendResult> {
  const { row, opts } = c;
  try {
    const [entry] = row.entryId ? await rt.db.select().from(outgoingEntries).where(eq(outgoingEntries.id, row.entryId)) : [null];
    const [document, ...appendices] = await Promise.all(
      row.files.map(async (f) => ({ filename: f.filename, contentType: f.contentType, content: await blobs.read(f.sha256) })),
    );
    return await sendDocument(rt, blobs, enqueue, {
      unitId: row.unitId,
      to: row.recipients.map((r) => r.address),
      subject: row.subject,
      typeCode: row.typeCode,
      typeName: row.typeName,
      urgency: row.urgency,
      body: row.body,
      signer: row.signer,
      document,
      appendices,
      edxml: opts.edxml,
      smime: opts.smime,
      confirmUnsigned: opts.confirmUnsigned,
      actor: c.actor,
      senderEmail: opts.senderEmail ?? null,
      claim: hooks(rt, c, entry ?? null, repaired),
    });
  } catch (err) {
    await rt.db
      .update(t)
      .set({ state: 'pending', lastError: (err as Error).message.slice(0, 2000), updatedAt: rt.clock.now() })
      .where(held(c));
    throw err;
  }
}

export type RepairOutcome = 'returned' | 'completed' | 'recorded' | 'failed';

export interface RepairReport {
  items: Array<{ id: string; outcome: RepairOutcome; notation?: string; error?: string }>;
}

/** Takes a stale claim over (a new claim id), unless someone else changed the draft since it was read. */
async function takeOver(rt: RegistryRuntime, row: IssuanceRow): Promise<Claim | null> {
  const now = rt.clock.now();
  const claimId = newClaimId(now);
  const [taken] = await rt.db
    .update(t)
    .set({ claimId, updatedAt: now })
    .where(and(eq(t.id, row.id), eq(t.state, 'issuing'), eq(t.claimId, row.claimId!)))
    .returning();
  if (!taken) return null;
  return { row: taken, claimId, actor: taken.claimedBy ?? REPAIRER, opts: taken.issueOptions ?? {} };
}

async function repairOne(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue, c: Claim): Promise<RepairReport['items'][number]> {
  const { row } = c;
  const now = rt.clock.now();
  if (!row.entryId) {
    // Nothing numbered, nothing sent: the clerk decides again.
    const why =
      'Phát hành bị gián đoạn trước khi lấy số, chưa gửi gì; phát hành lại (issuing was interrupted before numbering; nothing was sent; issue it again)';
    await rt.db.transaction(async (tx) => {
      await tx.update(t).set({ state: 'pending', lastError: why, updatedAt: now }).where(held(c));
      const data = { claimedBy: row.claimedBy, numbered: false };
      await appendAudit(tx, { actor: REPAIRER, action: 'outgoing.issue_interrupted', entity: 'issuance', entityId: row.id, data }, now);
    });
    return { id: row.id, outcome: 'returned' };
  }
  const [sent] = await rt.db.select().from(outgoingMessages).where(eq(outgoingMessages.entryId, row.entryId));
  if (sent) {
    // Recorded already: the draft only missed its last step; its deliveries are queued again.
    await rt.db.transaction((tx) => hooks(rt, c, null, true).recorded(tx, sent.id, sent.notation));
    const queued = await rt.db
      .select({ id: outgoingDeliveries.id })
      .from(outgoingDeliveries)
      .where(and(eq(outgoingDeliveries.outgoingId, sent.id), eq(outgoingDeliveries.state, 'queued')));
    await enqueue(queued.map((d) => d.id)).catch(() => undefined);
    return { id: row.id, outcome: 'recorded', notation: sent.notation };
  }
  try {
    const result = await sendClaimed(rt, blobs, enqueue, c, true);
    return { id: row.id, outcome: 'completed', notation: result.notation };
  } catch (err) {
    return { id: row.id, outcome: 'failed', error: (err as Error).message };
  }
}

/** One pass of the repair over drafts claimed longer than `staleMs` ago (by the runtime's clock). */
export async function repairIssuing(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue, opts: { staleMs?: number } = {}): Promise<RepairReport> {
  const before = new Date(rt.clock.now().getTime() - (opts.staleMs ?? STALE_CLAIM_MS));
  const stuck = await rt.db
    .select()
    .from(t)
    // A claim without an id was made before migration 0014: whether it was sent cannot be told, so it is left to the clerk.
    .where(and(eq(t.state, 'issuing'), lt(t.updatedAt, before), isNotNull(t.claimId)))
    .limit(100);
  const report: RepairReport = { items: [] };
  for (const row of stuck) {
    const claim = await takeOver(rt, row);
    if (!claim) continue;
    const item = await repairOne(rt, blobs, enqueue, claim);
    report.items.push(item);
    rt.log.warn({ issuance: row.id, ...item }, 'repaired a draft left issuing');
  }
  return report;
}
