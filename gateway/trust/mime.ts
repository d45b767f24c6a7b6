/**
 * A small, careful MIME splitter over raw bytes. multipart/signed is verified over the EXACT
 * bytes of its first part (RFC 1847), which a decoding parser such as mailparser does not keep;
 * so S/MIME structure is found here, in the raw message, and parts stay subarrays of it.
 * Attachments (decoded names and content) are mailparser's job in verify.ts.
 */

export interface MimeEntity {
  /** The whole entity as it appears in the message: headers and body. */
  raw: Buffer;
  /** Lower-case header name → unfolded value of its first occurrence. */
  headers: Map<string, string>;
  /** Lower-case "type/subtype"; text/plain when absent. */
  type: string;
  /** Content-Type parameters, lower-case names, values unquoted. */
  params: Record<string, string>;
  body: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

export function parseEntity(raw: Buffer): MimeEntity {
  const { headerEnd, bodyStart } = headerBoundary(raw);
  const headers = new Map<string, string>();
  const lines = raw.subarray(0, headerEnd).toString('latin1').split(/\r?\n/);
  let current: string | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current) {
      headers.set(current, `${headers.get(current)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    current = headers.has(name) ? null : name; // only the first occurrence counts
    if (current) headers.set(current, line.slice(colon + 1).trim());
  }
  const { type, params } = contentType(headers.get('content-type'));
  return { raw, headers, type, params, body: raw.subarray(bodyStart) };
}

/** Bytes of an entity's start searched for its header's end, doubled until one is found. */
export const HEADER_SEARCH_BYTES = 64 * 1024;

/**
 * Headers end at the first empty line (CRLF CRLF or LF LF); none at all if the entity starts with one.
 * Both are looked for in a prefix that grows until either is found: searched over the whole entity,
 * the one a message does not use ("\n\n" in CRLF mail) scanned every byte of a 25 MB attachment
 * (bench/e2e/FINDINGS.md, "Thirteenth round: 25 MB messages"). The first found in the prefix is the
 * first in the entity, and the other cannot start before it unseen (the two overlap only in ways
 * that make one of them absent).
 */
function headerBoundary(raw: Buffer): { headerEnd: number; bodyStart: number } {
  if (raw[0] === LF) return { headerEnd: 0, bodyStart: 1 };
  if (raw[0] === CR && raw[1] === LF) return { headerEnd: 0, bodyStart: 2 };
  for (let size = HEADER_SEARCH_BYTES; ; size *= 2) {
    const head = size >= raw.length ? raw : raw.subarray(0, size);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
    if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
    if (head === raw) return { headerEnd: raw.length, bodyStart: raw.length };
  }
}

export function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  if (!value) return { type: 'text/plain', params };
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase() || 'text/plain';
  const re = /;\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g;
  for (const m of (semi < 0 ? '' : value.slice(semi)).matchAll(re)) {
    const raw = m[2];
    params[m[1].toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return { type, params };
}

/**
 * The body parts of a multipart body, each without the line break that precedes the next
 * delimiter (that line break belongs to the delimiter, RFC 2046 §5.1.1).
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  for (let i = body.indexOf(delimiter); i >= 0; i = body.indexOf(delimiter, i + delimiter.length)) {
    if (i > 0 && body[i - 1] !== LF) continue;
    const after = i + delimiter.length;
    const closing = body[after] === 0x2d && body[after + 1] === 0x2d;
    const eol = body.indexOf(LF, after);
    const padding = body.subarray(closing ? after + 2 : after, eol < 0 ? body.length : eol).toString('latin1');
    if (!/^[ \t\r]*$/.test(padding)) continue; // a longer string that merely starts with the boundary
    if (partStart >= 0) parts.push(body.subarray(partStart, lineBreakStart(body, i, partStart)));
    if (closing || eol < 0) return parts;
    partStart = eol + 1;
  }
  return parts;
}

function lineBreakStart(body: Buffer, i: number, floor: number): number {
  let end = i;
  if (end > floor && body[end - 1] === LF) end--;
  if (end > floor && body[end - 1] === CR) end--;
  return end;
}

/** Body bytes with the Content-Transfer-Encoding undone (base64 and quoted-printable). */
export function decodeBody(entity: MimeEntity): Buffer {
  const cte = (entity.headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (cte === 'base64') return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const text = entity.body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(
      text.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  }
  return entity.body;
}

/** Bare LF line ends turned into CRLF: the canonical form S/MIME signs (RFC 8551 §3.1.1). */
export function canonicalCrlf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
