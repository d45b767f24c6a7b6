/**
 * The authorisation policy: who may do what to which unit's records. Every decision of the HTTP
 * API and of the CLI is taken here, from two things only — the caller's principal (role, unit) and
 * facts about the record (its unit(s), assignee, secrecy). Routes declare a permission
 * (`config: { permission }`, checked by one hook in gateway/http/server.ts, which also refuses to
 * start when an /api route declares none); handlers that touch a record ask the record functions
 * below. docs/security-access.md is the same table in prose.
 *
 * Principals:
 * - users (login sessions): officer, clerk, leader, admin — each belongs to one unit; admins act on
 *   every unit;
 * - services (config tokens, `http.tokens`): role `admin` (scripts, the CLI through the gateway:
 *   everything an admin may do) or `relay` (the Haraka plugin: the unit directory and uploads with
 *   an SMTP envelope, nothing else);
 * - the operator: CLI commands that open the database directly (no gateway answering) act as
 *   OPERATOR, an admin — whoever can read the configuration and the data directory administers
 *   this installation anyway.
 *
 * Status codes, one rule everywhere: a record the caller may not see answers 404, exactly as one
 * that does not exist (no one learns that another unit's message or a secret document exists); a
 * permission the caller's role lacks answers 403 (that depends on the role only, never on a
 * record); asking for another unit's collection (its list, book, users — unit ids are public via
 * /api/units) answers 403.
 *
 * Secret documents (mật, tối mật, tuyệt mật — all three alike): leaders and clerks of the unit and
 * admins; an officer only while the document is assigned to them. A message carrying a secret
 * document (raw MIME, detail, attachments, lookups, lists) follows the same rule.
 *
 * This module imports nothing of the application but the role names (config), so every layer from
 * the domain up may use it.
 */
import type { UserRole } from '../../config/registry.ts';

export type { UserRole };
/** Roles of config tokens (http.tokens[].role); `metrics`: a Prometheus scraper, GET /metrics and nothing else. */
export type ServiceRole = 'admin' | 'relay' | 'metrics';
export type PrincipalRole = UserRole | 'relay' | 'metrics';

export interface Principal {
  kind: 'service' | 'user';
  /** User id; null for services and the operator. */
  id: string | null;
  name: string;
  email: string | null;
  role: PrincipalRole;
  /** The unit the principal acts for; null: every unit (admins, admin services) or none (relays). */
  unitId: string | null;
  department: string | null;
}

