/**
 * Who may do what (role × unit). One table, used by every API route:
 * - admin (and config-token services): everything, every unit;
 * - leader: reads their unit, assigns and re-assigns, sets status, prints books;
 * - clerk: reads their unit, works the review queue, registers, prints books;
 * - officer: reads and progresses what is assigned to them.
 */
import type { Role } from './config-schema.ts';
import { forbidden } from './errors.ts';

export interface Principal {
  kind: 'service' | 'user';
  id: string | null;
  name: string;
  email: string | null;
  role: Role;
  /** null: every unit (admins and services). */
  unitId: string | null;
  department: string | null;
}

export type Action = 'read' | 'review' | 'assign' | 'progress' | 'comment' | 'books' | 'users' | 'audit';

export interface Target {
  unitId: string;
  assigneeId?: string | null;
}

const ALLOWED: Record<Role, Action[]> = {
  admin: ['read', 'review', 'assign', 'progress', 'comment', 'books', 'users', 'audit'],
  leader: ['read', 'assign', 'progress', 'comment', 'books'],
  clerk: ['read', 'review', 'comment', 'books'],
  officer: ['read', 'progress', 'comment'],
};

export function can(p: Principal, action: Action, target?: Target): boolean {
  if (!ALLOWED[p.role].includes(action)) return false;
  if (p.unitId === null || !target) return true;
  if (target.unitId !== p.unitId) return false;
  // Officers see and touch only their own items.
  return p.role !== 'officer' || (target.assigneeId ?? null) === p.id;
}

export function authorize(p: Principal, action: Action, target?: Target): void {
  if (!can(p, action, target)) throw forbidden();
}

/** Which units a principal may act on for an action with no particular document (lists, books). */
export function unitScope(p: Principal, unitId?: string | null): string | null {
  if (p.unitId === null) return unitId ?? null;
  if (unitId && unitId !== p.unitId) throw forbidden();
  return p.unitId;
}
