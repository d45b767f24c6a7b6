/**
 * A raw SMTP client for edge tests: binds to a chosen loopback address (127.0.0.2, 127.0.0.3, ...
 * stand for distinct client IPs), keeps every byte the server sent, and waits for whole replies or
 * for the server to close the connection. Nothing here measures time: waits end on an event.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

export class RawSmtpClient {
  /** Every byte received, as received. */
  readonly received: Buffer[] = [];
  /** Whole replies, lines joined with "\n" (bytes read as latin1, one character per byte). */
  readonly replies: string[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private pending = '';
  private lines: string[] = [];
  private taken = 0;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received.push(d);
      this.pending += d.toString('latin1');
      let i;
      while ((i = this.pending.indexOf('\r\n')) >= 0) {
        const line = this.pending.slice(0, i);
        this.pending = this.pending.slice(i + 2);
        this.lines.push(line);
        if (/^\d{3}(?: |$)/.test(line)) {
          this.replies.push(this.lines.join('\n'));
          this.lines = [];
        }
      }
      this.notify();
    });
    socket.on('error', () => undefined); // a reset by the server shows as a close
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.notify();
        resolve();
      }),
    );
  }

  static open(port: number, localAddress = '127.0.0.1'): Promise<RawSmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawSmtpClient(socket));
      });
    });
  }

  /** Opens a connection and reads the greeting. */
  static async greeted(port: number, localAddress = '127.0.0.1'): Promise<RawSmtpClient> {
    const c = await RawSmtpClient.open(port, localAddress);
    const greeting = await c.reply();
    if (!greeting.startsWith('220 ')) throw new Error(`no greeting: ${greeting}`);
    return c;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** The next reply not returned yet; rejects if the connection closes first. */
  async reply(): Promise<string> {
    while (this.taken >= this.replies.length) {
      if (this.isClosed) throw new Error(`connection closed; replies so far: ${JSON.stringify(this.replies)}`);
      await new Promise<void>((r) => (this.wake = r));
    }
    return this.replies[this.taken++];
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Sends one command line and returns its reply. */
  async command(line: string | Buffer): Promise<string> {
    this.write(typeof line === 'string' ? `${line}\r\n` : Buffer.concat([line, Buffer.from('\r\n')]));
    return this.reply();
  }

  /** Runs MAIL, RCPT and DATA and sends the message; returns the final reply. */
  async send(from: string, to: string, message: string, mailParams = ''): Promise<string> {
    const mail = await this.command(`MAIL FROM:<${from}>${mailParams}`);
    if (!mail.startsWith('250')) return mail;
    const rcpt = await this.command(`RCPT TO:<${to}>`);
    if (!rcpt.startsWith('250')) return rcpt;
    const data = await this.command('DATA');
    if (!data.startsWith('354')) return data;
    return this.command(`${message.replace(/\r\n\./g, '\r\n..')}\r\n.`);
  }

  /** STARTTLS, then the TLS handshake (any certificate): returns the client speaking over TLS. */
  async startTls(): Promise<RawSmtpClient> {
    const ready = await this.command('STARTTLS');
    if (!ready.startsWith('220 ')) throw new Error(`STARTTLS refused: ${ready}`);
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    return new RawSmtpClient(secure);
  }

  /** All bytes received so far. */
  bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Writes `chunks` one at a time, `everyMs` apart, until they run out or the connection closes. */
export async function dribble(client: RawSmtpClient, chunks: Iterable<string>, everyMs: number): Promise<void> {
  for (const chunk of chunks) {
    if (client.isClosed) return;
    client.write(chunk);
    await Promise.race([new Promise((r) => setTimeout(r, everyMs)), client.closed]);
  }
}

/** An endless supply of `text`, one character at a time. */
export function* forever(text: string): Generator<string> {
  for (;;) yield* text;
}
