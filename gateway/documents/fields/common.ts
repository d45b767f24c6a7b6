/** What both readers (blocks, lines) share: type resolution, locality of a place, provenance. */
import { CITIES, PROVINCES } from '../gazetteer.ts';
import type { Notation } from '../rules/notation.ts';
import type { Summary } from '../rules/heading.ts';
import { typeByCode, typeByName, type DocType } from '../rules/type-codes.ts';
import type { WebMeta } from '../rules/webmeta.ts';
import { foldSameLength } from '../text.ts';
import type { DocumentMetadata } from '../types.ts';

export type Fields = Omit<DocumentMetadata, 'source'>;

/** Where a field's value came from, for its confidence (confidence.ts). */
export type Provenance = 'layout' | 'text' | 'web' | 'completed' | 'borrowed';

export type FieldName = 'typeCode' | 'number' | 'notation' | 'issuer' | 'place' | 'issuedDate' | 'subject' | 'signer' | 'recipients' | 'dueDate';

export interface Read {
  fields: Fields;
  /** Layout evidence that the text is an official document; 4 or more means it is. */
  evidence: number;
  reasons: string[];
  notation: Notation | null;
  provenance: Partial<Record<FieldName, Provenance>>;
  /** The header had a "Số:" whose number was left blank (or none at all): review, never guess. */
  numberMissing: boolean;
}

/** Each name by its fold, the first of the list where two fold alike (as a search of the list finds it). */
function byFold(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) if (!out.has(foldSameLength(n))) out.set(foldSameLength(n), n);
  return out;
}
const FOLDED_CITIES = byFold(CITIES);
const FOLDED_PROVINCES = byFold(PROVINCES);

/** "Bình Thuận" → "tỉnh Bình Thuận", "Hà Nội" → "thành phố Hà Nội"; null for other places. */
export function localityFromPlace(place: string | null): string | null {
  if (!place) return null;
  const key = foldSameLength(place);
  const city = FOLDED_CITIES.get(key);
  if (city) return `thành phố ${city}`;
  const province = FOLDED_PROVINCES.get(key);
  return province ? `tỉnh ${province}` : null;
}

export function resolveType(
  heading: DocType | undefined,
  notation: Notation | null,
  summary: Summary | null,
  web: WebMeta,
  reasons: string[],
): DocType | undefined {
  const fromNotation = notation?.type;
  if (heading && fromNotation && heading.code !== fromNotation.code) {
    reasons.push(`type heading "${heading.name}" does not match notation ${notation?.notation} (${fromNotation.code})`);
  }
  if (heading) return heading;
  if (fromNotation) return fromNotation;
  if (summary?.vv) return typeByCode('CV');
  const webType = web.typeName ? typeByName(web.typeName) : undefined;
  if (webType) reasons.push('type taken from the website attribute table');
  return webType;
}
