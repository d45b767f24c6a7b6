/**
 * Vacuum and statistics for the embedded database (docs/operations.md, "The embedded database's
 * upkeep"). PGlite runs PostgreSQL in single-user mode: there is no autovacuum, so without this
 * nothing ever removes the row versions an update or delete leaves behind, and nothing gathers the
 * planner's statistics. Each message updates its `inbound_messages` row several times; the dead
 * versions stay in the table and in its indexes, and every pass of the outbox sweep (every 200 ms)
 * walked all of them — its cost, and the database thread's time per message, grew with every
 * message ever received (bench/e2e/FINDINGS.md, sixteenth round).
 *
 * Every `intervalMs` this does what autovacuum would, with its default thresholds: a table whose
 * dead rows exceed 50 + 20 % of its live rows, or whose inserts since its last vacuum exceed 1,000 +
 * 20 %, is vacuumed (with ANALYZE), one whose rows changed since its last ANALYZE by more than
 * 50 + 10 % is analysed. One table per statement, so the statements of the pipeline and the accept
 * side take their turns in between. PGlite keeps no statistics across a restart (the counts start
 * at zero, so dead rows the last run left would never reach a threshold): a process's first pass
 * vacuums every table. PostgreSQL has its own autovacuum: this runs for the embedded database only.
 */
import type { Logger } from '../log.ts';
import type { Database } from './db.ts';

export const VACUUM_INTERVAL_MS = 30_000;
/** PostgreSQL's autovacuum defaults (autovacuum_vacuum_threshold, _scale_factor; the analyze pair). */
export const VACUUM_THRESHOLD = { base: 50, scale: 0.2 };
/** Inserts alone (autovacuum_vacuum_insert_threshold, _scale_factor): pages marked all-visible, rows frozen. */
export const INSERT_VACUUM_THRESHOLD = { base: 1000, scale: 0.2 };
export const ANALYZE_THRESHOLD = { base: 50, scale: 0.1 };

export interface TableActivity {
  table: string;
  live: number;
  dead: number;
  /** Rows inserted, updated or deleted since the table's last ANALYZE. */
  modified: number;
  /** Rows inserted since the table's last VACUUM. */
  inserted: number;
}

export type Upkeep = 'vacuum' | 'analyze' | null;

/** What a table needs now, by autovacuum's rules. */
export function upkeepFor(t: TableActivity): Upkeep {
  if (t.dead > VACUUM_THRESHOLD.base + VACUUM_THRESHOLD.scale * t.live) return 'vacuum';
  if (t.inserted > INSERT_VACUUM_THRESHOLD.base + INSERT_VACUUM_THRESHOLD.scale * t.live) return 'vacuum';
  if (t.modified > ANALYZE_THRESHOLD.base + ANALYZE_THRESHOLD.scale * t.live) return 'analyze';
  return null;
}

export interface UpkeepPass {
  vacuumed: string[];
  analyzed: string[];
  ms: number;
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

export class EmbeddedVacuum {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Passes under way (never more than one from the timer). */
  inFlight = 0;
  /** Passes done (tests and the log). */
  passes = 0;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly intervalMs = VACUUM_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      // One pass at a time: a tick that finds one still running is skipped, not queued behind it.
      if (this.inFlight > 0 || this.stopped) return;
      this.running = this.runOnce().catch((err: Error) => this.log.warn({ err: err.message }, 'embedded database upkeep failed; next pass as planned'));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way (the database closes after this). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** The tables' activity as the database's statistics have it (they lag by up to a second). */
  async activity(): Promise<TableActivity[]> {
    const rows = await this.database.query<TableActivity>(
      `select relname as "table", n_live_tup::float8 as live, n_dead_tup::float8 as dead, n_mod_since_analyze::float8 as modified,
         n_ins_since_vacuum::float8 as inserted
       from pg_stat_user_tables where schemaname = 'public' order by relname`,
      [],
    );
    return rows;
  }

  /** One pass: each table that needs it vacuumed or analysed, one statement each. */
  async runOnce(): Promise<UpkeepPass> {
    const started = performance.now();
    const pass: UpkeepPass = { vacuumed: [], analyzed: [], ms: 0 };
    const first = this.passes === 0;
    this.inFlight++;
    try {
      for (const t of await this.activity()) {
        if (this.stopped) break;
        const need = first ? 'vacuum' : upkeepFor(t);
        if (!need) continue;
        const t0 = performance.now();
        await this.database.query(need === 'vacuum' ? `vacuum (analyze) ${quoted(t.table)}` : `analyze ${quoted(t.table)}`, []);
        (need === 'vacuum' ? pass.vacuumed : pass.analyzed).push(t.table);
        this.log.debug({ ...t, ms: Math.round(performance.now() - t0) }, `embedded database: ${need}`);
      }
    } finally {
      this.inFlight--;
    }
    pass.ms = Math.round(performance.now() - started);
    this.passes++;
    if (pass.vacuumed.length || pass.analyzed.length) this.log.debug(pass, 'embedded database upkeep');
    return pass;
  }
}

/** Started for the embedded database only (PostgreSQL vacuums itself); null otherwise. */
export function startEmbeddedVacuum(database: Database, log: Logger, intervalMs = VACUUM_INTERVAL_MS): EmbeddedVacuum | null {
  if (database.kind !== 'pglite') return null;
  const v = new EmbeddedVacuum(database, log.child({ component: 'db-upkeep' }), intervalMs);
  v.start();
  return v;
}
