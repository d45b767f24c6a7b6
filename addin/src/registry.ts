/**
 * The calls the pane makes, one function per route, so the route shapes of the gateway live in
 * one place (gateway/http/lookup.ts and the registry's routes under gateway/registry/).
 */
import { ApiError, type Api } from './api.ts';
import type { CommentInfo, DocumentInfo, HistoryEntry, LookupResult, RecipientCheck, RegisterFields, SentItem, Session, UserInfo } from './types.ts';

/** POST /api/addin/send: the draft's fields and files (base64, the document first). */
export interface SendDraft {
  /** The sending unit: the person's own (admins act for every unit and must name one). */
  unit?: string;
  to: string[];
  subject: string;
  typeCode?: string;
  signer?: string;
  /** Độ khẩn (normal | khan | thuong_khan | hoa_toc); normal when left out. */
  urgency?: string;
  note?: string;
  files: Array<{ filename: string; contentType: string; content: string }>;
  direct?: boolean;
  confirmUnsigned?: boolean;
}

export interface DocumentDetail {
  document: DocumentInfo;
  assignee: Pick<UserInfo, 'id' | 'email' | 'name' | 'department'> | null;
  comments: CommentInfo[];
  history: HistoryEntry[];
}

/** GET /api/documents/:id answers the document's fields with assignee, comments and history beside them. */
type DetailResponse = DocumentInfo & Omit<DocumentDetail, 'document'>;
const detailOf = ({ assignee, comments, history, ...document }: DetailResponse): DocumentDetail => ({ document, assignee, comments, history });

export class Registry {
  constructor(readonly api: Api) {}

  async login(email: string, password: string): Promise<Session> {
    const r = await this.api.request<{ token: string; expiresAt: string; user: UserInfo }>('/api/auth/login', { json: { email, password } });
    return { token: r.token, expiresAt: r.expiresAt, user: r.user };
  }

  async logout(): Promise<void> {
    await this.api.request('/api/auth/logout', { method: 'POST', json: {} });
  }

  /** null when vanthu has no message with this Message-ID. */
  async lookupById(internetMessageId: string): Promise<LookupResult | null> {
    return this.notFoundAsNull(this.api.request<LookupResult>('/api/messages/lookup', { query: { messageId: internetMessageId } }));
  }

  async lookupByMime(raw: Uint8Array, ingest = false): Promise<LookupResult | null> {
    return this.notFoundAsNull(this.api.request<LookupResult>('/api/messages/lookup', { raw, query: { ingest: ingest ? '1' : undefined } }));
  }

  /** The document of a stored message that this person may see (null: none, or not theirs to see). */
  async documentForMessage(messageId: string): Promise<DocumentDetail | null> {
    const r = await this.notFoundAsNull(this.api.request<DetailResponse>('/api/documents/by-message-id', { query: { mid: messageId } }));
    return r && detailOf(r);
  }

  async detail(id: string): Promise<DocumentDetail> {
    return detailOf(await this.api.request<DetailResponse>(`/api/documents/${encodeURIComponent(id)}`));
  }

  async myWork(): Promise<DocumentInfo[]> {
    return (await this.api.request<{ items: DocumentInfo[] }>('/api/my/items', { query: { limit: '500' } })).items;
  }

  async reviewQueue(): Promise<DocumentInfo[]> {
    return (await this.api.request<{ items: DocumentInfo[] }>('/api/review', { query: { limit: '200' } })).items;
  }

  approve(id: string, corrections: Partial<Record<keyof RegisterFields, string | null>>): Promise<DocumentInfo> {
    return this.api.request<DocumentInfo>(`/api/documents/${encodeURIComponent(id)}/approve`, { json: { corrections } });
  }

  markNotDocument(id: string): Promise<DocumentInfo> {
    return this.api.request<DocumentInfo>(`/api/documents/${encodeURIComponent(id)}/not-document`, { json: {} });
  }

  setStatus(id: string, status: string, note: string | null): Promise<DocumentInfo> {
    return this.api.request<DocumentInfo>(`/api/documents/${encodeURIComponent(id)}/status`, { json: note ? { status, note } : { status } });
  }

  comment(id: string, body: string): Promise<CommentInfo> {
    return this.api.request<CommentInfo>(`/api/documents/${encodeURIComponent(id)}/comments`, { json: { body } });
  }

  assign(id: string, officer: string): Promise<DocumentInfo> {
    return this.api.request<DocumentInfo>(`/api/documents/${encodeURIComponent(id)}/assign`, { json: { officer } });
  }

  async officers(unitId: string): Promise<UserInfo[]> {
    return (await this.api.request<{ items: UserInfo[] }>('/api/users', { query: { unit: unitId } })).items;
  }

  // ---- sending for issuance (gateway/http/addin-send.ts, addin-send-queue.ts) ----

  async checkRecipients(to: string[]): Promise<RecipientCheck[]> {
    return (await this.api.request<{ items: RecipientCheck[] }>('/api/addin/recipients', { json: { to } })).items;
  }

  sendForIssuance(draft: SendDraft): Promise<SentItem> {
    return this.api.request<SentItem>('/api/addin/send', { json: draft });
  }

  async sentItems(): Promise<SentItem[]> {
    return (await this.api.request<{ items: SentItem[] }>('/api/addin/sent', { query: { limit: '50' } })).items;
  }

  async issuanceQueue(): Promise<SentItem[]> {
    return (await this.api.request<{ items: SentItem[] }>('/api/issuance')).items;
  }

  issueDraft(id: string, confirmUnsigned = false): Promise<SentItem> {
    return this.api.request<SentItem>(`/api/issuance/${encodeURIComponent(id)}/issue`, { json: confirmUnsigned ? { confirmUnsigned } : {} });
  }

  returnDraft(id: string, reason: string): Promise<SentItem> {
    return this.api.request<SentItem>(`/api/issuance/${encodeURIComponent(id)}/return`, { json: { reason } });
  }

  private async notFoundAsNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'not-found') return null;
      throw err;
    }
  }
}
