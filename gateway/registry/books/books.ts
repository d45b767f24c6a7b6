/**
 * Book numbering. A number is taken from the counter row of (unit, year, kind) inside the
 * caller's transaction: the row lock serialises concurrent registrations, and a rolled-back
 * transaction gives its number back, so numbers are unique and gap-free from 1 each year.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import { appendAudit } from '../audit.ts';
import { localDate, type Clock } from '../../clock.ts';
import { rows, type Tx } from '../db.ts';
import { outgoingEntries } from '../schema.ts';

export type BookKind = 'incoming' | 'outgoing';

/**
 * The statement that takes the next number (column `last`): the year's first number creates the
 * row, every later one takes the row lock and counts on. Intake runs it inside a statement of its
 * own (gateway/registry/intake/intake.ts `bookAndAuditHead`).
 */
export function nextBookNumberSql(unitId: string, year: number, kind: BookKind): SQL {
  return sql`insert into book_counters as c (unit_id, year, kind, last) values (${unitId}, ${year}, ${kind}, 1)
        on conflict (unit_id, year, kind) do update set last = c.last + 1 returning c.last`;
}

export async function nextBookNumber(tx: Tx, unitId: string, year: number, kind: BookKind): Promise<number> {
  const [r] = await rows<{ last: number }>(tx, nextBookNumberSql(unitId, year, kind));
  return Number(r.last);
}

export interface OutgoingInput {
  unitId: string;
  /** Issuer and drafting-unit part of the notation: "UBND-VX" gives "12/QĐ-UBND-VX" or "12/UBND-VX". */
  codeSuffix: string;
  typeCode?: string | null; // null or "CV" for công văn (no type code in the notation)
  typeName?: string | null;
  subject?: string | null;
  signer?: string | null;
  recipients?: string[];
  keepingUnit?: string | null;
  copies?: number | null;
  remarks?: string | null;
  /** Độ khẩn and độ mật (normal when not given), migration 0017. */
  urgency?: string;
  secrecy?: string;
}

export type OutgoingEntry = typeof outgoingEntries.$inferSelect;

/** Numbers and records one outgoing document (sổ văn bản đi). For the outgoing side to build on. */
export async function registerOutgoing(db: Db, input: OutgoingInput, actor: string, clock: Clock, timeZone: string): Promise<OutgoingEntry> {
  const at = clock.now();
  const issuedDate = localDate(at, timeZone);
  const year = Number(issuedDate.slice(0, 4));
  return db.transaction(async (tx) => {
    const number = await nextBookNumber(tx, input.unitId, year, 'outgoing');
    const code = input.typeCode && input.typeCode !== 'CV' ? `${input.typeCode}-${input.codeSuffix}` : input.codeSuffix;
    const [entry] = await tx
      .insert(outgoingEntries)
      .values({
        id: newId(at.getTime()),
        unitId: input.unitId,
        year,
        number,
        notation: `${number}/${code}`,
        issuedDate,
        typeCode: input.typeCode ?? null,
        typeName: input.typeName ?? null,
        subject: input.subject ?? null,
        signer: input.signer ?? null,
        recipients: input.recipients ?? [],
        keepingUnit: input.keepingUnit ?? null,
        copies: input.copies ?? null,
        remarks: input.remarks ?? null,
        urgency: input.urgency ?? 'normal',
        secrecy: input.secrecy ?? 'normal',
        createdAt: at,
      })
      .returning();
    await appendAudit(
      tx,
      { actor, action: 'outgoing.register', entity: 'outgoing', entityId: entry.id, data: { unitId: entry.unitId, year, number, notation: entry.notation } },
      at,
    );
    return entry;
  });
}
