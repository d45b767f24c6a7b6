/**
 * The unit's signing key on a PKCS#11 token (docs/issuance.md, "The key on a token"): the USB
 * tokens Vietnamese agencies sign with, or SoftHSM for tests. The key never leaves the token: it
 * signs the SHA-256 digest of the CMS signed attributes (RSA: CKM_RSA_PKCS over the DigestInfo,
 * i.e. RSASSA-PKCS1-v1_5; EC: CKM_ECDSA, whose r‖s is written as the DER ECDSA-Sig-Value CMS wants),
 * the two mechanisms nearly every token has. The certificate comes from the token (the one with the
 * key's CKA_ID; the others are the chain) or from a PEM file when the token holds only the key.
 *
 * The library is loaded, the session opened and the user logged in on first use, then kept for
 * the process (`closeIssueTokens` at shutdown). Every failure is an IssueError with a code
 * (outgoing.issue.token_*), raised before a number is taken. A PIN the token refused is not tried
 * again until it changes: tokens lock after a few wrong PINs.
 */
import { X509Certificate, createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as asn1js from 'asn1js';
import type * as Pkcs11js from 'pkcs11js';
import { PROJECT_ROOT } from '../../config/load.ts';
import { IssueError } from './issue-error.ts';
import { type IssueKey, signingAlgorithm } from './keys.ts';

/** outgoing.units.<id>.issue.pkcs11 (gateway/config/outgoing.ts). */
export interface Pkcs11KeyConfig {
  /** The token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  module: string;
  /** Token label; without it, `slotIndex`, else the only token present. */
  token?: string;
  /** Position in the list of slots with a token present (0 = first). */
  slotIndex?: number;
  /** The private key's CKA_LABEL and/or CKA_ID (hex); without either, the token's only private key. */
  keyLabel?: string;
  keyId?: string;
  /** PEM file with the signer's certificate first, then its CAs; without it, read from the token. */
  certificate?: string;
}

type Code = 'token_module' | 'token_not_found' | 'token_pin' | 'token_key' | 'token_certificate' | 'token_sign' | 'token_error';
const fail = (code: Code, message: string, cause?: unknown) => new IssueError(`outgoing.issue.${code}`, message, { cause });
const reason = (err: unknown) => (err as Error).message;

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1): RSASSA-PKCS1-v1_5 over CKM_RSA_PKCS. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const requireCjs = createRequire(import.meta.url);
let binding: typeof Pkcs11js | null = null;
const modules = new Map<string, Pkcs11js.PKCS11>();
const keys = new Map<string, TokenKey>();
/** Per token: the fingerprint of a PIN it refused. */
const refused = new Map<string, string>();

function library(file: string): Pkcs11js.PKCS11 {
  const full = path.resolve(PROJECT_ROOT, file);
  const loaded = modules.get(full);
  if (loaded) return loaded;
  try {
    binding ??= requireCjs('pkcs11js') as typeof Pkcs11js;
  } catch (err) {
    throw fail('token_module', `gói pkcs11js chưa được cài (the pkcs11js package is not built: ${reason(err)})`, err);
  }
  const p11 = new binding.PKCS11();
  try {
    p11.load(full);
    p11.C_Initialize();
  } catch (err) {
    throw fail('token_module', `${full}: không nạp được thư viện PKCS#11 (cannot load the PKCS#11 module: ${reason(err)})`, err);
  }
  modules.set(full, p11);
  return p11;
}

