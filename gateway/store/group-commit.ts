/**
 * Group commit of the pipeline's writes (docs/architecture.md, "Group commit"). Each ingest job
 * ends its stages with a write or two (stage rows, the message's state, its lease); with several
 * jobs running, those writes are gathered while a statement of the group is in flight and the
 * next ones go together as one statement: data-modifying statements joined under one WITH.
 *
 * One statement is one transaction, so a group commits whole or not at all: a write resolves only
 * once its statement committed, and a crash before that leaves every job of the group to run its
 * stages again (they are idempotent; the lease of a dead process is taken over). Two writes for
 * the same row never share a statement (a statement sees one snapshot; two updates of one row in
 * it are not both applied): a write whose key is already in the group waits for the next one. When
 * a group's statement fails, each of its writes is tried alone, so one bad write fails only its job.
 */
import type { Database } from './db.ts';

/**
 * One write: its data-modifying statements (each an INSERT, UPDATE or DELETE, with no WITH of its
 * own), parameters added through `param`, which returns the placeholder (`$n`). They run in one
 * statement, so they must change disjoint rows (an upsert fails on a row another part updated).
 */
export type WriteBuilder = (param: (value: unknown) => string) => string[];

interface Pending {
  key: string;
  build: WriteBuilder;
  resolve(): void;
  reject(err: unknown): void;
}

/** What went through a group commit: writes asked for and the statements that carried them. */
export interface GroupCommitCounts {
  writes: number;
  statements: number;
  largestGroup: number;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private running = false;
  readonly counts: GroupCommitCounts = { writes: 0, statements: 0, largestGroup: 0 };
  /** Called with the group's size and statement once it is on its way, before it is answered (the crash test stops the process there). */
  onSent?: (size: number, text: string) => void;

  constructor(
    private readonly database: Database,
    /** At most this many writes per statement (a statement has at most 65,535 parameters). */
    private readonly maxGroup = 32,
  ) {}

  /** Resolves once `build`'s statements are committed; `key` names the row they change (the message id). */
  write(key: string, build: WriteBuilder): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key, build, resolve, reject });
      this.counts.writes++;
      // Writes made in the same turn of the event loop join the first statement.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.send(this.take());
    } finally {
      this.running = false;
    }
  }

  /** The next group: in order, up to maxGroup, one write per key. */
  private take(): Pending[] {
    const group: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    for (const w of this.queue) {
      if (group.length < this.maxGroup && !keys.has(w.key)) {
        group.push(w);
        keys.add(w.key);
      } else rest.push(w);
    }
    this.queue = rest;
    return group;
  }

  private async send(group: Pending[]): Promise<void> {
    const built = buildGroup(group);
    if (!built.writes.length) return;
    try {
      this.counts.statements++;
      this.counts.largestGroup = Math.max(this.counts.largestGroup, built.writes.length);
      const sent = this.database.query(built.text, built.params);
      this.onSent?.(built.writes.length, built.text);
      await sent;
    } catch (err) {
      if (built.writes.length === 1) return built.writes[0].reject(err);
      // One write's failure must not fail the others: each is tried alone.
      for (const w of built.writes) await this.send([w]);
      return;
    }
    for (const w of built.writes) w.resolve();
  }
}

/** The group's statements as one: all but the last as WITH queries (data-modifying ones always run), the last as the main statement. */
function buildGroup(group: Pending[]): { text: string; params: unknown[]; writes: Pending[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const statements: string[] = [];
  const writes: Pending[] = [];
  for (const w of group) {
    const mark = params.length;
    try {
      const own = w.build(param);
      if (!own.length) {
        w.resolve();
        continue;
      }
      statements.push(...own);
      writes.push(w);
    } catch (err) {
      params.length = mark;
      w.reject(err);
    }
  }
  const last = statements.pop() ?? '';
  const text = statements.length ? `with ${statements.map((s, i) => `g${i} as (${s})`).join(',\n')}\n${last}` : last;
  return { text, params, writes };
}

const groups = new WeakMap<Database, GroupCommit>();

/** The database's one group commit (all jobs of the process share it). */
export function groupCommit(database: Database): GroupCommit {
  let g = groups.get(database);
  if (!g) groups.set(database, (g = new GroupCommit(database)));
  return g;
}
