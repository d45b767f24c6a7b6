/** The policy's decisions on their own (tests/authz-matrix.test.ts walks them through every route of a running gateway). */
import { describe, expect, it } from 'vitest';
import {
  type AccessDenied,
  authorizeDocument,
  authorizeRelayEnvelope,
  canSeeDocument,
  GRANTS,
  messageAccess,
  messageListScope,
  OPERATOR,
  PERMISSIONS,
  routeDecision,
  servicePrincipal,
  unitScope,
  uploadTargets,
  userPrincipal,
  type Principal,
  type UserRole,
} from './policy.ts';

const user = (role: UserRole, unitId = 'stc', id = `${role}-${unitId}`): Principal =>
  userPrincipal({ id, name: id, email: `${id}@x.vn`, role, unitId, department: null });
const officer = user('officer');
const clerk = user('clerk');
const leader = user('leader');
const clerkOther = user('clerk', 'vpubnd');
const admin = user('admin', 'vpubnd');
const service = servicePrincipal('scripts');
const relay = servicePrincipal('haraka', 'relay');

const secret = (assigneeId: string | null = null) => ({ unitId: 'stc', assigneeId, secrecy: 'toi_mat' });
const status = (fn: () => void) => {
  try {
    fn();
    return 200;
  } catch (err) {
    return (err as AccessDenied).statusCode;
  }
};

describe('authorisation policy', () => {
  it('grants every permission to admins and admin services alike, and the relay only the directory and uploads', () => {
    for (const p of PERMISSIONS) expect(GRANTS[p].includes('admin') || p === 'messages.relay', p).toBe(true);
    expect(PERMISSIONS.filter((p) => GRANTS[p].includes('relay'))).toEqual(['units.read', 'messages.upload', 'messages.relay']);
    // A Prometheus scraper's token (role metrics) reads /metrics and nothing else; only admins retry failed messages.
    expect(PERMISSIONS.filter((p) => GRANTS[p].includes('metrics'))).toEqual(['metrics.read']);
    expect(GRANTS['messages.retry']).toEqual(['admin']);
    expect(routeDecision(null, 'documents.read')).toBe('unauthenticated');
    expect(routeDecision(null, 'public')).toBe('allow');
    expect(routeDecision(relay, 'authenticated')).toBe('allow');
    expect(routeDecision(relay, 'messages.read')).toBe('forbidden');
    expect(OPERATOR.role).toBe('admin');
  });

  it("shows a secret document to its unit's clerks and leaders, admins, and an officer only while assigned", () => {
    expect(canSeeDocument(clerk, secret())).toBe(true);
    expect(canSeeDocument(leader, secret())).toBe(true);
    expect(canSeeDocument(admin, secret())).toBe(true);
    expect(canSeeDocument(service, secret())).toBe(true);
    expect(canSeeDocument(officer, secret())).toBe(false);
    expect(canSeeDocument(officer, secret(officer.id))).toBe(true);
    expect(canSeeDocument(clerkOther, secret())).toBe(false);
    expect(canSeeDocument(relay, secret())).toBe(false);
  });

  it('answers 404 for what the caller may not see and 403 for what the role may not do', () => {
    expect(status(() => authorizeDocument(clerkOther, 'documents.review', secret()))).toBe(404);
    expect(status(() => authorizeDocument(leader, 'documents.review', secret()))).toBe(403);
    expect(status(() => authorizeDocument(clerk, 'documents.review', secret()))).toBe(200);
    expect(status(() => unitScope(clerk, 'vpubnd'))).toBe(403);
    expect(unitScope(admin, 'vpubnd')).toBe('vpubnd');
    expect(unitScope(admin)).toBeNull();
    expect(status(() => unitScope(relay))).toBe(403);
  });

  it('decides messages like their documents: full, existence only, or nothing', () => {
    const ordinary = { unitIds: ['stc'], documents: [{ unitId: 'stc', assigneeId: null, secrecy: 'normal' }] };
    const classifiedSecret = { unitIds: ['stc'], documents: [], classifiedSecrecy: 'mat' };
    expect(messageAccess(clerk, ordinary)).toBe('full');
    expect(messageAccess(officer, ordinary)).toBe('exists');
    expect(messageAccess(officer, { ...ordinary, documents: [{ unitId: 'stc', assigneeId: officer.id, secrecy: 'normal' }] })).toBe('full');
    expect(messageAccess(officer, classifiedSecret)).toBe('none'); // secret before any document exists
    expect(messageAccess(leader, classifiedSecret)).toBe('full');
    expect(messageAccess(clerkOther, ordinary)).toBe('none');
    expect(messageAccess(relay, ordinary)).toBe('none');
    expect(messageListScope(officer)).toEqual({ kind: 'assigned', unitId: 'stc', userId: officer.id });
    expect(messageListScope(clerk)).toEqual({ kind: 'unit', unitId: 'stc' });
    expect(messageListScope(service)).toEqual({ kind: 'all' });
  });

  it('lets clerks upload only for their unit, and only the relay hand over an envelope', () => {
    const both = [
      { address: 'vanthu@stc.lamdong.gov.vn', unitId: 'stc' },
      { address: 'vanthu@vpubnd.lamdong.gov.vn', unitId: 'vpubnd' },
    ];
    expect(uploadTargets(clerk, both, false)).toEqual([both[0]]); // from the headers: narrowed
    expect(status(() => uploadTargets(clerk, both, true))).toBe(403); // named: refused
    expect(status(() => uploadTargets(clerkOther, [both[0]], false))).toBe(403);
    expect(status(() => uploadTargets(leader, [both[0]], false))).toBe(403);
    expect(status(() => uploadTargets(officer, [both[0]], false))).toBe(403);
    expect(uploadTargets(relay, both, true)).toEqual(both);
    expect(uploadTargets(OPERATOR, both, true)).toEqual(both);
    expect(status(() => authorizeRelayEnvelope(service, true))).toBe(403);
    expect(status(() => authorizeRelayEnvelope(admin, true))).toBe(403);
    expect(status(() => authorizeRelayEnvelope(relay, true))).toBe(200);
    expect(status(() => authorizeRelayEnvelope(clerk, false))).toBe(200);
  });
});
