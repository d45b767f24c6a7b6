/**
 * A unit's issuance settings and keys (docs/issuance.md), apart from the PDF code (issue.ts, pdf-lib):
 * sending reads them for every outgoing document, and pdf-lib loads only when a document is issued
 * (docs/operations.md, "Memory").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/load.ts';
import type { UnitSigning } from '../../config/outgoing.ts';
import { httpCrlFetcher } from './crl-dp.ts';
import type { IssueInput } from './issue.ts';
import { IssueError } from './issue-error.ts';
import { loadIssueKey } from './keys.ts';
import { openTokenKey } from './pkcs11.ts';

export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf';
export const DEFAULT_ITALIC = '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf';

/** What the unit's configuration gives issuance (outgoing.units.<id>.issue). */
export type IssueKeys = Pick<IssueInput, 'place' | 'key' | 'seal' | 'sealMm' | 'font' | 'italicFont' | 'tsa' | 'ltv'>;

export function issueConfigured(cfg: UnitSigning | undefined): cfg is UnitSigning & { issue: NonNullable<UnitSigning['issue']> } {
  return Boolean(cfg?.issue);
}

/** The unit's key (passphrase from the environment variable named in the config) and seal. */
export function loadIssueKeys(cfg: UnitSigning & { issue: NonNullable<UnitSigning['issue']> }): IssueKeys {
  const c = cfg.issue;
  let seal: Buffer;
  try {
    seal = readFileSync(path.resolve(PROJECT_ROOT, c.seal));
  } catch (err) {
    throw new IssueError('outgoing.issue.seal', `không đọc được ảnh con dấu (seal image unreadable): ${(err as Error).message}`);
  }
  const secret = process.env[c.passwordEnv] ?? '';
  const key = c.pkcs11 ? openTokenKey(c.pkcs11, secret) : loadIssueKey(c.pkcs12 ?? '', secret);
  const ltv = c.ltv
    ? {
        crls: c.ltv.crls,
        certificates: c.ltv.certificates,
        ocsp: c.ltv.ocsp ?? null,
        archive: c.ltv.archive,
        fetchCrl: c.ltv.crlDistributionPoints ? httpCrlFetcher() : null,
      }
    : null;
  return { place: c.place, key, seal, sealMm: c.sealMm, font: c.font, italicFont: c.italicFont, tsa: c.tsa ?? null, ltv };
}