export const PERMISSIONS = [
  'units.read',
  'messages.read',
  'messages.upload',
  'messages.relay',
  'documents.read',
  'documents.review',
  'documents.assign',
  'documents.progress',
  'documents.comment',
  'books.read',
  'books.number',
  'users.read',
  'users.manage',
  'audit.verify',
  'outgoing.send',
  'outgoing.read',
  'outgoing.submit',
  'outgoing.issue',
  'directory.read',
  'connectors.read',
  'status.read',
  'overview.read',
  'reports.read',
  'messages.retry',
  'metrics.read',
  'routing.read',
  'routing.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a route declares: a permission, or `public` (no token: login, the OpenAPI document) or `authenticated` (any valid token: who am I, log out). */
export type RouteAccess = Permission | 'public' | 'authenticated';

const ALL_USERS: PrincipalRole[] = ['officer', 'clerk', 'leader', 'admin'];

/** The matrix: which roles hold each permission (admin services hold the admin's). Record rules below narrow it to units and assignees. */
export const GRANTS: Record<Permission, readonly PrincipalRole[]> = {
  'units.read': [...ALL_USERS, 'relay'],
  'messages.read': ALL_USERS, // officers: only messages of documents assigned to them
  'messages.upload': ['clerk', 'admin', 'relay'], // clerks: only to their own unit's addresses
  'messages.relay': ['relay'], // hand over an SMTP envelope (source=haraka, remoteIp, mailFrom, helo)
  'documents.read': ALL_USERS, // officers: only documents assigned to them
  'documents.review': ['clerk', 'admin'],
  'documents.assign': ['leader', 'admin'],
  'documents.progress': ['officer', 'leader', 'admin'],
  'documents.comment': ALL_USERS,
  'books.read': ['clerk', 'leader', 'admin'],
  'books.number': ['clerk', 'admin'],
  'users.read': ['leader', 'admin'],
  'users.manage': ['admin'],
  'audit.verify': ['admin'],
  // Issuing a document is the clerk's act (Decree 30): officers and leaders submit drafts (outgoing.submit) to the issuance queue.
  'outgoing.send': ['clerk', 'admin'],
  'outgoing.read': ALL_USERS,
  'outgoing.submit': ALL_USERS, // a draft submitted for issuance (the add-in's "Gửi phát hành") waits in the unit's issuance queue
  'outgoing.issue': ['clerk', 'admin'], // the clerk issues or returns queued drafts, and from the add-in sends without the queue
  'directory.read': ALL_USERS,
  'connectors.read': ['admin'],
  'status.read': ['admin'], // the pipeline's backlog over every unit (docs/operations.md)
  'overview.read': ['leader', 'admin'], // the leader's overview: work per department and officer, overdue items (unit-scoped)
  'reports.read': ['clerk', 'leader', 'admin'], // the province's report on electronic documents (unit-scoped)
  'messages.retry': ['admin'], // run a failed message through the pipeline again (any unit)
  'metrics.read': ['admin', 'metrics'], // Prometheus exposition at /metrics: counts over every unit, no record
  'routing.read': ['leader', 'admin'], // the routing rules of the unit (unit-scoped)
  'routing.manage': ['admin'], // edit a unit's routing rules in the console (they replace the configuration's)
};

export const SECRECY_LEVELS = ['mat', 'toi_mat', 'tuyet_mat'] as const;
/** Roles that see every secret document of their unit (admins: of every unit); officers see one only while it is assigned to them. */
export const SECRET_READERS: readonly PrincipalRole[] = ['clerk', 'leader', 'admin'];

/** Commands that open storage directly act as the installation's operator (an admin). */
export const OPERATOR: Principal = Object.freeze({ kind: 'service', id: null, name: 'cli', email: null, role: 'admin', unitId: null, department: null });

/** A config token's principal. */
export function servicePrincipal(name: string, role: ServiceRole = 'admin'): Principal {
  return { kind: 'service', id: null, name, email: null, role, unitId: null, department: null };
}

/** A logged-in user's principal; admins administer every unit, so their scope is null. */
export function userPrincipal(u: { id: string; name: string; email: string; role: UserRole; unitId: string; department: string | null }): Principal {
  return { kind: 'user', id: u.id, name: u.name, email: u.email, role: u.role, unitId: u.role === 'admin' ? null : u.unitId, department: u.department };
}

/** How the principal appears in audit logs and upload records. */
export function actorOf(p: Principal): string {
  return p.email ?? `service:${p.name}`;
}

// ---- errors ---------------------------------------------------------------------------------

/** A refusal; `statusCode` is what the API answers (Fastify and the registry's handler both use it). */
export class AccessDenied extends Error {
  constructor(
    readonly statusCode: 403 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'AccessDenied';
  }
  get status(): number {
    return this.statusCode;
  }
}

export const FORBIDDEN_MESSAGE = 'Không có quyền thực hiện (forbidden for your role or unit)';
export const forbidden = (message = FORBIDDEN_MESSAGE) => new AccessDenied(403, message);
/** Answers exactly as a record that does not exist. */
export const hidden = (what = 'văn bản (document)') => new AccessDenied(404, `Không tìm thấy ${what} (not found)`);

// ---- route level ----------------------------------------------------------------------------

export function isRouteAccess(v: unknown): v is RouteAccess {
  return v === 'public' || v === 'authenticated' || (PERMISSIONS as readonly unknown[]).includes(v);
}

export function hasPermission(p: Principal, permission: Permission): boolean {
  return GRANTS[permission].includes(p.role);
}

/** 403 unless the principal's role holds the permission. */
export function requirePermission(p: Principal, permission: Permission, message?: string): void {
  if (!hasPermission(p, permission)) throw forbidden(message);
}

/** May this principal pass a route declaring `access`? (null principal: no or bad token.) */
export function routeDecision(p: Principal | null, access: RouteAccess): 'allow' | 'unauthenticated' | 'forbidden' {
  if (access === 'public') return 'allow';
  if (!p) return 'unauthenticated';
  if (access === 'authenticated') return 'allow';
  return hasPermission(p, access) ? 'allow' : 'forbidden';
}

// ---- documents ------------------------------------------------------------------------------

export interface DocumentFacts {
  unitId: string;
  assigneeId?: string | null;
  secrecy?: string | null;
}

export function isSecret(secrecy: string | null | undefined): boolean {
  return !!secrecy && (SECRECY_LEVELS as readonly string[]).includes(secrecy);
}

const everyUnit = (p: Principal) => p.role === 'admin';
const assignedTo = (p: Principal, d: DocumentFacts) => p.id !== null && (d.assigneeId ?? null) === p.id;

/** Whether the principal may see a document at all (its fields, history, comments, its message). */
export function canSeeDocument(p: Principal, d: DocumentFacts): boolean {
  if (!hasPermission(p, 'documents.read')) return false;
  if (everyUnit(p)) return true;
  if (p.unitId === null || d.unitId !== p.unitId) return false;
  if (isSecret(d.secrecy) && !SECRET_READERS.includes(p.role) && !assignedTo(p, d)) return false;
  // Officers see and touch only their own items.
  return p.role !== 'officer' || assignedTo(p, d);
}

/** 404 when the document is not the principal's to see, 403 when their role lacks the permission. */
export function authorizeDocument(p: Principal, permission: Permission, d: DocumentFacts): void {
  if (!canSeeDocument(p, d)) throw hidden();
  requirePermission(p, permission);
}

/** Which documents a list shows: a unit (null: every unit) and, for officers, only their items. */
export function documentListScope(p: Principal, unitId?: string | null): { unitId: string | null; assigneeId: string | null } {
  requirePermission(p, 'documents.read');
  return { unitId: unitScope(p, unitId), assigneeId: p.role === 'officer' ? (p.id ?? '-') : null };
}

/**
 * The unit a collection (list, book, users, outgoing) is read for: admins any (null: all), others
 * only their own — asking for another unit is 403.
 */
export function unitScope(p: Principal, unitId?: string | null): string | null {
  if (everyUnit(p)) return unitId ?? null;
  if (p.unitId === null) throw forbidden(); // relays read no collections
  if (unitId && unitId !== p.unitId) throw forbidden();
  return p.unitId;
}

/**
 * Whose document changes a live list (GET /api/events, server-sent) hears about: the unit's
 * (admins: the unit asked for, or every unit), and for officers only documents assigned to them —
 * the same records the lists they refresh would show.
 */
export function eventScope(p: Principal, unitId?: string | null): { unitId: string | null; assigneeId: string | null } {
  return documentListScope(p, unitId);
}

/** A unit-level action (print a book, take an outgoing number, add a user to a unit). */
export function authorizeUnit(p: Principal, permission: Permission, unitId: string): void {
  requirePermission(p, permission);
  unitScope(p, unitId);
}

// ---- drafts submitted for issuance ---------------------------------------------------------

export interface IssuanceFacts {
  unitId: string;
  /** The user who submitted the draft (null: a service). */
  submitterId: string | null;
}

/**
 * A draft in the issuance queue (docs/issuance.md, "From the add-in"): its submitter, the unit's
 * clerks (who issue it) and leaders, and admins see it; anyone else is answered as if there were none.
 */
export function canSeeIssuance(p: Principal, r: IssuanceFacts): boolean {
  if (!hasPermission(p, 'outgoing.read')) return false;
  if (everyUnit(p)) return true;
  if (p.unitId === null || p.unitId !== r.unitId) return false;
  return (p.id !== null && p.id === r.submitterId) || p.role === 'clerk' || p.role === 'leader';
}

// ---- inbound messages -----------------------------------------------------------------------

export interface MessageFacts {
  unitIds: string[];
  /** The registry's documents made from the message (one per unit at most). */
  documents: DocumentFacts[];
  /** Secrecy the classifier found; known before any document exists. */
  classifiedSecrecy?: string | null;
}

/**
 * full: everything (list, detail with stage results and attachments, raw MIME, lookups);
 * exists: an officer of an addressed unit learns only that vanthu holds the (non-secret) message
 *   and how far its processing got — what the Outlook add-in needs to say "not assigned to you"
 *   for a mail the officer is reading in their own mailbox;
 * none: answered as if there were no such message.
 */
export type MessageAccess = 'full' | 'exists' | 'none';

export function messageAccess(p: Principal, m: MessageFacts): MessageAccess {
  if (!hasPermission(p, 'messages.read')) return 'none';
  if (everyUnit(p)) return 'full';
  if (p.unitId === null || !m.unitIds.includes(p.unitId)) return 'none';
  const secret = isSecret(m.classifiedSecrecy) || m.documents.some((d) => isSecret(d.secrecy));
  if (p.role === 'clerk' || p.role === 'leader') return 'full';
  // Officers: the message of a document assigned to them, in their unit.
  const mine = m.documents.filter((d) => d.unitId === p.unitId);
  if (mine.some((d) => canSeeDocument(p, d))) return 'full';
  return secret ? 'none' : 'exists';
}

/** Which messages a list shows: every one, a unit's, or an officer's (messages of documents assigned to them). */
export type MessageListScope = { kind: 'all' } | { kind: 'unit'; unitId: string } | { kind: 'assigned'; unitId: string; userId: string };

export function messageListScope(p: Principal): MessageListScope {
  requirePermission(p, 'messages.read');
  if (everyUnit(p)) return { kind: 'all' };
  if (p.unitId === null) throw forbidden();
  if (p.role === 'officer') return { kind: 'assigned', unitId: p.unitId, userId: p.id ?? '-' };
  return { kind: 'unit', unitId: p.unitId };
}

// ---- uploads --------------------------------------------------------------------------------

export interface UploadTarget {
  address: string;
  unitId: string;
}

/**
 * Who may store a message through the API and for which units: clerks (their own unit's addresses
 * only), admins, admin services and the relay. `explicit`: the caller named the recipients (?to=);
 * recipients read from the message's own headers are narrowed to the clerk's unit instead.
 */
export function uploadTargets<T extends UploadTarget>(p: Principal, targets: T[], explicit: boolean): T[] {
  requirePermission(p, 'messages.upload', 'Chỉ văn thư, quản trị và máy chủ chuyển tiếp được nạp thư (only clerks, admins and the relay may upload messages)');
  if (everyUnit(p) || p.role === 'relay') return targets;
  const own = targets.filter((t) => t.unitId === p.unitId);
  if (!own.length || (explicit && own.length !== targets.length)) {
    throw forbidden("Chỉ được nạp thư gửi tới địa chỉ của đơn vị mình (you may upload only to your own unit's addresses)");
  }
  return own;
}

/**
 * A person adds a message they received at their own address (the add-in's "Đưa vào hệ thống" on
 * mail to them rather than to a unit address): any user of a unit — officers included, who may not
 * upload otherwise — whose own address is among the message's recipients (`recipients`, from its
 * header) and lies at a domain the unit publishes (`unitDomains`). The message is stored for that
 * unit, addressed to that person; null when this rule does not apply.
 */
export function personalUploadTarget(p: Principal, recipients: string[], unitDomains: string[]): UploadTarget | null {
  if (p.kind !== 'user' || !p.email || !p.unitId || !hasPermission(p, 'messages.read')) return null;
  const own = p.email.toLowerCase();
  if (!recipients.includes(own) || !unitDomains.includes(own.slice(own.lastIndexOf('@') + 1))) return null;
  return { address: own, unitId: p.unitId };
}

/** Only the relay's credential may hand over an SMTP envelope: what SPF is checked against. */
export function authorizeRelayEnvelope(p: Principal, hasEnvelope: boolean): void {
  if (hasEnvelope)
    requirePermission(
      p,
      'messages.relay',
      'Chỉ máy chủ chuyển tiếp (token role relay) được gửi phong bì SMTP (source=haraka, remoteIp, mailFrom, helo need the relay credential)',
    );
}
