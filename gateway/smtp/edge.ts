/**
 * The SMTP edge: what stands between the network and smtp-server so that slow and greedy clients
 * cannot starve everyone else (docs/security-smtp.md describes each limit and the reply it gives).
 *
 * vanthu accepts the TCP connections itself and hands each one to smtp-server with its documented
 * `connect(socket)`. Before that it applies the connection limits — all connections together
 * (`smtp.maxClients`) and per client address (`smtp.perIp.maxConnections`; an IPv6 /64 counts as one
 * address) — answering `421` and closing when one is reached. Afterwards it keeps three clocks per
 * session beside smtp-server's own idle timeout (`smtp.socketTimeoutMs`):
 *   - progress (`smtp.commandTimeoutMs`): from the greeting, and after each accepted MAIL FROM, RCPT TO
 *     or message, the client must get its next one accepted within this time. Bytes trickled in
 *     slowly, NOOPs and RSETs reset the idle timeout but not this one, so a slowloris client that
 *     dribbles a command line (or loops on NOOP) is closed.
 *   - DATA (`smtp.dataTimeoutMs`): from the 354 reply to the final dot. Its clock does not run while
 *     the gateway itself holds the client back (back-pressure from the accept), nor after the dot.
 *   - a message token bucket per client address (`smtp.perIp.messagesPerMinute`, `messageBurst`),
 *     taken at MAIL FROM; an empty bucket answers `450 4.7.0`.
 * Relays (`smtp.relays.addresses`: a front MTA on this host, a provincial relay) get their own,
 * larger, limits. Every reply passes through an ASCII filter unless the client negotiated SMTPUTF8.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import { attach, type SessionHandle } from './connection-seam.ts';
import { AddressList, ConnectionCounts, TokenBuckets, asciiText, clientKey, isAscii, plainAddress } from './limits.ts';

type SmtpConfig = Config['smtp'];

/** How long sessions still in DATA get to finish when the gateway shuts down. */
const CLOSE_GRACE_MS = 30_000;
/** How long a refused connection may stay open for its 421 to be read. */
const REFUSE_LINGER_MS = 1000;

/** An Error carrying the SMTP reply smtp-server sends for it. */
export function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

interface EdgeSession {
  handle: SessionHandle | null;
  ip: string;
  key: string;
  relay: boolean;
  release: () => void;
  /** When the session last made progress (performance.now()); the timer checks it lazily. */
  progressAt: number;
  progressTimer: NodeJS.Timeout | null;
  dataTimer: NodeJS.Timeout | null;
  data: SMTPServerDataStream | null;
  greeted: boolean;
  upgrading: boolean;
  /** Replies since the last progress; past `maxCommandsWithoutProgress` the session is ended. */
  replies: number;
  ending: boolean;
  endedForCommands: boolean;
}

const seconds = (ms: number) => `${ms / 1000} s`;

export class SmtpEdge {
  /** The listening socket: vanthu's own, each accepted connection goes to smtp-server after the limits. */
  readonly listener: net.Server;
  private readonly sessions = new Map<string, EdgeSession>();
  private readonly counts = new ConnectionCounts();
  private readonly relays: AddressList;
  private readonly buckets: TokenBuckets | null;
  private readonly relayBuckets: TokenBuckets | null;
  private closing = false;

  constructor(
    private readonly smtp: SMTPServer,
    private readonly cfg: SmtpConfig,
    private readonly log: Logger,
  ) {
    this.relays = new AddressList(cfg.relays.addresses);
    this.buckets = cfg.perIp.messagesPerMinute > 0 ? new TokenBuckets(cfg.perIp.messagesPerMinute, cfg.perIp.messageBurst) : null;
    this.relayBuckets = cfg.relays.messagesPerMinute > 0 ? new TokenBuckets(cfg.relays.messagesPerMinute, cfg.relays.messageBurst) : null;
    this.listener = net.createServer((socket) => this.accept(socket));
  }

