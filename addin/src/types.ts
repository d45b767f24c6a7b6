/** Shapes the pane reads from the gateway's API (a subset of each response: extra fields are ignored). */
export type Role = 'officer' | 'clerk' | 'leader' | 'admin';

export interface UserInfo {
  id: string;
  email: string;
  name: string;
  role: Role;
  unitId: string;
  department: string | null;
}

export interface Session {
  token: string;
  expiresAt: string | null;
  user: UserInfo;
}

export interface SignatureInfo {
  layer: string;
  verdict: string;
  signer: { commonName: string | null; organization: string | null; email: string | null } | null;
  attachment: string | null;
}

export interface DocumentInfo {
  id: string;
  unitId: string;
  inboundId: string | null;
  internetMessageId: string | null;
  status: string;
  reasons: string[];
  bookYear: number | null;
  bookNumber: number | null;
  arrivalAt: string;
  registeredAt: string | null;
  notation: string | null;
  issuer: string | null;
  issuedDate: string | null;
  typeCode: string | null;
  typeName: string | null;
  subject: string | null;
  urgency: string;
  secrecy: string;
  signer?: string | null;
  senderAddress?: string | null;
  /** 0..1 (list items leave it out). */
  confidence?: number | null;
  verdict?: string | null;
  department: string | null;
  /** The department's name from the unit's configuration (detail views only). */
  departmentName?: string | null;
  assigneeId: string | null;
  dueDate: string | null;
  handlingNotes?: string | null;
  /** The leader's instructions with the current assignment (POST …/assign `note`). */
  assignmentNote?: string | null;
  /** Why the deadline was last changed (POST …/deadline `reason`, or the extension granted). */
  dueReason?: string | null;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  data?: Record<string, unknown>;
}

export interface CommentInfo {
  id: string;
  actor: string;
  body: string;
  createdAt: string;
}

/** GET/POST /api/messages/lookup */
export interface LookupResult {
  found: true;
  match: 'exact' | 'message-id' | 'ingested';
  message: { id: string; messageId: string; subject: string | null; fromAddr: string | null; receivedAt: string; state: string; unitIds: string[] };
  /** Pipeline stages that ran: name → done | failed. */
  stages: Record<string, string>;
  classification: { kind: string; confidence?: number; reasons?: string[] } | null;
  verification: { verdict: string; signatures?: SignatureInfo[] } | null;
}

/** The fields a clerk checks and corrects before registering (registry EDITABLE fields). */
export interface RegisterFields {
  notation: string;
  issuer: string;
  issuedDate: string;
  typeName: string;
  subject: string;
  signer: string;
  urgency: string;
  dueDate: string;
}

/** POST /api/addin/recipients: one recipient as the directory resolves it, or why not with its candidates. */
export type RecipientCheck =
  | { given: string; ok: true; name: string | null; address: string; organId: string | null; known: boolean }
  | { given: string; ok: false; problem: string; candidates: Array<{ name: string; address: string }> };

export interface DeliveryInfo {
  recipient: string;
  recipientName: string | null;
  /** queued → sent → delivered | failed → received → handled */
  state: string;
  lastError: string | null;
  sentAt: string | null;
  receivedAt: string | null;
  handledAt: string | null;
  /** DSNs, receipts and status notices about this recipient. */
  evidence: Array<{ state: string; inboundId: string; at: string; note: string | null }>;
}

/** A draft submitted for issuance (GET /api/addin/sent, GET /api/issuance/{id}). */
export interface SentItem {
  id: string;
  unitId: string;
  /** pending → issuing → issued | returned */
  state: string;
  submittedBy: string;
  submitterName: string | null;
  subject: string;
  typeName: string | null;
  /** Độ khẩn of the draft (migration 0017); older gateways leave it out. */
  urgency?: string;
  note: string | null;
  recipients: Array<{ given: string; name: string | null; address: string; known: boolean }>;
  files: Array<{ filename: string; contentType: string; size: number }>;
  unsigned: string | null;
  returnReason: string | null;
  lastError: string | null;
  createdAt: string;
  decidedAt: string | null;
  outgoing: { id: string; notation: string; createdAt: string; deliveries: DeliveryInfo[]; acknowledged: boolean } | null;
  warnings?: string[];
}
