/**
 * The scheduled renewal of archive time-stamps (docs/issuance.md, "Renewing the archive
 * time-stamp"): a sweep finds the issued files (issued-files.ts) whose newest document time-stamp's
 * TSA certificate expires within `outgoing.renewal.windowDays` of the app's clock and renews each
 * (issue/renew.ts) with its unit's `issue.tsa` and `issue.ltv`. A renewed file is a new version:
 * its blob is stored durably first, and the row points at it in the transaction that appends the
 * audit entry; the old bytes stay, a prefix of the new ones.
 *
 * Each renewal is claimed (renew_claim), so two sweeps never renew the same file together, and has
 * two steps a crash can fall between:
 * - renewed bytes stored, recorded as `renew_pending`, not committed: the next sweep that takes the
 *   stale claim over commits those bytes (no second time-stamp is asked for);
 * - nothing stored yet: the next sweep renews it again from the current version.
 * The commit is conditional on the claim and on the version renewed, so a file is renewed once.
 */
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { appendAudit } from '../registry/audit.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../store/ids.ts';
import { httpCrlFetcher } from './issue/crl-dp.ts';
import type { RenewResult } from './issue/renew.ts';
import { issuedFiles } from './schema.ts';

/** A claim older than this belongs to a sweep that died (a renewal takes seconds: OCSP, CRL, TSA). */
export const STALE_RENEWAL_MS = 10 * 60_000;
const ACTOR = 'system:timestamp-renewal';
const DAY = 86_400_000;

type Row = typeof issuedFiles.$inferSelect;

export type RenewalOutcome = 'renewed' | 'recovered' | 'failed' | 'not-extended' | 'no-tsa' | 'taken';

export interface RenewalSweep {
  /** Files found due (renewBefore within the window). */
  due: number;
  outcomes: Array<{ id: string; notation: string; filename: string; outcome: RenewalOutcome; error?: string }>;
}

/** Renews every issued file due on the app's clock; safe to run at any time and any number of times. */
export async function renewDueTimestamps(rt: RegistryRuntime, blobs: BlobStore): Promise<RenewalSweep> {
  const cfg = rt.config.outgoing.renewal;
  const now = rt.clock.now();
  const horizon = new Date(now.getTime() + cfg.windowDays * DAY);
  const stale = new Date(now.getTime() - STALE_RENEWAL_MS);
  const t = issuedFiles;
  const due = await rt.db
    .select()
    .from(t)
    .where(and(lte(t.renewBefore, horizon), or(isNull(t.renewClaim), lt(t.renewClaimedAt, stale))))
    .orderBy(asc(t.renewBefore))
    .limit(cfg.batch);
  const sweep: RenewalSweep = { due: due.length, outcomes: [] };
  for (const row of due) {
    const outcome = await renewOne(rt, blobs, row).catch((err: unknown) => ({ outcome: 'failed' as const, error: (err as Error).message }));
    sweep.outcomes.push({ id: row.id, notation: row.notation, filename: row.filename, ...outcome });
    if (outcome.outcome !== 'renewed' && outcome.outcome !== 'recovered' && outcome.outcome !== 'taken')
      rt.log.warn({ id: row.id, notation: row.notation, file: row.filename, ...outcome }, 'archive time-stamp not renewed');
  }
  return sweep;
}

