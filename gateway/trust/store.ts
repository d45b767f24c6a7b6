/**
 * The trust store: the certificates a deployment trusts as anchors (PEM or DER files, or folders
 * of them) and the CRLs it has been given. Built once from configuration; immutable after.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { certificate, type CertInfo } from './certs.ts';
import { parseCrl, type CrlInfo } from './crl.ts';
import { pemBlocks } from './der.ts';

export interface TrustStoreConfig {
  /** PEM/DER certificate files or folders; every certificate in them is a trust anchor. */
  anchors: string[];
  /** CRL files or folders (PEM "X509 CRL" or DER). */
  crls?: string[];
}

export class TrustStore {
  private readonly anchorsBySubject = new Map<string, CertInfo[]>();
  private readonly anchorPrints = new Set<string>();
  private readonly crlsByIssuer = new Map<string, CrlInfo[]>();

  constructor(
    readonly anchors: readonly CertInfo[],
    readonly crls: readonly CrlInfo[],
  ) {
    for (const a of anchors) {
      this.anchorPrints.add(a.fingerprint);
      push(this.anchorsBySubject, a.subjectName, a);
    }
    for (const c of crls) push(this.crlsByIssuer, c.issuerName, c);
  }

  static empty(): TrustStore {
    return new TrustStore([], []);
  }

  isAnchor(cert: CertInfo): boolean {
    return this.anchorPrints.has(cert.fingerprint);
  }

  /** Anchors whose subject is the given issuer name (DER hex). */
  anchorsNamed(name: string): readonly CertInfo[] {
    return this.anchorsBySubject.get(name) ?? [];
  }

  crlsFrom(issuerName: string): readonly CrlInfo[] {
    return this.crlsByIssuer.get(issuerName) ?? [];
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const CERT_FILES = /\.(pem|crt|cer|der)$/i;
const CRL_FILES = /\.(crl|pem|der)$/i;

/**
 * Load anchors and CRLs. A configured path that cannot be read, or a file named directly that
 * holds nothing usable, is an error: a silently empty trust store would turn every signature
 * `untrusted` without anyone noticing why. Inside folders, files of the other kind are skipped,
 * so one folder may hold both certificates and CRLs.
 */
export async function loadTrustStore(config: TrustStoreConfig): Promise<TrustStore> {
  const anchors: CertInfo[] = [];
  for (const der of await blobs(config.anchors, CERT_FILES, 'CERTIFICATE')) {
    try {
      anchors.push(certificate(der.bytes));
    } catch (err) {
      throw new Error(`trust anchor file ${der.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const crls = (await blobs(config.crls ?? [], CRL_FILES, 'X509 CRL')).map((der) => parseCrl(der.bytes, der.file));
  return new TrustStore(anchors, crls);
}

async function blobs(paths: readonly string[], pattern: RegExp, label: string): Promise<Array<{ file: string; bytes: Buffer }>> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const { file, named } of await expand(paths, pattern)) {
    const content = await readFile(file);
    const text = content.toString('latin1');
    if (!named && text.includes('-----BEGIN') && !text.includes(`-----BEGIN ${label}-----`)) continue;
    const found = pemBlocks(content, label);
    if (found.length === 0) throw new Error(`${file} holds no ${label}`);
    for (const bytes of found) out.push({ file, bytes });
  }
  return out;
}

/** Files named directly, plus the matching files of named folders (recursively, sorted). */
async function expand(paths: readonly string[], pattern: RegExp): Promise<Array<{ file: string; named: boolean }>> {
  const out: Array<{ file: string; named: boolean }> = [];
  for (const p of paths) {
    if (!(await stat(p)).isDirectory()) {
      out.push({ file: p, named: true });
      continue;
    }
    const entries = await readdir(p, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => join(e.parentPath ?? e.path, e.name));
    out.push(...files.sort().map((file) => ({ file, named: false })));
  }
  return out;
}

/** Anchor paths from the environment (`VANTHU_TRUST_ANCHORS`, colon-separated), until config lands. */
export function anchorsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.VANTHU_TRUST_ANCHORS ?? '').split(':').filter((p) => p.trim() !== '');
}
