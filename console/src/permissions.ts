/**
 * What the console offers a person is what the API would allow them: the authorisation policy's
 * own matrix (gateway/registry/access/policy.ts, `hasPermission` — the function the API's route
 * check calls), asked with the person the gateway says is signed in (GET /api/auth/me). Links and
 * forms it hides for a role are the ones the API would refuse (403); the API still decides.
 */
import { hasPermission, type Permission } from '../../gateway/registry/access/policy.ts';
import type { Me } from './app.ts';

export function may(me: Me, permission: Permission): boolean {
  return hasPermission({ kind: 'user', id: me.id, name: me.name, email: me.email, role: me.role, unitId: me.unitId, department: null }, permission);
}

/** Assign documents, set and change deadlines, decide extension requests (`documents.assign`). */
export const mayAssign = (me: Me): boolean => may(me, 'documents.assign');
