/**
 * Mail authentication (DKIM, SPF, DMARC, ARC) through mailauth. These layers vouch for the
 * sending domain, not for the document, so they are reported but never decide the overall
 * verdict. SPF needs the connection: the gateway passes its SMTP session (`smtp`); for a file,
 * the client IP, HELO and envelope sender come from the topmost Received header that names a
 * client ("from host (host [ip])"), and Return-Path.
 */
import { authenticate } from 'mailauth';
import { signature, type MailLayer, type SignatureReport, type SignatureVerdict } from './report.ts';
import type { DnsResolver } from './dns.ts';

export interface SmtpSession {
  /** Connecting client address. */
  ip: string;
  /** EHLO/HELO name. */
  helo: string;
  /** MAIL FROM address ('' for the null sender). */
  mailFrom: string;
}

export interface MailAuthOptions {
  /** Without a resolver nothing is looked up; every layer reports that DNS was not consulted. */
  dns?: DnsResolver;
  smtp?: SmtpSession;
  now?: Date;
}

interface Status {
  result: string;
  comment?: string | false;
}

const OFFLINE = 'EVANTHUOFFLINE';
const NOT_CONSULTED = 'not checked: DNS not consulted (vanthu verify --dns <zonefile>; the gateway passes its resolver)';

/**
 * The longest address header (From, To, Cc, Sender, Reply-To …) handed to mailauth. Its address
 * parser (an old copy of nodemailer's) takes time that grows faster than the square of the header's
 * length: 128 KiB 0.3 s, 256 KiB 2.6 s, 5 MB over a minute of CPU (found by `npm run fuzz`,
 * docs/fuzzing.md). Real address headers are a few hundred bytes; a message over this is reported
 * `indeterminate` for DKIM/SPF/DMARC/ARC with the reason, and its documents are still verified.
 */
export const MAX_ADDRESS_HEADER_BYTES = 16 * 1024;
const ADDRESS_HEADERS = /^(from|sender|reply-to|to|cc|bcc|resent-from|resent-sender|resent-to|resent-cc|return-path|delivered-to)$/i;

/**
 * The most lines (folded continuations included) of the top header block handed to mailauth. Its
 * header splitter joins folded lines by copying the growing list of continuations and splicing an
 * array once per line, so its time grows faster than the square of the line count: 1,000 lines
 * 0.1 s, 5,000 lines 0.4 s, 20,000 lines (80 KB) 16 s, 110,000 lines minutes (found by `npm run
 * fuzz`, docs/fuzzing.md). Real header blocks, with every Received and signature header of a long
 * relay chain, have a few hundred lines.
 */
export const MAX_HEADER_LINES = 2000;

/**
 * Why the top header block must not be handed to mailauth, or null: an address header longer than
 * MAX_ADDRESS_HEADER_BYTES (folded lines counted together), or more than MAX_HEADER_LINES lines.
 */
export function headerOverLimit(raw: Buffer): string | null {
  let name = '';
  let bytes = 0;
  let lines = 0;
  let start = 0;
  const check = () =>
    name && ADDRESS_HEADERS.test(name) && bytes > MAX_ADDRESS_HEADER_BYTES
      ? `the ${name} header has ${bytes} bytes (more than ${MAX_ADDRESS_HEADER_BYTES}); limit:address-header-bytes`
      : null;
  while (start < raw.length) {
    let end = raw.indexOf(0x0a, start);
    if (end < 0) end = raw.length;
    const len = end - start - (end > start && raw[end - 1] === 0x0d ? 1 : 0);
    if (len === 0) break; // the blank line: end of the header block
    if (++lines > MAX_HEADER_LINES) return `the header has more than ${MAX_HEADER_LINES} lines; limit:header-lines`;
    const first = raw[start];
    if (first === 0x20 || first === 0x09)
      bytes += len; // a folded continuation of the header before
    else {
      const found = check();
      if (found) return found;
      const colon = raw.indexOf(0x3a, start);
      name = colon > start && colon < end ? raw.toString('latin1', start, Math.min(colon, start + 64)).trim() : '';
      bytes = len;
    }
    start = end + 1;
  }
  return check();
}

/** Header fields whose body hash mailauth checks: with none in the top header block it has no use for the body. */
const BODY_HASH_HEADERS = /^(dkim-signature|arc-message-signature|arc-seal)$/i;

/**
 * What verifyMailAuth hands to mailauth: the whole message when its top header block has a DKIM or
 * ARC signature (their body hashes need every body byte), else the header block alone with its
 * blank line. mailauth canonicalises the whole body for DKIM even when no signature asks for it
 * (`ensureLinebreaks`, 7 % of the gateway's CPU with 25 MB messages: bench/e2e/FINDINGS.md, "Ninth
 * round"); SPF and DMARC read only headers and the SMTP session. A message without a blank line is
 * handed over whole.
 */
