/**
 * The directory of agencies a unit can send to: the configured `directory` plus the gateway's own
 * units. Users pick an agency by (part of) its name, with or without diacritics; an address that
 * is in no entry is still allowed, with a warning.
 */
import type { Config } from '../config/load.ts';
import { foldDiacritics } from '../documents/text.ts';

export interface Agency {
  name: string;
  address: string;
  organId: string | null;
  /** The local unit id when the agency is one of this gateway's units. */
  unitId: string | null;
  aliases: string[];
}

export function directoryOf(config: Config): Agency[] {
  const own: Agency[] = config.units.map((u) => ({ name: u.name, address: u.addresses[0], organId: u.organId, unitId: u.id, aliases: [] }));
  const known = new Set(own.map((a) => a.address));
  const listed = config.directory
    .filter((d) => !known.has(d.address))
    .map((d) => ({ name: d.name.normalize('NFC'), address: d.address, organId: d.organId, unitId: null, aliases: d.aliases }));
  return [...listed, ...own];
}

/**
 * Abbreviations agencies write their own names with (docs/issuance.md, "Recipients"): "Văn phòng
 * UBND tỉnh …" is the directory's "Văn phòng Ủy ban nhân dân tỉnh …". Words, after folding.
 */
const ABBREVIATIONS: Record<string, string> = {
  ubnd: 'uy ban nhan dan',
  hdnd: 'hoi dong nhan dan',
  vp: 'van phong',
  tp: 'thanh pho',
  tx: 'thi xa',
  bhxh: 'bao hiem xa hoi',
  kbnn: 'kho bac nha nuoc',
  mttq: 'mat tran to quoc',
  ctcp: 'cong ty co phan',
};

/** A name as compared: without diacritics, lower case, abbreviations spelled out, one space between words. */
const fold = (s: string) =>
  foldDiacritics(s)
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => ABBREVIATIONS[w] ?? w)
    .join(' ');

/** Every word of the query must occur in the name, an alias, the address or the organ id. */
export function searchDirectory(entries: Agency[], q: string | undefined): Agency[] {
  const words = fold(q ?? '')
    .split(' ')
    .filter(Boolean);
  if (!words.length) return entries;
  return entries.filter((a) => {
    const hay = fold([a.name, ...a.aliases, a.address, a.organId ?? ''].join(' '));
    return words.every((w) => hay.includes(w));
  });
}

/**
 * Part of a name picks an agency only by whole words, and at least two of them: "so" or "tai"
 * alone must not send a document to whichever agency happens to contain it.
 */
function wholeWordMatches(entries: Agency[], q: string): Agency[] {
  const words = fold(q).split(' ').filter(Boolean);
  if (words.length < 2) return [];
  return entries.filter((a) =>
    [a.name, ...a.aliases].some((n) => {
      const have = new Set(fold(n).split(' '));
      return words.every((w) => have.has(w));
    }),
  );
}

export interface ResolvedRecipient {
  name: string | null;
  address: string;
  organId: string | null;
  known: boolean;
}

export class RecipientError extends Error {
  constructor(
    message: string,
    /** The agencies the name could mean (ambiguous or too vague), so a form can offer them. */
    readonly candidates: Agency[] = [],
  ) {
    super(message);
  }
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * A recipient given as an address, a local unit id, an organ id or an exact agency name. Names
 * that match several agencies are refused: sending to the wrong agency is worse than asking.
 */
export function resolveRecipient(entries: Agency[], given: string): ResolvedRecipient {
  const v = given.trim().normalize('NFC');
  const lower = v.toLowerCase();
  const exact = entries.find((a) => a.address === lower || a.unitId === v || (a.organId !== null && a.organId === v));
  if (exact) return { name: exact.name, address: exact.address, organId: exact.organId, known: true };
  if (ADDRESS.test(v)) return { name: null, address: lower, organId: null, known: false };
  const byName = entries.filter((a) => [a.name, ...a.aliases].some((n) => fold(n) === fold(v)));
  const hits = byName.length ? byName : wholeWordMatches(entries, v);
  if (hits.length === 1) return { name: hits[0].name, address: hits[0].address, organId: hits[0].organId, known: true };
  const loose = hits.length ? [] : searchDirectory(entries, v);
  if (loose.length === 1) throw new RecipientError(`"${v}" chưa đủ rõ; ghi đầy đủ tên đơn vị, ví dụ "${loose[0].name}" (give the agency's full name)`, loose);
  if (loose.length > 1) throw new RecipientError(`"${v}" khớp nhiều đơn vị: ${loose.map((h) => h.name).join('; ')} (ambiguous recipient)`, loose);
  if (!hits.length) throw new RecipientError(`Không tìm thấy đơn vị nhận "${v}" trong danh bạ (unknown recipient)`);
  throw new RecipientError(`"${v}" khớp nhiều đơn vị: ${hits.map((h) => h.name).join('; ')} (ambiguous recipient)`, hits);
}
