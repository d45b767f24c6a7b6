/** Certificates for the TLS listeners of tests (SMTP STARTTLS, IMAPS). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A self-signed RSA certificate for `commonName`, valid two days, written as key.pem and cert.pem in `dir`. */
export function selfSignedCert(dir: string, commonName: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`, '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  return { key, cert };
}
