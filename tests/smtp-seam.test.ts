/**
 * The contract gateway/smtp/connection-seam.ts relies on, checked against the installed
 * smtp-server on a bare server (no gateway): if an upgrade of the library changes how a session's
 * connection is found, how replies are written or how a 421 closes a session, this fails.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { attach, type SessionHandle } from '../gateway/smtp/connection-seam.ts';
import { RawSmtpClient } from './helpers/smtp-client.ts';

interface Harness {
  port: number;
  handles: SessionHandle[];
  seen: Array<{ code: number; lines: string[] }>;
  close(): Promise<void>;
}

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** smtp-server fed by our own listener through the seam; every reply is tagged by the filter. */
async function start(options: SMTPServerOptions = {}): Promise<Harness> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true, ...options });
  server.on('error', () => undefined);
  const handles: SessionHandle[] = [];
  const seen: Harness['seen'] = [];
  let n = 0;
  const listener = net.createServer((socket) => {
    handles.push(
      attach(server, socket, `seam${n++}`, (code, lines) => {
        seen.push({ code, lines });
        return lines.map((l) => `${l} [seen]`);
      }),
    );
  });
  const port = await new Promise<number>((resolve) => listener.listen(0, '127.0.0.1', () => resolve((listener.address() as net.AddressInfo).port)));
  harness = {
    port,
    handles,
    seen,
    close: async () => {
      for (const h of handles) h.closeWith421('shutting down');
      await new Promise<void>((r) => listener.close(() => r()));
    },
  };
  return harness;
}

describe('smtp-server seam (gateway/smtp/connection-seam.ts)', () => {
  it('finds the session by our id: the same session object the handlers get', async () => {
    let handlerSession: SMTPServerSession | null = null;
    const h = await start({
      onMailFrom(_a, session, cb) {
        handlerSession = session;
        cb();
      },
    });
    const c = await RawSmtpClient.greeted(h.port);
    await c.command('EHLO seam.example');
    await c.command('MAIL FROM:<a@b.example>');
    expect(h.handles[0].id).toBe('seam0');
    expect(h.handles[0].session.id).toBe('seam0');
    expect(handlerSession).toBe(h.handles[0].session);
    expect(h.handles[0].session.envelope.mailFrom).toMatchObject({ address: 'a@b.example' });
    c.destroy();
  });

  it('passes every reply line through the filter, the library’s own replies included', async () => {
    const h = await start({
      size: 1000,
      socketTimeout: 300,
      onData(stream, _s, cb) {
        stream.on('end', () => cb(null, 'queued'));
        stream.resume();
      },
    });
    const c = await RawSmtpClient.greeted(h.port);
    await c.command('EHLO seam.example'); // multi-line
    await c.command('RCPT TO:<x@y.example>'); // 503 need MAIL
    await c.command('BOGUS'); // 500
    await c.command('MAIL FROM:<a@b.example> X=1 X=2'); // 501 duplicate
    await c.command('MAIL FROM:<a@b.example> SIZE=5000'); // 552
    await c.command('MAIL FROM:<a@b.example>');
    await c.command('RCPT TO:<x@y.example>');
    await c.command('DATA'); // 354
    await c.command('Subject: x\r\n\r\nbody\r\n.'); // 250 queued
    await c.command('NOOP');
    await c.closed; // the idle timeout's 421
    const lines = c.replies.flatMap((r) => r.split('\n'));
    expect(lines.length).toBeGreaterThan(15);
    for (const line of lines) expect(line).toMatch(/ \[seen\]$/);
    expect(c.replies.at(-1)).toMatch(/^421 /);
    expect(h.seen.map((s) => s.code)).toEqual([220, 250, 503, 500, 501, 552, 250, 250, 354, 250, 250, 421]);
  });

  it('closeWith421 sends the 421 and closes the connection, and ends a DATA stream in progress', async () => {
    const got: { stream?: SMTPServerDataStream; closed?: SMTPServerSession } = {};
    const h = await start({
      onData(s, _session, cb) {
        got.stream = s;
        s.on('error', () => undefined);
        s.resume();
        s.on('end', () => cb());
      },
      onClose(session) {
        got.closed = session;
      },
    });
    const c = await RawSmtpClient.greeted(h.port);
    await c.command('EHLO seam.example');
    await c.command('MAIL FROM:<a@b.example>');
    await c.command('RCPT TO:<x@y.example>');
    expect(await c.command('DATA')).toMatch(/^354/);
    c.write('Subject: half\r\n');
    while (!got.stream) await new Promise((r) => setTimeout(r, 10));
    const stream = got.stream;
    const ended = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    h.handles[0].closeWith421('4.4.2 test timeout');
    expect(await c.reply()).toBe('421 4.4.2 test timeout [seen]');
    await c.closed;
    await ended;
    expect(stream.readableEnded).toBe(false); // destroyed, not ended: the message was incomplete
    while (!got.closed) await new Promise((r) => setTimeout(r, 10));
    expect(got.closed).toBe(h.handles[0].session);
  });
});
