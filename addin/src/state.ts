/**
 * The pane's decisions, free of DOM and network so they can be unit-tested: which screen a
 * message gets, what a failure tells the person to do, how "Việc của tôi" is ordered, which
 * actions a role has, and what a clerk's corrections change.
 */
import type { ApiError, ErrorKind } from './api.ts';
import type { StringKey } from './i18n.ts';
import type { DocumentInfo, LookupResult, RegisterFields, Role, Session, UserInfo } from './types.ts';

export interface Problem {
  kind: ErrorKind | 'outside-outlook' | 'no-item';
  tone: 'danger' | 'warning' | 'info';
  title: StringKey;
  help: StringKey;
  /** The server's own words, shown under the help for the administrator. */
  detail: string | null;
  /** What the main button does. */
  action: 'retry' | 'sign-in' | null;
}

export function problemFor(err: ApiError | { kind: ErrorKind; message: string }): Problem {
  const detail = err.message || null;
  switch (err.kind) {
    case 'unreachable':
      return { kind: err.kind, tone: 'danger', title: 'unreachableTitle', help: 'unreachableHelp', detail: null, action: 'retry' };
    case 'unauthenticated':
      return { kind: err.kind, tone: 'warning', title: 'signInTitle', help: 'sessionExpired', detail: null, action: 'sign-in' };
    case 'forbidden':
      return { kind: err.kind, tone: 'warning', title: 'forbiddenTitle', help: 'forbiddenHelp', detail, action: null };
    case 'invalid':
    case 'conflict':
    case 'not-found':
      return { kind: err.kind, tone: 'warning', title: 'invalidTitle', help: 'invalidHelp', detail, action: null };
    default:
      return { kind: err.kind, tone: 'danger', title: 'serverTitle', help: 'serverHelp', detail, action: 'retry' };
  }
}

export const OUTSIDE_OUTLOOK: Problem = {
  kind: 'outside-outlook',
  tone: 'info',
  title: 'outsideOutlookTitle',
  help: 'outsideOutlookHelp',
  detail: null,
  action: null,
};
export const NO_ITEM: Problem = { kind: 'no-item', tone: 'info', title: 'noItemTitle', help: 'noItemHelp', detail: null, action: null };

/** A stored session, or null when the text is not one (old format, tampered, expired). */
export function parseSession(text: string | null, now: Date = new Date()): Session | null {
  if (!text) return null;
  try {
    const s = JSON.parse(text) as Session;
    if (typeof s?.token !== 'string' || !s.user || typeof s.user.email !== 'string' || typeof s.user.role !== 'string') return null;
    if (s.expiresAt && new Date(s.expiresAt).getTime() <= now.getTime()) return null;
    return s;
  } catch {
    return null;
  }
}

// ---- what screen a message gets -------------------------------------------------------------

export type MessageScreen =
  | { screen: 'not-stored'; canIngest: boolean }
  | { screen: 'processing' }
  | { screen: 'failed' }
  | { screen: 'not-document' }
  | { screen: 'not-yours' }
  | { screen: 'awaiting-clerk'; document: DocumentInfo }
  | { screen: 'quarantined'; document: DocumentInfo }
  | { screen: 'register'; document: DocumentInfo }
  | { screen: 'document'; document: DocumentInfo };

const REGISTERED = ['received', 'assigned', 'in_progress', 'done', 'returned', 'linked'];

export function canReview(role: Role): boolean {
  return role === 'clerk' || role === 'admin';
}
export function canAssign(role: Role): boolean {
  return role === 'leader' || role === 'admin';
}

/**
 * lookup: null when vanthu has no such message. doc: the registry's document for it that this
 * person may see (the registry answers nothing for an officer's colleague's item).
 */
export function messageScreen(lookup: LookupResult | null, doc: DocumentInfo | null, user: UserInfo): MessageScreen {
  if (!lookup) return { screen: 'not-stored', canIngest: canReview(user.role) };
  if (doc) {
    if (REGISTERED.includes(doc.status)) return { screen: 'document', document: doc };
    if (doc.status === 'quarantined') return { screen: 'quarantined', document: doc };
    if (doc.status === 'not_document') return { screen: 'not-document' };
    return canReview(user.role) ? { screen: 'register', document: doc } : { screen: 'awaiting-clerk', document: doc };
  }
  const kind = lookup.classification?.kind;
  if (kind && kind !== 'document') return { screen: 'not-document' };
  const stages = lookup.stages ?? {};
  if (Object.values(stages).includes('failed')) return { screen: 'failed' };
  // The register stage is the pipeline's last: until it ran there is nothing to show yet.
  if (stages.register !== 'done') return { screen: 'processing' };
  return { screen: 'not-yours' };
}