class TokenKey implements IssueKey {
  algorithm: IssueKey['algorithm'];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly p11: Pkcs11js.PKCS11,
    private readonly pkcs11: typeof Pkcs11js,
    readonly session: Buffer,
    private readonly key: Buffer,
    readonly certificate: Buffer,
    readonly chain: Buffer[],
  ) {
    this.algorithm = signingAlgorithm(new X509Certificate(certificate).publicKey);
  }

  /** One operation at a time per session (PKCS#11 §5.2): signatures wait for each other. */
  sign(data: Buffer): Promise<Buffer> {
    const next = this.queue.then(() => this.signNow(data));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The token signs in the library's thread, so a slow token does not hold the event loop. */
  private async signNow(data: Buffer): Promise<Buffer> {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      try {
        this.p11.C_Sign(this.session, this.init(data), Buffer.alloc(1024), (err, out) => (err ? reject(err) : resolve(out)));
      } catch (err) {
        reject(err);
      }
    }).catch((err) => {
      // The next use opens a new session (a token pulled out and put back, a session the library dropped).
      for (const [name, k] of keys) if (k === this) keys.delete(name);
      try {
        this.p11.C_CloseSession(this.session);
      } catch {}
      throw fail('token_sign', `token không ký được (the token did not sign: ${reason(err)})`, err);
    });
    return this.algorithm.name === 'RSASSA-PKCS1-v1_5' ? raw : ecdsaDer(raw);
  }

  /** C_SignInit; returns what the mechanism signs: the DigestInfo (RSA) or the bare digest (ECDSA). */
  private init(data: Buffer): Buffer {
    const digest = createHash('sha256').update(data).digest();
    const rsa = this.algorithm.name === 'RSASSA-PKCS1-v1_5';
    this.p11.C_SignInit(this.session, { mechanism: rsa ? this.pkcs11.CKM_RSA_PKCS : this.pkcs11.CKM_ECDSA }, this.key);
    return rsa ? Buffer.concat([SHA256_DIGEST_INFO, digest]) : digest;
  }

  /**
   * Signs a probe and checks it with the certificate, when the key is opened: a key and a
   * certificate that do not match fail here, before a number is taken, not in a verifier later.
   */
  check(): void {
    const probe = Buffer.from('vanthu: PKCS#11 key check');
    let raw: Buffer;
    try {
      raw = this.p11.C_Sign(this.session, this.init(probe), Buffer.alloc(1024));
    } catch (err) {
      throw fail('token_sign', `token không ký được (the token did not sign: ${reason(err)})`, err);
    }
    const signature = this.algorithm.name === 'RSASSA-PKCS1-v1_5' ? raw : ecdsaDer(raw);
    if (!verify('sha256', probe, { key: new X509Certificate(this.certificate).publicKey, dsaEncoding: 'der' }, signature))
      throw fail('token_certificate', 'khóa trên token không khớp với chứng thư (the key on the token does not match the certificate)');
  }
}

/** r‖s as PKCS#11 returns it → ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5753 §2.1.1). */
function ecdsaDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (b: Buffer) => asn1js.Integer.fromBigInt(BigInt(`0x${b.toString('hex')}`));
  return Buffer.from(new asn1js.Sequence({ value: [int(raw.subarray(0, half)), int(raw.subarray(half))] }).toBER());
}

/**
 * The unit's key on the token `cfg` names, logged in with `pin`; opened once, then the same
 * session is used for every signature until `closeIssueTokens`.
 */
export function openTokenKey(cfg: Pkcs11KeyConfig, pin: string): IssueKey {
  const name = JSON.stringify([cfg.module, cfg.token, cfg.slotIndex, cfg.keyLabel, cfg.keyId, cfg.certificate]);
  const open = keys.get(name);
  if (open) return open;
  try {
    const key = openNow(cfg, pin);
    keys.set(name, key);
    return key;
  } catch (err) {
    if (err instanceof IssueError) throw err;
    // Anything else the token says (removed, device error, …).
    throw fail('token_error', `lỗi token PKCS#11 (PKCS#11 token error: ${reason(err)})`, err);
  }
}

function openNow(cfg: Pkcs11KeyConfig, pin: string): TokenKey {
  const p11 = library(cfg.module);
  const pkcs11 = binding as typeof Pkcs11js;
  const slot = findSlot(p11, cfg);
  const tokenName = `${cfg.module}#${cfg.token ?? cfg.slotIndex ?? 0}`;
  const pinPrint = createHash('sha256').update(`${tokenName}\0${pin}`).digest('hex');
  if (refused.get(tokenName) === pinPrint)
    throw fail('token_pin', `${tokenName}: mã PIN này đã bị token từ chối (the token already refused this PIN; not tried again so the token does not lock)`);
  const session = p11.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION);
  try {
    try {
      p11.C_Login(session, pkcs11.CKU_USER, pin);
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
        if (code === pkcs11.CKR_PIN_INCORRECT || code === pkcs11.CKR_PIN_LEN_RANGE) refused.set(tokenName, pinPrint);
        throw fail('token_pin', `${tokenName}: sai mã PIN hoặc token bị khóa (wrong PIN or locked token: ${reason(err)})`, err);
      }
    }
    const key = findKey(p11, pkcs11, session, cfg);
    const keyId = p11.C_GetAttributeValue(session, key, [{ type: pkcs11.CKA_ID }])[0].value;
    const [certificate, ...chain] = cfg.certificate ? pemCertificates(cfg.certificate) : tokenCertificates(p11, pkcs11, session, keyId);
    let tokenKey: TokenKey;
    try {
      tokenKey = new TokenKey(p11, pkcs11, session, key, certificate, chain);
    } catch (err) {
      throw fail('token_certificate', `chứng thư của khóa không dùng được (the key's certificate is unusable: ${reason(err)})`, err);
    }
    tokenKey.check();
    return tokenKey;
  } catch (err) {
    try {
      p11.C_CloseSession(session);
    } catch {}
    throw err;
  }
}

