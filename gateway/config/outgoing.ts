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
  /**
   * Issuing signed PDFs (docs/issuance.md): number and date written into the header, the unit's
   * PAdES signature with its seal over the leader's signature.
   */
  issue: z
    .strictObject({
      /** Place name before the date: "Lâm Đồng" gives "Lâm Đồng, ngày 05 tháng 3 năm 2026". */
      place: z.string().min(1),
      /** The unit's signing key and certificate (RSA, or EC P-256/384/521), PKCS#12 file path. */
      pkcs12: z.string().min(1).describe('PKCS#12 file path').optional(),
      /** Environment variable holding the PKCS#12 passphrase, or the token's PIN (never the secret itself). */
      passwordEnv: z.string().min(1).default('VANTHU_SEAL_PASSWORD'),
      /** Or the key on a PKCS#11 token (docs/issuance.md, "The key on a token"); the PIN from `passwordEnv`. */
      pkcs11: z
        .strictObject({
          module: z.string().min(1).describe('PKCS#11 library path'),
          token: z.string().min(1).optional(),
          slotIndex: z.number().int().min(0).optional(),
          keyLabel: z.string().min(1).optional(),
          keyId: z
            .string()
            .regex(/^([0-9a-fA-F]{2})+$/)
            .optional(),
          /** PEM: the signer's certificate, then its CAs; without it, read from the token. */
          certificate: z.string().min(1).optional(),
        })
        .optional(),
      /** The seal image, PNG with a transparent background, red. */
      seal: z.string().min(1).describe('PNG file path'),
      /** The seal's true diameter in millimetres. */
      sealMm: z.number().min(20).max(60).default(38),
      font: z.string().min(1).optional(),
      italicFont: z.string().min(1).optional(),
      /** RFC 3161 time-stamping authority (http URL); the unit's signature is time-stamped when set. */
      tsa: z.url().optional(),
      /**
       * Long-term validation (PAdES B-LT, docs/issuance.md): after signing, a DSS with the certificates
       * and revocation data of every signature in the document.
       */
      ltv: z
        .strictObject({
          /** CRL files or folders (PEM/DER) of the CAs; a CRL is used for the certificates its signer issued. */
          crls: z.array(z.string().min(1)).default([]),
          /** CA certificates (files or folders) that complete the paths, e.g. the root. */
          certificates: z.array(z.string().min(1)).default([]),
          /** OCSP responder (http URL); without it, each certificate's own (authority information access). */
          ocsp: z.url().optional(),
          /** A document time-stamp over the DSS (B-LTA); needs `tsa`. */
          archive: z.boolean().default(false),
          /** Fetch a CRL from a certificate's CRL distribution points (http) when no file above has one. */
          crlDistributionPoints: z.boolean().default(true),
        })
        .optional(),
    })
    .refine((c) => Boolean(c.pkcs12) !== Boolean(c.pkcs11), { message: 'issue needs either pkcs12 or pkcs11, not both' })
    .nullish(),
});
export type UnitSigning = z.infer<typeof unitSigning>;

export const outgoingConfigSchema = z.strictObject({
  /** Refuse to send a document without a valid signature unless the clerk confirms (confirmUnsigned). */
  requireSigned: z.boolean().default(true),
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
  /**
   * Renewing archive time-stamps (docs/issuance.md, "Renewing the archive time-stamp"): a sweep
   * renews each issued file whose newest document time-stamp's TSA certificate expires within
   * `windowDays` of the app's clock, with the unit's `issue.tsa` and `issue.ltv`.
   */
  renewal: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** How long before the TSA certificate expires a file is renewed. */
      windowDays: z.number().int().min(1).max(3650).default(90),
      /** When the sweep runs (cron, in registry.timezone); a worker process schedules it. */
      cron: z.string().min(1).default('40 2 * * *'),
      /** Files renewed per sweep at most (the rest wait for the next one). */
      batch: z.number().int().min(1).max(10_000).default(200),
    })
    .default({ enabled: true, windowDays: 90, cron: '40 2 * * *', batch: 200 }),
});
export type OutgoingConfig = z.infer<typeof outgoingConfigSchema>;
