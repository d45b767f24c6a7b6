/**
 * The authorisation matrix against a real gateway: every route of /api/openapi.json × every kind of
 * caller (nobody, officer / clerk / leader of the records' unit and of another unit, admin, the
 * admin service token, the relay token) answers the status of the table below — a route the
 * OpenAPI document lists without a row fails the suite. Fixtures include a quarantined secret
 * (mật) document and its raw message. Then: what lists and lookups show, the recorded origin of an
 * upload, a route without a declared permission stopping start-up, the login throttle (per account,
 * per IP, growing back-off, audited, 429 + Retry-After) and the security headers.
 */
import http from 'node:http';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../gateway/http/server.ts';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig, type Config } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { auditLog, users } from '../gateway/registry/schema.ts';
import { userPrincipal } from '../gateway/registry/access/policy.ts';
import { requestExtension } from '../gateway/registry/replies/requests.ts';
import { inboundMessages, messageAttachments } from '../gateway/store/schema.ts';
import { issuedFiles } from '../gateway/outgoing/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { TEST_REDIS_URL, testEnv } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { classification, configureRegistry, insertInbound, insertStage, VALID } from './helpers/registry-fixtures.ts';

const PASSWORD = 'mật khẩu đủ dài 2026';
const STC = 'vanthu@stc.lamdong.gov.vn';
const VPUBND = 'vanthu@vpubnd.lamdong.gov.vn';
const RELAY_TOKEN = 'relay-token-of-the-haraka-mx';

/** The callers, in the order of the table's columns. "Other" users belong to vpubnd; every fixture record belongs to stc. */
const WHO = ['anon', 'officer', 'officerOther', 'clerk', 'clerkOther', 'leader', 'leaderOther', 'admin', 'service', 'relay'] as const;
type Who = (typeof WHO)[number];
type UserWho = Exclude<Who, 'anon' | 'service' | 'relay'>;

