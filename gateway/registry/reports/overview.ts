/**
 * The leader's overview of a unit's work (GET /api/overview): per department and per officer, how
 * many documents were received and registered in a month, how many are open (in progress) and how
 * many of those are overdue today, how many were done; and the open items due this week. Open and
 * overdue are as of today (the registry's clock, Hà Nội dates), whatever month is asked.
 * One grouped statement over the unit's documents (aggregates with FILTER), so it stays one round
 * trip with 10,000 documents.
 */
import { and, asc, between, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { localDate } from '../../clock.ts';
import { rows } from '../db.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, users } from '../schema.ts';
import { OPEN_STATUSES } from '../books/search.ts';
import { monthOf, weekOf } from './period.ts';

export interface Counts {
  received: number;
  registered: number;
  inProgress: number;
  overdue: number;
  done: number;
}

export interface OverviewRow extends Counts {
  unitId: string;
  /** Department id or user id; null: none (not yet routed / not yet assigned to anyone). */
  id: string | null;
  name: string;
  email?: string | null;
}

export interface DueItem {
  id: string;
  unitId: string;
  bookNumber: number | null;
  notation: string | null;
  subject: string | null;
  status: string;
  dueDate: string;
  department: string | null;
  assigneeName: string | null;
  overdue: boolean;
}

export interface Overview {
  unitId: string | null;
  month: string;
  /** Today in the registry's zone: what "overdue" is counted against. */
  today: string;
  week: { start: string; end: string };
  totals: Counts;
  departments: OverviewRow[];
  officers: OverviewRow[];
  dueThisWeek: DueItem[];
}

interface Group {
  unit_id: string;
  department: string | null;
  assignee_id: string | null;
  received: number | string;
  registered: number | string;
  in_progress: number | string;
  overdue: number | string;
  done: number | string;
}

const zero = (): Counts => ({ received: 0, registered: 0, inProgress: 0, overdue: 0, done: 0 });
function add(into: Counts, g: Group): void {
  into.received += Number(g.received);
  into.registered += Number(g.registered);
  into.inProgress += Number(g.in_progress);
  into.overdue += Number(g.overdue);
  into.done += Number(g.done);
}

/** `unitId` null: every unit (admins). */
export async function leaderOverview(rt: RegistryRuntime, unitId: string | null, month?: string): Promise<Overview> {
  const now = rt.clock.now();
  const today = localDate(now, rt.tz);
  const m = monthOf(month, now, rt.tz);
  const week = weekOf(today);
  const from = m.from.toISOString();
  const to = m.to.toISOString();
  const open = sql.join(
    OPEN_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  const groups = await rows<Group>(
    rt.db,
    sql`select unit_id, department, assignee_id,
          count(*) filter (where arrival_at >= ${from}::timestamptz and arrival_at < ${to}::timestamptz) as received,
          count(*) filter (where book_number is not null and registered_at >= ${from}::timestamptz and registered_at < ${to}::timestamptz) as registered,
          count(*) filter (where book_number is not null and status in (${open})) as in_progress,
          count(*) filter (where book_number is not null and status in (${open}) and due_date < ${today}) as overdue,
          count(*) filter (where status = 'done' and done_at >= ${from}::timestamptz and done_at < ${to}::timestamptz) as done
        from documents
        where status not in ('not_document', 'linked') ${unitId ? sql`and unit_id = ${unitId}` : sql``}
        group by unit_id, department, assignee_id`,
  );

  const people = await rt.db
    .select({ id: users.id, name: users.name, email: users.email, unitId: users.unitId })
    .from(users)
    .where(unitId ? eq(users.unitId, unitId) : undefined);
  const personOf = new Map(people.map((u) => [u.id, u]));
  const deptName = (unit: string, id: string | null) =>
    id === null ? null : (rt.config.registry.units[unit]?.departments.find((d) => d.id === id)?.name ?? id);

  const totals = zero();
  const departments = new Map<string, OverviewRow>();
  const officers = new Map<string, OverviewRow>();
  for (const g of groups) {
    add(totals, g);
    const dk = `${g.unit_id}\u0000${g.department ?? ''}`;
    if (!departments.has(dk)) departments.set(dk, { unitId: g.unit_id, id: g.department, name: deptName(g.unit_id, g.department) ?? '', ...zero() });
    add(departments.get(dk)!, g);
    const ok = `${g.unit_id}\u0000${g.assignee_id ?? ''}`;
    const person = g.assignee_id ? personOf.get(g.assignee_id) : undefined;
    if (!officers.has(ok)) officers.set(ok, { unitId: g.unit_id, id: g.assignee_id, name: person?.name ?? '', email: person?.email ?? null, ...zero() });
    add(officers.get(ok)!, g);
  }
  // Departments of the unit with nothing yet still appear (a leader reads "0", not a missing row).
  for (const [unit, cfg] of Object.entries(rt.config.registry.units)) {
    if (unitId && unit !== unitId) continue;
    for (const d of cfg.departments) {
      const dk = `${unit}\u0000${d.id}`;
      if (!departments.has(dk)) departments.set(dk, { unitId: unit, id: d.id, name: d.name, ...zero() });
    }
  }
  const byWork = (a: OverviewRow, b: OverviewRow) =>
    b.overdue - a.overdue || b.inProgress - a.inProgress || b.received - a.received || a.name.localeCompare(b.name, 'vi');

  const due = await rt.db
    .select({
      id: documents.id,
      unitId: documents.unitId,
      bookNumber: documents.bookNumber,
      notation: documents.notation,
      subject: documents.subject,
      status: documents.status,
      dueDate: documents.dueDate,
      department: documents.department,
      assigneeName: users.name,
    })
    .from(documents)
    .leftJoin(users, eq(users.id, documents.assigneeId))
    .where(
      and(
        unitId ? eq(documents.unitId, unitId) : undefined,
        inArray(documents.status, OPEN_STATUSES),
        isNotNull(documents.bookNumber),
        between(documents.dueDate, week.start, week.end),
      ),
    )
    .orderBy(asc(documents.dueDate), asc(documents.bookNumber))
    .limit(200);

  return {
    unitId,
    month: m.month,
    today,
    week,
    totals,
    departments: [...departments.values()].sort(byWork),
    officers: [...officers.values()].sort(byWork),
    dueThisWeek: due.map((d) => ({ ...d, dueDate: d.dueDate!, overdue: d.dueDate! < today })),
  };
}
