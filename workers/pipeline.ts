/**
 * The ingest pipeline: an ordered list of named stages. Each stage reads the stored results of the
 * stages before it and stores its own in message_stages, so any stage can be re-run for a message
 * (after a fix, or a new trust anchor) without touching the others, and a re-delivered job skips
 * what is already done.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../gateway/config.ts';
import type { Clock } from '../gateway/clock.ts';
import type { Logger } from '../gateway/log.ts';
import type { BlobStore } from '../gateway/store/blobs.ts';
import type { Database } from '../gateway/store/db.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';

export type InboundRow = typeof inboundMessages.$inferSelect;

export interface StageContext {
  message: InboundRow;
  database: Database;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  /** Where stage times come from: the app's one clock, so tests set it instead of reading the wall clock. */
  clock: Clock;
  /** Results of the stages that ran (or had run) before, by stage name. */
  results: Record<string, unknown>;
}

export interface Stage {
  name: string;
  /** The message's state once this stage is done, e.g. "parsed". */
  doneState: string;
  run(ctx: StageContext): Promise<unknown>;
}

export interface PipelineOptions {
  /** Stage names to run again even if done. */
  force?: string[];
}

export async function runPipeline(stages: Stage[], ctx: StageContext, opts: PipelineOptions = {}): Promise<void> {
  const { db } = ctx.database;
  const id = ctx.message.id;
  const done = await db.select().from(messageStages).where(eq(messageStages.messageId, id));
  const stored = new Map(done.filter((r) => r.status === 'done').map((r) => [r.stage, r.result]));
  let state = ctx.message.state;
  for (const stage of stages) {
    if (stored.has(stage.name) && !opts.force?.includes(stage.name)) {
      ctx.results[stage.name] = stored.get(stage.name);
      state = stage.doneState;
      continue;
    }
    try {
      const result = (await stage.run(ctx)) ?? null;
      ctx.results[stage.name] = result;
      await saveStage(ctx, stage.name, 'done', result, null);
      state = stage.doneState;
      await db.update(inboundMessages).set({ state, lastError: null, updatedAt: ctx.clock.now() }).where(eq(inboundMessages.id, id));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await saveStage(ctx, stage.name, 'failed', null, message);
      await db.update(inboundMessages).set({ lastError: `${stage.name}: ${message}`, updatedAt: ctx.clock.now() }).where(eq(inboundMessages.id, id));
      throw err;
    }
  }
  if (state !== ctx.message.state) await db.update(inboundMessages).set({ state }).where(and(eq(inboundMessages.id, id)));
}

async function saveStage(ctx: StageContext, stage: string, status: string, result: unknown, error: string | null): Promise<void> {
  const messageId = ctx.message.id;
  await ctx.database.db
    .insert(messageStages)
    .values({ messageId, stage, status, result, error, updatedAt: ctx.clock.now() })
    .onConflictDoUpdate({
      target: [messageStages.messageId, messageStages.stage],
      set: { status, result, error, attempts: sql`${messageStages.attempts} + 1`, updatedAt: ctx.clock.now() },
    });
}
