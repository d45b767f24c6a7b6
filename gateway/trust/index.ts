/**
 * The trust stage's public API: verify a message, a document or a file against a trust store.
 * See docs/contracts.md for the verdicts and the report shape.
 */
export { verifyMessage, verifyDocument, verifyFile, fileKind, UnreadableFileError } from './verify.ts';
export type { VerifyOptions, DocumentKind, SignedRevision } from './verify.ts';
export { signedRevisions } from './pdf.ts';
export { analyseChanges } from './pdf-changes.ts';
export type { ChangeAnalysis, ChangesAfterSigning, SigningChange } from './pdf-changes.ts';
export { loadTrustStore, anchorsFromEnv, TrustStore } from './store.ts';
export type { TrustStoreConfig } from './store.ts';
export { loadZoneFile, parseZone, zoneResolver, systemResolver, ZoneFileError } from './dns.ts';
export type { DnsResolver, ZoneRecord } from './dns.ts';
export type { SmtpSession } from './mailauth.ts';
export { overallVerdict, worst } from './report.ts';
export type {
  VerifyReport,
  SignatureReport,
  SignatureVerdict,
  OverallVerdict,
  SignatureLayer,
  SignerIdentity,
} from './report.ts';
