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

async function targetFor(config: Config, recipient: string): Promise<Record<string, unknown>> {
  const t = config.mail.transport;
  if (t.kind === 'smarthost') {
    return {
      host: t.host,
      port: t.port,
      secure: t.secure,
      requireTLS: t.requireTls,
      ignoreTLS: !t.secure && !t.requireTls && LOCAL.includes(t.host),
      auth: t.user ? { user: t.user, pass: t.pass ?? '' } : undefined,
    };
  }
  // RFC 5321 §5.1: the lowest-preference MX; no MX means the domain itself.
  const domain = recipient.split('@')[1]!.toLowerCase();
  const mx = await resolveMx(domain).catch(() => []);
  const host = mx.sort((a, b) => a.priority - b.priority)[0]?.exchange ?? domain;
  return { host, port: t.port, secure: false, opportunisticTLS: true };
}

export async function deliver(config: Config, raw: Buffer, from: string, recipient: string): Promise<DeliveryResult> {
  const tr = nodemailer.createTransport({ ...(await targetFor(config, recipient)), name: config.smtp.hostname, connectionTimeout: 30_000, greetingTimeout: 30_000 } as never);
  try {
    const info = await tr.sendMail({ envelope: { from, to: [recipient] }, raw });
    if (info.rejected?.length) throw Object.assign(new Error(`rejected: ${info.response}`), { responseCode: 550 });
    return { response: String(info.response ?? '') };
  } finally {
    tr.close();
  }
}
