/**
 * Everything the pane asks of Outlook goes through this module (Office.js, loaded by taskpane.html
 * from Microsoft's CDN). Tests serve a test double of the mailbox in place of Office.js, so this is
 * exactly the surface the double has to provide.
 */
import { buildMime, type MimeSource } from './mime.ts';

interface AsyncResult<T> {
  status: 'succeeded' | 'failed';
  value: T;
  error?: { message: string; code?: number };
}
type Callback<T> = (r: AsyncResult<T>) => void;

interface EmailAddress {
  displayName: string;
  emailAddress: string;
}
interface AttachmentDetails {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  attachmentType: string;
}
interface OfficeItem {
  itemType: string;
  internetMessageId?: string;
  subject: string | { getAsync(cb: Callback<string>): void };
  from?: EmailAddress;
  /** Read forms: the addresses; compose forms: an object with getAsync. */
  to?: EmailAddress[] | { getAsync?(cb: Callback<EmailAddress[]>): void };
  cc?: EmailAddress[] | object;
  dateTimeCreated?: Date;
  attachments?: AttachmentDetails[];
  body: { getAsync(format: 'text', cb: Callback<string>): void };
  getAsFileAsync?(cb: Callback<string>): void;
  getAttachmentContentAsync?(id: string, cb: Callback<{ format: string; content: string }>): void;
  /** Compose forms (Mailbox 1.8): the attachments of the draft. */
  getAttachmentsAsync?(cb: Callback<AttachmentDetails[]>): void;
}
interface OfficeGlobal {
  onReady(): Promise<{ host: string | null; platform: string | null }>;
  context: {
    displayLanguage: string;
    requirements: { isSetSupported(name: string, version: string): boolean };
    roamingSettings?: { get(name: string): unknown; set(name: string, value: unknown): void; remove(name: string): void; saveAsync(cb?: Callback<void>): void };
    mailbox: {
      item: OfficeItem | null;
      userProfile?: { emailAddress: string; displayName: string };
      addHandlerAsync?(type: string, handler: () => void, cb?: Callback<void>): void;
    };
  };
  EventType?: { ItemChanged: string };
}

declare global {
  interface Window {
    Office?: OfficeGlobal;
  }
}

export type PaneMode = 'read' | 'compose' | 'none';

export interface HostInfo {
  inOutlook: boolean;
  displayLanguage: string;
  userEmail: string | null;
}

/** The message being read, as far as the pane needs it. */
export interface ReadItem {
  internetMessageId: string | null;
  subject: string;
  from: string | null;
  date: string | null;
}

export class HostError extends Error {}

const office = (): OfficeGlobal | undefined => window.Office;

function call<T>(start: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    start((r) => (r.status === 'succeeded' ? resolve(r.value) : reject(new HostError(r.error?.message ?? 'Outlook refused the request')))),
  );
}

/** Waits for Office.js (a few seconds at most: outside Outlook it never becomes ready). */
export async function hostReady(timeoutMs = 8000): Promise<HostInfo> {
  const o = office();
  const fallback: HostInfo = { inOutlook: false, displayLanguage: navigator.language || 'vi-VN', userEmail: null };
  if (!o) return fallback;
  const ready = await Promise.race([o.onReady(), new Promise<null>((r) => setTimeout(() => r(null), timeoutMs))]);
  if (!ready || !o.context?.mailbox) return { ...fallback, displayLanguage: o.context?.displayLanguage ?? fallback.displayLanguage };
  return {
    inOutlook: true,
    displayLanguage: o.context.displayLanguage || fallback.displayLanguage,
    userEmail: o.context.mailbox.userProfile?.emailAddress ?? null,
  };
}

export function paneMode(): PaneMode {
  const item = office()?.context?.mailbox?.item;
  if (!item) return 'none';
  // In compose forms subject is an object with getAsync; in read forms it is the string itself.
  return typeof item.subject === 'string' ? 'read' : 'compose';
}

export function readItem(): ReadItem | null {
  const item = office()?.context?.mailbox?.item;
  if (!item || typeof item.subject !== 'string') return null;
  return {
    internetMessageId: item.internetMessageId || null,
    subject: item.subject,
    from: item.from?.emailAddress ?? null,
    date: item.dateTimeCreated ? new Date(item.dateTimeCreated).toISOString() : null,
  };
}

