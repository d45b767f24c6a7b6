/**
 * smtp — the SMTP listener exactly as gateway/smtp/server.ts builds it (createSmtpListener: the
 * unit address book, size and recipient limits, STARTTLS with the test PKI's certificate), with a
 * null accept in place of durable storage (it reads the DATA stream to the end like the spool and
 * reports MessageTooLargeError past the limit). A real socket on 127.0.0.1: each input is one
 * client session — a pipelined command stream built from the grammar and the corpus messages,
 * mutated, written in chunks, then left with QUIT, a half-close or a reset.
 * Failure: the process dying (an uncaught exception in smtp-server or the listener), a reply line
 * that is not "NNN text", more messages accepted than the client sent CRLF.CRLF terminators (SMTP
 * smuggling), a session or an accept still open after the client has gone, or the server no longer
 * greeting new clients.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { chunks, makeBytes, splitsFor } from '../plan.ts';
import { invariant } from '../failure.ts';
import type { FuzzInput, Target } from './types.ts';

const CLOSES = ['quit', 'quit', 'end', 'reset'] as const;
export const SMTP_LIMITS = { maxMessageBytes: 256 * 1024, maxRecipients: 5, maxClients: 20, socketTimeoutMs: 10_000 };

export const smtp: Target = {
  name: 'smtp',
  summary:
    'the smtp-server listener of gateway/smtp/server.ts on 127.0.0.1 with a null accept; process death, malformed replies, smuggled messages, leaked sessions fail',
  generate(corpus, seed) {
    const bodies = corpus.eml.map((s) => s.bytes);
    const bytes = makeBytes('smtp', seed, [], bodies);
    return { mode: 'session', bytes, splits: splitsFor(seed, bytes.length), close: CLOSES[(seed >>> 6) % CLOSES.length] };
  },
  async start(corpus) {
    const { loadConfig } = await import('../../gateway/config/load.ts');
    const { createSmtpListener, listen } = await import('../../gateway/smtp/server.ts');
    const { MessageTooLargeError } = await import('../../gateway/accept/spool.ts');
    const { silentLogger } = await import('../../gateway/log.ts');
    const dataDir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-smtp-'));
    const config = loadConfig({ VANTHU_DATA_DIR: dataDir } as NodeJS.ProcessEnv);
    Object.assign(config.smtp, SMTP_LIMITS, { tls: { key: corpus.fixtures.pki.signer.key, cert: corpus.fixtures.pki.signer.cert } });
    let accepted = 0;
    let pending = 0;
    const accept = {
      async accept(stream: Readable) {
        pending++;
        try {
          let size = 0;
          for await (const chunk of stream as AsyncIterable<Buffer>) size += chunk.length;
          if (size > config.smtp.maxMessageBytes) throw new MessageTooLargeError(config.smtp.maxMessageBytes);
          accepted++;
          return { id: `fuzz-${accepted}`, duplicate: false };
        } finally {
          pending--;
        }
      },
    };
    const listener = createSmtpListener(config, accept as never, silentLogger);
    // smtp-server resolves every client's address (PTR) through the system resolver: the fuzz
    // sessions must not send thousands of DNS queries off the machine, so it gets a local answer.
    const options = (listener.server as unknown as { options: Record<string, unknown> }).options;
    options.resolver = { reverse: (_ip: string, cb: (err: Error | null, names: string[]) => void) => setImmediate(() => cb(null, ['fuzz-client.invalid'])) };
    const port = await listen(listener, 0, '127.0.0.1');
    const connections = () => (listener.server as unknown as { connections?: Set<unknown> }).connections?.size ?? 0;
    return {
      async run(input) {
        const before = accepted;
        const replies = await session(port, input);
        const text = replies.toString('latin1');
        invariant(/^220[ -]/.test(text), `no 220 greeting: ${JSON.stringify(text.slice(0, 80))}`);
        const lines = text.split('\r\n').slice(0, -1);
        // after a successful STARTTLS the server speaks TLS: only the plaintext part is checked
        const tls = lines.findIndex((l, i) => i > 0 && /^220 /.test(l));
        for (const l of tls > 0 ? lines.slice(0, tls + 1) : lines) invariant(/^[2-5]\d\d([ -]|$)/.test(l), `malformed reply ${JSON.stringify(l.slice(0, 80))}`);
        const sent = Buffer.concat([input.bytes, input.close === 'quit' ? QUIT : Buffer.alloc(0)]);
        const terminators = count(sent, CRLF_DOT_CRLF);
        invariant(accepted - before <= terminators, `${accepted - before} messages accepted from a stream with ${terminators} CRLF.CRLF`);
        // the server must let go of the session and of its DATA stream once the client is gone
        while (connections() > 0 || pending > 0) await new Promise((r) => setTimeout(r, 2));
      },
      async close() {
        const alive = await session(port, { mode: 'session', bytes: Buffer.from('EHLO fuzz\r\n'), close: 'quit' });
        invariant(/^220[^\r]*\r\n250[ -]/.test(alive.toString('latin1')), 'the listener stopped answering');
        await listener.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

const QUIT = Buffer.from('\r\n.\r\nQUIT\r\n');
const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n');

function count(hay: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) n++;
  return n;
}

/** One client session; resolves with every byte the server sent once the connection is closed. */
function session(port: number, input: FuzzInput): Promise<Buffer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let greeted = false;
    let idle: NodeJS.Timeout | null = null;
    const settle = () => {
      if (idle) clearTimeout(idle);
      if (input.close === 'quit') idle = setTimeout(() => sock.end(), 300);
    };
    sock.on('error', () => {});
    sock.on('close', () => {
      if (idle) clearTimeout(idle);
      resolve(Buffer.concat(got));
    });
    sock.on('data', (d) => {
      got.push(d);
      if (!greeted && d.includes('\n')) {
        greeted = true;
        void send();
      } else if (greeted) settle();
    });
    async function send() {
      for (const c of chunks(input.bytes, input.splits)) {
        if (sock.destroyed || !sock.writable) return;
        sock.write(c);
        await new Promise((r) => setImmediate(r));
      }
      if (sock.destroyed) return;
      if (input.close === 'reset') sock.resetAndDestroy();
      else if (input.close === 'end') sock.end();
      else {
        sock.write(QUIT);
        settle();
      }
    }
  });
}
