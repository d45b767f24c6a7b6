/**
 * A throw-away PKI made by the `openssl` command line, as an administrator would make one: a root CA
 * and a unit's S/MIME signing certificate (emailProtection) issued by it, exported as PKCS#12 with
 * OpenSSL 3's defaults. For the tests that check vanthu's S/MIME against OpenSSL's.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** `openssl` run in `dir`; its output, or a throw with its stderr when it fails. */
export function opensslIn(dir: string): (args: string[], input?: Buffer) => Buffer {
  return (args, input) => execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface SmimePkiOptions {
  /** How keys are made: e.g. ['-newkey', 'rsa:2048'] or ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']. */
  key: string[];
  caSubject: string;
  /** -addext values of the CA certificate. */
  caExtensions?: string[];
  unitSubject: string;
  /** The unit's address (subjectAltName). */
  address: string;
  password: string;
  /** The PKCS#12 friendly name. */
  p12Name?: string;
}

/** Writes ca.key, ca.pem, unit.key, unit.csr, unit.ext, unit.pem and unit.p12 (with the CA certificate) in `dir`. */
export function makeSmimePki(dir: string, o: SmimePkiOptions): void {
  const openssl = opensslIn(dir);
  const caExt = (o.caExtensions ?? []).flatMap((e) => ['-addext', e]);
  openssl(['req', '-x509', ...o.key, '-nodes', '-utf8', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', o.caSubject, ...caExt]);
  openssl(['req', '-new', ...o.key, '-nodes', '-utf8', '-keyout', 'unit.key', '-out', 'unit.csr', '-subj', o.unitSubject]);
  writeFileSync(
    path.join(dir, 'unit.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${o.address}\n`,
  );
  openssl([
    'x509',
    '-req',
    '-in',
    'unit.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '365',
    '-extfile',
    'unit.ext',
    '-out',
    'unit.pem',
  ]);
  const name = o.p12Name ? ['-name', o.p12Name] : [];
  openssl(['pkcs12', '-export', '-inkey', 'unit.key', '-in', 'unit.pem', '-certfile', 'ca.pem', ...name, '-out', 'unit.p12', '-passout', `pass:${o.password}`]);
}