const PEOPLE: Record<UserWho, { email: string; role: string; unit: string; department?: string }> = {
  officer: { email: 'officer@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'ns' },
  officerOther: { email: 'officer@vpubnd.lamdong.gov.vn', role: 'officer', unit: 'vpubnd' },
  clerk: { email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc' },
  clerkOther: { email: 'clerk@vpubnd.lamdong.gov.vn', role: 'clerk', unit: 'vpubnd' },
  leader: { email: 'leader@stc.lamdong.gov.vn', role: 'leader', unit: 'stc' },
  leaderOther: { email: 'leader@vpubnd.lamdong.gov.vn', role: 'leader', unit: 'vpubnd' },
  admin: { email: 'admin@lamdong.gov.vn', role: 'admin', unit: 'vpubnd' },
};

interface Req {
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  json?: unknown;
  /** A raw message body (message/rfc822). */
  raw?: string;
  /** Use this bearer token instead of the caller's (a throw-away session of the same user). */
  token?: string;
}

interface Fx {
  /** Records made once: a quarantined secret document, an assigned one, an unassigned one, an outgoing document. */
  shared: Record<string, string>;
  /** A fresh record per call, for actions that change state (so every caller meets the same starting point). */
  fresh(kind: 'review' | 'assigned'): Promise<{ doc: string; inbound: string }>;
  /** A message vanthu has not seen, addressed to `to`. */
  newMail(to?: string): string;
  /** A number not used before in this run. */
  unique(): number;
  /** A new session of the caller (logging out must not end the session the rest of the suite uses). */
  session(who: Who): Promise<string | undefined>;
  /** A fresh pending deadline-extension request by the officer on a new document assigned to them; its id. */
  extension(): Promise<string>;
  /** A new stc message left `failed` (as a worker that gave up leaves it); its id. */
  failed(): Promise<string>;
  /** A fresh draft the stc officer submitted for issuance from the add-in; its id. */
  submitted(): Promise<string>;
}

interface Row {
  /** "METHOD /openapi/path" */
  route: string;
  what: string;
  request(fx: Fx, who: Who): Req | Promise<Req>;
  /** Statuses in WHO order: anon, officer, officerOther, clerk, clerkOther, leader, leaderOther, admin, service, relay. */
  expect: number[];
}

// The policy (gateway/registry/access/policy.ts, docs/security-access.md): 401 without a valid token; 403 when
// the role may never do it (or asks for another unit's collection); 404 for a record the caller may
// not see, exactly as for one that does not exist.
//                                    anon off offO clk clkO ldr ldrO adm svc rly
const READ_STC_RECORD /*        */ = [401, 200, 404, 200, 404, 200, 404, 200, 200, 403];
const READ_SECRET /*            */ = [401, 404, 404, 200, 404, 200, 404, 200, 200, 403];
const LIST /*                   */ = [401, 200, 200, 200, 200, 200, 200, 200, 200, 403];
const REVIEW_STC /*             */ = [401, 403, 403, 200, 404, 403, 403, 200, 200, 403];
const ADMIN_ONLY /*             */ = [401, 403, 403, 403, 403, 403, 403, 200, 200, 403];

const TABLE: Row[] = [
  // inbound messages
  { route: 'GET /api/messages', what: 'list (scoped; content checked below)', request: () => ({ path: '/api/messages' }), expect: LIST },
  {
    route: 'GET /api/messages/{id}',
    what: 'a quarantined secret message',
    request: (fx) => ({ path: `/api/messages/${fx.shared.secretInbound}` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/messages/{id}',
    what: 'the message of a document assigned to the officer',
    request: (fx) => ({ path: `/api/messages/${fx.shared.assignedInbound}` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/messages/{id}',
    what: 'a message whose document nobody is assigned',
    request: (fx) => ({ path: `/api/messages/${fx.shared.unassignedInbound}` }),
    expect: [401, 404, 404, 200, 404, 200, 404, 200, 200, 403],
  },
  {
    route: 'GET /api/messages/{id}/raw',
    what: 'raw MIME of the secret message',
    request: (fx) => ({ path: `/api/messages/${fx.shared.secretInbound}/raw` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/messages/{id}/raw',
    what: 'raw MIME of the assigned message',
    request: (fx) => ({ path: `/api/messages/${fx.shared.assignedInbound}/raw` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/messages/{id}/html',
    what: 'HTML body of the secret message',
    request: (fx) => ({ path: `/api/messages/${fx.shared.secretInbound}/html` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/messages/{id}/html',
    what: 'HTML body of the assigned message',
    request: (fx) => ({ path: `/api/messages/${fx.shared.assignedInbound}/html` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/messages/{id}/attachments/{idx}',
    what: 'a PDF of the secret message (the web console)',
    request: (fx) => ({ path: `/api/messages/${fx.shared.secretInbound}/attachments/0` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/messages/{id}/attachments/{idx}',
    what: 'a PDF of the assigned message (the web console)',
    request: (fx) => ({ path: `/api/messages/${fx.shared.assignedInbound}/attachments/0` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/messages/{id}/attachments/{idx}/searchable',
    what: 'searchable copy of an attachment no OCR read: hidden and missing alike (404), callers without the permission refused',
    request: (fx) => ({ path: `/api/messages/${fx.shared.assignedInbound}/attachments/0/searchable` }),
    expect: [401, 404, 404, 404, 404, 404, 404, 404, 404, 403],
  },
  {
    route: 'POST /api/messages',
    what: 'upload to stc (recipients from the headers)',
    request: (fx) => ({ path: '/api/messages', raw: fx.newMail() }),
    expect: [401, 403, 403, 201, 403, 403, 403, 201, 201, 201],
  },
  {
    route: 'POST /api/messages',
    what: 'upload naming vpubnd (?to=)',
    request: (fx) => ({ path: `/api/messages?to=${encodeURIComponent(VPUBND)}`, raw: fx.newMail(VPUBND) }),
    expect: [401, 403, 403, 403, 201, 403, 403, 201, 201, 201],
  },
  {
    route: 'POST /api/messages',
    what: 'an SMTP envelope (source=haraka, remoteIp, mailFrom): the relay only',
    request: (fx) => ({
      path: `/api/messages?to=${encodeURIComponent(STC)}&source=haraka&remoteIp=203.0.113.9&mailFrom=${encodeURIComponent('vanthu@ubnd.bentre.gov.vn')}&helo=mx.bentre.gov.vn`,
      raw: fx.newMail(),
    }),
    expect: [401, 403, 403, 403, 403, 403, 403, 403, 403, 201],
  },
  {
    route: 'POST /api/messages',
    what: 'remoteIp alone is an envelope too',
    request: (fx) => ({ path: '/api/messages?remoteIp=198.51.100.7', raw: fx.newMail() }),
    expect: [401, 403, 403, 403, 403, 403, 403, 403, 403, 201],
  },
  {
    route: 'GET /api/messages/lookup',
    what: 'by Message-ID: the secret message',
    request: (fx) => ({ path: `/api/messages/lookup?messageId=${encodeURIComponent(fx.shared.secretMid)}` }),
    expect: READ_SECRET,
  },
  // An officer of the unit may learn that a non-secret message is stored (the add-in's "not assigned to you").
  {
    route: 'GET /api/messages/lookup',
    what: 'by Message-ID: an unassigned ordinary message',
    request: (fx) => ({ path: `/api/messages/lookup?messageId=${encodeURIComponent(fx.shared.unassignedMid)}` }),
    expect: [401, 200, 404, 200, 404, 200, 404, 200, 200, 403],
  },
  {
    route: 'POST /api/messages/lookup',
    what: 'by MIME: the secret message',
    request: (fx) => ({ path: '/api/messages/lookup', raw: fx.shared.secretRaw }),
    expect: READ_SECRET,
  },
  {
    route: 'POST /api/messages/lookup',
    what: '?ingest=1 of an unknown message to stc: an upload',
    request: (fx) => ({ path: '/api/messages/lookup?ingest=1', raw: fx.newMail() }),
    expect: [401, 403, 403, 201, 403, 403, 403, 201, 201, 403],
  },
  {
    route: 'POST /api/messages/lookup',
    what: "?ingest=1 of a message to the stc officer's own address: theirs to add (others: no unit address, 422)",
    request: (fx) => ({ path: '/api/messages/lookup?ingest=1', raw: fx.newMail(PEOPLE.officer.email) }),
    expect: [401, 201, 422, 422, 422, 422, 422, 422, 422, 403],
  },
  {
    route: 'POST /api/messages/{id}/register',
    what: 'register a review message of stc',
    request: async (fx) => ({ path: `/api/messages/${(await fx.fresh('review')).inbound}/register`, method: 'POST', json: { corrections: bookFields(fx) } }),
    expect: REVIEW_STC,
  },
  // directory, connectors, sessions
  {
    route: 'GET /api/units',
    what: 'the unit directory (the relay needs it)',
    request: () => ({ path: '/api/units' }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  { route: 'GET /api/connectors', what: 'IMAP connector status', request: () => ({ path: '/api/connectors' }), expect: ADMIN_ONLY },
  { route: 'GET /api/status', what: 'pipeline backlog of every unit', request: () => ({ path: '/api/status' }), expect: ADMIN_ONLY },
  {
    route: 'POST /api/messages/{id}/retry',
    what: 'run a failed message again',
    request: async (fx) => ({ path: `/api/messages/${await fx.failed()}/retry`, method: 'POST' }),
    expect: [401, 403, 403, 403, 403, 403, 403, 202, 202, 403],
  },
  { route: 'GET /metrics', what: 'Prometheus metrics (admins, metrics tokens)', request: () => ({ path: '/metrics' }), expect: ADMIN_ONLY },
  {
    route: 'GET /api/events',
    what: "live document changes of the caller's unit",
    request: () => ({ path: '/api/events?once=true' }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 403],
  },
  {
    route: 'GET /api/events',
    what: 'live document changes of stc',
    request: () => ({ path: '/api/events?unit=stc&once=true' }),
    expect: [401, 200, 403, 200, 403, 200, 403, 200, 200, 403],
  },
  { route: 'GET /api/auth/me', what: 'who am I', request: () => ({ path: '/api/auth/me' }), expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  {
    route: 'POST /api/auth/logout',
    what: 'end a session',
    request: async (fx, who) => ({ path: '/api/auth/logout', method: 'POST', token: await fx.session(who) }),
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  {
    route: 'POST /api/auth/login',
    what: 'log in (public)',
    request: () => ({ path: '/api/auth/login', method: 'POST', json: { email: PEOPLE.officer.email, password: PASSWORD } }),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  // documents
  { route: 'GET /api/documents', what: 'search (scoped)', request: () => ({ path: '/api/documents' }), expect: LIST },
  { route: 'GET /api/my/items', what: 'my items', request: () => ({ path: '/api/my/items' }), expect: LIST },
  {
    route: 'GET /api/documents/by-message-id',
    what: 'the secret document by Message-ID',
    request: (fx) => ({ path: `/api/documents/by-message-id?mid=${encodeURIComponent(fx.shared.secretMid)}` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/documents/{id}',
    what: 'the quarantined secret document',
    request: (fx) => ({ path: `/api/documents/${fx.shared.secretDoc}` }),
    expect: READ_SECRET,
  },
  {
    route: 'GET /api/documents/{id}',
    what: 'a document assigned to the officer',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}` }),
    expect: READ_STC_RECORD,
  },
  // The fixture has no signed revision, so those who may see the document get "no signed revision" (404) too; the check is documentDetail's.
  {
    route: 'GET /api/documents/{id}/signed-revision',
    what: 'signed revision of the secret document',
    request: (fx) => ({ path: `/api/documents/${fx.shared.secretDoc}/signed-revision` }),
    expect: [401, 404, 404, 404, 404, 404, 404, 404, 404, 403],
  },
  {
    route: 'GET /api/documents/{id}/history',
    what: 'history of the secret document',
    request: (fx) => ({ path: `/api/documents/${fx.shared.secretDoc}/history` }),
    expect: READ_SECRET,
  },
  {
    route: 'POST /api/documents/{id}/comments',
    what: 'comment on the assigned document',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}/comments`, method: 'POST', json: { body: 'Đã xem' } }),
    expect: [401, 201, 404, 201, 404, 201, 404, 201, 201, 403],
  },
  { route: 'GET /api/review', what: "the clerk's queue", request: () => ({ path: '/api/review' }), expect: [401, 403, 403, 200, 200, 403, 403, 200, 200, 403] },
  {
    route: 'POST /api/documents/{id}/approve',
    what: 'approve a review item of stc',
    request: async (fx) => ({ path: `/api/documents/${(await fx.fresh('review')).doc}/approve`, method: 'POST', json: { corrections: bookFields(fx) } }),
    expect: REVIEW_STC,
  },
  {
    route: 'POST /api/documents/{id}/reject',
    what: 'return a review item of stc',
    request: async (fx) => ({ path: `/api/documents/${(await fx.fresh('review')).doc}/reject`, method: 'POST', json: { reason: 'Thiếu chữ ký số' } }),
    expect: REVIEW_STC,
  },
  {
    route: 'POST /api/documents/{id}/not-document',
    what: 'not a document',
    request: async (fx) => ({ path: `/api/documents/${(await fx.fresh('review')).doc}/not-document`, method: 'POST', json: {} }),
    expect: REVIEW_STC,
  },
  {
    route: 'POST /api/documents/{id}/forward',
    what: 'forward a review item of stc to vpubnd (local delivery)',
    request: async (fx) => ({ path: `/api/documents/${(await fx.fresh('review')).doc}/forward`, method: 'POST', json: { unit: 'vpubnd', note: 'Gửi nhầm' } }),
    expect: REVIEW_STC,
  },
  {
    route: 'GET /api/documents/{id}/sources',
    what: 'where the fields of the assigned document were read (the web console)',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}/sources` }),
    expect: READ_STC_RECORD,
  },
  // routing rules (the console's admin page): leaders read their unit's, admins edit
  {
    route: 'GET /api/routing-rules',
    what: "the routing rules of the caller's unit",
    request: () => ({ path: '/api/routing-rules' }),
    expect: [401, 403, 403, 403, 403, 200, 200, 200, 200, 403],
  },
  {
    route: 'GET /api/routing-rules',
    what: "stc's routing rules (another unit's for vpubnd)",
    request: () => ({ path: '/api/routing-rules?unit=stc' }),
    expect: [401, 403, 403, 403, 403, 200, 403, 200, 200, 403],
  },
  {
    route: 'PUT /api/routing-rules/{unit}',
    what: "replace vpubnd's routing rules",
    request: () => ({ path: '/api/routing-rules/vpubnd', method: 'PUT', json: { rules: [] } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'DELETE /api/routing-rules/{unit}',
    what: "vpubnd's rules back to the configuration's",
    request: () => ({ path: '/api/routing-rules/vpubnd', method: 'DELETE' }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/documents/{id}/assign',
    what: 'assign (to the same officer)',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}/assign`, method: 'POST', json: { officer: PEOPLE.officer.email } }),
    expect: [401, 403, 403, 403, 403, 200, 404, 200, 200, 403],
  },
  {
    route: 'POST /api/documents/{id}/deadline',
    what: 'set the deadline',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}/deadline`, method: 'POST', json: { dueDate: '2026-12-31' } }),
    expect: [401, 403, 403, 403, 403, 200, 404, 200, 200, 403],
  },
  // the meeting of a giấy mời (docs/act-by-email.md, "Meeting invitations"): read like the document, set by clerks
  {
    route: 'GET /api/documents/{id}/meeting',
    what: 'the meeting a document calls',
    request: (fx) => ({ path: `/api/documents/${fx.shared.assignedDoc}/meeting` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'POST /api/documents/{id}/meeting',
    what: 'set the meeting of an assigned document',
    request: async (fx) => ({
      path: `/api/documents/${(await fx.fresh('assigned')).doc}/meeting`,
      method: 'POST',
      json: { meeting: { start: '2026-12-15T08:00:00+07:00', end: null, place: 'Phòng họp số 2' } },
    }),
    expect: REVIEW_STC,
  },
  {
    route: 'POST /api/documents/{id}/status',
    what: 'progress an assigned document',
    request: async (fx) => ({ path: `/api/documents/${(await fx.fresh('assigned')).doc}/status`, method: 'POST', json: { status: 'in_progress' } }),
    expect: [401, 200, 404, 403, 403, 200, 404, 200, 200, 403],
  },
  {
    route: 'POST /api/documents/{id}/decline',
    what: 'give back a document assigned to the officer',
    request: async (fx) => ({
      path: `/api/documents/${(await fx.fresh('assigned')).doc}/decline`,
      method: 'POST',
      json: { reason: 'Không thuộc lĩnh vực phụ trách' },
    }),
    // Only the assignee gives it back: the leader, admin and services may progress it but are not the assignee (403).
    expect: [401, 200, 404, 403, 403, 403, 404, 403, 403, 403],
  },
  // books, users, audit
  {
    route: 'GET /api/books/{unit}/{year}',
    what: "stc's incoming book",
    request: () => ({ path: '/api/books/stc/2026' }),
    expect: [401, 403, 403, 200, 403, 200, 403, 200, 200, 403],
  },
  {
    route: 'POST /api/books/outgoing',
    what: "a number in stc's outgoing book",
    request: () => ({ path: '/api/books/outgoing', method: 'POST', json: { unit: 'stc', codeSuffix: 'STC-VP', typeCode: 'QĐ', subject: 'Quyết định' } }),
    expect: [401, 403, 403, 201, 403, 403, 403, 201, 201, 403],
  },
  { route: 'GET /api/users', what: 'users of my unit', request: () => ({ path: '/api/users' }), expect: [401, 403, 403, 403, 403, 200, 200, 200, 200, 403] },
  {
    route: 'POST /api/users',
    what: 'add a user to stc',
    request: (fx) => ({
      path: '/api/users',
      method: 'POST',
      json: { email: `new-${fx.unique()}@stc.lamdong.gov.vn`, name: 'Cán bộ mới', unit: 'stc', role: 'officer', password: PASSWORD },
    }),
    expect: [401, 403, 403, 403, 403, 403, 403, 201, 201, 403],
  },
  { route: 'GET /api/audit/verify', what: 'check the audit chain', request: () => ({ path: '/api/audit/verify' }), expect: ADMIN_ONLY },
  // outgoing documents
  {
    route: 'POST /api/outgoing',
    what: 'send for stc',
    request: () => ({ path: '/api/outgoing', method: 'POST', json: outgoingBody() }),
    // Officers and leaders submit drafts to the clerk's issuance queue instead (POST /api/addin/send).
    expect: [401, 403, 403, 201, 403, 403, 403, 201, 201, 403],
  },
  {
    route: 'GET /api/outgoing/{id}',
    what: 'an outgoing document of stc',
    request: (fx) => ({ path: `/api/outgoing/${fx.shared.outgoing}` }),
    expect: READ_STC_RECORD,
  },
  { route: 'GET /api/outgoing', what: 'outgoing documents of my unit', request: () => ({ path: '/api/outgoing' }), expect: LIST },
  {
    route: 'GET /api/outgoing/{id}/files',
    what: 'the issued files of an outgoing document of stc',
    request: (fx) => ({ path: `/api/outgoing/${fx.shared.outgoing}/files` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/outgoing/{id}/files/{idx}',
    what: 'an issued file of an outgoing document of stc',
    request: (fx) => ({ path: `/api/outgoing/${fx.shared.outgoing}/files/0?version=1` }),
    expect: READ_STC_RECORD,
  },
  // sending for issuance from the add-in, and the clerk's queue (gateway/http/addin-send.ts, addin-send-queue.ts)
  {
    route: 'POST /api/addin/recipients',
    what: 'check recipients against the directory',
    request: () => ({ path: '/api/addin/recipients', method: 'POST', json: { to: [VPUBND, 'Sở Tài chính tỉnh Lâm Đồng'] } }),
    expect: LIST,
  },
  {
    route: 'POST /api/addin/send',
    what: "submit a draft to stc's issuance queue",
    request: () => ({ path: '/api/addin/send', method: 'POST', json: issuanceBody() }),
    expect: [401, 201, 403, 201, 403, 201, 403, 201, 201, 403],
  },
  { route: 'GET /api/addin/sent', what: 'my drafts submitted for issuance', request: () => ({ path: '/api/addin/sent' }), expect: LIST },
  {
    route: 'GET /api/issuance',
    what: "my unit's issuance queue (clerks)",
    request: () => ({ path: '/api/issuance' }),
    expect: [401, 403, 403, 200, 200, 403, 403, 200, 200, 403],
  },
  {
    route: 'GET /api/issuance/{id}',
    what: "an stc officer's draft (the submitter, stc's clerks and leaders)",
    request: async (fx) => ({ path: `/api/issuance/${await fx.submitted()}` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'GET /api/issuance/{id}/files/{idx}',
    what: "the document of an stc officer's draft",
    request: async (fx) => ({ path: `/api/issuance/${await fx.submitted()}/files/0` }),
    expect: READ_STC_RECORD,
  },
  {
    route: 'POST /api/issuance/{id}/issue',
    what: "issue an stc officer's draft",
    request: async (fx) => ({ path: `/api/issuance/${await fx.submitted()}/issue`, method: 'POST', json: {} }),
    expect: [401, 403, 403, 201, 404, 403, 403, 201, 201, 403],
  },
  {
    route: 'POST /api/issuance/{id}/return',
    what: "return an stc officer's draft",
    request: async (fx) => ({ path: `/api/issuance/${await fx.submitted()}/return`, method: 'POST', json: { reason: 'Thiếu chữ ký của lãnh đạo' } }),
    expect: [401, 403, 403, 200, 404, 403, 403, 200, 200, 403],
  },
  { route: 'GET /api/directory', what: 'agencies to send to', request: () => ({ path: '/api/directory?q=tai%20chinh' }), expect: LIST },
  // deadline-extension requests (docs/act-by-email.md): listed like documents, decided like the deadline
  { route: 'GET /api/deadline-requests', what: 'pending requests (scoped)', request: () => ({ path: '/api/deadline-requests' }), expect: LIST },
  {
    route: 'POST /api/deadline-requests',
    what: 'ask for more time on a fresh document assigned to the officer',
    request: async (fx) => ({ path: '/api/deadline-requests', method: 'POST', json: { document: (await fx.fresh('assigned')).doc, dueDate: '2027-01-15' } }),
    // Leaders and admins set the deadline themselves (409); clerks may not progress documents.
    expect: [401, 201, 404, 403, 403, 409, 404, 409, 409, 403],
  },
  {
    route: 'POST /api/deadline-requests/{id}/grant',
    what: "grant the officer's request on an stc document",
    request: async (fx) => ({ path: `/api/deadline-requests/${await fx.extension()}/grant`, method: 'POST', json: {} }),
    expect: [401, 403, 403, 403, 403, 200, 404, 200, 200, 403],
  },
  {
    route: 'POST /api/deadline-requests/{id}/refuse',
    what: "refuse the officer's request on an stc document",
    request: async (fx) => ({ path: `/api/deadline-requests/${await fx.extension()}/refuse`, method: 'POST', json: { reason: 'Đã đủ thời gian' } }),
    expect: [401, 403, 403, 403, 403, 200, 404, 200, 200, 403],
  },
  // the leader's overview, the province's report, the outgoing trail (gateway/http/overview.ts, reports.ts)
  {
    route: 'GET /api/overview',
    what: "stc's overview (leaders and admins)",
    request: () => ({ path: '/api/overview?unit=stc&month=2026-11' }),
    expect: [401, 403, 403, 403, 403, 200, 403, 200, 200, 403],
  },
  {
    route: 'GET /api/reports/usage',
    what: "stc's report on electronic documents (clerks, leaders, admins)",
    request: () => ({ path: '/api/reports/usage?unit=stc&month=2026-11' }),
    expect: [401, 403, 403, 200, 403, 200, 403, 200, 200, 403],
  },
  {
    route: 'GET /api/outgoing/trail',
    what: "stc's outgoing documents with their trail",
    request: () => ({ path: '/api/outgoing/trail?unit=stc' }),
    expect: [401, 200, 403, 200, 403, 200, 403, 200, 200, 403],
  },
  // the add-in's public manifest (not under /api)
  {
    route: 'GET /addin/manifest.xml',
    what: 'the add-in manifest (public)',
    request: () => ({ path: '/addin/manifest.xml' }),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
];

/** What a book entry needs (a review item has none of it): a new notation each time, so nothing is a duplicate. */
function bookFields(fx: Fx) {
  return { notation: `${fx.unique()}/UBND-VP`, issuer: 'Ủy ban nhân dân tỉnh Bến Tre', issuedDate: '2026-11-20', subject: 'Công văn về việc rà soát' };
}

function outgoingBody() {
  return {
    unit: 'stc',
    to: [VPUBND],
    subject: 'Kế hoạch kiểm tra',
    typeCode: 'KH',
    typeName: 'Kế hoạch',
    document: { filename: 'ke-hoach.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64') },
  };
}

function issuanceBody() {
  const { document, ...rest } = outgoingBody();
  return { ...rest, files: [document] };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request from a chosen loopback address (the throttle counts per IP). */
function request(port: number, p: string, init: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, method: init.method ?? 'GET', headers: init.headers, localAddress: init.from ?? '127.0.0.1' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe.each(BACKENDS)('authorisation matrix on %s', (backend) => {
  let storage: TestStorage;
  let app: Vanthu;
  let config: Config;
  const clock = new ManualClock('2026-11-23T02:00:00Z');
  const tokens: Partial<Record<Who, string>> = {};
  const shared: Record<string, string> = {};
  let serial = 0;

  const call = (p: string, who: Who, init: { method?: string; json?: unknown; raw?: string; token?: string; from?: string } = {}) => {
    const token = init.token ?? tokens[who];
    const headers: Record<string, string> = {};
    if (who !== 'anon' && token) headers.authorization = `Bearer ${token}`;
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.raw !== undefined) headers['content-type'] = 'message/rfc822';
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.raw;
    return request(app.httpPort!, p, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, from: init.from });
  };
  const json = <T = Record<string, unknown>>(a: Answer): T => JSON.parse(a.body) as T;
  const login = (email: string, password: string, from = '127.0.0.1') => call('/api/auth/login', 'anon', { json: { email, password }, from });

  /** A message stored as the accept path stores it (real raw bytes), then taken in by the registry with the given classification. */
  async function stored(opts: { unit?: 'stc' | 'vpubnd'; classify?: ReturnType<typeof classification> | null; verify?: unknown }) {
    const n = ++serial;
    const to = opts.unit === 'vpubnd' ? VPUBND : STC;
    const local = `fixture-${n}-${backend}`;
    const mid = `<${local}@ubnd.bentre.gov.vn>`;
    const raw = plainMail(local, to);
    const { sha256, size } = await app.blobs.put(Buffer.from(raw));
    const inbound = await insertInbound(app.database.db, { receivedAt: clock.now(), unitIds: [opts.unit ?? 'stc'], rcptTo: [to] });
    // Terminal state: the outbox sweep leaves it alone, so no pipeline run re-decides the fixture meanwhile.
    await app.database.db.update(inboundMessages).set({ messageId: mid, blobSha256: sha256, size, state: 'decided' }).where(eq(inboundMessages.id, inbound));
    if (opts.classify) await insertStage(app.database.db, inbound, 'classify', opts.classify);
    const [msg] = await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound));
    const [o] = await intakeMessage(app.registry!.rt, msg, opts.classify ? { classify: opts.classify, verify: opts.verify } : {});
    return { inbound, doc: o.documentId!, mid, raw, status: o.status };
  }

  /** stc's outgoing document (outgoingBody), sent by the service, with one issued file; its id. */
  async function issuedOutgoing(): Promise<string> {
    const out = await call('/api/outgoing', 'service', { json: outgoingBody() });
    expect(out.status, out.body).toBe(201);
    const { id, notation } = json<{ id: string; notation: string }>(out);
    // The matrix's document is unsigned, so nothing was kept as issued: one issued file, as a signed issuance keeps (GET /api/outgoing/{id}/files/{idx}).
    const issuedPdf = await app.blobs.put(Buffer.from('%PDF-1.4 issued fixture'));
    const version = { sha256: issuedPdf.sha256, size: issuedPdf.size, at: clock.now().toISOString(), field: null };
    await app.database.db.insert(issuedFiles).values({
      id: `if${id}`,
      outgoingId: id,
      unitId: 'stc',
      notation,
      position: 0,
      filename: 'ke-hoach.pdf',
      sha256: issuedPdf.sha256,
      size: issuedPdf.size,
      versions: [version],
    });
    return id;
  }

  // A registered document the routing rule assigns to the officer ("ngân sách" → ns, officer@stc).
  const assignedCls = () => classification({ notation: `${++serial}/UBND-KT`, subject: 'Phân bổ ngân sách chi thường xuyên' });

  const fx: Fx = {
    shared,
    async fresh(kind) {
      return kind === 'review' ? stored({ classify: null }) : stored({ classify: assignedCls(), verify: VALID });
    },
    newMail(to = STC) {
      return plainMail(`upload-${++serial}-${backend}`, to);
    },
    unique: () => ++serial,
    async session(who) {
      if (who === 'anon' || who === 'service' || who === 'relay') return tokens[who];
      return json<{ token: string }>(await login(PEOPLE[who].email, PASSWORD)).token;
    },
    async extension() {
      const { doc } = await stored({ classify: assignedCls(), verify: VALID });
      const [u] = await app.database.db.select().from(users).where(eq(users.email, PEOPLE.officer.email));
      const officer = userPrincipal({ ...u, role: 'officer' });
      return (await requestExtension(app.registry!.rt, officer, doc, '2027-01-15', 'Cần lấy ý kiến các phòng', null)).requestId;
    },
    async failed() {
      const local = `failed-${++serial}-${backend}`;
      const { sha256, size } = await app.blobs.put(Buffer.from(plainMail(local, STC)));
      const inbound = await insertInbound(app.database.db, { receivedAt: clock.now(), unitIds: ['stc'], rcptTo: [STC] });
      await app.database.db
        .update(inboundMessages)
        .set({ messageId: `<${local}@ubnd.bentre.gov.vn>`, blobSha256: sha256, size, state: 'failed', lastError: 'parse: fixture: the worker gave up' })
        .where(eq(inboundMessages.id, inbound));
      return inbound;
    },
    async submitted() {
      const res = await call('/api/addin/send', 'officer', { json: issuanceBody() });
      expect(res.status, res.body).toBe(201);
      return json<{ id: string }>(res).id;
    },
  };

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    config = loadConfig(testEnv(storage));
    configureRegistry(config);
    config.registry.sessionHours = 24 * 365;
    // The matrix sends a made-up unsigned PDF; refusing unsigned documents is tested in outgoing-issue.test.ts.
    config.outgoing.requireSigned = false;
    config.http.tokens = [...config.http.tokens, { name: 'haraka', token: RELAY_TOKEN, role: 'relay' }];
    config.mail = {
      from: 'vanthu@lamdong.gov.vn',
      transport: { kind: 'smarthost', host: '127.0.0.1', port: 9, secure: false, requireTls: false, user: null, pass: null },
      alertTo: [],
    };
    app = await startVanthu(config, 'all', silentLogger, { clock });
    tokens.service = config.http.tokens[0].token;
    tokens.relay = RELAY_TOKEN;
    for (const [who, p] of Object.entries(PEOPLE) as Array<[UserWho, (typeof PEOPLE)[UserWho]]>) {
      const added = await call('/api/users', 'service', {
        json: { email: p.email, role: p.role, unit: p.unit, name: `Cán bộ ${who}`, department: p.department, password: PASSWORD },
      });
      expect(added.status, added.body).toBe(201);
      tokens[who] = json<{ token: string }>(await login(p.email, PASSWORD)).token;
    }
    const secret = await stored({
      classify: classification({ notation: '7/UBND-MAT', secrecy: 'mat', subject: 'Kế hoạch bảo vệ bí mật nhà nước' }),
      verify: VALID,
    });
    expect(secret.status).toBe('quarantined');
    const assigned = await stored({ classify: assignedCls(), verify: VALID });
    expect(assigned.status).toBe('assigned');
    const unassigned = await stored({ classify: classification({ notation: '9/UBND-VX', subject: 'Kế hoạch chuyển đổi số' }), verify: VALID });
    expect(unassigned.status).toBe('received');
    // A PDF attachment on each (GET /api/messages/{id}/attachments/{idx}).
    const pdf = await app.blobs.put(Buffer.from('%PDF-1.4 fixture'));
    for (const m of [secret, assigned])
      await app.database.db
        .insert(messageAttachments)
        .values({ messageId: m.inbound, idx: 0, filename: 'cv.pdf', contentType: 'application/pdf', size: pdf.size, sha256: pdf.sha256 });
    const review = await stored({ classify: null });
    const other = await stored({ unit: 'vpubnd', classify: null });
    const outgoing = await issuedOutgoing();
    Object.assign(shared, {
      secretInbound: secret.inbound,
      secretDoc: secret.doc,
      secretMid: secret.mid,
      secretRaw: secret.raw,
      assignedInbound: assigned.inbound,
      assignedDoc: assigned.doc,
      unassignedInbound: unassigned.inbound,
      unassignedMid: unassigned.mid,
      reviewInbound: review.inbound,
      otherInbound: other.inbound,
      outgoing,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
  });

  it('has a row for every route of the OpenAPI document, and walks each × every caller', async () => {
    const doc = json<{ paths: Record<string, Record<string, unknown>> }>(await call('/api/openapi.json', 'anon'));
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    const covered = new Set(TABLE.map((r) => r.route));
    expect(
      routes.filter((r) => !covered.has(r)),
      'routes in /api/openapi.json without a row in TABLE',
    ).toEqual([]);
    expect(
      [...covered].filter((r) => !routes.includes(r)),
      'rows for routes the API no longer has',
    ).toEqual([]);

    const seen: Record<string, Record<Who, number>> = {};
    const wanted: Record<string, Record<Who, number>> = {};
    for (const row of TABLE) {
      const key = `${row.route} — ${row.what}`;
      expect(row.expect, key).toHaveLength(WHO.length);
      seen[key] = {} as Record<Who, number>;
      wanted[key] = Object.fromEntries(WHO.map((w, i) => [w, row.expect[i]])) as Record<Who, number>;
      for (const who of WHO) {
        const r = await row.request(fx, who);
        const [method] = row.route.split(' ');
        seen[key][who] = (await call(r.path, who, { method: r.method ?? method, json: r.json, raw: r.raw, token: r.token })).status;
      }
    }
    expect(seen).toEqual(wanted);
  }, 240_000);

  it('lists only the messages each caller may see', async () => {
    const ids = async (who: Who) => json<{ items: Array<{ id: string }> }>(await call('/api/messages?limit=500', who)).items.map((i) => i.id);
    const stcOnes = [shared.secretInbound, shared.assignedInbound, shared.unassignedInbound, shared.reviewInbound];
    // Another unit's people: none of stc's messages; their own unit's, yes.
    for (const who of ['clerkOther', 'leaderOther'] as const) {
      const list = await ids(who);
      expect(list.filter((id) => stcOnes.includes(id))).toEqual([]);
      expect(list).toContain(shared.otherInbound);
    }
    expect(await ids('officerOther')).toEqual([]);
    // The officer: only the message of the document assigned to them, not the secret one.
    const officer = await ids('officer');
    expect(officer).toContain(shared.assignedInbound);
    expect(officer).not.toContain(shared.secretInbound);
    expect(officer).not.toContain(shared.unassignedInbound);
    expect(officer).not.toContain(shared.otherInbound);
    // Clerks and leaders of stc: all of stc's, the secret one included; none of vpubnd's.
    for (const who of ['clerk', 'leader'] as const) {
      const list = await ids(who);
      expect(list).toEqual(expect.arrayContaining(stcOnes));
      expect(list).not.toContain(shared.otherInbound);
    }
    expect(await ids('admin')).toEqual(expect.arrayContaining([...stcOnes, shared.otherInbound]));
    // The documents list hides the secret one from the officer too.
    const docs = json<{ items: Array<{ id: string }> }>(await call('/api/documents?limit=500', 'officer')).items.map((d) => d.id);
    expect(docs).toContain(shared.assignedDoc);
    expect(docs).not.toContain(shared.secretDoc);
  });

  it('tells an unassigned officer only that an ordinary message is stored, and the raw bytes to those who may read it', async () => {
    const exists = json<{
      message: { subject: unknown; fromAddr: unknown; unitIds: string[] };
      classification: unknown;
      verification: unknown;
      stages: Record<string, string>;
    }>(await call(`/api/messages/lookup?messageId=${encodeURIComponent(shared.unassignedMid)}`, 'officer'));
    expect(exists.message).toMatchObject({ subject: null, fromAddr: null, unitIds: ['stc'] });
    expect(exists.classification).toBeNull();
    expect(exists.verification).toBeNull();
    const full = json<{ message: { subject: unknown }; classification: { kind: string } }>(
      await call(`/api/messages/lookup?messageId=${encodeURIComponent(shared.secretMid)}`, 'clerk'),
    );
    const [row] = await app.database.db.select({ subject: inboundMessages.subject }).from(inboundMessages).where(eq(inboundMessages.id, shared.secretInbound));
    expect(full.message.subject).toBe(row.subject);
    expect(full.message.subject).toBeTruthy();
    expect(full.classification.kind).toBe('document');
    const raw = await call(`/api/messages/${shared.secretInbound}/raw`, 'leader');
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.body).toBe(shared.secretRaw);
    // Hidden and missing answer alike.
    const hidden = await call(`/api/messages/${shared.secretInbound}/raw`, 'clerkOther');
    const missing = await call('/api/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV/raw', 'clerkOther');
    expect([hidden.status, json(hidden)]).toEqual([missing.status, json(missing)]);
  });

  it("records who uploaded a message, never what the caller claims; only the relay's envelope is kept", async () => {
    const byClerk = json<{ id: string }>(await call('/api/messages', 'clerk', { raw: fx.newMail() }));
    const [row] = await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, byClerk.id));
    expect(row).toMatchObject({ source: 'api', mailFrom: null, uploadedBy: PEOPLE.clerk.email, uploadedUnit: 'stc', unitIds: ['stc'] });
    const relayed = json<{ id: string }>(
      await call(
        `/api/messages?to=${encodeURIComponent(STC)}&source=haraka&remoteIp=203.0.113.9&mailFrom=${encodeURIComponent('vanthu@ubnd.bentre.gov.vn')}&helo=mx.bentre.gov.vn`,
        'relay',
        { raw: fx.newMail() },
      ),
    );
    const [r2] = await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, relayed.id));
    expect(r2).toMatchObject({
      source: 'haraka',
      mailFrom: 'vanthu@ubnd.bentre.gov.vn',
      remoteIp: '203.0.113.9',
      helo: 'mx.bentre.gov.vn',
      uploadedBy: 'service:haraka',
      uploadedUnit: null,
    });
    // Refused, not silently dropped: the admin service token's envelope is a 403 and nothing is stored.
    const mail = fx.newMail();
    const refused = await call('/api/messages?source=haraka&mailFrom=x%40evil.example', 'service', { raw: mail });
    expect(refused.status).toBe(403);
    expect(json<{ message: string }>(refused).message).toMatch(/relay/);
    const mid = /Message-ID: (<[^>]+>)/.exec(mail)![1];
    expect(await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, mid))).toEqual([]);
  });

  it('refuses to start when an /api route declares no permission', async () => {
    const undeclared = async (api: import('fastify').FastifyInstance) => {
      api.get('/api/undeclared', async () => ({ open: true }));
    };
    await expect(
      buildApi({ config, database: app.database, blobs: app.blobs, accept: app.accept!, log: silentLogger, checks: {}, plugins: [undeclared] }),
    ).rejects.toThrow(/GET \/api\/undeclared: no permission declared/);
  });

  describe('login throttle', () => {
    const t = () => config.registry.loginThrottle;
    const audit = async (email: string) =>
      (await app.database.db.select({ action: auditLog.action, data: auditLog.data }).from(auditLog).where(sql`${auditLog.data} ->> 'email' = ${email}`)).map(
        (r) => r.action,
      );

    beforeAll(async () => {
      for (const email of ['throttle@stc.lamdong.gov.vn', 'bystander@stc.lamdong.gov.vn', 'grow@stc.lamdong.gov.vn', 'ip@stc.lamdong.gov.vn']) {
        expect((await call('/api/users', 'service', { json: { email, role: 'officer', unit: 'stc', name: 'Thử', password: PASSWORD } })).status).toBe(201);
      }
    });

    it('answers 429 with Retry-After after N failures of an account, audits each; another account from another IP still logs in', async () => {
      expect(t()).toMatchObject({ accountFailures: 5, ipFailures: 20, blockSeconds: 60 }); // the documented defaults
      const email = 'throttle@stc.lamdong.gov.vn';
      for (let i = 0; i < t().accountFailures; i++) expect((await login(email, `sai-${i}`, '127.0.0.2')).status).toBe(401);
      const blocked = await login(email, PASSWORD, '127.0.0.2');
      expect(blocked.status).toBe(429);
      const retry = Number(blocked.headers['retry-after']);
      expect(retry).toBeGreaterThan(t().blockSeconds - 10);
      expect(retry).toBeLessThanOrEqual(t().blockSeconds);
      expect(json<{ statusCode: number; message: string }>(blocked)).toMatchObject({ statusCode: 429 });
      // The account, not the address: the right password from elsewhere waits too.
      expect((await login(email, PASSWORD, '127.0.0.3')).status).toBe(429);
      // Someone else, from another address, is not affected.
      expect((await login('bystander@stc.lamdong.gov.vn', PASSWORD, '127.0.0.3')).status).toBe(200);
      const actions = await audit(email);
      expect(actions.filter((a) => a === 'user.login_failed')).toHaveLength(t().accountFailures);
      expect(actions.filter((a) => a === 'user.login_throttled')).toHaveLength(2);
      expect((await call('/api/audit/verify', 'service')).body).toMatch(/"ok":true/);
    });

    it('blocks an address after N failures whatever the accounts, then lets other addresses in', async () => {
      for (let i = 0; i < t().ipFailures; i++) expect((await login(`nobody-${i}@stc.lamdong.gov.vn`, 'sai', '127.0.0.4')).status).toBe(401);
      const blocked = await login('ip@stc.lamdong.gov.vn', PASSWORD, '127.0.0.4');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await login('ip@stc.lamdong.gov.vn', PASSWORD, '127.0.0.5')).status).toBe(200);
      // Unknown accounts are audited as such (the answer to the caller is the same 401).
      expect(await audit('nobody-0@stc.lamdong.gov.vn')).toEqual(['user.login_failed']);
    });

    it('doubles the block each time the account is blocked again', async () => {
      const email = 'grow@stc.lamdong.gov.vn';
      const block = async (from: string) => {
        for (let i = 0; i < t().accountFailures; i++) expect((await login(email, 'sai', from)).status).toBe(401);
        const r = await login(email, 'sai', from);
        expect(r.status).toBe(429);
        return Number(r.headers['retry-after']);
      };
      const key = (kind: string) => `${config.redis.prefix}:login:account:${kind}:${email}`;
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const first = await block('127.0.0.6');
        // The block runs out: its key expires in Redis (removed here rather than waiting a minute).
        expect(await redis.del(key('fail'))).toBe(1);
        const second = await block('127.0.0.7');
        expect(first).toBeGreaterThan(t().blockSeconds - 10);
        expect(first).toBeLessThanOrEqual(t().blockSeconds);
        expect(second).toBeGreaterThan(2 * t().blockSeconds - 10);
        expect(second).toBeLessThanOrEqual(2 * t().blockSeconds);
        // A good password, once let through, starts the account afresh.
        expect(await redis.del(key('fail'))).toBe(1);
        expect((await login(email, PASSWORD, '127.0.0.8')).status).toBe(200);
        expect(await redis.exists(key('blocks'))).toBe(0);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('security headers', () => {
    const csp = (a: Answer) => String(a.headers['content-security-policy'] ?? '');
    const directive = (a: Answer, name: string) =>
      csp(a)
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `))
        ?.split(/\s+/)
        .slice(1) ?? null;

    it('gives every API answer — errors too — a policy that loads and frames nothing', async () => {
      for (const a of [
        await call('/api/units', 'service'),
        await call('/api/units', 'anon'),
        await call('/api/nothing-here', 'anon'),
        await call('/api/openapi.json', 'anon'),
        await call('/healthz', 'anon'),
      ]) {
        expect(directive(a, 'default-src')).toEqual(["'none'"]);
        expect(directive(a, 'frame-ancestors')).toEqual(["'none'"]);
        expect(a.headers['x-frame-options']).toBe('DENY');
        expect(a.headers['x-content-type-options']).toBe('nosniff');
        expect(a.headers['referrer-policy']).toBe('no-referrer');
        expect(a.headers['cross-origin-resource-policy']).toBe('same-origin');
        expect(a.headers['strict-transport-security']).toBeUndefined(); // plain HTTP here
      }
    });

    it("gives the add-in's pages the policy the pane needs: its own files, Office.js from Microsoft's CDN, framing by Outlook on the web", async () => {
      const page = await call('/addin/taskpane.html', 'anon');
      expect(page.status).toBe(200);
      const scriptSrc = directive(page, 'script-src')!;
      expect(scriptSrc).toContain("'self'");
      expect(scriptSrc).toContain('https://appsforoffice.microsoft.com');
      expect(scriptSrc.some((s) => s.includes('unsafe'))).toBe(false);
      // Every script the page loads is allowed, and nothing else from outside.
      const scripts = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => new URL(m[1], `http://127.0.0.1:${app.httpPort}/addin/`));
      expect(scripts.length).toBeGreaterThan(1);
      for (const s of scripts) expect(s.host === `127.0.0.1:${app.httpPort}` || scriptSrc.includes(s.origin), s.href).toBe(true);
      expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // no inline script
      expect(directive(page, 'connect-src')).toEqual(["'self'"]);
      expect(directive(page, 'object-src')).toEqual(["'none'"]);
      expect(directive(page, 'frame-ancestors')).toEqual(expect.arrayContaining(["'self'", 'https://outlook.office.com', 'https://outlook.office365.com']));
      expect(page.headers['x-frame-options']).toBeUndefined(); // it cannot name Outlook's origins
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      for (const p of ['/addin/assets/icon-32.png', '/addin/help.html', '/addin/manifest.xml']) {
        const a = await call(p, 'anon');
        expect(a.status, p).toBe(200);
        expect(directive(a, 'script-src'), p).toEqual(scriptSrc);
        expect(a.headers['cross-origin-resource-policy'], p).toBe('cross-origin'); // Outlook shows the icons from its own origin
      }
    });
  });
});
