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

/** Fails every query recognisably, so mailauth still checks what needs no DNS (DKIM body hashes). */
const offline: DnsResolver = async () => {
  throw Object.assign(new Error(OFFLINE), { code: OFFLINE });
};

export async function verifyMailAuth(raw: Buffer, opts: MailAuthOptions): Promise<SignatureReport[]> {
  const result = await authenticate(raw, {
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
