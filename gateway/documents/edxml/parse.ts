/**
 * Tolerant reading of edXML envelopes and status messages: any namespace prefix, element names
 * matched without regard to case, missing parts left null. Input is never trusted to be valid.
 */
import { XMLParser } from 'fast-xml-parser';
import { withoutDoctype } from '../sources/docx.ts';
import { E, STATUS_CODES, type StatusName } from './names.ts';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

function asNode(v: unknown): Node | null {
  if (Array.isArray(v)) return asNode(v[0]);
  return v !== null && typeof v === 'object' ? (v as Node) : null;
}

/** Child by local name, case-insensitive. */
export function child(node: Node | null, name: string): unknown {
  if (!node) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(node)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** First descendant with that local name (depth-first, bounded depth). */
export function find(node: Node | null, name: string, depth = 8): unknown {
  if (!node || depth < 0) return undefined;
  const direct = child(node, name);
  if (direct !== undefined) return direct;
  for (const v of Object.values(node)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      const n = asNode(item);
      const hit = n ? find(n, name, depth - 1) : undefined;
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

export function text(v: unknown): string | null {
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number') return String(v);
  const n = asNode(v);
  if (n && '#text' in n) return text(n['#text']);
  return null;
}

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface Organ {
  id: string | null;
  name: string | null;
  email: string | null;
}

function organ(v: unknown): Organ {
  const n = asNode(v);
  return { id: text(child(n, E.organId)), name: text(child(n, E.organName)), email: text(child(n, E.email)) };
}

export interface Envelope {
  from: Organ;
  to: Organ[];
  documentId: string | null;
  codeNumber: string | null;
  codeNotation: string | null;
  place: string | null;
  promulgationDate: string | null;
  typeCode: string | null;
  typeName: string | null;
  subject: string | null;
  signer: { competence: string | null; position: string | null; fullName: string | null } | null;
  dueDate: string | null;
  toPlaces: string[];
  priority: string | null;
  secrecy: string | null;
  attachments: Array<{ contentId: string | null; name: string | null; contentType: string | null }>;
}

export interface StatusMessage {
  from: Organ;
  responseFor: { organId: string | null; code: string | null; documentId: string | null; promulgationDate: string | null };
  statusCode: string | null;
  status: StatusName | null;
  description: string | null;
  timestamp: string | null;
  staff: string | null;
  department: string | null;
}

export type EdXml = { kind: 'envelope'; envelope: Envelope } | { kind: 'status'; status: StatusMessage };

function parseXml(xml: string): Node | null {
  try {
    return asNode(parser.parse(withoutDoctype(xml)));
  } catch {
    return null;
  }
}

function readEnvelope(root: Node): Envelope {
  const header = asNode(find(root, E.messageHeader)) ?? asNode(find(root, E.header)) ?? root;
  const code = asNode(child(header, E.code));
  const prom = asNode(child(header, E.promulgationInfo));
  const docType = asNode(child(header, E.documentType));
  const author = asNode(child(header, E.signerInfo)) ?? asNode(child(header, E.author));
  const other = asNode(child(header, E.otherInfo));
  const manifest = asNode(find(root, E.manifest));
  return {
    from: organ(child(header, E.from)),
    to: list(child(header, E.to)).map(organ),
    documentId: text(child(header, E.documentId)),
    codeNumber: text(child(code, E.codeNumber)),
    codeNotation: text(child(code, E.codeNotation)),
    place: text(child(prom, E.place)),
    promulgationDate: text(child(prom, E.promulgationDate)),
    typeCode: text(child(docType, E.type)),
    typeName: text(child(docType, E.typeName)),
    subject: text(child(header, E.subject)),
    signer: author
      ? {
          competence: text(child(author, E.competence)),
          position: text(child(author, E.position)) ?? text(child(author, E.function)),
          fullName: text(child(author, E.fullName)),
        }
      : null,
    dueDate: text(child(header, E.dueDate)),
    toPlaces: list(child(asNode(child(header, E.toPlaces)), E.place))
      .map(text)
      .filter((p): p is string => p !== null),
    priority: text(child(other, E.priority)),
    secrecy: text(child(other, E.secrecy)),
    attachments: list(child(manifest, E.reference)).map((r) => {
      const n = asNode(r);
      return { contentId: text(child(n, E.contentId)), name: text(child(n, E.attachmentName)), contentType: text(child(n, E.contentType)) };
    }),
  };
}

function readStatus(root: Node): StatusMessage {
  const header = asNode(find(root, E.statusHeader)) ?? root;
  const rf = asNode(find(header, E.responseFor));
  const staffInfo = asNode(find(header, E.staffInfo));
  const code = text(find(header, E.statusCode));
  const normalized = code ? code.padStart(2, '0') : null;
  return {
    from: organ(find(header, E.from)),
    responseFor: {
      organId: text(child(rf, E.organId)),
      code: text(child(rf, E.code)),
      documentId: text(child(rf, E.documentId)),
      promulgationDate: text(child(rf, E.promulgationDate)),
    },
    statusCode: normalized,
    status: normalized && normalized in STATUS_CODES ? STATUS_CODES[normalized as keyof typeof STATUS_CODES] : null,
    description: text(find(header, E.description)),
    timestamp: text(find(header, E.timestamp)),
    staff: text(child(staffInfo, E.staff)),
    department: text(child(staffInfo, E.department)),
  };
}

/** Parses an edXML envelope or status message; null when the XML is neither (or not XML). */
export function parseEdXml(xml: string): EdXml | null {
  if (!/<([\w-]+:)?(edXMLEnvelope|Status)\b/i.test(xml.slice(0, 4096))) return null;
  const doc = parseXml(xml);
  if (!doc) return null;
  const rootKey = Object.keys(doc).find((k) => !k.startsWith('?'));
  const root = rootKey ? asNode(doc[rootKey]) : null;
  if (!root || !rootKey) return null;
  if (rootKey.toLowerCase() === E.status.toLowerCase()) return { kind: 'status', status: readStatus(root) };
  if (rootKey.toLowerCase() === E.envelope.toLowerCase()) return { kind: 'envelope', envelope: readEnvelope(root) };
  return null;
}
