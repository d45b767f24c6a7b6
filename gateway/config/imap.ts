/**
 * The `imap` configuration section: mailboxes the agency already has, polled by vanthu. Only zod
 * here (gateway/config/load.ts imports this file; it must not import config.ts back).
 */
import { z } from 'zod';

export const INGESTED_KEYWORD = '$VanthuIngested';

const accountSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "-" or "_"'),
    host: z.string().min(1),
    /** Default: 993 for tls "secure", else 143. */
    port: z.number().int().min(1).max(65535).nullable().default(null),
    tls: z
      .strictObject({
        mode: z.enum(['secure', 'starttls', 'none']).default('secure'),
        /** Check the server certificate (turn off only for a self-signed server you trust). */
        verify: z.boolean().default(true),
      })
      .default({ mode: 'secure', verify: true }),
    user: z.string().min(1),
    password: z.string().nullable().default(null),
    /** OAuth2 access token (XOAUTH2 / OAUTHBEARER) instead of a password. */
    accessToken: z.string().nullable().default(null),
    /** The unit the mailbox belongs to: a unit id, or one of the unit's published addresses. */
    unit: z.string().nullable().default(null),
    address: z.string().trim().toLowerCase().pipe(z.email()).nullable().default(null),
    folders: z.array(z.string().min(1)).min(1).default(['INBOX']),
    /** After a message is durably accepted: set the keyword $VanthuIngested, move it, or leave it. */
    afterIngest: z.enum(['keyword', 'move', 'none']).default('keyword'),
    moveTo: z.string().min(1).nullable().default(null),
    /** Re-check interval when IDLE is not available (or for folders other than the first). */
    pollIntervalMs: z.number().int().min(1000).default(60_000),
    /** Messages fetched per round trip. */
    batchSize: z.number().int().min(1).max(5000).default(200),
    enabled: z.boolean().default(true),
  })
  .refine((a) => a.password !== null || a.accessToken !== null, { message: 'needs a password or an accessToken', path: ['password'] })
  .refine((a) => a.unit !== null || a.address !== null, {
    message: 'needs the unit id (unit) or the unit address (address) the mailbox belongs to',
    path: ['unit'],
  })
  .refine((a) => a.afterIngest !== 'move' || a.moveTo !== null, { message: 'afterIngest "move" needs moveTo (a folder name)', path: ['moveTo'] })
  .refine((a) => a.moveTo === null || !a.folders.includes(a.moveTo), { message: 'moveTo must not be one of the watched folders', path: ['moveTo'] });

export const imapSectionSchema = z
  .strictObject({
    accounts: z.array(accountSchema).default([]),
    /** Reconnect back-off after a failure: doubles from min to max. */
    backoffMinMs: z.number().int().positive().default(1000),
    backoffMaxMs: z.number().int().positive().default(300_000),
    /** Gateways sharing a database poll an account one at a time: the holder renews its lease; another takes over once it lapses. */
    leaseMs: z.number().int().min(1000).default(60_000),
  })
  .default({ accounts: [], backoffMinMs: 1000, backoffMaxMs: 300_000, leaseMs: 60_000 });

export type ImapSection = z.infer<typeof imapSectionSchema>;
export type ImapAccountConfig = z.infer<typeof accountSchema>;

interface UnitLike {
  id: string;
  addresses: string[];
}

export interface ResolvedTarget {
  unitId: string;
  address: string;
}

/** Which unit (and recipient address) a mailbox's messages are for; a string is the problem. */
export function resolveTarget(account: ImapAccountConfig, units: UnitLike[]): ResolvedTarget | string {
  if (account.address) {
    const unit = units.find((u) => u.addresses.includes(account.address!));
    if (!unit) return `address ${account.address} is not a published address of any configured unit`;
    if (account.unit && account.unit !== unit.id) return `address ${account.address} belongs to unit "${unit.id}", not "${account.unit}"`;
    return { unitId: unit.id, address: account.address };
  }
  const unit = units.find((u) => u.id === account.unit || u.addresses.includes(String(account.unit).toLowerCase()));
  if (!unit) return `no configured unit "${account.unit}"`;
  return { unitId: unit.id, address: account.unit!.includes('@') ? account.unit!.toLowerCase() : unit.addresses[0] };
}

/** Cross-checks against the units: returns [key path, problem] for the first bad account, or null. */
export function imapProblem(section: ImapSection, units: UnitLike[]): [string, string] | null {
  const ids = new Set<string>();
  for (const [i, a] of section.accounts.entries()) {
    if (ids.has(a.id)) return [`imap.accounts[${i}].id`, `account id "${a.id}" is used twice`];
    ids.add(a.id);
    const target = resolveTarget(a, units);
    if (typeof target === 'string') return [`imap.accounts[${i}].${a.address ? 'address' : 'unit'}`, target];
  }
  return null;
}
