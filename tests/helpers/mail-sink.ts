/** Test SMTP sinks (smtp-server on a free loopback port): one keeps every message parsed, one keeps the raw bytes. */
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface SunkMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Map<string, unknown>;
  attachments: Array<{ filename: string | undefined; content: Buffer }>;
}

export interface MailSink {
  port: number;
  mails: SunkMail[];
  to(address: string): SunkMail[];
  close(): Promise<void>;
}

/** An smtp-server without TLS or authentication on a free loopback port, handing each message to `onData`. */
async function serve(onData: NonNullable<SMTPServerOptions['onData']>): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function startMailSink(): Promise<MailSink> {
  const mails: SunkMail[] = [];
  const { port, close } = await serve((stream, session, done) => {
    simpleParser(stream)
      .then((m) => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: m.subject ?? '',
          text: m.text ?? '',
          headers: m.headers as Map<string, unknown>,
          attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content })),
        });
        done();
      })
      .catch((err: Error) => done(err));
  });
  return { port, mails, to: (address) => mails.filter((m) => m.to.includes(address.toLowerCase())), close };
}

/** A message as a raw sink received it: the envelope recipients (lower-cased) and its bytes, unparsed. */
export interface RawMail {
  to: string[];
  raw: Buffer;
}

export interface RawSink {
  port: number;
  received: RawMail[];
  close(): Promise<void>;
}

/**
 * An SMTP server (smtp-server on a free loopback port) that keeps each message's bytes as they came
 * — the smarthost or next hop of a test — and answers `250 2.0.0 Ok: queued as <queuedAs><n>`.
 */
export async function startRawSink(opts: { queuedAs?: string } = {}): Promise<RawSink> {
  const received: RawMail[] = [];
  const { port, close } = await serve((stream, session, done) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks) });
      done(null, `2.0.0 Ok: queued as ${opts.queuedAs ?? 'SINK'}${received.length}`);
    });
  });
  return { port, received, close };
}
