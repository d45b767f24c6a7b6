/**
 * The one SMTP client of the gateway (docs/architecture.md, "One mail transport"): every mail it
 * sends — the registry's notices, receipts and digests, and outgoing official documents — leaves
 * through here, either through the smarthost of `mail.transport` or directly to each recipient
 * domain's best MX (RFC 5321 §5.1) with opportunistic STARTTLS. Errors keep nodemailer's
 * `responseCode`, so callers can tell a permanent 5xx from a temporary failure.
 */
import { resolveMx } from 'node:dns/promises';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Config } from '../config/load.ts';
import type { Deliverer } from '../registry/ports.ts';

export interface DeliveryResult {
  response: string;
  /** Set by local delivery (notify/local.ts): the message as stored for the recipient unit on this gateway. */
  local?: { inboundId: string };
}

/** True when retrying cannot help: the server answered 5xx (or DNS said the domain cannot receive). */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

const LOCAL = ['127.0.0.1', 'localhost', '::1'];

type Target = Record<string, unknown>;
type MxLookup = (d: string) => Promise<Array<{ exchange: string; priority: number }>>;

const failure = (message: string, responseCode?: number) => Object.assign(new Error(message), responseCode ? { responseCode } : {});

function smarthost(config: Config): Target | null {
  const t = config.mail.transport;
  if (t.kind !== 'smarthost') return null;
  return {
    host: t.host,
    port: t.port,
    secure: t.secure,
    requireTLS: t.requireTls,
    ignoreTLS: !t.secure && !t.requireTls && LOCAL.includes(t.host),
    auth: t.user ? { user: t.user, pass: t.pass ?? '' } : undefined,
  };
}

/**
 * The recipient domain's mail hosts, best first (RFC 5321 §5.1): no MX record means the domain
 * itself; a null MX (RFC 7505) or a domain that does not exist fails for good; any other DNS
 * error is temporary, so the caller retries later.
 */
export async function mailHosts(domain: string, lookup: MxLookup = resolveMx): Promise<string[]> {
  let mx: Array<{ exchange: string; priority: number }>;
  try {
    mx = await lookup(domain);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENODATA') return [domain];
    if (code === 'ENOTFOUND') throw failure(`${domain}: tên miền không tồn tại (domain does not exist)`, 550);
    throw failure(`${domain}: DNS lookup failed (${code ?? (err as Error).message})`);
  }
  if (mx.length === 1 && (mx[0].exchange === '' || mx[0].exchange === '.')) throw failure(`${domain}: tên miền không nhận thư (null MX, RFC 7505)`, 556);
  return mx.sort((a, b) => a.priority - b.priority).map((m) => m.exchange);
}

/** The envelope sender a composed message asks for (`envelope.from`), else the gateway's `mail.from`. */
export function envelopeSender(message: SendMailOptions, fallback: string): string {
  const from = (message.envelope as { from?: unknown } | undefined)?.from;
  return typeof from === 'string' && from ? from : fallback;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Submits one message to a given SMTP server, as a mail client would (`vanthu send` mailing a
 * file to a gateway). Not for the gateway's own mail: that goes through MailTransport.
 */
export async function submitTo(
  server: { host: string; port: number; tls: boolean },
  message: SendMailOptions,
): Promise<{ messageId: string; accepted: unknown[]; rejected: unknown[]; response: string }> {
  const tr = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: !server.tls, tls: { rejectUnauthorized: false } });
  try {
    const info = await tr.sendMail(message);
    return { messageId: info.messageId, accepted: info.accepted, rejected: info.rejected, response: info.response };
  } finally {
    tr.close();
  }
}

/**
 * One transport per process: a pooled connection to the smarthost, or per-domain MX delivery.
 * `mail.transport` is read at each send, so a changed setting takes effect without a restart.
 */
export class MailTransport implements Deliverer {
  private pooled: { key: string; transporter: Transporter } | null = null;

  constructor(
    private readonly config: Config,
    private readonly lookup: MxLookup = resolveMx,
  ) {}

  isPermanent(err: unknown): boolean {
    return isPermanent(err);
  }

  /** A signed message as it is (raw bytes), to one recipient. */
  async deliver(raw: Buffer, from: string, recipient: string): Promise<DeliveryResult> {
    return this.toRecipients({ envelope: { from, to: [recipient] }, raw }, [recipient]);
  }

  /** A message nodemailer composes (the registry's notices), to its To and Cc. */
  async sendMail(message: SendMailOptions & { to: string[]; cc?: string[] }): Promise<{ messageId?: string }> {
    const all = [...message.to, ...(message.cc ?? [])];
    const relay = smarthost(this.config);
    if (relay) return this.viaRelay(relay, message);
    const byDomain = new Map<string, string[]>();
    for (const a of all) byDomain.set(domainOf(a), [...(byDomain.get(domainOf(a)) ?? []), a]);
    let messageId: string | undefined;
    for (const rcpts of byDomain.values()) {
      const info = await this.toRecipients({ ...message, envelope: { from: envelopeSender(message, this.config.mail.from), to: rcpts } }, rcpts);
      messageId = info.messageId ?? messageId;
    }
    return { messageId };
  }

  close(): void {
    this.pooled?.transporter.close();
    this.pooled = null;
  }

  private async viaRelay(relay: Target, message: SendMailOptions): Promise<{ messageId?: string; response: string }> {
    const key = JSON.stringify(relay);
    if (this.pooled?.key !== key) {
      this.close();
      this.pooled = { key, transporter: nodemailer.createTransport({ ...relay, name: this.config.smtp.hostname, pool: true, maxConnections: 2 } as never) };
    }
    const info = await this.pooled.transporter.sendMail(message);
    if (info.rejected?.length && !info.accepted?.length) throw failure(`rejected: ${info.response}`, 550);
    return { messageId: info.messageId, response: String(info.response ?? '') };
  }

  /** Recipients of one domain: through the relay, or to the domain's MX hosts in order. */
  private async toRecipients(message: SendMailOptions, rcpts: string[]): Promise<{ messageId?: string; response: string }> {
    const relay = smarthost(this.config);
    if (relay) return this.viaRelay(relay, message);
    const hosts = await mailHosts(domainOf(rcpts[0]!), this.lookup);
    let last: unknown = null;
    for (const host of hosts) {
      const tr = nodemailer.createTransport({
        host,
        port: this.config.mail.transport.port,
        secure: false,
        opportunisticTLS: true,
        name: this.config.smtp.hostname,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      } as never);
      try {
        const info = await tr.sendMail(message);
        if (info.rejected?.length && !info.accepted?.length) throw failure(`rejected: ${info.response}`, 550);
        return { messageId: info.messageId, response: String(info.response ?? '') };
      } catch (err) {
        // A server's answer decides; only an unreachable host moves on to the next MX.
        if (typeof (err as { responseCode?: number }).responseCode === 'number') throw err;
        last = err;
      } finally {
        tr.close();
      }
    }
    throw last ?? failure(`${rcpts[0]}: no mail host`);
  }
}
