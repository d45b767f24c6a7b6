/**
 * Act by e-mail (docs/act-by-email.md): the `registry.actByMail` section of the configuration and
 * the reply addresses `act+<token>@<unit domain>` the registry's notices carry as Reply-To. This
 * module decides which recipients the SMTP listener accepts for them; what a token says is the
 * registry's business (gateway/registry/replies/token.ts).
 */
import { z } from 'zod';
import type { Config, UnitConfig } from './load.ts';

export const actByMailSchema = z.strictObject({
  /** Notices carry a Reply-To act+<token>@<unit domain>, and replies to it are handled. */
  enabled: z.boolean().default(true),
  /**
   * The HMAC key of the reply tokens (at least 32 characters). null: a random key is generated
   * into <dataDir>/act-by-mail.key on first start. Several worker hosts must share one key.
   */
  key: z.string().min(32, 'at least 32 characters').nullable().default(null),
  /** How long a reply address stays valid after its mail was sent. */
  ttlDays: z.number().int().min(1).max(365).default(30),
});
export type ActByMailConfig = z.infer<typeof actByMailSchema>;
export const ACT_BY_MAIL_DEFAULTS: ActByMailConfig = { enabled: true, key: null, ttlDays: 30 };

/** The local-part prefix of reply addresses (subaddress "act"). */
export const ACT_PREFIX = 'act+';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The token of a reply address, lower-case (tokens are base32); null for any other address. */
export function actTokenOf(address: string): string | null {
  const a = address.normalize('NFC').trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0 || !a.startsWith(ACT_PREFIX)) return null;
  const token = a.slice(ACT_PREFIX.length, at);
  return /^[a-z2-7]{8,60}$/.test(token) ? token : null;
}

/** True when every recipient is a reply address: the message is a reply, not correspondence for the book. */
export function isReplyOnly(rcptTo: readonly string[]): boolean {
  return rcptTo.length > 0 && rcptTo.every((r) => actTokenOf(r) !== null);
}

/** The domain a unit publishes (its first address): reply addresses live there. */
export function unitReplyDomain(unit: UnitConfig): string {
  return domainOf(unit.addresses[0]);
}

/** `act+<token>@<the unit's domain>`. */
export function actAddress(unit: UnitConfig, token: string): string {
  return `${ACT_PREFIX}${token}@${unitReplyDomain(unit)}`;
}

/**
 * The recipient check of the SMTP listener: a published unit address (`book`, from addressBook),
 * or — when act by e-mail is on — a reply address at the domain of any published address, which
 * belongs to the first unit publishing there. The token itself is checked in the pipeline.
 */
export function recipientLookup(config: Config, book: Map<string, UnitConfig>): (address: string) => UnitConfig | undefined {
  const byDomain = new Map<string, UnitConfig>();
  for (const [address, unit] of book) if (!byDomain.has(domainOf(address))) byDomain.set(domainOf(address), unit);
  const acting = config.registry.actByMail.enabled;
  return (address) => {
    const exact = book.get(address);
    if (exact || !acting || actTokenOf(address) === null) return exact;
    return byDomain.get(domainOf(address));
  };
}
