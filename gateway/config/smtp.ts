/**
 * The `smtp:` settings of the edge limits (gateway/smtp/edge.ts); docs/security-smtp.md explains
 * each one, its default and the reply a client sees.
 */
import { z } from 'zod';
import net from 'node:net';

const count = z.number().int().positive();

/** Limits for any client address that is not a relay. */
export const perIpSchema = z.strictObject({
  /** Connections one address (an IPv6 /64) may hold at once; must stay below smtp.maxClients. */
  maxConnections: count.default(20),
  /** Messages (MAIL FROM) a minute, refilling a token bucket; 0 turns the rate limit off. */
  messagesPerMinute: z.number().int().min(0).default(600),
  /** Bucket size: messages that may arrive back to back before the rate applies. */
  messageBurst: count.default(1000),
});

/** Senders that carry many agencies' mail: a front MTA on this host, a provincial relay. */
export const relaysSchema = z.strictObject({
  /** IP addresses or CIDR ranges. */
  addresses: z.array(z.string().refine(isAddressOrRange, 'an IP address or a CIDR range such as 10.20.0.0/16')).default(['127.0.0.1', '::1']),
  maxConnections: count.default(100),
  /** 0: relays are not rate limited. */
  messagesPerMinute: z.number().int().min(0).default(0),
  messageBurst: count.default(1000),
});

export const smtpEdgeShape = {
  /** No byte from the client for this long: smtp-server closes the session (the idle timeout). */
  socketTimeoutMs: count.default(60_000),
  /** From the greeting, and after each accepted MAIL FROM / RCPT TO / message, until the next one is accepted. */
  commandTimeoutMs: count.default(120_000),
  /**
   * Replies given since the last accepted MAIL FROM / RCPT TO / message (NOOP, VRFY, RSET, HELP,
   * refused or unknown commands); one more ends the session (Postfix's smtpd_junk_command_limit).
   */
  maxCommandsWithoutProgress: count.default(100),
  /** From the 354 reply to the final dot. */
  dataTimeoutMs: count.default(600_000),
  perIp: perIpSchema.default(perIpSchema.parse({})),
  relays: relaysSchema.default(relaysSchema.parse({})),
};

/** Cross-field checks of the smtp section. */
export function checkSmtpEdge(smtp: { maxClients: number; perIp: { maxConnections: number } }, ctx: z.RefinementCtx): void {
  if (smtp.perIp.maxConnections >= smtp.maxClients) {
    ctx.addIssue({
      code: 'custom',
      path: ['perIp', 'maxConnections'],
      message: 'must be below smtp.maxClients, so that one address can never take every connection',
    });
  }
}

/** True for an IPv4/IPv6 address or a CIDR range of one ("192.0.2.0/24", "2001:db8::/32"). */
export function isAddressOrRange(entry: string): boolean {
  const [ip, bits, extra] = entry.split('/');
  const family = net.isIP(ip);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}
