/**
 * A minimal SMTP client for the --big phase: one message per connection, its bytes written to the
 * socket as they are (already CRLF and dot-stuffed, built once). nodemailer transforms every byte
 * it sends (line ends, dot-stuffing) in JavaScript: for 100 × 25 MB on the same two cores as the
 * gateway that made the client, not the gateway, the slow side, and connections then timed out
 * waiting for it.
 */
import { connect } from 'node:net';

export interface RawResult {
  ok: boolean;
  reply: string;
  /** When the reply to the final dot arrived. */
  ackAt: number | null;
}

/** CRLF line ends and a leading dot doubled on every line (RFC 5321 §4.5.2). */
export function smtpData(raw: Buffer): Buffer {
  const s = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(s.endsWith('\r\n') ? s : `${s}\r\n`, 'latin1');
}

export function sendRaw(port: number, from: string, to: string, data: Buffer[], timeoutMs = 900_000): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    let step = 0;
    let done = false;
    const finish = (ok: boolean, reply: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ackAt = ok ? Date.now() : null;
      if (ok) socket.end('QUIT\r\n');
      else socket.destroy();
      resolve({ ok, reply, ackAt });
    };
    const timer = setTimeout(() => finish(false, 'client timeout'), timeoutMs);
    // Commands in order, each sent once the previous reply (of the expected class) arrived.
    const steps: Array<{ expect: string; send: () => void }> = [
      { expect: '220', send: () => socket.write('EHLO bench.vanthu.invalid\r\n') },
      { expect: '250', send: () => socket.write(`MAIL FROM:<${from}>\r\n`) },
      { expect: '250', send: () => socket.write(`RCPT TO:<${to}>\r\n`) },
      { expect: '250', send: () => socket.write('DATA\r\n') },
      {
        expect: '354',
        send: () => {
          for (const part of data) socket.write(part);
          socket.write('.\r\n');
        },
      },
      { expect: '250', send: () => undefined },
    ];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (/^\d{3}-/.test(line)) continue; // a multi-line reply goes on
        const s = steps[step];
        if (!s || !line.startsWith(s.expect)) return finish(false, line);
        step++;
        if (step === steps.length) return finish(true, line);
        s.send();
      }
    });
    socket.on('error', (err) => finish(false, err.message));
    socket.on('close', () => finish(false, 'connection closed'));
  });
}
