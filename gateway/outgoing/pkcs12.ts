/**
 * Reading a PKCS#12 file with node-forge, with passwords outside ASCII (issue 17: "mật khẩu").
 * PKCS#12 has two password encodings, and OpenSSL 3 writes both correctly from a UTF-8 password:
 * the MAC and the legacy PBE-SHA1 ciphers take it as a BMPString (UTF-16BE, RFC 7292 Appendix
 * B.1), which forge builds from the JavaScript string; PBES2 (PBKDF2 + AES, OpenSSL 3's default)
 * takes the password's UTF-8 bytes (RFC 8018), where forge would use each character's low byte.
 * So while a file is read, forge's PBKDF2 gets the password as UTF-8.
 */
import forge from 'node-forge';

type Pbkdf2 = typeof forge.pkcs5.pbkdf2;

/** Parses DER `der` with `password` (any Unicode text; NFC, as typed). Throws forge's error when the password is wrong. */
export function pkcs12FromDer(der: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  const pass = password.normalize('NFC');
  const pkcs5 = forge.pkcs5 as { pbkdf2: Pbkdf2 };
  const original = pkcs5.pbkdf2;
  pkcs5.pbkdf2 = ((p: string, ...rest: unknown[]) => (original as (...a: unknown[]) => unknown)(p === pass ? forge.util.encodeUtf8(p) : p, ...rest)) as Pbkdf2;
  try {
    return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), pass);
  } finally {
    pkcs5.pbkdf2 = original;
  }
}
