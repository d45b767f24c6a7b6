/**
 * Public API of the classifier: what a message is, and the metadata of the official document it
 * carries. The pipeline calls classifyMessage; the CLI calls classifyFile.
 */
export { classifyMessage } from './message.ts';
export { classifyFile, classifyDocumentBytes } from './file.ts';
export { normalizeVietnamese, foldDiacritics } from './text.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export { parseEdXml } from './edxml/parse.ts';
export type { EdXml, Envelope, StatusMessage } from './edxml/parse.ts';
export { buildEnvelope, buildStatus } from './edxml/build.ts';
export type {
  Classification,
  ClassifyLimits,
  ClassifyOptions,
  DocumentMetadata,
  FieldConfidence,
  Kind,
  Secrecy,
  Signer,
  Source,
  Urgency,
} from './types.ts';
