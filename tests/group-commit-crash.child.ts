/**
 * The process tests/group-commit-crash.test.ts kills: runs ingest jobs for the messages named on
 * the command line, all at once, as the worker does (lease, pipeline, the registry's intake), with
 * classify and verify standing in with a document to register (each its own notation number).
 *
 *   tsx tests/group-commit-crash.child.ts <dataDir> <databaseUrl|-> crash|finish <id>...
 *
 * crash: kills itself (SIGKILL) as soon as a group commit carrying two or more final writes
 * (the ones that make messages `decided` and release their leases) is on its way to the database.
 * finish: runs the jobs to the end and prints "finished".
 */
import path from 'node:path';
import type { Job } from 'bullmq';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { createRuntime } from '../gateway/registry/runtime.ts';
import { BlobStore } from '../gateway/store/blobs.ts';
import { openDatabase } from '../gateway/store/db.ts';
import { groupCommit } from '../gateway/store/group-commit.ts';
import { INGEST_STAGES, runIngestJob, type IngestDeps } from '../gateway/workers/ingest-worker.ts';
import { MessageLeases } from '../gateway/workers/lease.ts';
import type { AnyStage, StageContext } from '../gateway/workers/pipeline.ts';
import { classifyScans } from '../gateway/workers/stages/ocr-input.ts';
import { PENDING_STATES } from '../gateway/workers/states.ts';
import { testEnv } from './helpers/gateway.ts';
import { classification, configureRegistry, VALID } from './helpers/registry-fixtures.ts';

const [dataDir, url, mode, ...ids] = process.argv.slice(2);
const databaseUrl = url === '-' ? null : url;
const clock = new ManualClock('2026-11-23T02:00:00Z');
const config = loadConfig(testEnv({ dataDir, databaseUrl, cleanup: async () => undefined }));
configureRegistry(config);
const database = await openDatabase({ url: databaseUrl, dataDir });
const blobs = new BlobStore(path.join(dataDir, 'blobs'));
await blobs.init();
const rt = createRuntime({ database, config, log: silentLogger, clock, blobs });

if (mode === 'crash')
  groupCommit(database).onSent = (size, text) => {
    if (size >= 2 && text.includes('lease_owner = case')) process.kill(process.pid, 'SIGKILL');
  };

/**
 * Every job waits here after its register stage until all have registered; released together, their
 * final writes are queued in one turn of the event loop and go as one group, on either database
 * (left to themselves, writes on PostgreSQL's pool rarely meet).
 */
let waiting = 0;
let release: () => void = () => undefined;
const allRegistered = new Promise<void>((resolve) => (release = resolve));
function registered(): Promise<void> {
  if (++waiting === ids.length) release();
  return allRegistered;
}

function stages(n: number): AnyStage[] {
  return INGEST_STAGES.map((s) => ({
    ...s,
    async run(ctx: StageContext): Promise<never> {
      if (s.name === 'classify') return (await classifyScans(ctx, classification({ issuedDate: '2026-11-20', notation: `${n}/UBND-VX` }) as never)) as never;
      if (s.name === 'verify') return VALID as never;
      const result = (await s.run(ctx)) as never;
      if (s.name === 'register' && mode === 'crash') await registered();
      return result;
    },
  })) as AnyStage[];
}

const leases = new MessageLeases(database, 60_000, silentLogger, PENDING_STATES, true);
await Promise.all(
  ids.map((id, i) => {
    const deps: IngestDeps = { database, blobs, config, log: silentLogger, clock, registry: rt, stages: stages(i + 1) };
    const job = { data: { id }, attemptsMade: 0, opts: { attempts: 8 }, moveToDelayed: async () => undefined } as unknown as Job<{ id: string }>;
    return leases.process(job, undefined, (claimed) => runIngestJob(deps, job, claimed));
  }),
);
await database.close();
console.log('finished');
