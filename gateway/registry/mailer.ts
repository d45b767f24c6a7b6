/**
 * The one way the registry sends mail: one nodemailer transport from config (`mail.transport`:
 * a smarthost, or direct delivery to each recipient domain's MX), and a row per mail in
 * outbound_mail keyed by what it is about, so a retried job never mails the same thing twice.
 */
import { resolveMx } from 'node:dns/promises';
import { eq } from 'drizzle-orm';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from '../clock.ts';
import { outboundMail } from './schema.ts';

export interface OutgoingMail {
  /** What the mail is about, e.g. "receipt:<document id>": sent at most once. */
  key: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  inReplyTo?: string | null;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<'sent' | 'already-sent' | 'no-recipient'>;
  close(): void;
}

type Send = (message: SendMailOptions) => Promise<{ messageId?: string }>;

function transportFor(config: Config): { send: Send; close(): void } {
  const t = config.mail.transport;
  if (t.kind === 'smarthost') {
    const tr: Transporter = nodemailer.createTransport({
      host: t.host,
      port: t.port,
      secure: t.secure,
      requireTLS: t.requireTls,
      ignoreTLS: !t.secure && !t.requireTls && ['127.0.0.1', 'localhost', '::1'].includes(t.host),
      auth: t.user ? { user: t.user, pass: t.pass ?? '' } : undefined,
      pool: true,
      maxConnections: 2,
    } as never);
    return { send: (m) => tr.sendMail(m), close: () => tr.close() };
  }
  // Direct: one delivery per recipient domain, to its best MX (RFC 5321 §5.1), opportunistic STARTTLS.
  return {
    async send(m) {
      const all = [...((m.to as string[]) ?? []), ...((m.cc as string[]) ?? [])];
      const byDomain = new Map<string, string[]>();
      for (const a of all) byDomain.set(a.split('@')[1]!.toLowerCase(), [...(byDomain.get(a.split('@')[1]!.toLowerCase()) ?? []), a]);
      let messageId: string | undefined;
      for (const [domain, rcpts] of byDomain) {
        const mx = await resolveMx(domain).catch(() => []);
        const host = mx.sort((a, b) => a.priority - b.priority)[0]?.exchange ?? domain;
        const tr = nodemailer.createTransport({ host, port: t.port, secure: false, name: config.smtp.hostname, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 120_000 } as never);
        try {
          messageId = (await tr.sendMail({ ...m, envelope: { from: config.mail.from, to: rcpts } })).messageId;
        } finally {
          tr.close();
        }
      }
      return { messageId };
    },
    close: () => undefined,
  };
}

export function createMailer(db: Db, config: Config, clock: Clock): Mailer {
  const transport = transportFor(config);
  return {
    async send(mail) {
      const to = [...new Set(mail.to.filter(Boolean).map((a) => a.toLowerCase()))];
      const cc = [...new Set((mail.cc ?? []).filter(Boolean).map((a) => a.toLowerCase()))].filter((a) => !to.includes(a));
      if (!to.length && !cc.length) return 'no-recipient';
      await db.insert(outboundMail).values({ key: mail.key, recipients: [...to, ...cc], subject: mail.subject, createdAt: clock.now() }).onConflictDoNothing();
      const [row] = await db.select().from(outboundMail).where(eq(outboundMail.key, mail.key));
      if (row?.sentAt) return 'already-sent';
      try {
        const info = await transport.send({
          from: config.mail.from,
          to,
          cc: cc.length ? cc : undefined,
          subject: mail.subject.normalize('NFC'),
          text: mail.text.normalize('NFC'),
          inReplyTo: mail.inReplyTo ?? undefined,
          references: mail.inReplyTo ?? undefined,
          attachments: mail.attachments,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Vanthu-Key': mail.key },
        });
        await db.update(outboundMail).set({ sentAt: clock.now(), messageId: info.messageId ?? null, error: null }).where(eq(outboundMail.key, mail.key));
        return 'sent';
      } catch (err) {
        await db.update(outboundMail).set({ error: (err as Error).message }).where(eq(outboundMail.key, mail.key));
        throw err;
      }
    },
    close: () => transport.close(),
  };
}
