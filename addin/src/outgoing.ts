/**
 * The pane's decisions about sending for issuance, free of DOM and network (unit-tested in
 * tests/addin-send-state.test.ts): who issues at once, how the recipients box is read, which
 * attachment is the document, and how far a sent item has got — per recipient and as a whole.
 */
import type { StringKey } from './i18n.ts';
import type { DeliveryInfo, RecipientCheck, Role, SentItem } from './types.ts';

/** Độ khẩn an officer may give a draft (the gateway's gateway/outgoing/marks.ts); labels are i18n's urgency_* keys. */
export const URGENCIES = ['normal', 'khan', 'thuong_khan', 'hoa_toc'] as const;

/** The draft's urgency field: left out for "normal", so the gateway's default holds. */
export function urgencyField(value: string): { urgency?: string } {
  return value && value !== 'normal' && (URGENCIES as readonly string[]).includes(value) ? { urgency: value } : {};
}

/** Roles the gateway's policy lets issue (outgoing.issue): their "Gửi phát hành" issues at once, others' goes to the clerk. */
export function canIssue(role: Role): boolean {
  return role === 'clerk' || role === 'admin';
}

/** The recipients box: one per line (or separated by ";"), blanks and repeats dropped, NFC. */
export function recipientLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\n;]+/)) {
    const v = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (v && !out.some((x) => x.toLowerCase() === v.toLowerCase())) out.push(v);
  }
  return out;
}

/** Puts the picked candidate in place of what the officer wrote. */
export function replaceRecipient(text: string, given: string, chosen: string): string {
  const lines = recipientLines(text);
  return lines.map((l) => (l.toLowerCase() === given.toLowerCase() ? chosen : l)).join('\n');
}

export function allResolved(checks: RecipientCheck[]): boolean {
  return checks.length > 0 && checks.every((c) => c.ok);
}

/** The document among the attachments: the first PDF (signed documents are PDFs), else the first file. */
export function defaultDocument(files: Array<{ name: string; contentType: string }>): number {
  if (!files.length) return -1;
  const pdf = files.findIndex((f) => /pdf/i.test(f.contentType) || /\.pdf$/i.test(f.name));
  return Math.max(pdf, 0);
}

/** The file list sent: the document first, then the other chosen files in their order. */
export function orderFiles<T>(files: T[], documentIndex: number): T[] {
  if (documentIndex < 0 || documentIndex >= files.length) return files;
  return [files[documentIndex], ...files.filter((_, i) => i !== documentIndex)];
}

export type Tone = 'success' | 'danger' | 'warning' | 'brand' | 'neutral';

/** One recipient's state, in the words of i18n's recipient_* keys; the receipt's time when there is one. */
export function recipientStage(d: DeliveryInfo): { key: StringKey; tone: Tone; at: string | null } {
  switch (d.state) {
    case 'handled':
      return { key: 'recipient_handled', tone: 'success', at: d.handledAt ?? d.receivedAt };
    case 'received':
      return { key: 'recipient_received', tone: 'success', at: d.receivedAt };
    case 'delivered':
      return { key: 'recipient_delivered', tone: 'brand', at: d.evidence.find((e) => e.state === 'delivered')?.at ?? null };
    case 'failed':
      return { key: 'recipient_failed', tone: 'danger', at: null };
    case 'sent':
      return { key: 'recipient_sent', tone: 'neutral', at: d.sentAt };
    default:
      return { key: 'recipient_queued', tone: 'neutral', at: null };
  }
}

/** The receipt (giấy báo nhận) a recipient sent back, as the gateway linked it. */
export function receiptOf(d: DeliveryInfo): { at: string; note: string | null } | null {
  const e = d.evidence.find((x) => x.state === 'received' || x.state === 'handled');
  return e ? { at: e.at, note: e.note } : null;
}

/** How far a sent item has got as a whole: queued with the clerk, returned, or issued and then its slowest recipient. */
export function sentStage(item: SentItem): { key: StringKey; tone: Tone } {
  if (item.state === 'pending') return { key: 'sent_pending', tone: 'warning' };
  if (item.state === 'issuing') return { key: 'sent_issuing', tone: 'neutral' };
  if (item.state === 'returned') return { key: 'sent_returned', tone: 'danger' };
  const ds = item.outgoing?.deliveries ?? [];
  if (!ds.length) return { key: 'sent_issued', tone: 'brand' };
  if (ds.some((d) => d.state === 'failed')) return { key: 'sent_failed', tone: 'danger' };
  if (ds.every((d) => d.state === 'received' || d.state === 'handled')) return { key: 'sent_received', tone: 'success' };
  if (ds.every((d) => d.state !== 'queued' && d.state !== 'sent')) return { key: 'sent_delivered', tone: 'brand' };
  return { key: 'sent_issued', tone: 'brand' };
}

/** A refusal's body: the recipients with their candidates (400 reason "recipients"), the draft left in the queue, unsigned. */
export function refusalOf(body: unknown): { recipients: RecipientCheck[] | null; draftId: string | null; unsigned: boolean } {
  const b = (body ?? {}) as { reason?: string; recipients?: RecipientCheck[]; draftId?: string };
  return {
    recipients: b.reason === 'recipients' && Array.isArray(b.recipients) ? b.recipients : null,
    draftId: typeof b.draftId === 'string' ? b.draftId : null,
    unsigned: b.reason === 'unsigned',
  };
}
