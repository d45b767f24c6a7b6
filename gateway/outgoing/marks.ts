/**
 * Độ khẩn and độ mật of an outgoing document (Decree 30/2020/NĐ-CP; docs/issuance.md, "Urgency
 * and secrecy"). The urgency goes into the outgoing book and travels with the mail as the
 * receiving side reads it (gateway/documents/rules/marks.ts subjectMarks, edXML Priority); a
 * secret document is not sent by ordinary e-mail at all, as the receiving side would quarantine it.
 */
import { SECRECY_MARK, URGENCY_MARK } from '../documents/rules/marks.ts';
import { modernToneMarks } from '../documents/text.ts';
import type { Secrecy, Urgency } from '../documents/types.ts';
import { isSecret } from '../registry/access/policy.ts';
import { RegistryError } from '../registry/errors.ts';

export const URGENCIES: readonly Urgency[] = ['normal', 'khan', 'thuong_khan', 'hoa_toc'];
export const SECRECIES: readonly Secrecy[] = ['normal', 'mat', 'toi_mat', 'tuyet_mat'];
export { SECRECY_MARK, URGENCY_MARK };

/** "khan", "thuong-khan", "Thượng khẩn", "HỎA TỐC" alike: the code, or a 400 naming the allowed ones. */
function parseMark<T extends string>(field: string, value: string | null | undefined, codes: readonly T[], marks: Record<T, string>): T {
  const v = modernToneMarks(value ?? '').trim();
  if (!v) return codes[0];
  const code = v.toLowerCase().replace(/[\s-]+/g, '_');
  const found = codes.find((c) => c === code || (marks[c] && marks[c].toLowerCase() === v.toLowerCase().replace(/\s+/g, ' ')));
  if (!found) throw new RegistryError(400, `${field}: một trong ${codes.join(', ')} (one of ${codes.join(', ')})`, { reason: field });
  return found;
}

export function parseUrgency(value: string | null | undefined): Urgency {
  return parseMark('urgency', value, URGENCIES, URGENCY_MARK);
}

export function parseSecrecy(value: string | null | undefined): Secrecy {
  return parseMark('secrecy', value, SECRECIES, SECRECY_MARK);
}

/**
 * A document marked secret is refused before anything is numbered: ordinary e-mail does not carry
 * state secrets (the same rule the receiving side and forwarding apply, docs/security-access.md).
 */
export function refuseSecret(secrecy: Secrecy): void {
  if (isSecret(secrecy))
    throw new RegistryError(
      409,
      `Văn bản mật (${SECRECY_MARK[secrecy]}) không được gửi qua thư điện tử; đăng ký vào sổ và chuyển theo đường mật ` +
        `(a secret document is not sent by e-mail; register it in the book and send it through the secret channel)`,
      { reason: 'secret' },
    );
}

/** "[HỎA TỐC] " before the mail subject, the way receivers (vanthu's subjectMarks too) read it; '' for normal. */
export function subjectPrefix(urgency: Urgency): string {
  return urgency === 'normal' ? '' : `[${URGENCY_MARK[urgency]}] `;
}

/** The request-body properties of the routes that send or submit (gateway/http/outgoing.ts, addin-send.ts). */
export const MARK_PROPERTIES = {
  urgency: { type: 'string', enum: URGENCIES, description: 'độ khẩn; default normal' },
  secrecy: { type: 'string', enum: SECRECIES, description: 'độ mật; anything but normal is refused (409): secret documents do not travel by e-mail' },
} as const;
