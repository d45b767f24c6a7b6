/**
 * Linking incoming mail to the outgoing documents it answers: receipts and replies (In-Reply-To /
 * References = our Message-ID), edXML status notices (ResponseFor DocumentId or code), status
 * notices naming our notation, and delivery status notifications (RFC 3464). Only records the
 * link on the recipient's row; what the registry does with the message is its own decision.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { StatusName } from '../documents/edxml/names.ts';
import { parseEdXml } from '../documents/edxml/parse.ts';
import { foldDiacritics } from '../documents/text.ts';
import type { Db } from '../store/db.ts';
import { outgoingDeliveries, outgoingMessages } from './schema.ts';
import type { DeliveryRow, DeliveryState, OutgoingMessageRow } from './tracking.ts';

export interface IncomingFacts {
  unitIds: string[];
  from: string | null;
  subject: string | null;
  text: string | null;
  messageIds: string[];
  kind: string | null;
  notation: string | null;
  /** Contents of attached parts that may be edXML or delivery reports. */
  parts: Array<{ contentType: string; content: string }>;
}

export interface LinkFinding {
  outgoingId: string;
  /** The unit that sent it (whose open outgoing trail refreshes; gateway/workers/telemetry.ts). */
  unitId: string;
  deliveryId: string;
  state: DeliveryState;
  note: string | null;
}

const EDXML_STATE: Record<StatusName, DeliveryState> = {
  received: 'received',
  accepted: 'received',
  assigned: 'received',
  in_progress: 'received',
  completed: 'handled',
  refused: 'failed',
};

/** "Done" wording of a plain-text notice (Vietnamese or English), folded. */
const DONE = /(hoan thanh|da xu ly xong|\(done\)|completed)/;

function edxmlStatus(parts: IncomingFacts['parts']) {
  for (const p of parts.filter((x) => /xml/i.test(x.contentType))) {
    const parsed = parseEdXml(p.content);
    if (parsed?.kind === 'status') return parsed.status;
  }
  return null;
}

/**
 * RFC 3464: per-recipient Action (failed | delivered | …) with the Final-Recipient address. The
 * report is a message/delivery-status part; mailparser folds that part into the text, so the text
 * of a message classified as automated is read too.
 */
export function dsnResults(parts: IncomingFacts['parts'], text: string | null = null): Array<{ recipient: string; action: string; status: string | null }> {
  const report =
    parts.find((p) => /message\/(global-)?delivery-status/i.test(p.contentType))?.content ?? (text && /^final-recipient:/im.test(text) ? text : null);
  if (!report) return [];
  return report
    .split(/\r?\n\r?\n/)
    .map((block) => {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(block)?.[1].trim() ?? null;
      const recipient =
        field('Final-Recipient')
          ?.replace(/^rfc822;\s*/i, '')
          .toLowerCase() ?? null;
      return recipient ? { recipient, action: (field('Action') ?? '').toLowerCase(), status: field('Status') } : null;
    })
    .filter((r): r is { recipient: string; action: string; status: string | null } => r !== null);
}

const RETURNED = /^(text\/rfc822-headers|message\/(rfc822|global|global-headers))\b/i;

/**
 * Message-IDs of the messages a bounce returns (RFC 3462 text/rfc822-headers, message/rfc822):
 * MTAs such as Postfix put our Message-ID there and nowhere else (no In-Reply-To).
 */
export function returnedMessageIds(parts: IncomingFacts['parts']): string[] {
  return parts
    .filter((p) => RETURNED.test(p.contentType))
    .map((p) => /^message-id:\s*(<[^>\s]+>)/im.exec(p.content.split(/\r?\n\r?\n/)[0])?.[1] ?? null)
    .filter((id): id is string => id !== null);
}

