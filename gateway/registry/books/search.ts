/**
 * Listing and search of documents: diacritics-insensitive full text over notation, issuer,
 * subject and extracted text (a folded copy kept in documents.search_text, so PGlite and
 * PostgreSQL need no extension), with filters by book, year, status, assignee and deadline.
 * The principal's scope is always applied: officers see only their items.
 */
import { and, asc, count, desc, eq, gte, inArray, isNotNull, lt, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { foldDiacritics } from '../../documents/text.ts';
import { documentListScope, type Principal } from '../access/policy.ts';
import { localDate } from '../../clock.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, users } from '../schema.ts';

export interface DocumentQuery {
  q?: string;
  unit?: string;
  year?: number;
  status?: string[];
  assignee?: string; // user id or e-mail, or "me"
  department?: string;
  dueBefore?: string;
  dueAfter?: string;
  overdue?: boolean;
  /** Decree 30 type code, exactly ("CV", "QĐ"). */
  typeCode?: string;
  /** Words of the issuer's name, diacritics-insensitive. */
  issuer?: string;
  /** Độ khẩn, exactly (normal, khan, thuong_khan, hoa_toc). */
  urgency?: string;
  /** Also answer `types`: the type codes of the matching documents whatever `typeCode` says (the book's type filter). */
  facets?: boolean;
  /** Only book entries (registered), or only the clerk's queue. */
  book?: 'incoming' | 'review';
  limit?: number;
  offset?: number;
}

/** The filters the incoming book is shown with (console/src/books.ts), printed with the same meaning. */
export type BookFilter = Pick<DocumentQuery, 'q' | 'status' | 'typeCode' | 'issuer' | 'urgency'>;

/**
 * Conditions of the book's filters: full text, state, urgency and issuer (`anyType`), and the type
 * code (`type`, apart: the type facet counts every type). GET /api/documents and the printed book
 * (GET /api/books/{unit}/{year}) both build their WHERE from it.
 */
export function filterConditions(f: BookFilter): { anyType: SQL[]; type: SQL[] } {
  const anyType: SQL[] = [];
  for (const t of queryTokens(f.q ?? '')) anyType.push(likeEscaped(documents.searchText, `%${escapeLike(t)}%`));
  if (f.status?.length) anyType.push(inArray(documents.status, f.status));
  if (f.urgency) anyType.push(eq(documents.urgency, f.urgency));
  const issuer = foldDiacritics(f.issuer ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (issuer) anyType.push(likeEscaped(foldedColumn(documents.issuer), `%${escapeLike(issuer)}%`));
  return { anyType, type: f.typeCode ? [eq(documents.typeCode, f.typeCode)] : [] };
}

export const OPEN_STATUSES = ['received', 'assigned', 'in_progress'];

/** LIKE's wildcards and its escape character, escaped: a search for "50%" finds "50%", not "500". */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column LIKE pattern` with the escape character spelled out (PostgreSQL's default, but not every engine's). */
export function likeEscaped(column: SQLWrapper, pattern: string): SQL {
  return sql`${column} like ${pattern} escape '\\'`;
}

/** Sentence punctuation around a word ("ngân sách," "(2026)") is not part of it; %, _, /, - and the like are. */
const EDGE = /^[\s"'“”‘’«»()[\]{}<>,.;:!?…]+|[\s"'“”‘’«»()[\]{}<>,.;:!?…]+$/gu;

export function queryTokens(q: string): string[] {
  return foldDiacritics(q.normalize('NFC'))
    .split(/\s+/)
    .map((t) => t.replace(EDGE, ''))
    .filter(Boolean)
    .slice(0, 12);
}

/** Every letter with a diacritic (and A–Z) → its folded lower-case letter, for SQL translate(): PGlite and PostgreSQL alike, no extension. */
const VIETNAMESE = 'àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ';
const FOLD_FROM = [...VIETNAMESE, ...VIETNAMESE.toUpperCase(), ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].join('');
const FOLD_TO = [...FOLD_FROM].map((c) => foldDiacritics(c)).join('');

/** A text column folded as foldDiacritics folds (letters with diacritics, Đ and capitals). */
export const foldedColumn = (column: SQLWrapper): SQL => sql`translate(${column}, ${FOLD_FROM}, ${FOLD_TO})`;

async function assigneeId(rt: RegistryRuntime, p: Principal, a: string): Promise<string> {
  if (a === 'me') return p.id ?? '-';
  if (!a.includes('@')) return a;
  const [u] = await rt.db.select({ id: users.id }).from(users).where(eq(users.email, a.toLowerCase()));
  return u?.id ?? '-';
}

export async function searchDocuments(rt: RegistryRuntime, p: Principal, query: DocumentQuery) {
  const where: Array<SQL | undefined> = [];
  const scope = documentListScope(p, query.unit);
  if (scope.unitId) where.push(eq(documents.unitId, scope.unitId));
  if (scope.assigneeId) where.push(eq(documents.assigneeId, scope.assigneeId));
  if (query.year) where.push(eq(documents.bookYear, query.year));
  if (query.assignee) where.push(eq(documents.assigneeId, await assigneeId(rt, p, query.assignee)));
  if (query.department) where.push(eq(documents.department, query.department));
  if (query.dueBefore) where.push(lte(documents.dueDate, query.dueBefore));
  if (query.dueAfter) where.push(gte(documents.dueDate, query.dueAfter));
  if (query.overdue) where.push(and(lt(documents.dueDate, localDate(rt.clock.now(), rt.tz)), inArray(documents.status, OPEN_STATUSES)));
  if (query.book === 'incoming') where.push(isNotNull(documents.bookNumber));
  if (query.book === 'review') where.push(inArray(documents.status, ['review', 'quarantined']));
  const filters = filterConditions(query);
  where.push(...filters.anyType);
  const anyType = and(...where);
  where.push(...filters.type);
  const cond = and(...where);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const [{ total }] = await rt.db.select({ total: count() }).from(documents).where(cond);
  const types = query.facets
    ? await rt.db
        .select({ code: documents.typeCode, name: sql<string | null>`max(${documents.typeName})`, n: count() })
        .from(documents)
        .where(and(anyType, isNotNull(documents.typeCode)))
        .groupBy(documents.typeCode)
        .orderBy(asc(documents.typeCode))
    : undefined;
  const items = await rt.db
    .select(listColumns)
    .from(documents)
    .leftJoin(users, eq(users.id, documents.assigneeId))
    .where(cond)
    .orderBy(
      query.book === 'incoming' ? desc(documents.bookYear) : desc(documents.createdAt),
      query.book === 'incoming' ? desc(documents.bookNumber) : asc(documents.id),
    )
    .limit(limit)
    .offset(query.offset ?? 0);
  return { total: Number(total), items, ...(types ? { types: types.map((t) => ({ code: t.code!, name: t.name, n: Number(t.n) })) } : {}) };
}

export const listColumns = {
  id: documents.id,
  unitId: documents.unitId,
  status: documents.status,
  bookYear: documents.bookYear,
  bookNumber: documents.bookNumber,
  arrivalAt: documents.arrivalAt,
  registeredAt: documents.registeredAt,
  notation: documents.notation,
  issuer: documents.issuer,
  issuedDate: documents.issuedDate,
  typeCode: documents.typeCode,
  typeName: documents.typeName,
  subject: documents.subject,
  urgency: documents.urgency,
  secrecy: documents.secrecy,
  department: documents.department,
  assigneeId: documents.assigneeId,
  assigneeEmail: sql<string | null>`${users.email}`,
  dueDate: documents.dueDate,
  /** The leader's instructions and why the deadline last moved (migration 0016): "my work" shows them. */
  assignmentNote: documents.assignmentNote,
  dueReason: documents.dueReason,
  reasons: documents.reasons,
  linkedTo: documents.linkedTo,
  inboundId: documents.inboundId,
  internetMessageId: documents.internetMessageId,
  doneAt: documents.doneAt,
};