function findSlot(p11: Pkcs11js.PKCS11, cfg: Pkcs11KeyConfig): Buffer {
  const slots = p11.C_GetSlotList(true);
  const labels = slots.map((s) => p11.C_GetTokenInfo(s).label.trim());
  let i = 0;
  if (cfg.token !== undefined) i = labels.indexOf(cfg.token.normalize('NFC'));
  else if (cfg.slotIndex !== undefined) i = cfg.slotIndex < slots.length ? cfg.slotIndex : -1;
  else if (slots.length !== 1) i = -1;
  if (i < 0)
    throw fail(
      'token_not_found',
      `không thấy token ${cfg.token ?? cfg.slotIndex ?? ''} (no such token; present: ${labels.map((l) => `"${l}"`).join(', ') || 'none'})`,
    );
  return slots[i];
}

function findObjects(p11: Pkcs11js.PKCS11, session: Buffer, template: Pkcs11js.Template): Buffer[] {
  p11.C_FindObjectsInit(session, template);
  try {
    return p11.C_FindObjects(session, 64);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

function findKey(p11: Pkcs11js.PKCS11, pkcs11: typeof Pkcs11js, session: Buffer, cfg: Pkcs11KeyConfig): Buffer {
  const template: Pkcs11js.Template = [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }];
  if (cfg.keyLabel) template.push({ type: pkcs11.CKA_LABEL, value: cfg.keyLabel });
  if (cfg.keyId) template.push({ type: pkcs11.CKA_ID, value: Buffer.from(cfg.keyId, 'hex') });
  const found = findObjects(p11, session, template);
  const which = [cfg.keyLabel && `label "${cfg.keyLabel}"`, cfg.keyId && `id ${cfg.keyId}`].filter(Boolean).join(', ') || 'any';
  if (found.length === 1) return found[0];
  throw fail(
    'token_key',
    found.length
      ? `token có ${found.length} khóa (${which}); ghi keyLabel hoặc keyId (several private keys match; name one with keyLabel or keyId)`
      : `không thấy khóa riêng trên token (no private key with ${which})`,
  );
}

/** The certificate with the key's CKA_ID first, the token's other certificates after it. */
function tokenCertificates(p11: Pkcs11js.PKCS11, pkcs11: typeof Pkcs11js, session: Buffer, keyId: Buffer): Buffer[] {
  const certs = findObjects(p11, session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_CERTIFICATE }]).map((h) => {
    const [id, value] = p11.C_GetAttributeValue(session, h, [{ type: pkcs11.CKA_ID }, { type: pkcs11.CKA_VALUE }]);
    return { id: id.value, der: value.value };
  });
  const own = certs.find((c) => keyId.length > 0 && c.id.equals(keyId));
  if (!own) throw fail('token_certificate', 'token không có chứng thư của khóa; ghi tệp PEM vào pkcs11.certificate (no certificate for the key on the token)');
  return [own.der, ...certs.filter((c) => c !== own).map((c) => c.der)];
}

function pemCertificates(file: string): Buffer[] {
  const full = path.resolve(PROJECT_ROOT, file);
  let text: string;
  try {
    text = readFileSync(full, 'latin1');
  } catch (err) {
    throw fail('token_certificate', `${full}: không đọc được chứng thư (certificate file unreadable: ${reason(err)})`, err);
  }
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1], 'base64'));
  if (!blocks.length) throw fail('token_certificate', `${full}: không có chứng thư PEM (no PEM certificate)`);
  return blocks;
}

/** Logs out and closes every session and library (the gateway's shutdown). */
export function closeIssueTokens(): void {
  for (const key of new Set(keys.values())) {
    try {
      key.p11.C_CloseSession(key.session);
    } catch {}
  }
  keys.clear();
  for (const p11 of modules.values()) {
    try {
      p11.C_Finalize();
      p11.close();
    } catch {}
  }
  modules.clear();
  refused.clear();
}
