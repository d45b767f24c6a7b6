/**
 * Local delivery (issue 18): mail for a unit this gateway serves never leaves the process. An
 * outgoing document from unit A to unit B on the same gateway, B's receipt back to A and any
 * notice to a unit address go straight into the recipient unit's incoming pipeline through the
 * same durable accept as SMTP (spool, journal fsync, row committed before the answer), so they get
 * the same parsing, registration and receipts — without DNS and without a loop through port 25.
 * Everything else goes on through MailTransport (smarthost or MX) as before. `mail.localDelivery`
 * turns it on or off; by default it is on with `direct` delivery (the gateway is its units' MX, so
 * their mail would come back to it anyway) and off with a smarthost (the relay decides where a
 * unit's mail goes, e.g. to a mailbox the gateway polls over IMAP, where people read it too).
 *
 * A process without the accept (role "worker") hands local mail to the gateway's own SMTP
 * listener (`smtp.host`:`smtp.port`), still without DNS.
 */
import { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { AcceptEnvelope, AcceptResult } from '../accept/durable-accept.ts';
import { MessageTooLargeError } from '../accept/spool.ts';
import { recipientLookup } from '../config/act-by-mail.ts';
import { addressBook, type Config, type UnitConfig } from '../config/load.ts';
import { type DeliveryResult, envelopeSender, MailTransport } from './transport.ts';

/** What local delivery needs of the durable accept (gateway/accept/durable-accept.ts). */
export interface LocalInbox {
  accept(stream: Readable, envelope: AcceptEnvelope): Promise<AcceptResult>;
}

type MxLookup = ConstructorParameters<typeof MailTransport>[1];

const normalize = (a: string) => a.normalize('NFC').trim().toLowerCase();

const failure = (message: string, responseCode?: number) => Object.assign(new Error(message), responseCode ? { responseCode } : {});

export class LocalFirstTransport extends MailTransport {
  private inbox: LocalInbox | null = null;
  private readonly unitOf: (address: string) => UnitConfig | undefined;

  constructor(
    private readonly cfg: Config,
    lookup?: MxLookup,
  ) {
    super(cfg, lookup);
    this.unitOf = recipientLookup(cfg, addressBook(cfg));
  }

  /** The gateway's durable accept, once it exists (gateway/app.ts); without it local mail goes to the own SMTP listener. */
  attach(inbox: LocalInbox | null): void {
    this.inbox = inbox;
  }

  /** The unit this gateway serves at `address`, if any, when local delivery is on (`mail.localDelivery`). */
  localUnit(address: string): UnitConfig | undefined {
    const on = this.cfg.mail.localDelivery ?? this.cfg.mail.transport.kind === 'direct';
    return on ? this.unitOf(normalize(address)) : undefined;
  }

  override async deliver(raw: Buffer, from: string, recipient: string): Promise<DeliveryResult> {
    if (!this.localUnit(recipient)) return super.deliver(raw, from, recipient);
    return this.toLocal(raw, from, [recipient]);
  }

  override async sendMail(message: SendMailOptions & { to: string[]; cc?: string[] }): Promise<{ messageId?: string }> {
    const all = [...message.to, ...(message.cc ?? [])];
    const local = all.filter((a) => this.localUnit(a));
    if (!local.length) return super.sendMail(message);
    // One composed message: the local recipients get it from the accept, the others as raw bytes.
    const mail = new MailComposer({ ...message, bcc: undefined }).compile();
    mail.keepBcc = false;
    const raw = await mail.build();
    const from = envelopeSender(message, this.cfg.mail.from);
    await this.toLocal(raw, from, local);
    for (const rcpt of all.filter((a) => !this.localUnit(a))) await super.deliver(raw, from, rcpt);
    return { messageId: mail.messageId() };
  }

  private async toLocal(raw: Buffer, from: string, recipients: string[]): Promise<DeliveryResult> {
    const rcptTo = recipients.map(normalize);
    if (!this.inbox) return this.viaOwnListener(raw, from, rcptTo);
    const unitIds = [...new Set(rcptTo.map((r) => (this.localUnit(r) as UnitConfig).id))];
    try {
      const res = await this.inbox.accept(Readable.from([raw]), {
        source: 'local',
        mailFrom: from || null,
        rcptTo,
        unitIds,
        remoteIp: null,
        helo: this.cfg.smtp.hostname,
      });
      return { response: `250 2.0.0 local delivery: queued as ${res.id}${res.duplicate ? ' (duplicate)' : ''}`, local: { inboundId: res.id } };
    } catch (err) {
      if (err instanceof MessageTooLargeError) throw failure(`552 5.3.4 ${err.message}`, 552);
      throw err; // storage failure: temporary, the delivery is retried
    }
  }

  private async viaOwnListener(raw: Buffer, from: string, rcptTo: string[]): Promise<DeliveryResult> {
    const host = ['0.0.0.0', '::', ''].includes(this.cfg.smtp.host) ? '127.0.0.1' : this.cfg.smtp.host;
    const tr = nodemailer.createTransport({
      host,
      port: this.cfg.smtp.port,
      secure: false,
      opportunisticTLS: true,
      tls: { rejectUnauthorized: false },
    } as never);
    try {
      const info = await tr.sendMail({ envelope: { from, to: rcptTo }, raw });
      return { response: String(info.response ?? '') };
    } finally {
      tr.close();
    }
  }
}
