/**
 * The `directory` (agencies a unit sends to) and `outgoing` (signing keys, delivery retries)
 * sections of the configuration. Everything has a default, so older configs stay valid.
 */
import { z } from 'zod';

const email = z.string().trim().toLowerCase().pipe(z.email());

export const directoryEntrySchema = z.strictObject({
  name: z.string().min(1),
  /** The agency's published address (địa chỉ thư điện tử công bố). */
  address: email,
  /** Electronic identifier code (Decision 20/2020/QĐ-TTg), the edXML OrganId. */
  organId: z.string().nullable().default(null),
  /** Historical names (before mergers) that should still find this agency. */
  aliases: z.array(z.string()).default([]),
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

const unitSigning = z.strictObject({
  /** Issuer and drafting-unit part of the notation, e.g. "STC-VP" gives "12/KH-STC-VP". */
  codeSuffix: z.string().min(1).optional(),
  /** Sender address; defaults to the unit's first address. */
  from: email.optional(),
  dkim: z
    .strictObject({ domain: z.string().min(1), selector: z.string().min(1), privateKey: z.string().min(1).describe('PEM file path') })
    .nullable()
    .default(null),
  smime: z
    .strictObject({ pkcs12: z.string().min(1).describe('PKCS#12 file path'), password: z.string().default('') })
    .nullable()
    .default(null),
});
export type UnitSigning = z.infer<typeof unitSigning>;

export const outgoingConfigSchema = z.strictObject({
  /** Per unit id: notation suffix, sender address, DKIM key and S/MIME certificate. */
  units: z.record(z.string(), unitSigning).default({}),
  delivery: z
    .strictObject({
      /** Attempts per recipient before giving up on temporary (4xx) failures. */
      attempts: z.number().int().min(1).default(8),
      /** First retry after this long; each next one waits twice as long. */
      backoffMs: z.number().int().min(1).default(60_000),
      concurrency: z.number().int().min(1).default(4),
    })
    .default({ attempts: 8, backoffMs: 60_000, concurrency: 4 }),
});
export type OutgoingConfig = z.infer<typeof outgoingConfigSchema>;
