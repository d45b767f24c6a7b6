/**
 * Element names of edXML (QCVN 102:2016/BTTTT) as commonly implemented by the national document
 * exchange platform. Parsing (tolerant: any prefix, any case) and producing (strict: these exact
 * names under the edXML prefix) both read them from here, so aligning with the published schema
 * is a change to this file only.
 */

export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const EDXML_PREFIX = 'edXML';
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

export const E = {
  envelope: 'edXMLEnvelope',
  header: 'edXMLHeader',
  body: 'edXMLBody',
  messageHeader: 'MessageHeader',
  from: 'From',
  to: 'To',
  organId: 'OrganId',
  organName: 'OrganName',
  organInCharge: 'OrganInCharge',
  organAdd: 'OrganAdd',
  email: 'Email',
  telephone: 'Telephone',
  fax: 'Fax',
  website: 'Website',
  documentId: 'DocumentId',
  code: 'Code',
  codeNumber: 'CodeNumber',
  codeNotation: 'CodeNotation',
  promulgationInfo: 'PromulgationInfo',
  place: 'Place',
  promulgationDate: 'PromulgationDate',
  documentType: 'DocumentType',
  type: 'Type',
  typeName: 'TypeName',
  subject: 'Subject',
  content: 'Content',
  signerInfo: 'SignerInfo',
  author: 'Author',
  competence: 'Competence',
  position: 'Position',
  function: 'Function',
  fullName: 'FullName',
  dueDate: 'DueDate',
  toPlaces: 'ToPlaces',
  otherInfo: 'OtherInfo',
  priority: 'Priority',
  sphereOfPromulgation: 'SphereOfPromulgation',
  typerNotation: 'TyperNotation',
  promulgationAmount: 'PromulgationAmount',
  pageAmount: 'PageAmount',
  appendixes: 'Appendixes',
  steeringType: 'SteeringType',
  responseFor: 'ResponseFor',
  traceHeaderList: 'TraceHeaderList',
  traceHeader: 'TraceHeader',
  timestamp: 'Timestamp',
  business: 'Business',
  businessDocType: 'BusinessDocType',
  businessDocReason: 'BusinessDocReason',
  paper: 'Paper',
  staffInfo: 'StaffInfo',
  department: 'Department',
  staff: 'Staff',
  mobile: 'Mobile',
  manifest: 'edXMLManifest',
  reference: 'Reference',
  contentId: 'ContentId',
  attachmentName: 'AttachmentName',
  contentType: 'ContentType',
  description: 'Description',
  signature: 'Signature',
  status: 'Status',
  statusHeader: 'Header',
  statusCode: 'StatusCode',
  secrecy: 'Secrecy',
} as const;

/** OtherInfo/Priority values. */
export const PRIORITY = { normal: '0', khan: '1', thuong_khan: '2', hoa_toc: '3', hoa_toc_hen_gio: '4' } as const;

/** Status codes of a status message answering a document. */
export const STATUS_CODES = {
  '01': 'received',
  '02': 'refused',
  '03': 'accepted',
  '04': 'assigned',
  '05': 'in_progress',
  '06': 'completed',
} as const;

export type StatusName = (typeof STATUS_CODES)[keyof typeof STATUS_CODES];