async function renewOne(rt: RegistryRuntime, blobs: BlobStore, row: Row): Promise<{ outcome: RenewalOutcome; error?: string }> {
  const t = issuedFiles;
  const now = rt.clock.now();
  const issue = rt.config.outgoing.units[row.unitId]?.issue;
  if (!issue?.tsa) return release(rt, row, null, 'no-tsa', `đơn vị ${row.unitId} chưa cấu hình TSA (no outgoing.units.${row.unitId}.issue.tsa)`);
  // The claim: only if nobody took the row since it was read (the stale claim seen, or none).
  const claim = `r${newId(now.getTime())}`;
  const [held] = await rt.db
    .update(t)
    .set({ renewClaim: claim, renewClaimedAt: now })
    .where(and(eq(t.id, row.id), eq(t.sha256, row.sha256), row.renewClaim === null ? isNull(t.renewClaim) : eq(t.renewClaim, row.renewClaim)))
    .returning({ pending: t.renewPending });
  if (!held) return { outcome: 'taken' };
  const current = await blobs.read(row.sha256);
  // pdf-lib and the renewal code load with the first file due, not when the gateway starts (docs/operations.md, "Memory").
  const { archiveExpiry, renewArchiveTimestamp } = await import('./issue/renew.ts');

  // A renewal that crashed after storing its bytes: those bytes, when they extend this version.
  if (held.pending) {
    const pending = await blobs.read(held.pending).catch(() => null);
    const expiry = pending && extends_(pending, current) ? await archiveExpiry(pending) : null;
    if (pending && expiry) return commit(rt, row, claim, { pdf: pending, sha256: held.pending, renewBefore: expiry, field: null }, true);
  }
  let renewed: RenewResult;
  try {
    const ltv = issue.ltv;
    renewed = await renewArchiveTimestamp(current, {
      tsa: issue.tsa,
      sources: {
        crls: ltv?.crls ?? [],
        certificates: ltv?.certificates ?? [],
        ocsp: ltv?.ocsp ?? null,
        fetchCrl: (ltv?.crlDistributionPoints ?? true) ? httpCrlFetcher() : null,
      },
    });
  } catch (err) {
    return release(rt, row, claim, 'failed', (err as Error).message);
  }
  const renewBefore = renewed.renewBefore ? new Date(renewed.renewBefore) : null;
  if (!extends_(renewed.pdf, current)) return release(rt, row, claim, 'failed', 'the renewed file does not keep the issued bytes as its prefix');
  // A TSA whose certificate expires no later than the old one protects nothing longer: not stored, tried again next sweep.
  if (!renewBefore || (row.renewBefore && renewBefore <= row.renewBefore))
    return release(
      rt,
      row,
      claim,
      'not-extended',
      `chứng thư TSA mới hết hạn ${renewBefore?.toISOString() ?? '?'}, không muộn hơn (the TSA certificate of the new time-stamp expires no later than the old one)`,
    );
  const { sha256 } = await blobs.put(renewed.pdf); // fsync'd before any row names it
  const [marked] = await rt.db
    .update(t)
    .set({ renewPending: sha256 })
    .where(and(eq(t.id, row.id), eq(t.renewClaim, claim)))
    .returning({ id: t.id });
  if (!marked) return { outcome: 'taken' };
  return commit(rt, row, claim, { pdf: renewed.pdf, sha256, renewBefore, field: renewed.field }, false);
}

/** The new version recorded and audited in one transaction, if the claim still holds. */
async function commit(
  rt: RegistryRuntime,
  row: Row,
  claim: string,
  v: { pdf: Buffer; sha256: string; renewBefore: Date; field: string | null },
  recovered: boolean,
): Promise<{ outcome: RenewalOutcome }> {
  const t = issuedFiles;
  const now = rt.clock.now();
  const version = { sha256: v.sha256, size: v.pdf.length, at: now.toISOString(), field: v.field };
  const done = await rt.db.transaction(async (tx) => {
    const [r] = await tx
      .update(t)
      .set({
        sha256: v.sha256,
        size: v.pdf.length,
        versions: sql`${t.versions} || ${JSON.stringify([version])}::jsonb`,
        renewBefore: v.renewBefore,
        renewClaim: null,
        renewClaimedAt: null,
        renewPending: null,
        lastError: null,
        updatedAt: now,
      })
      .where(and(eq(t.id, row.id), eq(t.renewClaim, claim), eq(t.sha256, row.sha256)))
      .returning({ id: t.id });
    if (!r) return false;
    const data = {
      notation: row.notation,
      file: row.filename,
      fileId: row.id,
      previous: { sha256: row.sha256, size: row.size, renewBefore: row.renewBefore?.toISOString() ?? null },
      sha256: v.sha256,
      size: v.pdf.length,
      renewBefore: v.renewBefore.toISOString(),
      ...(v.field ? { field: v.field } : {}),
      ...(recovered ? { recovered: true } : {}),
    };
    await appendAudit(tx, { actor: ACTOR, action: 'outgoing.timestamp_renew', entity: 'outgoing', entityId: row.outgoingId, data }, now);
    return true;
  });
  return { outcome: done ? (recovered ? 'recovered' : 'renewed') : 'taken' };
}

/** Gives the claim back with the reason; the file is tried again at the next sweep. */
async function release(
  rt: RegistryRuntime,
  row: Row,
  claim: string | null,
  outcome: RenewalOutcome,
  error: string,
): Promise<{ outcome: RenewalOutcome; error: string }> {
  const t = issuedFiles;
  const held = claim ? eq(t.renewClaim, claim) : isNull(t.renewClaim);
  await rt.db
    .update(t)
    .set({ renewClaim: null, renewClaimedAt: null, renewPending: null, lastError: error, updatedAt: rt.clock.now() })
    .where(and(eq(t.id, row.id), held));
  return { outcome, error };
}

/** Whether `next` keeps every byte of `prev` and adds to it (an incremental update). */
function extends_(next: Buffer, prev: Buffer): boolean {
  return next.length > prev.length && next.subarray(0, prev.length).equals(prev);
}