export function supports(version: string): boolean {
  return office()?.context?.requirements?.isSetSupported('Mailbox', version) ?? false;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The current message as MIME: the item's own file on Mailbox 1.14, else a message rebuilt from
 * its properties, body and attachments (the Message-ID still identifies it; the hash will differ).
 */
export async function currentMime(): Promise<{ raw: Uint8Array; rebuilt: boolean }> {
  const item = office()?.context?.mailbox?.item;
  if (!item || typeof item.subject !== 'string') throw new HostError('no message is open');
  if (supports('1.14') && item.getAsFileAsync) {
    return { raw: base64ToBytes(await call<string>((cb) => item.getAsFileAsync!(cb))), rebuilt: false };
  }
  const text = await call<string>((cb) => item.body.getAsync('text', cb));
  const source: MimeSource = {
    messageId: item.internetMessageId ?? null,
    subject: item.subject,
    from: item.from ? { name: item.from.displayName, address: item.from.emailAddress } : null,
    to: Array.isArray(item.to) ? item.to.map((a) => ({ name: a.displayName, address: a.emailAddress })) : [],
    cc: Array.isArray(item.cc) ? item.cc.map((a) => ({ name: a.displayName, address: a.emailAddress })) : [],
    date: item.dateTimeCreated ? new Date(item.dateTimeCreated) : null,
    text,
    attachments: [],
  };
  if (supports('1.8') && item.getAttachmentContentAsync) {
    for (const a of item.attachments ?? []) {
      if (a.attachmentType !== 'file') continue;
      const c = await call<{ format: string; content: string }>((cb) => item.getAttachmentContentAsync!(a.id, cb));
      if (c.format === 'base64') source.attachments.push({ name: a.name, contentType: a.contentType, base64: c.content });
    }
  }
  return { raw: new TextEncoder().encode(buildMime(source)), rebuilt: true };
}

/** Calls back when a pinned pane moves to another message (Mailbox 1.5). */
export function onItemChanged(handler: () => void): void {
  const o = office();
  if (o?.context?.mailbox?.addHandlerAsync && o.EventType && supports('1.5')) o.context.mailbox.addHandlerAsync(o.EventType.ItemChanged, handler);
}

/** Per-user settings: Office roaming settings (follow the mailbox), else this browser's storage. */
export const settings = {
  get(name: string): string | null {
    const rs = office()?.context?.roamingSettings;
    const v = rs ? rs.get(name) : localStorage.getItem(`vanthu.${name}`);
    return typeof v === 'string' ? v : null;
  },
  async set(name: string, value: string | null): Promise<void> {
    const rs = office()?.context?.roamingSettings;
    if (!rs) {
      if (value === null) localStorage.removeItem(`vanthu.${name}`);
      else localStorage.setItem(`vanthu.${name}`, value);
      return;
    }
    if (value === null) rs.remove(name);
    else rs.set(name, value);
    await call<void>((cb) => rs.saveAsync(cb));
  },
};

/** A draft to send for issuance: what Outlook holds for the message being composed (or the one selected). */
export interface Draft {
  subject: string;
  /** Recipients as addresses (a name when Outlook has no address for one). */
  to: string[];
  /** File attachments (inline images and attached messages left out). */
  attachments: Array<{ id: string; name: string; contentType: string; size: number }>;
  /** False when this Outlook cannot hand attachments to an add-in (before Mailbox 1.8). */
  canReadAttachments: boolean;
}

const addressOf = (a: EmailAddress) => a.emailAddress || a.displayName;

/** The draft being composed, or the message selected in a read form; null without an item. */
export async function readDraft(): Promise<Draft | null> {
  const item = office()?.context?.mailbox?.item;
  if (!item) return null;
  const files = (list: AttachmentDetails[] | undefined) =>
    (list ?? [])
      .filter((a) => a.attachmentType === 'file' && !a.isInline)
      .map((a) => ({ id: a.id, name: a.name, contentType: a.contentType || 'application/octet-stream', size: a.size }));
  const canReadAttachments = supports('1.8') && Boolean(item.getAttachmentContentAsync);
  if (typeof item.subject === 'string') {
    return { subject: item.subject, to: Array.isArray(item.to) ? item.to.map(addressOf) : [], attachments: files(item.attachments), canReadAttachments };
  }
  const subjectField = item.subject;
  const toField = Array.isArray(item.to) ? null : item.to;
  const [subject, to, attachments] = await Promise.all([
    call<string>((cb) => subjectField.getAsync(cb)),
    toField?.getAsync ? call<EmailAddress[]>((cb) => toField.getAsync!(cb)) : Promise.resolve([] as EmailAddress[]),
    canReadAttachments && item.getAttachmentsAsync ? call<AttachmentDetails[]>((cb) => item.getAttachmentsAsync!(cb)) : Promise.resolve([]),
  ]);
  return { subject, to: to.map(addressOf), attachments: files(attachments), canReadAttachments };
}

/** One attachment of the current item, base64 (Mailbox 1.8). */
export async function attachmentBase64(id: string): Promise<string> {
  const item = office()?.context?.mailbox?.item;
  if (!item?.getAttachmentContentAsync) throw new HostError('this Outlook cannot read attachments (Mailbox 1.8 needed)');
  const c = await call<{ format: string; content: string }>((cb) => item.getAttachmentContentAsync!(id, cb));
  if (c.format !== 'base64') throw new HostError(`attachment ${id} is not a file (${c.format})`);
  return c.content;
}
