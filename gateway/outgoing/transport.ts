/**
 * Hands one signed message to one recipient: through the smarthost of `mail.transport` (the same
 * setting the registry's mailer uses), or directly to the recipient domain's best MX. Returns the
 * remote server's answer; errors keep nodemailer's `responseCode` so callers can tell 4xx from 5xx.
 */
import { resolveMx } from 'node:dns/promises';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

export interface DeliveryResult {
  response: string;
}

/** True when retrying cannot help: the server answered 5xx. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

const LOCAL = ['127.0.0.1', 'localhost', '::1'];

type Target = Record<string, unknown>;

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
 * error is temporary, so the delivery queue retries later.
 */
export async function mailHosts(domain: string, lookup: (d: string) => Promise<Array<{ exchange: string; priority: number }>> = resolveMx): Promise<string[]> {
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

async function sendVia(config: Config, target: Target, raw: Buffer, from: string, recipient: string): Promise<DeliveryResult> {
  const tr = nodemailer.createTransport({ ...target, name: config.smtp.hostname, connectionTimeout: 30_000, greetingTimeout: 30_000 } as never);
  try {
    const info = await tr.sendMail({ envelope: { from, to: [recipient] }, raw });
    if (info.rejected?.length) throw failure(`rejected: ${info.response}`, 550);
    return { response: String(info.response ?? '') };
  } finally {
    tr.close();
  }
}

export async function deliver(config: Config, raw: Buffer, from: string, recipient: string): Promise<DeliveryResult> {
  const relay = smarthost(config);
  if (relay) return sendVia(config, relay, raw, from, recipient);
  const hosts = await mailHosts(recipient.split('@')[1]!.toLowerCase());
  let last: unknown = null;
  for (const host of hosts) {
    try {
      return await sendVia(config, { host, port: config.mail.transport.port, secure: false, opportunisticTLS: true }, raw, from, recipient);
    } catch (err) {
      // A server's answer decides; only an unreachable host moves on to the next MX.
      if (typeof (err as { responseCode?: number }).responseCode === 'number') throw err;
      last = err;
    }
  }
  throw last ?? failure(`${recipient}: no mail host`);
}
