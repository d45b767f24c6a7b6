/** bench:e2e (bench/e2e.ts), side measurements: Redis (a shared server), the PostgreSQL backends of the run's database. */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { statOf } from './procstat.ts';

export async function redisInfo(redis: Redis | null): Promise<{ cpu: number; commands: number } | null> {
  if (!redis) return null;
  try {
    const text = await redis.info();
    const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    return { cpu: num('used_cpu_user') + num('used_cpu_sys'), commands: num('total_commands_processed') };
  } catch {
    return null;
  }
}

export class PgWatch {
  private cpuByPid = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        const r = await this.client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [this.database]);
        for (const { pid } of r.rows) {
          const st = statOf(`/proc/${pid}/stat`);
          if (st) this.cpuByPid.set(pid, Math.max(this.cpuByPid.get(pid) ?? 0, st.cpu));
        }
      } catch {
        /* the server is busy or gone: the next tick */
      }
    };
    void tick();
    this.timer = setInterval(tick, 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** CPU seconds of the backends that served the gateway's database so far. */
  cpu(): number {
    let s = 0;
    for (const v of this.cpuByPid.values()) s += v;
    return s;
  }

  backends(): number {
    return this.cpuByPid.size;
  }

  async tableStats(): Promise<{ database: Record<string, number>; tables: Record<string, Record<string, number>> }> {
    const [db] = (
      await this.client.query(
        'select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched from pg_stat_database where datname = $1',
        [this.database],
      )
    ).rows;
    const tables: Record<string, Record<string, number>> = {};
    for (const r of (await this.client.query('select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, seq_scan, idx_scan from pg_stat_user_tables'))
      .rows) {
      tables[r.relname] = {
        ins: Number(r.n_tup_ins),
        upd: Number(r.n_tup_upd),
        hot_upd: Number(r.n_tup_hot_upd),
        del: Number(r.n_tup_del),
        seq_scan: Number(r.seq_scan),
        idx_scan: Number(r.idx_scan ?? 0),
      };
    }
    return { database: Object.fromEntries(Object.entries(db ?? {}).map(([k, v]) => [k, Number(v)])), tables };
  }
}
