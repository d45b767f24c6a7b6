/** What every registry operation needs, built once per process (gateway or worker). */
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database, Db } from '../store/db.ts';
import { systemClock, type Clock } from '../clock.ts';
import { calendar, type Calendar } from './workflow/deadlines.ts';
import { warmRoutingRules } from './workflow/routing-rules.ts';

export interface RegistryRuntime {
  database: Database;
  db: Db;
  config: Config;
  clock: Clock;
  calendar: Calendar;
  log: Logger;
  tz: string;
  /** The blob store (signed revisions of documents); null where a runtime has none (unit tests). */
  blobs: BlobStore | null;
  /** Tells the follow-up scheduler that documents changed (set by gateway/workers/followup.ts; no-op without one). */
  kick(): void;
}

export function createRuntime(opts: { database: Database; config: Config; log: Logger; clock?: Clock; blobs?: BlobStore | null }): RegistryRuntime {
  // The routing rules edited in the console are read now, not in the first message's statements.
  warmRoutingRules(opts.database.db);
  return {
    database: opts.database,
    db: opts.database.db,
    config: opts.config,
    clock: opts.clock ?? systemClock,
    calendar: calendar(opts.config.registry.holidays),
    log: opts.log,
    tz: opts.config.registry.timezone,
    blobs: opts.blobs ?? null,
    kick: () => undefined,
  };
}
