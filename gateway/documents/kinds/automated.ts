/**
 * Mail written by machines: delivery status notifications (RFC 3464, multipart/report with
 * report-type=delivery-status), auto-replies marked per RFC 3834 (Auto-Submitted) or by the
 * de-facto headers, and out-of-office replies recognised by their subject and body, in English
 * and Vietnamese.
 */
import { foldDiacritics } from '../text.ts';

export interface MailFacts {
  subject: string;
  from: string;
  headers: Map<string, string>;
  contentType: string;
  reportType: string | null;
  partTypes: string[];
  bodyText: string;
}

const OOO_SUBJECT = [
  /^(auto(matic)?[ -]?(reply|response)|autoreply|out of (the )?office|away from (the )?office|on vacation)\b/,
  /^(tra loi tu dong|thu tra loi tu dong|phan hoi tu dong|vang mat|nghi phep|khong co mat tai co quan)\b/,
  /^(undeliverable|undelivered mail|delivery status notification|mail delivery (failed|failure|subsystem)|returned mail|delivery failure|failure notice)\b/,
];

const OOO_BODY = [
  /\b(i am|i'm) (currently )?(out of (the )?office|away|on (annual )?leave)\b/,
  /\b(toi|em) (hien )?(dang )?(di cong tac|nghi phep|vang mat|khong co mat)\b/,
  /\bthu (nay|nay duoc) (duoc )?(tra loi|gui) tu dong\b/,
  /\bday la thu tra loi tu dong\b/,
];

/** A bounce: never a document, whatever it quotes of the original. */
export function dsnReason(m: Pick<MailFacts, 'reportType' | 'partTypes'>): string | null {
  if (m.reportType === 'delivery-status' || m.partTypes.includes('message/delivery-status')) {
    return 'delivery status notification (RFC 3464)';
  }
  return null;
}

export function automatedReason(m: MailFacts): string | null {
  const dsn = dsnReason(m);
  if (dsn) return dsn;
  const autoSubmitted = m.headers.get('auto-submitted')?.toLowerCase().trim();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted} (RFC 3834)`;
  for (const h of ['x-autoreply', 'x-autorespond']) if (m.headers.has(h)) return `${h} header`;
  const precedence = m.headers.get('precedence')?.toLowerCase();
  if (precedence === 'auto_reply') return 'Precedence: auto_reply';
  if (/^(mailer-daemon|postmaster)@/i.test(m.from)) return `sent by ${m.from.split('@')[0]}`;
  const subject = foldDiacritics(m.subject).replace(/^(re|tl|fw|fwd)\s*:\s*/, '');
  if (OOO_SUBJECT.some((re) => re.test(subject))) return `automatic reply subject "${m.subject}"`;
  const body = foldDiacritics(m.bodyText.slice(0, 2000));
  if (OOO_BODY.some((re) => re.test(body))) return 'out-of-office text in the body';
  return null;
}
