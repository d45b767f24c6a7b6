/**
 * The SMTP listener. Accepts RCPT only for published unit addresses and answers 250 to DATA only
 * after DurableAccept has made the message durable; any storage failure is 451 4.3.0 so the
 * sending MTA keeps the message and retries. Connections reach smtp-server through the edge
 * (edge.ts): connection limits, timeouts, a message rate limit and ASCII-only replies.
 */
import { readFileSync } from 'node:fs';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Config, UnitConfig } from '../config/load.ts';
import { addressBook } from '../config/load.ts';
import { recipientLookup } from '../config/act-by-mail.ts';
import type { Logger } from '../log.ts';
import type { DurableAccept } from '../accept/durable-accept.ts';
import { SmtpEdge, smtpError } from './edge.ts';
import { MessageTooLargeError } from '../accept/spool.ts';

export { smtpError };

export interface SmtpListener {
  server: SMTPServer;
  edge: SmtpEdge;
  port(): number;
  close(): Promise<void>;
}

export function normalizeAddress(address: string): string {
  return address.normalize('NFC').trim().toLowerCase();
}

/** Socket errors that only mean the client went away. */
const QUIET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNECTION', 'ERR_STREAM_PREMATURE_CLOSE']);

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code) return e.code;
  }
  return undefined;
}

export function createSmtpListener(config: Config, accept: DurableAccept, log: Logger): SmtpListener {
  // Published unit addresses, and reply addresses act+<token>@<unit domain> (docs/act-by-email.md).
  const unitOf = recipientLookup(config, addressBook(config));
  const { smtp } = config;
  const tls = smtp.tls ? { key: readFileSync(smtp.tls.key), cert: readFileSync(smtp.tls.cert) } : null;
  let edge: SmtpEdge;

  const server = new SMTPServer({
    name: smtp.hostname,
    banner: 'vanthu ESMTP',
    size: smtp.maxMessageBytes,
    maxClients: smtp.maxClients, // the edge refuses first; this is smtp-server's own backstop
    socketTimeout: smtp.socketTimeoutMs,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    onMailFrom(_address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      cb(edge.admitMessage(session));
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const rcpt = normalizeAddress(address.address);
      // Vietnamese is kept only for a client that negotiated SMTPUTF8; the edge folds it to ASCII for the others.
      if (!unitOf(rcpt)) return cb(smtpError(550, `5.1.1 <${address.address}>: không có đơn vị nhận với địa chỉ này (no such unit address)`));
      if (session.envelope.rcptTo.length >= smtp.maxRecipients) return cb(smtpError(452, '4.5.3 Too many recipients'));
      edge.progress(session);
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
      const rcptTo = session.envelope.rcptTo.map((r) => normalizeAddress(r.address));
      const unitIds = [...new Set(rcptTo.map((r) => (unitOf(r) as UnitConfig).id))];
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
      edge.dataStarted(session, stream);
      accept
        .accept(stream, { source: 'smtp', mailFrom: mailFrom || null, rcptTo, unitIds, remoteIp: session.remoteAddress, helo: session.hostNameAppearsAs })
        .then((r) => cb(null, `2.0.0 Ok: queued as ${r.id}${r.duplicate ? ' (duplicate)' : ''}`))
        .catch((err: Error) => {
          if (err instanceof MessageTooLargeError) return cb(smtpError(552, `5.3.4 Message too big (limit ${smtp.maxMessageBytes} bytes)`));
          if (QUIET_ERRORS.has(errorCode(err) ?? '')) log.info({ ip: session.remoteAddress }, 'client left before the end of DATA; nothing stored');
          else log.error({ err: err.message }, 'durable accept failed; answering 451');
          cb(smtpError(451, '4.3.0 Temporary storage failure, try again later'));
        })
        .finally(() => edge.dataFinished(session));
    },
    onSecure(_socket, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      cb(edge.secured(session));
    },
    onClose(session: SMTPServerSession) {
      edge.closed(session);
    },
  });
  edge = new SmtpEdge(server, smtp, log);
  server.on('error', (err: Error & { code?: string }) => {
    if (QUIET_ERRORS.has(err.code ?? '')) log.info({ err: err.message }, 'smtp client connection error');
    else log.error({ err: err.message }, 'smtp server error');
  });

  return {
    server,
    edge,
    port: () => edge.port(),
    close: () => edge.close(),
  };
}

export function listen(listener: SmtpListener, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const tcp = listener.edge.listener;
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve(listener.port());
    });
  });
}
