/**
 * Producing edXML envelopes and status messages (strict: every element of names.ts under the
 * edXML prefix, in a fixed order). Used by the outgoing side and by the test fixtures.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { E, EDXML_NAMESPACE, EDXML_PREFIX, PRIORITY, STATUS_CODES, type StatusName } from './names.ts';
import type { DocumentMetadata } from '../types.ts';

const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, attributeNamePrefix: '@' });

const q = (name: string) => `${EDXML_PREFIX}:${name}`;

export interface OrganInfo {
  id: string;
  name: string;
  email?: string;
}

function organ(o: OrganInfo) {
  return { [q(E.organId)]: o.id, [q(E.organName)]: o.name, ...(o.email ? { [q(E.email)]: o.email } : {}) };
}

export interface EnvelopeInput {
  from: OrganInfo;
  to: OrganInfo[];
  documentId: string;
  document: Omit<DocumentMetadata, 'source'>;
  attachments: Array<{ contentId: string; name: string; contentType: string }>;
}

/** "11/2005/CT-UBND" → CodeNumber "11", CodeNotation "2005/CT-UBND". */
export function splitNotation(notation: string | null): { number: string; notation: string } {
  const [number, ...rest] = (notation ?? '').split('/');
  return { number: number ?? '', notation: rest.join('/') };
}

export function buildEnvelope(input: EnvelopeInput): string {
  const d = input.document;
  const code = splitNotation(d.notation);
  const priority = PRIORITY[d.urgency];
  const header = {
    [q(E.from)]: organ(input.from),
    [q(E.to)]: input.to.map(organ),
    [q(E.documentId)]: input.documentId,
    [q(E.code)]: { [q(E.codeNumber)]: code.number, [q(E.codeNotation)]: code.notation },
    [q(E.promulgationInfo)]: { [q(E.place)]: d.place ?? '', [q(E.promulgationDate)]: d.issuedDate ?? '' },
    [q(E.documentType)]: { [q(E.type)]: d.typeCode ?? '', [q(E.typeName)]: d.typeName ?? '' },
    [q(E.subject)]: d.subject ?? '',
    [q(E.signerInfo)]: {
      [q(E.competence)]: d.signer?.authority ?? '',
      [q(E.position)]: d.signer?.title ?? '',
      [q(E.fullName)]: d.signer?.name ?? '',
    },
    ...(d.dueDate ? { [q(E.dueDate)]: d.dueDate } : {}),
    [q(E.toPlaces)]: { [q(E.place)]: d.recipients },
    [q(E.otherInfo)]: { [q(E.priority)]: priority, ...(d.secrecy !== 'normal' ? { [q(E.secrecy)]: d.secrecy } : {}) },
  };
  const xml = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    [q(E.envelope)]: {
      [`@xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE,
      [q(E.header)]: { [q(E.messageHeader)]: header },
      [q(E.body)]: {
        [q(E.manifest)]: {
          [q(E.reference)]: input.attachments.map((a) => ({
            [q(E.contentId)]: a.contentId,
            [q(E.attachmentName)]: a.name,
            [q(E.contentType)]: a.contentType,
          })),
        },
      },
    },
  };
  return builder.build(xml);
}

export interface StatusInput {
  from: OrganInfo;
  to: OrganInfo;
  responseFor: { organId: string; code: string; documentId: string; promulgationDate: string };
  status: StatusName;
  description: string;
  timestamp: string;
  staff: { department: string; name: string };
}

export function buildStatus(input: StatusInput): string {
  const code = Object.entries(STATUS_CODES).find(([, name]) => name === input.status)?.[0] ?? '';
  const r = input.responseFor;
  const xml = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    [q(E.status)]: {
      [`@xmlns:${EDXML_PREFIX}`]: EDXML_NAMESPACE,
      [q(E.statusHeader)]: {
        [q(E.from)]: organ(input.from),
        [q(E.to)]: organ(input.to),
        [q(E.responseFor)]: {
          [q(E.organId)]: r.organId,
          [q(E.code)]: r.code,
          [q(E.documentId)]: r.documentId,
          [q(E.promulgationDate)]: r.promulgationDate,
        },
        [q(E.statusCode)]: code,
        [q(E.description)]: input.description,
        [q(E.timestamp)]: input.timestamp,
        [q(E.staffInfo)]: { [q(E.department)]: input.staff.department, [q(E.staff)]: input.staff.name },
      },
    },
  };
  return builder.build(xml);
}
