/**
 * The calls the pane makes, one function per route, so the route shapes of the gateway live in
 * one place (gateway/http/lookup.ts and the registry's routes under gateway/registry/).
 */
import { ApiError, type Api } from './api.ts';
import type { CommentInfo, DocumentInfo, HistoryEntry, LookupResult, RegisterFields, Session, UserInfo } from './types.ts';

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

  private async notFoundAsNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'not-found') return null;
      throw err;
    }
  }
}
