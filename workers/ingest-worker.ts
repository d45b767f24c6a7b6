/** BullMQ worker of the "ingest" queue: loads the message row and runs the pipeline on it. */
import { Worker, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Config } from '../gateway/config.ts';
import type { Clock } from '../gateway/clock.ts';
import type { Logger } from '../gateway/log.ts';
import type { BlobStore } from '../gateway/store/blobs.ts';
import type { Database } from '../gateway/store/db.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { runPipeline, type Stage } from './pipeline.ts';
import { INGEST_QUEUE } from './queues.ts';
import { classifyStage } from './stages/classify.ts';
import { parseStage } from './stages/parse.ts';
import { verifyStage } from './stages/verify.ts';
import { registerStage } from './stages/register.ts';
import { linkOutgoingStage } from './stages/link-outgoing.ts';
import type { RegistryRuntime } from '../gateway/registry/runtime.ts';

/** The stages in order; each reads the stored results of those before it. */
export const INGEST_STAGES: Stage[] = [parseStage, classifyStage, verifyStage, linkOutgoingStage, registerStage /* stays last */];

export interface IngestDeps {
  database: Database;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  /** The app's clock: stage times and classification's "now" come from it. */
  clock: Clock;
  stages?: Stage[];
  /** The registry's runtime (follow-up kick), read by the register stage through the stage context. */
  registry?: RegistryRuntime;
}

export async function processMessage(deps: IngestDeps, id: string, force: string[] = []): Promise<string> {
  const [message] = await deps.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
  if (!message) throw new Error(`inbound message ${id} not found`);
  await runPipeline(deps.stages ?? INGEST_STAGES, { ...deps, message, results: {} }, { force });
  return id;
}

export function startIngestWorker(deps: IngestDeps, connection: Redis, concurrency: number): Worker {
  const worker = new Worker(INGEST_QUEUE, (job: Job<{ id: string }>) => processMessage(deps, job.data.id), {
    connection,
    concurrency,
    prefix: deps.config.redis.prefix,
    lockDuration: deps.config.ingest.lockMs,
    stalledInterval: deps.config.ingest.lockMs,
  });
  worker.on('failed', async (job, err) => {
    deps.log.warn({ id: job?.data.id, attempts: job?.attemptsMade, err: err.message }, 'ingest failed');
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      await deps.database.db.update(inboundMessages).set({ state: 'failed' }).where(eq(inboundMessages.id, job.data.id)).catch(() => undefined);
    }
  });
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'ingest worker error'));
  return worker;
}
