/** Months and weeks of the registry's calendar (Hà Nội, `registry.timezone`) as instants and dates. */
import { localDate, zonedInstant } from '../../clock.ts';
import { RegistryError } from '../errors.ts';

export interface Month {
  /** YYYY-MM */
  month: string;
  /** First instant of the month in the zone. */
  from: Date;
  /** First instant of the next month. */
  to: Date;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month `YYYY-MM` (default: the month of `now`) as [from, to) instants of the zone. */
export function monthOf(month: string | undefined, now: Date, tz: string): Month {
  const m = month ?? localDate(now, tz).slice(0, 7);
  const match = MONTH.exec(m);
  if (!match) throw new RegistryError(400, `month: tháng dạng YYYY-MM (expected YYYY-MM, got ${m})`);
  const [y, mm] = [Number(match[1]), Number(match[2])];
  const next = mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
  return { month: m, from: zonedInstant(`${m}-01`, 0, tz), to: zonedInstant(`${next}-01`, 0, tz) };
}

/** Monday and Sunday (YYYY-MM-DD) of the week holding the calendar date `day`. */
export function weekOf(day: string): { start: string; end: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7; // Monday = 0
  const start = new Date(d.getTime() - back * 86_400_000);
  const end = new Date(start.getTime() + 6 * 86_400_000);
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

/** The value at quantile q (0..1) of sorted numbers, nearest-rank; null for none. */
export function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
