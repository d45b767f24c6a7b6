/**
 * The pipeline's writes (gateway/workers/pipeline.ts runs the stages): the stage rows waiting, the
 * message's state and lastError, and the release of the run's lease, as one statement per write.
 */
import { describeError, errorText, type ErrorInfo } from '../errors.ts';
import { groupCommit, type WriteBuilder } from '../store/group-commit.ts';
import type { LeaseHandle, MessageFields, StageContext, StoredStage } from './pipeline.ts';
import { isTerminal } from './states.ts';

/** What message_stages.status says about a stage. */
export const STAGE_DONE = 'done';
export const STAGE_FAILED = 'failed';

export interface StageRow extends StoredStage {
  fields?: MessageFields;
  storeWith?: (param: (value: unknown) => string, id: string) => string[];
}

/**
 * The pipeline's writes. Each one is a single statement: the stage rows waiting (an upsert into
 * message_stages, as a data-modifying WITH) and the message row's state, lastError, the columns a
 * stage's result sets and, once the state is terminal, the release of this run's lease; writes of
 * concurrent jobs share one statement (group commit, gateway/store/group-commit.ts). Raw SQL
 * through Database.query: the ORM's query building costs more than these statements
 * (docs/architecture.md, "Database writes").
 */
export class StageWrites {
  /** The state the stages run (or skipped as done) have reached. */
  state: string;
  /** The state the row has, as far as this run knows. */
  private written: string;
  private pending: StageRow[] = [];

  constructor(
    readonly ctx: StageContext,
    private readonly lease?: LeaseHandle,
  ) {
    this.state = ctx.message.state;
    this.written = ctx.message.state;
  }

  add(stage: string, status: string, result: unknown, error: string | null, extra: Pick<StageRow, 'fields' | 'storeWith'> = {}): void {
    this.pending = this.pending.filter((r) => r.stage !== stage);
    this.pending.push({ stage, status, result, error, ...extra });
  }

  /**
   * Writes the rows waiting with the state they reach and lastError (the outcome's, else none);
   * with no row waiting, only a state the row does not have yet (stages skipped as done), unless
   * `rowsOnly` (before a stage runs: a forced re-run of register must not set a decided message
   * back to the state of the stages before it).
   */
  async flush(o: { state?: boolean; lastError?: string | null; releaseAny?: boolean; rowsOnly?: boolean } = {}): Promise<void> {
    const rows = this.pending;
    if (o.rowsOnly && !rows.length) return;
    const moved = o.state || rows.some((r) => r.status === STAGE_DONE) || this.state !== this.written;
    if (!rows.length && !moved && !o.releaseAny) return;
    const outcome = this.ctx.outcome;
    const lastError = o.lastError !== undefined ? o.lastError : outcome ? `${outcome.stage}: ${outcome.code}: ${outcome.message}` : null;
    await this.write({
      rows,
      state: moved ? this.state : undefined,
      // A state-only write (nothing ran) leaves lastError and updatedAt as they are.
      lastError: rows.length || o.lastError !== undefined ? lastError : undefined,
      releaseAny: o.releaseAny,
    });
  }

  /**
   * Stores a failure; never throws over it (the original error is what the caller throws). A
   * permanent failure also makes the message `failed` here, so the row is terminal before the job
   * ends, whatever happens to the worker's "failed" event. The rows waiting go with it.
   */
  async fail(stage: string, info: ErrorInfo, terminal: boolean): Promise<void> {
    const lastError = `${stage}: ${errorText(info)}`;
    if (terminal) this.state = 'failed';
    const moved = terminal || this.pending.some((r) => r.status === STAGE_DONE);
    try {
      this.add(stage, STAGE_FAILED, null, errorText(info));
      await this.write({ rows: this.pending, state: moved ? this.state : undefined, lastError });
      return;
    } catch (err) {
      this.ctx.log.warn({ id: this.ctx.message.id, stage, err: describeError(err).message }, 'could not store the stage failure');
    }
    try {
      await this.write({ rows: [], state: terminal ? 'failed' : undefined, lastError });
    } catch (err) {
      this.ctx.log.warn({ id: this.ctx.message.id, stage, err: describeError(err).message }, 'could not record lastError');
    }
  }

  private async write(o: { rows: StageRow[]; state?: string; lastError?: string | null; releaseAny?: boolean }): Promise<void> {
    const { ctx } = this;
    const release = o.releaseAny ? 'any' : this.lease && !this.lease.released && o.state !== undefined && isTerminal(o.state) ? this.lease.holder : null;
    const fields: MessageFields = Object.assign({}, ...o.rows.map((r) => r.fields ?? {}));
    const build: WriteBuilder = (p) => {
      const id = `${p(ctx.message.id)}::text`;
      const statements: string[] = [];
      const set: string[] = [];
      if (o.rows.length) {
        const at = p(ctx.clock.now().toISOString());
        statements.push(...o.rows.flatMap((r) => r.storeWith?.(p, id) ?? []));
        statements.push(`insert into message_stages as m (message_id, stage, status, result, error, updated_at)
  select ${id}, u.stage, u.status, u.result, u.error, ${at}::timestamptz
  from unnest(${p(o.rows.map((r) => r.stage))}::text[], ${p(o.rows.map((r) => r.status))}::text[], ${p(o.rows.map((r) => (r.result === null || r.result === undefined ? null : JSON.stringify(r.result))))}::jsonb[], ${p(o.rows.map((r) => r.error))}::text[]) as u(stage, status, result, error)
  on conflict (message_id, stage) do update set status = excluded.status, result = excluded.result, error = excluded.error, attempts = m.attempts + 1, updated_at = excluded.updated_at`);
        if (fields.subject !== undefined) set.push(`subject = ${p(fields.subject)}`);
        if (fields.fromAddr !== undefined) set.push(`from_addr = ${p(fields.fromAddr)}`);
      }
      if (o.state !== undefined) set.push(`state = ${p(o.state)}`);
      if (o.lastError !== undefined) set.push(`last_error = ${p(o.lastError)}`);
      // A state-only write (stages skipped as done) leaves updatedAt as it is.
      if (o.rows.length || o.lastError !== undefined) set.push(`updated_at = ${p(ctx.clock.now().toISOString())}::timestamptz`);
      // The run is over once the state is terminal: its lease goes in the same statement (a lease taken over meanwhile stays).
      if (release === 'any') set.push('lease_owner = null', 'lease_until = null');
      else if (release) {
        const h = p(release);
        set.push(
          `lease_owner = case when lease_owner = ${h} then null else lease_owner end`,
          `lease_until = case when lease_owner = ${h} then null else lease_until end`,
        );
      }
      if (set.length) statements.push(`update inbound_messages set ${set.join(', ')} where id = ${id}`);
      return statements;
    };
    // Several jobs' writes go as one statement when they meet (gateway/store/group-commit.ts); this resolves once it committed.
    await groupCommit(ctx.database).write(ctx.message.id, build);
    if (o.state !== undefined) this.written = o.state;
    this.pending = this.pending.filter((r) => !o.rows.includes(r));
    if (release && this.lease) this.lease.released = true;
  }
}
