/**
 * The registry's mail (notices, receipts, digests) through the one transport (transport.ts), with
 * a row per mail in outbound_mail keyed by what it is about, so a retried job never mails the same
 * thing twice.
 */
import { eq } from 'drizzle-orm';
import type { Config } from '../config/load.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from '../clock.ts';
import type { Mailer } from '../registry/ports.ts';
import { outboundMail } from '../registry/schema.ts';
import { MailTransport } from './transport.ts';

/** `transport`: the process's one MailTransport; a mailer made without one owns (and closes) its own. */
export function createMailer(db: Db, config: Config, clock: Clock, shared?: MailTransport): Mailer {
  const transport = shared ?? new MailTransport(config);
  return {
    async send(mail) {
      const to = [...new Set(mail.to.filter(Boolean).map((a) => a.toLowerCase()))];
      const cc = [...new Set((mail.cc ?? []).filter(Boolean).map((a) => a.toLowerCase()))].filter((a) => !to.includes(a));
      if (!to.length && !cc.length) return 'no-recipient';
      const fresh = await db
        .insert(outboundMail)
        .values({ key: mail.key, recipients: [...to, ...cc], subject: mail.subject, createdAt: clock.now() })
        .onConflictDoNothing()
        .returning({ key: outboundMail.key });
      // A row made just now was never sent; only a key seen before is read (one statement less per mail).
      if (!fresh.length) {
        const [row] = await db.select({ sentAt: outboundMail.sentAt }).from(outboundMail).where(eq(outboundMail.key, mail.key));
        if (row?.sentAt) return 'already-sent';
      }
      try {
        const info = await transport.sendMail({
          from: mail.from ?? config.mail.from,
          // The envelope sender is the From address: bounces of a unit's receipt go back to that unit.
          envelope: mail.from ? { from: mail.from.address, to: [...to, ...cc] } : undefined,
          to,
          cc: cc.length ? cc : undefined,
          subject: mail.subject.normalize('NFC'),
          text: mail.text.normalize('NFC'),
          inReplyTo: mail.inReplyTo ?? undefined,
          replyTo: mail.replyTo ?? undefined,
          references: mail.inReplyTo ?? undefined,
          attachments: mail.attachments,
          icalEvent: mail.calendar ? { method: mail.calendar.method, content: mail.calendar.content, filename: mail.calendar.filename } : undefined,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Vanthu-Key': mail.key },
        });
        await db
          .update(outboundMail)
          .set({ sentAt: clock.now(), messageId: info.messageId ?? null, error: null })
          .where(eq(outboundMail.key, mail.key));
        return 'sent';
      } catch (err) {
        await db
          .update(outboundMail)
          .set({ error: (err as Error).message })
          .where(eq(outboundMail.key, mail.key));
        throw err;
      }
    },
    close: () => {
      if (!shared) transport.close();
    },
  };
}
