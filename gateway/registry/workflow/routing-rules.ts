/**
 * The routing rules in force (routing.ts matchRule): per unit, the rules an admin saved in the
 * console (table routing_rules, one row per unit), else the unit's rules of `registry.routing` in
 * the configuration. Saving replaces a unit's list (order matters: the first rule that matches
 * wins) and writes a `routing.update` audit entry with the rules before and after; resetting drops
 * the row (`routing.reset`) and the configuration's rules apply again. Who: admins save, leaders
 * and admins read (gateway/registry/access/policy.ts `routing.manage`, `routing.read`).
 *
 * Registration reads the rules of every unit from a cache refreshed every 30 s (a process that did
 * not make the change sees it within that time; the one that did, at once), filled when the
 * runtime is made (createRuntime), so registering a message costs no statement for them.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { routingRuleSchema, type RoutingRule } from '../../config/registry.ts';
import type { Db } from '../../store/db.ts';
import { actorOf, authorizeUnit, requirePermission, unitScope, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import { RegistryError } from '../errors.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { users } from '../schema.ts';
import { routingRules } from './schema.ts';

const TTL_MS = 30_000;
const cache = new WeakMap<Db, { at: number; rows: Promise<Array<typeof routingRules.$inferSelect>> }>();

function savedRows(db: Db) {
  const hit = cache.get(db);
  // A cache lifetime, not a time anyone reads: the monotonic clock, never the wall clock.
  if (hit && performance.now() - hit.at < TTL_MS) return hit.rows;
  const rows = db.select().from(routingRules);
  const entry = { at: performance.now(), rows: Promise.resolve(rows) };
  entry.rows.catch(() => cache.delete(db));
  cache.set(db, entry);
  return entry.rows;
}

/** Starts reading the saved rules (createRuntime): the first registration finds them read. */
export function warmRoutingRules(db: Db): void {
  void savedRows(db).catch(() => undefined);
}

/** Every unit's rules in force, in order: what routeFor matches documents against. */
export async function rulesInForce(rt: RegistryRuntime): Promise<RoutingRule[]> {
  const saved = await savedRows(rt.db);
  if (!saved.length) return rt.config.registry.routing;
  const edited = new Set(saved.map((r) => r.unitId));
  return [...rt.config.registry.routing.filter((r) => !edited.has(r.unit)), ...saved.flatMap((r) => r.rules as RoutingRule[])];
}

export interface UnitRules {
  unitId: string;
  unitName: string;
  source: 'config' | 'database';
  updatedBy: string | null;
  updatedAt: string | null;
  rules: RoutingRule[];
  departments: Array<{ id: string; name: string }>;
}

/** The rules of the units in the caller's scope (admins: every unit, or `unitId`). */
export async function listRules(rt: RegistryRuntime, p: Principal, unitId?: string): Promise<{ units: UnitRules[] }> {
  requirePermission(p, 'routing.read');
  const scope = unitScope(p, unitId);
  cache.delete(rt.db); // a list is read fresh
  const saved = await savedRows(rt.db);
  const units = rt.config.units.filter((u) => scope === null || u.id === scope);
  return {
    units: units.map((u) => {
      const row = saved.find((r) => r.unitId === u.id);
      return {
        unitId: u.id,
        unitName: u.name,
        source: row ? 'database' : 'config',
        updatedBy: row?.updatedBy ?? null,
        updatedAt: row?.updatedAt.toISOString() ?? null,
        rules: row ? (row.rules as RoutingRule[]) : rt.config.registry.routing.filter((r) => r.unit === u.id),
        departments: rt.config.registry.units[u.id]?.departments ?? [],
      };
    }),
  };
}

const ruleInput = routingRuleSchema.omit({ unit: true }).extend({
  recipient: z.string().trim().toLowerCase().optional(),
  issuer: z.string().trim().optional(),
  typeCode: z.string().trim().optional(),
  keywords: z.array(z.string().trim().min(1)).optional(),
  department: z.string().trim().min(1),
  officer: z.string().trim().toLowerCase().optional(),
});

/** Checks and normalises a unit's new list: known departments, active officers of the unit, empty conditions dropped. */
async function checkRules(rt: RegistryRuntime, unitId: string, input: unknown[]): Promise<RoutingRule[]> {
  const departments = rt.config.registry.units[unitId]?.departments ?? [];
  const out: RoutingRule[] = [];
  for (const [i, raw] of input.entries()) {
    const parsed = ruleInput.safeParse(raw);
    if (!parsed.success)
      throw new RegistryError(
        400,
        `Quy tắc ${i + 1} không hợp lệ (rule ${i + 1} is invalid): ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
      );
    const r = parsed.data;
    if (departments.length && !departments.some((d) => d.id === r.department))
      throw new RegistryError(
        400,
        `Quy tắc ${i + 1}: không có phòng ban "${r.department}" (unknown department; known: ${departments.map((d) => d.id).join(', ')})`,
      );
    if (r.officer) {
      const [u] = await rt.db.select({ unitId: users.unitId, active: users.active }).from(users).where(eq(users.email, r.officer));
      if (!u || u.unitId !== unitId || !u.active)
        throw new RegistryError(400, `Quy tắc ${i + 1}: "${r.officer}" không phải cán bộ của đơn vị (not an active user of the unit)`);
    }
    const rule: RoutingRule = { unit: unitId, department: r.department };
    if (r.recipient) rule.recipient = r.recipient;
    if (r.issuer) rule.issuer = r.issuer;
    if (r.typeCode) rule.typeCode = r.typeCode;
    if (r.keywords?.length) rule.keywords = r.keywords;
    if (r.officer) rule.officer = r.officer;
    out.push(rule);
  }
  return out;
}

export async function saveRules(rt: RegistryRuntime, p: Principal, unitId: string, input: unknown[]): Promise<UnitRules> {
  authorizeUnit(p, 'routing.manage', unitId);
  if (!rt.config.units.some((u) => u.id === unitId)) throw new RegistryError(404, `Không có đơn vị "${unitId}" (unknown unit)`);
  const rules = await checkRules(rt, unitId, input);
  const before = (await rulesInForce(rt)).filter((r) => r.unit === unitId);
  const at = rt.clock.now();
  await rt.db.transaction(async (tx) => {
    await tx
      .insert(routingRules)
      .values({ unitId, rules, updatedBy: actorOf(p), updatedAt: at })
      .onConflictDoUpdate({ target: routingRules.unitId, set: { rules, updatedBy: actorOf(p), updatedAt: at } });
    await appendAudit(tx, { actor: actorOf(p), action: 'routing.update', entity: 'unit', entityId: unitId, data: { before, after: rules } }, at);
  });
  cache.delete(rt.db);
  return (await listRules(rt, p, unitId)).units[0];
}

export async function resetRules(rt: RegistryRuntime, p: Principal, unitId: string): Promise<UnitRules> {
  authorizeUnit(p, 'routing.manage', unitId);
  if (!rt.config.units.some((u) => u.id === unitId)) throw new RegistryError(404, `Không có đơn vị "${unitId}" (unknown unit)`);
  const before = (await rulesInForce(rt)).filter((r) => r.unit === unitId);
  const at = rt.clock.now();
  await rt.db.transaction(async (tx) => {
    await tx.delete(routingRules).where(eq(routingRules.unitId, unitId));
    await appendAudit(tx, { actor: actorOf(p), action: 'routing.reset', entity: 'unit', entityId: unitId, data: { before } }, at);
  });
  cache.delete(rt.db);
  return (await listRules(rt, p, unitId)).units[0];
}
