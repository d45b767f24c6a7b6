/**
 * What the domain needs from the outside and owns the shape of (docs/architecture.md, "Ports"):
 * the adapters (gateway/notify/) and the pipeline (gateway/workers/) implement these, and the
 * composition root (gateway/app.ts) hands the implementations in. Nothing here imports upward.
 */

/** A notice, receipt or digest the registry sends. */
export interface OutgoingMail {
  /** What the mail is about, e.g. "receipt:<document id>": sent at most once. */
  key: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  inReplyTo?: string | null;
  /** Where replies go: act+<token>@<unit domain> for notices one can act on by replying (docs/act-by-email.md). */
  replyTo?: string | null;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }>;
  /** An iTIP calendar object (a meeting invitation): sent as the text/calendar alternative part with its method, as mail clients expect. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string; filename?: string } | null;
  /** From and envelope sender when a unit answers as itself (a receipt comes from the address the document came to); else `mail.from`. */
  from?: { name: string; address: string } | null;
}

/** Sends the registry's mail, at most once per key. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<'sent' | 'already-sent' | 'no-recipient'>;
  close(): void;
}

/** Hands one signed outgoing message to one recipient's mail server. */
export interface Deliverer {
  /** `local`: the recipient is a unit of this gateway and the message is stored in its incoming pipeline (that row's id). */
  deliver(raw: Buffer, from: string, recipient: string): Promise<{ response: string; local?: { inboundId: string } }>;
  /** True when retrying cannot help (the remote server answered 5xx, the domain does not exist). */
  isPermanent(err: unknown): boolean;
}