export function mailAuthInput(raw: Buffer): Buffer {
  let start = 0;
  while (start < raw.length) {
    const end = raw.indexOf(0x0a, start);
    if (end < 0) return raw;
    const len = end - start - (end > start && raw[end - 1] === 0x0d ? 1 : 0);
    if (len === 0) return raw.subarray(0, end + 1);
    const first = raw[start];
    if (first !== 0x20 && first !== 0x09) {
      const colon = raw.indexOf(0x3a, start);
      if (colon > start && colon < end && BODY_HASH_HEADERS.test(raw.toString('latin1', start, Math.min(colon, start + 64)).trim())) return raw;
    }
    start = end + 1;
  }
  return raw;
}

/** Fails every query recognisably, so mailauth still checks what needs no DNS (DKIM body hashes). */
const offline: DnsResolver = async () => {
  throw Object.assign(new Error(OFFLINE), { code: OFFLINE });
};

export async function verifyMailAuth(raw: Buffer, opts: MailAuthOptions): Promise<SignatureReport[]> {
  const overLimit = headerOverLimit(raw);
  if (overLimit) {
    const reason = `not checked: ${overLimit}`;
    return (['dkim', 'spf', 'dmarc', 'arc'] as const).map((layer) => signature(layer, 'indeterminate', { reasons: [reason] }));
  }
  const result = await authenticate(mailAuthInput(raw), {
    resolver: (opts.dns ?? offline) as (name: string, type: string) => Promise<string[]>,
    mta: 'vanthu',
    disableBimi: true,
    ...(opts.smtp ? { ip: opts.smtp.ip, helo: opts.smtp.helo, sender: opts.smtp.mailFrom } : { trustReceived: true }),
  });
  const out: SignatureReport[] = [];
  const dkim = result.dkim.results.length ? result.dkim.results : [{ signingDomain: '', status: { result: 'none' }, info: 'dkim=none' }];
  for (const r of dkim) {
    const status = r.status as Status;
    const signedAt = (r as { signingTime?: Date }).signingTime ?? null;
    out.push(entry('dkim', dkimVerdict(status), r.signingDomain || null, r.info, status, signedAt));
  }
  const spf = result.spf || null;
  if (spf && !spf['client-ip']) {
    out.push(
      signature('spf', 'indeterminate', {
        reasons: ['not checked: the connecting IP is unknown (no SMTP session given, no Received header names the client)'],
      }),
    );
  } else {
    out.push(entry('spf', commonVerdict(spf?.status), spf?.domain ?? null, spf?.info, spf?.status));
  }
  const dmarc = result.dmarc || null;
  out.push(entry('dmarc', commonVerdict(dmarc?.status), dmarc?.domain ?? null, dmarc?.info ?? 'no From domain to check', dmarc?.status));
  const arc = result.arc || null;
  const arcDomain = (arc?.signature || null)?.signingDomain || null;
  out.push(entry('arc', commonVerdict(arc?.status), arcDomain, arc?.info ?? 'arc=none (no ARC set in this message)', arc?.status));
  return out;
}

function entry(
  layer: MailLayer,
  verdict: SignatureVerdict,
  domain: string | null,
  info: string | undefined,
  status: Status | undefined,
  signedAt: Date | null = null,
): SignatureReport {
  const offlineOnly = JSON.stringify(status ?? {}).includes(OFFLINE) && verdict === 'indeterminate';
  const reasons = offlineOnly ? [NOT_CONSULTED] : [(info ?? `${layer}=none`).replace(/\s+/g, ' ').trim()];
  return signature(layer, verdict, {
    signer: domain ? { commonName: domain, organization: null, email: null } : null,
    signedAt: signedAt && !Number.isNaN(signedAt.getTime()) ? signedAt.toISOString() : null,
    reasons,
  });
}

/**
 * mailauth reports a DKIM body-hash mismatch and an expired signature as "neutral"; for the
 * clerk the first means the message was changed, the second that the signature ran out.
 */
function dkimVerdict(status: Status): SignatureVerdict {
  if (status.result === 'neutral' && status.comment === 'body hash did not verify') return 'invalid';
  if (status.result === 'neutral' && status.comment === 'expired') return 'expired';
  return commonVerdict(status);
}

function commonVerdict(status: Status | undefined): SignatureVerdict {
  if (status?.result === 'pass') return 'valid';
  if (status?.result === 'fail') return 'invalid';
  return 'indeterminate';
}