  port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  /** Connections open now: in total, and from one client address (its key: the address, or an IPv6 /64). */
  openConnections(address?: string): number {
    return address === undefined ? this.counts.total : this.counts.of(clientKey(address));
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined); // errors of a refused socket; smtp-server adds its own handler on the others
    if (!socket.remoteAddress) {
      socket.destroy();
      return;
    }
    const ip = plainAddress(socket.remoteAddress);
    const key = clientKey(ip);
    const relay = this.relays.has(ip);
    const host = this.cfg.hostname;
    if (this.closing) return this.refuse(socket, ip, 'shutting down', `4.3.2 ${host} Server shutting down, try again later`);
    if (this.counts.total >= this.cfg.maxClients) {
      return this.refuse(socket, ip, 'connection limit', `4.3.2 ${host} Too many connections, try again later`);
    }
    const perIpMax = relay ? this.cfg.relays.maxConnections : this.cfg.perIp.maxConnections;
    if (this.counts.of(key) >= perIpMax) {
      return this.refuse(
        socket,
        ip,
        'per-address connection limit',
        `4.7.0 ${host} Too many connections from ${ip} (at most ${perIpMax} at a time), try again later`,
      );
    }
    const id = randomBytes(10).toString('hex');
    const s: EdgeSession = {
      handle: null,
      ip,
      key,
      relay,
      release: this.counts.open(key),
      progressAt: 0,
      progressTimer: null,
      dataTimer: null,
      data: null,
      greeted: false,
      upgrading: false,
      replies: 0,
      ending: false,
      endedForCommands: false,
    };
    this.sessions.set(id, s);
    // smtp-server replaces the raw socket's listeners at STARTTLS; its onClose (closed()) covers that case.
    socket.once('close', () => this.end(id));
    try {
      s.handle = attach(
        this.smtp,
        socket,
        id,
        (code, lines) => this.filterReply(s, code, lines),
        () => this.afterReply(s),
      );
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'cannot hand the connection to smtp-server');
      socket.destroy();
      this.end(id);
      return;
    }
  }

  private refuse(socket: net.Socket, ip: string, reason: string, text: string): void {
    this.log.info({ ip, reason }, 'smtp connection refused');
    socket.end(`421 ${text}\r\n`);
    setTimeout(() => socket.destroy(), REFUSE_LINGER_MS).unref();
  }

  /** Every reply of every session: ASCII only unless this transaction negotiated SMTPUTF8 (RFC 6531). */
  private filterReply(s: EdgeSession, code: number, lines: string[]): string[] {
    if (code === 220) {
      // The first 220 is the greeting, which starts the progress clock; another one can only be
      // "ready to start TLS".
      if (s.greeted) s.upgrading = true;
      else this.armProgress(s);
      s.greeted = true;
    } else if (++s.replies > this.cfg.maxCommandsWithoutProgress && !s.ending) {
      // A pipelined flood of commands that lead nowhere (366,000 VRFY lines in one 6 MB session
      // kept the listener busy for seconds: `npm run fuzz`). afterReply ends it once this reply is
      // written, before smtp-server reads the next pipelined command.
      s.ending = true;
    }
    if (lines.every(isAscii) || s.handle?.session.envelope?.smtpUtf8 === true) return lines;
    return lines.map(asciiText);
  }

  private afterReply(s: EdgeSession): void {
    if (!s.ending || s.endedForCommands) return;
    s.endedForCommands = true;
    this.log.info({ ip: s.ip }, 'smtp session closed: too many commands without progress');
    const max = this.cfg.maxCommandsWithoutProgress;
    s.handle?.closeWith421(`4.7.0 ${this.cfg.hostname} Too many commands without a mail transaction (at most ${max}), closing connection`);
  }

  /**
   * Progress: restarts the progress clock. One timer per session, re-armed lazily for the time left
   * when it fires, so a busy session (three progress marks per message) does not churn timers.
   */
  private armProgress(s: EdgeSession): void {
    s.progressAt = performance.now();
    s.replies = 0;
    if (!s.progressTimer) this.scheduleProgress(s, this.cfg.commandTimeoutMs);
  }

  private scheduleProgress(s: EdgeSession, ms: number): void {
    s.progressTimer = setTimeout(() => {
      s.progressTimer = null;
      if (s.data) return; // the DATA clock runs instead; the reply to the message restarts this one
      const left = s.progressAt + this.cfg.commandTimeoutMs - performance.now();
      if (left > 1) return this.scheduleProgress(s, left);
      this.log.info({ ip: s.ip }, 'smtp session closed: no progress');
      s.handle?.closeWith421(`4.4.2 ${this.cfg.hostname} Timeout: no mail transaction progress for ${seconds(this.cfg.commandTimeoutMs)}, closing connection`);
    }, ms);
  }

  private of(session: SMTPServerSession): EdgeSession | undefined {
    return this.sessions.get(session.id);
  }

  /** MAIL FROM: takes a message token for the client's address. Returns the error to answer, or null. */
  admitMessage(session: SMTPServerSession): Error | null {
    const s = this.of(session);
    if (!s) return null;
    const buckets = s.relay ? this.relayBuckets : this.buckets;
    if (buckets && !buckets.take(s.key)) {
      const limits = s.relay ? this.cfg.relays : this.cfg.perIp;
      this.log.info({ ip: s.ip }, 'smtp message rate limit');
      return smtpError(
        450,
        `4.7.0 Gửi quá nhiều thư, xin thử lại sau (too many messages from ${s.ip}: at most ${limits.messagesPerMinute} a minute, try again later)`,
      );
    }
    this.armProgress(s);
    return null;
  }

  /** An accepted RCPT TO. */
  progress(session: SMTPServerSession): void {
    const s = this.of(session);
    if (s) this.armProgress(s);
  }

  /** onData was called: the DATA clock starts; it stops at the final dot. */
  dataStarted(session: SMTPServerSession, stream: SMTPServerDataStream): void {
    const s = this.of(session);
    if (!s) return;
    s.data = stream; // pauses the progress clock
    const arm = () => {
      if (s.data !== stream) return;
      s.dataTimer = setTimeout(() => {
        s.dataTimer = null;
        if (s.data !== stream || stream.writableEnded) return; // the message is in: the accept is ours to finish
        if (stream.writableNeedDrain) {
          stream.once('drain', arm); // the gateway is holding the client back: restart when it is not
          return;
        }
        this.log.info({ ip: s.ip, bytes: stream.byteLength }, 'smtp session closed: DATA timeout');
        s.handle?.closeWith421(
          `4.4.2 ${this.cfg.hostname} Timeout: message not received in full within ${seconds(this.cfg.dataTimeoutMs)}, closing connection`,
        );
      }, this.cfg.dataTimeoutMs);
    };
    arm();
  }

  /** The message was answered (250, 4xx or 5xx). */
  dataFinished(session: SMTPServerSession): void {
    const s = this.of(session);
    if (!s) return;
    if (s.dataTimer) clearTimeout(s.dataTimer);
    s.dataTimer = null;
    s.data = null;
    if (this.closing) setImmediate(() => s.handle?.closeWith421(this.shutdownText()));
    else this.armProgress(s);
  }

  /** onSecure: the STARTTLS handshake is done. Returns the error to refuse the session with, or null. */
  secured(session: SMTPServerSession): Error | null {
    const s = this.of(session);
    if (!s) return null;
    s.upgrading = false;
    if (this.closing) return smtpError(421, this.shutdownText());
    this.armProgress(s);
    return null;
  }

  /** onClose. */
  closed(session: SMTPServerSession): void {
    this.end(session.id);
  }

  private end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    if (s.progressTimer) clearTimeout(s.progressTimer);
    if (s.dataTimer) clearTimeout(s.dataTimer);
    s.data = null;
    s.release();
    this.sessions.delete(id);
  }

  private shutdownText(): string {
    return `4.3.2 ${this.cfg.hostname} Server shutting down, try again later`;
  }

  /**
   * Stops listening and ends idle sessions at once (a peer's pooled connection would otherwise hold
   * the shutdown); a session in DATA gets up to 30 s to finish, so its message is still answered
   * 250 or 451, and one in the middle of a STARTTLS handshake is ended once it completes (writing
   * plaintext then would break the handshake). A 421 makes MTAs retry later. Resolves once every
   * connection is closed.
   */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const grace = setTimeout(() => {
        for (const s of this.sessions.values()) s.handle?.closeWith421(this.shutdownText());
      }, CLOSE_GRACE_MS);
      grace.unref();
      this.listener.close(() => {
        clearTimeout(grace);
        resolve();
      });
      for (const s of this.sessions.values()) if (!s.data && !s.upgrading) s.handle?.closeWith421(this.shutdownText());
    });
  }
}
