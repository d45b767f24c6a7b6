/**
 * DNS for mail authentication, injectable: the gateway passes the system resolver, tests and
 * `vanthu verify --dns <zonefile>` a fixed zone file, so results do not depend on the network.
 *
 * Zone file format (one record per line; `#` starts a comment; names case-insensitive, a
 * trailing dot optional):
 *
 *   <name> <TYPE> <value>
 *
 *   example.gov.vn                   TXT  "v=spf1 ip4:203.0.113.5 -all"
 *   sel._domainkey.example.gov.vn    TXT  "v=DKIM1; k=rsa; " "p=MIIBIjANBg..."
 *   _dmarc.example.gov.vn            TXT  v=DMARC1; p=reject
 *   example.gov.vn                   MX   10 mx.example.gov.vn
 *   mx.example.gov.vn                A    203.0.113.5
 *
 * TXT values are one or more "quoted strings" (joined, like DNS character-strings) or, unquoted,
 * the rest of the line. MX values are `<preference> <exchange>`; A, AAAA, CNAME, NS and PTR the
 * value as is. Repeating a name and type adds records.
 */
import { readFile } from 'node:fs/promises';
import { promises as dnsPromises } from 'node:dns';

/** Same contract as node:dns `resolve(name, type)` (mailauth's resolver option). */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export interface ZoneRecord {
  name: string;
  type: string;
  value: string | string[] | { exchange: string; priority: number };
}

export class ZoneFileError extends Error {}

const TYPES = new Set(['A', 'AAAA', 'TXT', 'MX', 'CNAME', 'NS', 'PTR']);

export function parseZone(text: string, source = 'zone file'): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const body = stripComment(line).trim();
    if (!body) return;
    const m = /^(\S+)\s+([A-Za-z]+)\s+(.+)$/.exec(body);
    const type = m?.[2].toUpperCase() ?? '';
    if (!m || !TYPES.has(type)) throw new ZoneFileError(`${source}:${i + 1}: expected "<name> <TYPE> <value>" with TYPE one of ${[...TYPES].join(', ')}`);
    records.push({ name: normalize(m[1]), type, value: recordValue(type, m[3].trim(), `${source}:${i + 1}`) });
  });
  return records;
}

/** `#` outside double quotes starts a comment (DKIM keys and SPF never contain one unquoted). */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"' && line[i - 1] !== '\\') quoted = !quoted;
    else if (line[i] === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

function recordValue(type: string, value: string, where: string): ZoneRecord['value'] {
  if (type === 'TXT') {
    if (!value.startsWith('"')) return [value];
    const chunks = Array.from(value.matchAll(/"((?:[^"\\]|\\.)*)"/g), (m) => m[1].replace(/\\(.)/g, '$1'));
    if (chunks.length === 0) throw new ZoneFileError(`${where}: unterminated TXT string`);
    return chunks;
  }
  if (type === 'MX') {
    const m = /^(\d+)\s+(\S+)$/.exec(value);
    if (!m) throw new ZoneFileError(`${where}: MX value must be "<preference> <exchange>"`);
    return { priority: Number(m[1]), exchange: normalize(m[2]) };
  }
  return type === 'CNAME' || type === 'NS' || type === 'PTR' ? normalize(value) : value;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function dnsError(code: 'ENOTFOUND' | 'ENODATA', name: string, type: string): Error {
  return Object.assign(new Error(`${code} ${name} ${type}`), { code, hostname: name });
}

/** A resolver answering from records only: unknown names are ENOTFOUND, known names without the type ENODATA. */
export function zoneResolver(records: readonly ZoneRecord[]): DnsResolver {
  return async (name, rrtype) => {
    const n = normalize(name);
    const type = rrtype.toUpperCase();
    const atName = records.filter((r) => r.name === n);
    if (atName.length === 0) throw dnsError('ENOTFOUND', name, type);
    const answers = atName.filter((r) => r.type === type).map((r) => r.value);
    if (answers.length === 0) throw dnsError('ENODATA', name, type);
    return answers;
  };
}

export async function loadZoneFile(path: string): Promise<DnsResolver> {
  return zoneResolver(parseZone(await readFile(path, 'utf8'), path));
}

/** The host's resolver, for the running gateway. */
export const systemResolver: DnsResolver = (name, rrtype) => dnsPromises.resolve(name, rrtype) as Promise<unknown[]>;