async function findMessage(db: Db, f: IncomingFacts, documentId: string | null, code: string | null): Promise<OutgoingMessageRow | null> {
  const ids = [...f.messageIds, ...returnedMessageIds(f.parts)].filter(Boolean);
  if (ids.length) {
    const [m] = await db.select().from(outgoingMessages).where(inArray(outgoingMessages.messageId, ids)).limit(1);
    if (m) return m;
  }
  if (documentId) {
    const [m] = await db.select().from(outgoingMessages).where(eq(outgoingMessages.documentId, documentId)).limit(1);
    if (m) return m;
  }
  const notation = code ?? (f.kind === 'status' ? f.notation : null);
  if (notation && f.unitIds.length) {
    const [m] = await db
      .select()
      .from(outgoingMessages)
      .where(and(eq(outgoingMessages.notation, notation), inArray(outgoingMessages.unitId, f.unitIds)))
      .limit(1);
    if (m) return m;
  }
  return null;
}

/**
 * The one recipient whose name the notice names (vanthu's receipts begin with the receiving unit's
 * name): units served by one gateway send their notices from its one address (`mail.from`), so for
 * a document sent to several of them the sender's address alone does not tell which one answered.
 * Several names (one inside another, "Sở X" and "Văn phòng Sở X") count as the longest; names that
 * are not nested leave it undecided.
 */
function namedIn(rows: DeliveryRow[], text: string | null): DeliveryRow | null {
  if (!text) return null;
  const hay = foldDiacritics(text);
  const named = rows
    .filter((r) => r.recipientName)
    .map((r) => ({ r, name: foldDiacritics(r.recipientName!) }))
    .filter((x) => x.name.length > 0 && hay.includes(x.name));
  if (!named.length) return null;
  const longest = named.reduce((a, b) => (b.name.length > a.name.length ? b : a));
  return named.every((x) => longest.name.includes(x.name)) ? longest.r : null;
}

/** The recipient a notice speaks for: its sender's address, else its organ id, else the same domain, else the one it names, else the only one. */
export function pickDelivery(rows: DeliveryRow[], from: string | null, organId: string | null, text: string | null = null): DeliveryRow | null {
  const addr = from?.toLowerCase() ?? null;
  const domain = addr?.split('@')[1] ?? null;
  return (
    rows.find((r) => r.recipient === addr) ??
    rows.find((r) => organId && r.organId === organId) ??
    rows.find((r) => domain && r.recipient.endsWith(`@${domain}`)) ??
    namedIn(rows, text) ??
    (rows.length === 1 ? rows[0] : null)
  );
}

export async function findLinks(db: Db, f: IncomingFacts): Promise<LinkFinding[]> {
  const status = edxmlStatus(f.parts);
  const dsn = dsnResults(f.parts, f.kind === 'automated' ? f.text : null);
  const message = await findMessage(db, f, status?.responseFor.documentId ?? null, status?.responseFor.code ?? null);
  if (!message) return [];
  const rows = await db.select().from(outgoingDeliveries).where(eq(outgoingDeliveries.outgoingId, message.id));
  if (dsn.length) {
    return dsn
      .map((d) => ({ d, row: rows.find((r) => r.recipient === d.recipient) }))
      .filter((x) => x.row && (x.d.action === 'failed' || x.d.action === 'delivered'))
      .map(({ d, row }) => ({
        outgoingId: message.id,
        unitId: message.unitId,
        deliveryId: row!.id,
        state: d.action === 'failed' ? 'failed' : 'delivered',
        note: `DSN ${d.action} ${d.status ?? ''}`.trim(),
      }));
  }
  const row = pickDelivery(rows, f.from, status?.from.id ?? null, f.text);
  if (!row) return [];
  if (status?.status)
    return [
      {
        outgoingId: message.id,
        unitId: message.unitId,
        deliveryId: row.id,
        state: EDXML_STATE[status.status],
        note: `edXML ${status.status}${status.description ? `: ${status.description}` : ''}`,
      },
    ];
  const done = DONE.test(foldDiacritics(`${f.subject ?? ''}\n${f.text ?? ''}`));
  // Any other automatic answer (out of office, a mailbox's auto-reply) proves delivery, not receipt by a clerk.
  const state: DeliveryState = done ? 'handled' : f.kind === 'automated' ? 'delivered' : 'received';
  return [{ outgoingId: message.id, unitId: message.unitId, deliveryId: row.id, state, note: f.subject }];
}
