/**
 * The SMTP listener. Accepts RCPT only for published unit addresses and answers 250 to DATA only
 * after DurableAccept has made the message durable; any storage failure is 451 4.3.0 so the
 * sending MTA keeps the message and retries.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Config, UnitConfig } from '../config.ts';
import { addressBook } from '../config.ts';
import type { Logger } from '../log.ts';
import type { DurableAccept } from '../accept/durable-accept.ts';

export interface SmtpListener {
  server: SMTPServer;
  port(): number;
  close(): Promise<void>;
}

/** An Error carrying the SMTP reply smtp-server sends for it. */
export function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

export function normalizeAddress(address: string): string {
  return address.normalize('NFC').trim().toLowerCase();
}

export function createSmtpListener(config: Config, accept: DurableAccept, log: Logger): SmtpListener {
  const units = addressBook(config);
  const { smtp } = config;
  const tls = smtp.tls ? { key: readFileSync(smtp.tls.key), cert: readFileSync(smtp.tls.cert) } : null;

  const server = new SMTPServer({
    name: smtp.hostname,
    banner: 'vanthu ESMTP',
    size: smtp.maxMessageBytes,
    maxClients: smtp.maxClients,
    socketTimeout: smtp.socketTimeoutMs,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const rcpt = normalizeAddress(address.address);
      if (!units.has(rcpt)) return cb(smtpError(550, `5.1.1 <${address.address}>: không có đơn vị nhận với địa chỉ này (no such unit address)`));
      if (session.envelope.rcptTo.length >= smtp.maxRecipients) return cb(smtpError(452, '4.5.3 Too many recipients'));
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
      const rcptTo = session.envelope.rcptTo.map((r) => normalizeAddress(r.address));
      const unitIds = [...new Set(rcptTo.map((r) => (units.get(r) as UnitConfig).id))];
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
      accept
        .accept(stream, { source: 'smtp', mailFrom: mailFrom || null, rcptTo, unitIds, remoteIp: session.remoteAddress, helo: session.hostNameAppearsAs })
        .then((r) => cb(null, `2.0.0 Ok: queued as ${r.id}${r.duplicate ? ' (duplicate)' : ''}`))
        .catch((err: Error) => {
          if (err.name === 'MessageTooLargeError') return cb(smtpError(552, `5.3.4 Message too big (limit ${smtp.maxMessageBytes} bytes)`));
          log.error({ err: err.message }, 'durable accept failed; answering 451');
          cb(smtpError(451, '4.3.0 Temporary storage failure, try again later'));
        });
    },
  });
  server.on('error', (err) => log.error({ err: err.message }, 'smtp server error'));

  return {
    server,
    port: () => ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

/**
 * Stops listening and ends idle sessions at once (a peer's pooled connection would otherwise hold
 * the shutdown for smtp-server's 30 s close timeout); a session in DATA keeps that grace period,
 * so its message is still answered 250 or 451. A closed session answers 421, which MTAs retry.
 */
function closeServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    type Session = { _dataStream: unknown; _upgrading: boolean; send(code: number, text: string): void; close(): void };
    const connections = (server as unknown as { connections?: Set<Session> }).connections;
    for (const c of connections ?? []) {
      // In DATA: let it finish. Mid-STARTTLS: writing plaintext would break the handshake; the timeout ends it.
      if (c._dataStream || c._upgrading) continue;
      c.send(421, '4.3.2 Server shutting down, try again later');
      c.close();
    }
  });
}

export function listen(listener: SmtpListener, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.server.once('error', reject);
    listener.server.listen(port, host, () => {
      listener.server.off('error', reject);
      resolve(listener.port());
    });
  });
}
