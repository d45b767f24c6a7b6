/**
 * The registry's part of a running vanthu: the runtime (clock, calendar), the follow-up scheduler
 * (every role: API changes and the register stage both kick it), the follow-up worker and the
 * mailer (worker role), and the API route sets (gateway role).
 */
import type { Worker } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { FollowupScheduler } from '../../workers/followup.ts';
import { startFollowupWorker } from '../../workers/followup-jobs.ts';
import { producerConnection, workerConnection } from '../../workers/queues.ts';
import type { RedisTarget } from '../../workers/redis.ts';
import { registryApi } from './api/index.ts';
import type { Clock } from '../clock.ts';
import { createMailer } from './mailer.ts';
import { createRuntime, type RegistryRuntime } from './runtime.ts';

export interface RegistryService {
  rt: RegistryRuntime;
  followup: FollowupScheduler;
  api: ReturnType<typeof registryApi>;
  stop(): Promise<void>;
}

export async function startRegistry(
  parts: { config: Config; database: Database; blobs: BlobStore; redis: RedisTarget },
  role: 'all' | 'gateway' | 'worker',
  log: Logger,
  clock?: Clock,
): Promise<RegistryService> {
  const rt = createRuntime({ database: parts.database, config: parts.config, log: log.child({ component: 'registry' }), clock, blobs: parts.blobs });
  const conn = producerConnection(parts.redis.options);
  const followup = new FollowupScheduler(rt, conn, parts.config.redis.prefix);
  let worker: Worker | null = null;
  let workerConn: ReturnType<typeof workerConnection> | null = null;
  const mailer = createMailer(rt.db, parts.config, rt.clock);
  if (role !== 'gateway') {
    workerConn = workerConnection(parts.redis.options);
    worker = startFollowupWorker({ rt, mailer, blobs: parts.blobs }, workerConn, parts.config.redis.prefix);
    await followup.start(true);
  }
  return {
    rt,
    followup,
    api: registryApi(rt, conn),
    async stop() {
      // A mail job stuck on a slow remote server must not hold the shutdown: after a grace period
      // the worker is closed by force and the job runs again later (its mail key prevents a resend
      // once the first attempt had finished).
      if (worker) {
        let timer: NodeJS.Timeout | undefined;
        const force = new Promise<void>((resolve) => (timer = setTimeout(() => void worker!.close(true).then(resolve, resolve), 5000)));
        await Promise.race([worker.close(), force]);
        clearTimeout(timer);
      }
      workerConn?.disconnect();
      await followup.close();
      conn.disconnect();
      mailer.close();
    },
  };
}