/**
 * Finds the open message in vanthu: by its Internet Message-ID, else by its MIME (hosts that give
 * no id, or an id the gateway does not know, e.g. rewritten by a forwarder).
 */
export async function identify(
  internetMessageId: string | null,
  byId: (id: string) => Promise<LookupResult | null>,
  byMime: () => Promise<LookupResult | null>,
): Promise<LookupResult | null> {
  if (internetMessageId) {
    const hit = await byId(internetMessageId);
    if (hit) return hit;
  }
  return byMime();
}

// ---- deadlines and "Việc của tôi" ------------------------------------------------------------

/** Whole calendar days from today to the due date (negative when overdue); null without a deadline. */
export function daysLeft(dueDate: string | null, today: string): number | null {
  if (!dueDate || !/^\d{4}-\d{2}-\d{2}/.test(dueDate)) return null;
  const ms = Date.parse(`${dueDate.slice(0, 10)}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

export type DueTone = 'danger' | 'warning' | 'neutral';
export function dueLabel(dueDate: string | null, today: string): { key: StringKey; n: number; tone: DueTone } {
  const d = daysLeft(dueDate, today);
  if (d === null) return { key: 'noDeadline', n: 0, tone: 'neutral' };
  if (d < 0) return { key: 'overdueBy', n: -d, tone: 'danger' };
  if (d === 0) return { key: 'dueToday', n: 0, tone: 'warning' };
  return { key: 'dueIn', n: d, tone: d <= 2 ? 'warning' : 'neutral' };
}

const OPEN = ['received', 'assigned', 'in_progress'];

/** Open items by deadline: overdue first (most overdue on top), then soonest, undated last. */
export function sortMyWork<T extends Pick<DocumentInfo, 'status' | 'dueDate' | 'bookYear' | 'bookNumber'>>(items: T[], today: string): T[] {
  const key = (d: T) => daysLeft(d.dueDate, today) ?? Number.POSITIVE_INFINITY;
  return items
    .filter((d) => OPEN.includes(d.status))
    .sort((a, b) => key(a) - key(b) || (a.bookYear ?? 0) - (b.bookYear ?? 0) || (a.bookNumber ?? 0) - (b.bookNumber ?? 0));
}

/** The statuses a person may move an item to next (the registry refuses anything else). */
export function nextStatuses(status: string, role: Role): string[] {
  if (role === 'clerk') return [];
  if (status === 'received' || status === 'assigned') return ['in_progress', 'done'];
  if (status === 'in_progress') return ['done'];
  return [];
}

export function verdictTone(verdict: string | null | undefined): 'success' | 'danger' | 'warning' | 'neutral' {
  if (verdict === 'valid') return 'success';
  if (verdict === 'invalid' || verdict === 'revoked') return 'danger';
  if (verdict === 'untrusted' || verdict === 'expired' || verdict === 'indeterminate') return 'warning';
  return 'neutral';
}

export function statusTone(status: string): 'success' | 'danger' | 'warning' | 'brand' | 'neutral' {
  if (status === 'done') return 'success';
  if (status === 'quarantined' || status === 'returned') return 'danger';
  if (status === 'review') return 'warning';
  if (status === 'in_progress' || status === 'assigned') return 'brand';
  return 'neutral';
}

// ---- registering: prefill and corrections ----------------------------------------------------

export function prefill(doc: DocumentInfo): RegisterFields {
  return {
    notation: doc.notation ?? '',
    issuer: doc.issuer ?? '',
    issuedDate: doc.issuedDate ?? '',
    typeName: doc.typeName ?? '',
    subject: doc.subject ?? '',
    signer: doc.signer ?? '',
    urgency: doc.urgency || 'normal',
    dueDate: doc.dueDate ?? '',
  };
}

export const REQUIRED_FIELDS: Array<keyof RegisterFields> = ['notation', 'issuer', 'subject'];

/** Fields left empty that a book line needs. */
export function missingFields(values: RegisterFields): Array<keyof RegisterFields> {
  return REQUIRED_FIELDS.filter((k) => !values[k].trim());
}

/** Only what the clerk changed, NFC and trimmed; an emptied field becomes null. */
export function corrections(original: RegisterFields, values: RegisterFields): Partial<Record<keyof RegisterFields, string | null>> {
  const out: Partial<Record<keyof RegisterFields, string | null>> = {};
  for (const k of Object.keys(original) as Array<keyof RegisterFields>) {
    const v = values[k].normalize('NFC').replace(/\s+/g, ' ').trim();
    if (v !== original[k].normalize('NFC').trim()) out[k] = v === '' ? null : v;
  }
  return out;
}

/** Today's date in Hà Nội (the registry counts deadlines in Vietnamese calendar days, wherever the PC is). */
export function localToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
