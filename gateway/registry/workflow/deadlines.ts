/**
 * Working-day arithmetic on calendar dates (YYYY-MM-DD, in the registry's time zone): Monday to
 * Friday, minus the configured public holidays, plus the weekend days worked instead.
 */
import type { RegistryConfig } from '../../config/registry.ts';

export interface Calendar {
  isWorkingDay(date: string): boolean;
  /** True when the year has a holiday list (a deadline in an unlisted year is only approximate). */
  knowsYear(year: number): boolean;
}

export function calendar(holidays: RegistryConfig['holidays']): Calendar {
  const off = new Set<string>();
  const worked = new Set<string>();
  for (const y of Object.values(holidays)) {
    y.off.forEach((d) => off.add(d));
    y.workdays.forEach((d) => worked.add(d));
  }
  return {
    isWorkingDay(date) {
      if (worked.has(date)) return true;
      if (off.has(date)) return false;
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      return dow !== 0 && dow !== 6;
    },
    knowsYear: (year) => String(year) in holidays,
  };
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The date n working days after `date` (n ≥ 0; n = 0 gives the first working day on or after it). */
export function addWorkingDays(cal: Calendar, date: string, n: number): string {
  let d = date;
  while (!cal.isWorkingDay(d)) d = addDays(d, 1);
  for (let i = 0; i < n; ) {
    d = addDays(d, 1);
    if (cal.isWorkingDay(d)) i++;
  }
  return d;
}

/** The date n working days before `date` (never before `floor`). */
export function subtractWorkingDays(cal: Calendar, date: string, n: number, floor: string): string {
  let d = date;
  for (let i = 0; i < n && d > floor; ) {
    d = addDays(d, -1);
    if (cal.isWorkingDay(d)) i++;
  }
  return d < floor ? floor : d;
}

export interface DeadlineInput {
  unitId: string;
  typeCode: string | null;
  urgency: string;
  /** A date written in the document wins over the defaults. */
  statedDate: string | null;
  /** The registration date the allowance counts from. */
  from: string;
}

export interface Deadline {
  dueDate: string;
  source: 'document' | 'default';
  workingDays: number | null;
}

export function computeDeadline(reg: RegistryConfig, cal: Calendar, input: DeadlineInput): Deadline {
  if (input.statedDate) return { dueDate: input.statedDate, source: 'document', workingDays: null };
  const rules = { ...reg.deadlines, ...(reg.units[input.unitId]?.deadlines ?? {}) };
  const byType = (input.typeCode && rules.byType?.[input.typeCode]) || rules.defaultDays || 10;
  const byUrgency = rules.byUrgency?.[input.urgency as 'khan'] ?? Infinity;
  const days = Math.min(byType, byUrgency);
  return { dueDate: addWorkingDays(cal, input.from, days), source: 'default', workingDays: days };
}
