/**
 * Two units of one gateway that deliver to each other locally (docs/issuance.md, local delivery):
 * nothing leaves the process — the test gateway's smarthost is a refusing port and ".invalid" has
 * no MX. A sends as the first unit (notation suffix STC-NS, no DKIM or S/MIME), with quick retries.
 */
import type { Config, UnitConfig } from '../../gateway/config/load.ts';
import type { DirectoryEntry } from '../../gateway/config/outgoing.ts';

/** Sở Tài chính (stc), the sending unit of these suites. */
export const UNIT_A: UnitConfig = { id: 'stc', name: 'Sở Tài chính tỉnh Lâm Đồng', organId: '000.00.12.H41', addresses: ['vanthu@stc.lamdong.invalid'] };
/** Văn phòng UBND (vpubnd), the receiving unit. */
export const UNIT_B: UnitConfig = {
  id: 'vpubnd',
  name: 'Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng',
  organId: '000.00.01.H41',
  addresses: ['vanthu@vpubnd.lamdong.invalid'],
};

/** A directory of two agencies sharing a name ("Sở Tư pháp"): a lookup of it lists both candidates. */
export const namesakes = (): DirectoryEntry[] => [
  { name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.invalid', organId: null, aliases: [] },
  { name: 'Sở Tư pháp tỉnh Đắk Nông', address: 'vanthu@stp.daknong.invalid', organId: null, aliases: [] },
];

/** `a` and `b` as the gateway's units, delivering locally; `a` sends (3 attempts, 200 ms apart at first). */
export function localUnits(cfg: Config, a: UnitConfig, b: UnitConfig): void {
  cfg.units = [a, b];
  cfg.mail.from = a.addresses[0];
  cfg.mail.localDelivery = true;
  cfg.outgoing.units[a.id] = { codeSuffix: 'STC-NS', dkim: null, smime: null };
  cfg.outgoing.delivery = { attempts: 3, backoffMs: 200, concurrency: 2 };
}
