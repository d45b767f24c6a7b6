/**
 * Thin helpers over node-forge's ASN.1 decoder. forge is used rather than asn1js/pkijs because
 * on this machine asn1js 4.0 needs ~2–3 ms to decode a 1.6 KB CMS (pkijs SignedData ~12 ms),
 * forge ~30 µs; the PDF target of ≥ 500 verifications/s per core rules the former out.
 * Structures are matched with forge's declarative validators (see the *Schema constants in the
 * modules that use them); nothing here encodes or decodes DER by hand.
 */
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
export const Class = forge.asn1.Class;
export const Type = forge.asn1.Type;

/** A validator node in forge's format (asn1.validate). */
export interface Schema {
  name: string;
  tagClass?: number;
  type?: number;
  constructed?: boolean;
  optional?: boolean;
  capture?: string;
  captureAsn1?: string;
  value?: Schema[];
}

export class DerError extends Error {}

/** forge functions its typings leave out. */
const forgeAsn1 = forge.asn1 as unknown as { validate(o: Asn1, v: Schema, c: object, e: string[]): boolean };

/** Decode one DER/BER value; `trailing` allows bytes after it (PDF /Contents is zero-padded). */
export function parseDer(bytes: Buffer, trailing = false): Asn1 {
  try {
    const options = { strict: true, parseAllBytes: !trailing, decodeBitStrings: false };
    // forge's typings only declare the boolean overload of fromDer.
    const fromDer = forge.asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: object) => Asn1;
    return fromDer(forge.util.createBuffer(bytes.toString('binary')), options);
  } catch (err) {
    throw new DerError(`malformed ASN.1 data (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * Match `node` against a schema; the captured values, or null when it does not fit. A missing
 * node (the child of an empty [0] EXPLICIT wrapper, say) does not fit: forge's validate would
 * dereference it.
 */
// biome-ignore lint/suspicious/noExplicitAny: node-forge's validate fills captures of any ASN.1 value type.
export function match(node: Asn1 | undefined, schema: Schema): Record<string, any> | null {
  if (!node || typeof node !== 'object') return null;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const capture: Record<string, any> = {};
  return forgeAsn1.validate(node, schema, capture, []) ? capture : null;
}

export function encode(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

/** The content octets of a primitive value; a constructed (BER-chunked) string is joined. */
export function bytesOf(node: Asn1 | undefined): Buffer {
  if (!node) return Buffer.alloc(0);
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  return Buffer.concat(node.value.map(bytesOf));
}

export function oidOf(node: Asn1 | undefined): string | null {
  if (!node || node.type !== Type.OID || typeof node.value !== 'string') return null;
  return forge.asn1.derToOid(node.value);
}

/** A UTCTime/GeneralizedTime as a Date; null when absent or not a valid time (forge returns Invalid Date for "9999-99-99"-style garbage). */
export function timeOf(node: Asn1 | undefined): Date | null {
  if (!node || typeof node.value !== 'string') return null;
  let date: Date | null = null;
  try {
    if (node.type === Type.UTCTIME) date = forge.asn1.utcTimeToDate(node.value);
    else if (node.type === Type.GENERALIZEDTIME) date = forge.asn1.generalizedTimeToDate(node.value);
  } catch {
    return null;
  }
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : null;
}

const UNIVERSAL_STRING = 28;

/** Text of a directory-string value, decoded by its ASN.1 type. */
export function textOf(raw: string, type: number): string {
  const bytes = Buffer.from(raw, 'binary');
  if (type === Type.UTF8) return bytes.toString('utf8');
  if (type === Type.BMPSTRING) return bytes.swap16().toString('utf16le');
  if (type === UNIVERSAL_STRING) {
    return Array.from({ length: bytes.length >> 2 }, (_, i) => String.fromCodePoint(bytes.readUInt32BE(i * 4))).join('');
  }
  return bytes.toString('latin1');
}

/** An INTEGER's magnitude as lowercase hex without leading zero octets (serial numbers). */
export function integerHex(node: Asn1 | undefined): string {
  const hex = bytesOf(node)
    .toString('hex')
    .replace(/^(00)+/, '');
  return hex === '' ? '00' : hex;
}

/** Attributes (CMS signed/unsigned, SET OF Attribute) as OID → values. */
export function attributes(set: Asn1 | undefined): Map<string, Asn1[]> {
  const out = new Map<string, Asn1[]>();
  for (const attr of children(set)) {
    const [type, values] = children(attr);
    const oid = oidOf(type);
    if (oid) out.set(oid, children(values));
  }
  return out;
}

/** DER blobs from PEM text (every block with `label`), or the content itself when it is not PEM. */
export function pemBlocks(content: Buffer, label: string): Buffer[] {
  const text = content.toString('latin1');
  if (!text.includes('-----BEGIN')) return content.length > 0 ? [content] : [];
  const blocks = text.matchAll(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g'));
  return Array.from(blocks, (m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}
