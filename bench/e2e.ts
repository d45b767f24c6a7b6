/**
 * bench:e2e — end to end at the speed of its parts (issue 16). Findings: bench/e2e/FINDINGS.md.
 *
 * Starts the gateway as a user does (`node bin/vanthu.mjs start` with VANTHU_CONFIG naming an
 * override file: every piece of state in a temp folder, free ports, its own Redis key prefix;
 * embedded PGlite, or with --pg a scratch database on that PostgreSQL server, dropped afterwards),
 * mails it a corpus built from tests/corpus (mostly a PDF attachment, some signed PDFs, some plain
 * text: bench/e2e/corpus.ts) over SMTP with nodemailer's pooled transport (10 connections), and
 * times each message from its 250 reply to the moment the gateway decided it (state `decided` or
 * `failed`; the row's updatedAt, read through the HTTP API). Phases:
 *
 *   warm-up  20 messages, not counted
 *   serial   40 messages one at a time: each stage's time without queueing (--serial)
 *   burst    N messages at once (--burst, 600): documents per second, latency percentiles
 *   paced    R messages a second for S seconds (--rate 50, --seconds 20): latency percentiles
 *   big      with --big: 100 concurrent 25 MB messages (--big-count, --big-mb), for the memory figure
 *
 * Also: time per pipeline stage (stage timestamps from GET /api/messages/:id), the outcome of each
 * kind of mail, peak and final VmRSS of the gateway's process tree (sampled every 200 ms), CPU
 * seconds per process and per thread (/proc), Redis CPU and commands, PostgreSQL backends' CPU and
 * pg_stat write counts (--pg), every statement counted by shape (--pg --sql-log), and with
 * --cpu-prof a V8 CPU profile of the gateway summarised by function, file and area (stderr, and
 * "profile_top" in the JSON), and the host's speed on a fixed piece of work before and after the run
 * (host.calibration_ms, e2e/calibrate.ts: read a run's figures against it).
 *
 * One JSON object on stdout; progress on stderr.
 *
 *   npm run bench:e2e [-- --burst 600 --rate 50 --seconds 20 --connections 10 --warmup 20 --serial 40
 *                        --pg [URL] --sql-log --big --cpu-prof --dns zone|system|off --settle 35
 *                        --ingest-concurrency N --cpu-threads N --root DIR --poll-ms 1000 --timeout 900 --keep
 *                        --node-arg FLAG (repeatable: a flag for the gateway's node, e.g. --node-arg=--trace-deopt)]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Redis } from 'ioredis';
import { log, percentiles, sleep } from './e2e/common.ts';
import { buildMessages, DEFAULT_MIX, loadCorpus, pdfTemplate } from './e2e/corpus.ts';
import { type Gateway, profiles, startGateway, TOKEN } from './e2e/gateway.ts';
import { bigPhase, burstPhase, type Ctx, pacedPhase, serialPhase } from './e2e/phases.ts';
import { makeBenchPki } from './e2e/pki.ts';
import { calibrate } from './e2e/calibrate.ts';
import { cpuDelta, cpuSnapshot, round, RssSampler } from './e2e/procstat.ts';
import { printSummary, summarize, threadOf, type ProfileSummary } from './e2e/profile.ts';
import { details, lastDecision, latencies, phaseReport, stageTimes } from './e2e/report.ts';
import { deleteKeys, logSize, scratchDatabase, serverLog, sqlShapes, treeState } from './e2e/run-env.ts';
import { Poller, whenAccepted } from './e2e/sending.ts';
import { PgWatch } from './e2e/watch.ts';

import { BURST, CONNECTIONS, POLL_MS, RATE, ROOT, SECONDS, SERIAL, TIMEOUT_MS, values, WARMUP, WORKERS } from './e2e/options.ts';

async function main(): Promise<void> {
  const loadStart = os.loadavg().map((v) => round(v, 2));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vanthu-e2e-'));
  log(`run folder ${dir}; gateway from ${ROOT}; load average ${loadStart.join(' ')} on ${os.cpus().length} cores`);

  // The mail, built before anything is timed.
  const tBuild = Date.now();
  const pki = makeBenchPki(dir);
  const corpus = loadCorpus(ROOT);
  const templates = (await Promise.all(corpus.pdfCases.map(pdfTemplate))).filter((t) => t !== null);
  if (!templates.length) throw new Error('no corpus PDF could be made into a signed-document template');
  const paced = Math.round(RATE * SECONDS);
  const batch = (count: number, tag: string, seed: number) => buildMessages(corpus, { count, mix: DEFAULT_MIX, tag, templates, signer: pki.signer, seed });
  const warmMsgs = await batch(WARMUP, 'warm', 7);
  const serialMsgs = await batch(SERIAL, 'serial', 99);
  const burstMsgs = await batch(BURST, 'burst', 20261123);
  const pacedMsgs = await batch(paced, 'paced', 424242);
  log(
    `built ${WARMUP + SERIAL + BURST + paced} messages in ${((Date.now() - tBuild) / 1000).toFixed(1)} s (corpus: ${corpus.pdfCases.length} PDF cases, ${corpus.textCases.length} text cases, ${corpus.otherCases.length} others, ${templates.length} signed-document templates: ${templates.map((t) => t.case.replace(/\.eml$/, '')).join(' ')})`,
  );

  // This host's speed before the gateway starts and once it is idle again (e2e/calibrate.ts).
  const calBefore = calibrate();
  log(`calibration: ${calBefore.ms} ms of CPU for the fixed work`);

  // DNS for SPF/DMARC/DKIM: by default a zone file with the senders' SPF and DMARC records (the
  // bench then depends on no network); --dns system uses this machine's resolver.
  let dns = values.dns!;
  if (dns === 'zone') {
    const domains = new Set([...warmMsgs, ...burstMsgs, ...pacedMsgs].map((m) => m.from.split('@')[1]?.toLowerCase()).filter(Boolean));
    domains.add('sotttt.binhthuan.gov.vn');
    const zone = [...domains].flatMap((d) => [`${d} TXT "v=spf1 ip4:127.0.0.1 -all"`, `_dmarc.${d} TXT "v=DMARC1; p=none"`]);
    dns = path.join(dir, 'senders.zone');
    writeFileSync(dns, zone.join('\n') + '\n');
  }

  // The registry mails receipts to senders: through a smarthost, the bench's sink.
  let outgoingMails = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('end', () => {
        outgoingMails++;
        cb(null);
      });
      stream.resume();
    },
  });
  const sinkPort = await new Promise<number>((resolve) => sink.listen(0, '127.0.0.1', () => resolve((sink.server.address() as { port: number }).port)));

  let database: Awaited<ReturnType<typeof scratchDatabase>> | null = null;
  let sqlLog: string | null = null;
  if (values.pg) {
    database = await scratchDatabase(values.pg);
    log(`PostgreSQL: scratch database ${database.name}`);
    if (values['sql-log']) {
      sqlLog = serverLog();
      if (sqlLog) {
        // Only this scratch database's sessions log their statements (the gateway's pool connects after this).
        await database.admin.query(`alter database ${database.name} set log_statement = 'all'`);
        log(`--sql-log: statements of ${database.name} go to ${sqlLog} (this slows PostgreSQL down: use it for counts, not for timing)`);
      } else log('--sql-log: no PostgreSQL server log found under /var/log/postgresql; no statement counts');
    }
  } else if (values['sql-log']) log('--sql-log needs --pg (PGlite logs no statements)');
  const redisPrefix = `e2e${process.pid}x${Date.now().toString(36)}`;
  const profDir = values['cpu-prof'] ? path.join(dir, 'profile') : null;
  const gw = await startGateway({
    root: ROOT,
    dir,
    databaseUrl: database?.url ?? null,
    trustAnchor: pki.rootPem,
    dns,
    smarthostPort: sinkPort,
    redisPrefix,
    cpuProfDir: profDir,
    nodeArgs: values['node-arg'],
    ingestConcurrency: values['ingest-concurrency'] ? Number(values['ingest-concurrency']) : null,
    cpuThreads: values['cpu-threads'] !== undefined ? Number(values['cpu-threads']) : null,
    workers: WORKERS,
    log,
  });
  // Read once the gateway is up: its start may have rebuilt the compiled CLI.
  const tree = treeState(ROOT);
  // Interrupted (Ctrl-C, a timeout): the gateway must not outlive the bench.
  const killGateway = () => {
    if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
  };
  process.once('exit', killGateway);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(sig, () => {
      log(`${sig}: killing the gateway (pid ${gw.pid}); run folder ${dir} left behind`);
      killGateway();
      process.exit(130);
    });
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => log('Redis INFO unavailable: no Redis CPU figures'));
  const pgWatch = database ? new PgWatch(database.admin, database.name) : null;
  pgWatch?.start();
  const pgStart = pgWatch ? await pgWatch.tableStats() : null;
  const sampler = new RssSampler(gw.pid, 200);
  sampler.start();
  const poller = new Poller(gw.api, POLL_MS);
  whenAccepted(() => poller.accepted++);
  // What the watching costs the gateway: its CPU idle, then idle but polled.
  await sleep(1000);
  const idle0 = cpuSnapshot(gw.pid);
  await sleep(4000);
  const idle1 = cpuSnapshot(gw.pid);
  poller.start();
  const polled0 = cpuSnapshot(gw.pid);
  await sleep(4000);
  const polled1 = cpuSnapshot(gw.pid);
  const idleCpuPerS = cpuDelta(idle0, idle1).total / ((idle1.at - idle0.at) / 1000);
  const pollCpuMsPerRequest = round(
    (1000 * (cpuDelta(polled0, polled1).total - idleCpuPerS * ((polled1.at - polled0.at) / 1000))) / Math.max(1, poller.requests),
    2,
  );
  log(`idle gateway: ${(idleCpuPerS * 1000).toFixed(0)} ms CPU/s; a poll request costs it about ${pollCpuMsPerRequest} ms of CPU`);
  const ctx: Ctx = { gw, poller, sampler, redis: redis.status === 'ready' ? redis : null, pgWatch, timeoutMs: TIMEOUT_MS };
  const cpuStart = cpuSnapshot(gw.pid);
  const rssIdleMb = round(sampler.sample() / 1024);

  let result: Record<string, unknown> = {};
  let stopped: Awaited<ReturnType<Gateway['stop']>> | null = null;
  try {
    const warm = await burstPhase(ctx, 'warm-up', warmMsgs, CONNECTIONS);
    const serial = SERIAL ? await serialPhase(ctx, serialMsgs) : null;
    const sqlFrom = logSize(sqlLog);
    const burst = await burstPhase(ctx, 'burst', burstMsgs, CONNECTIONS);
    const pacedRun = await pacedPhase(ctx, pacedMsgs, RATE, CONNECTIONS);
    const sqlTo = logSize(sqlLog);
    const big = values.big ? await bigPhase(ctx, ROOT, Number(values['big-count']), Number(values['big-mb']) * 1e6) : null;
    // Idle a little: what the gateway keeps once the work is done.
    await sleep(3000);
    const rssFinalMb = round(sampler.sample() / 1024);
    const finalAt = performance.now();
    await poller.stop();
    log('reading stage times and outcomes (GET /api/messages/:id)');
    const all = [...warm.recs, ...(serial?.recs ?? []), ...burst.recs, ...pacedRun.recs, ...(big?.recs ?? [])];
    const d = await details(gw.api, all);
    const cpuEnd = cpuSnapshot(gw.pid);
    // Longer idle: the pdfjs thread and the OCR spawn helper end after 30 s with nothing to do.
    const settleMs = Number(values.settle) * 1000;
    if (settleMs > 0) {
      log(`settling: RSS ${values.settle} s after the runs`);
      await sleep(Math.max(0, settleMs - (performance.now() - finalAt)));
    }
    const rssSettledMb = settleMs > 0 ? round(sampler.sample() / 1024) : null;
    const calAfter = calibrate();
    const memoryTrim = await trimCounters(gw.api);
    const rssPeakByProcess = Object.fromEntries(Object.entries(sampler.peakByProcess).map(([k, v]) => [k, round(v / 1024)]));
    sampler.stop();
    log('stopping the gateway');
    stopped = await gw.stop(values['cpu-prof'] ? 120_000 : 30_000);
    pgWatch?.stop();
    const pgEnd = pgWatch ? await pgWatch.tableStats() : null;

    let profileTop: (ProfileSummary & { others: string[] }) | null = null;
    let profileBig: ProfileSummary | null = null;
    let profileDb: ProfileSummary | null = null;
    if (profDir) {
      const all = profiles(profDir);
      // One file per thread: the main thread's first, the embedded database's thread summarised too.
      const files = [...all.filter((f) => threadOf(f) === 'main'), ...all.filter((f) => threadOf(f) !== 'main')];
      const dbFile = files.find((f) => threadOf(f) === 'database');
      if (files.length) {
        process.stderr.write('\n== CPU profile of the gateway, burst + paced phases ==\n');
        const s = summarize(files[0], ROOT, [burst.monoUs[0], pacedRun.monoUs[1]]);
        printSummary(s, (l) => process.stderr.write(l + '\n'));
        profileTop = { ...s, others: files.slice(1) };
        if (dbFile) {
          process.stderr.write('\n== CPU profile of the embedded database thread, burst + paced phases ==\n');
          profileDb = summarize(dbFile, ROOT, [burst.monoUs[0], pacedRun.monoUs[1]]);
          printSummary(profileDb, (l) => process.stderr.write(l + '\n'));
        }
        if (big) {
          process.stderr.write('\n== CPU profile of the gateway, big phase ==\n');
          profileBig = summarize(files[0], ROOT, big.monoUs);
          printSummary(profileBig, (l) => process.stderr.write(l + '\n'));
        }
      } else log(`no .cpuprofile in ${profDir} (the gateway ${stopped.killed ? 'was killed' : 'exited'} ${JSON.stringify(stopped)})`);
    }

    const burstReport = phaseReport(burst, d);
    const pacedReport = { offered_per_s: pacedRun.offeredPerS, sent_per_s: pacedRun.sentPerS, ...phaseReport(pacedRun, d) };
    const bigReport = big ? phaseReport(big, d) : null;
    const serialReport = serial
      ? {
          ...phaseReport(serial, d),
          stage_ms_by_kind: Object.fromEntries(
            ['pdf', 'signed', 'text', 'other'].map((k) => [
              k,
              stageTimes(
                serial.recs.filter((r) => r.kind === k),
                d,
              ),
            ]),
          ),
        }
      : null;
    const perMessage = (n: number) => round(n / Math.max(1, all.filter((r) => r.id).length), 2);
    result = {
      bench: 'e2e',
      at: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        load_average_start: loadStart,
        load_average_end: os.loadavg().map((v) => round(v, 2)),
        // ms of CPU for e2e/calibrate.ts's fixed work, before the gateway started and once it was idle after the run.
        calibration_ms: { before: calBefore.ms, after: calAfter.ms, rounds_before: calBefore.rounds_ms, rounds_after: calAfter.rounds_ms },
      },
      backend: database ? 'postgres' : 'pglite',
      tree: tree,
      settings: {
        burst: BURST,
        rate: RATE,
        seconds: SECONDS,
        connections: CONNECTIONS,
        warmup: WARMUP,
        dns: values.dns,
        ingest_concurrency: values['ingest-concurrency'] ? Number(values['ingest-concurrency']) : 'default (4)',
        cpu_threads: values['cpu-threads'] !== undefined ? Number(values['cpu-threads']) : 'as configured (default 0)',
        processes: WORKERS ? { gateway: 1, workers: WORKERS } : 'one, role all',
        poll_ms: POLL_MS,
        root: ROOT,
        mix: DEFAULT_MIX,
      },
      docs_per_s: burstReport.docs_per_s,
      latency_ms: { burst: burstReport.latency_ms, paced: pacedReport.latency_ms },
      stage_ms: {
        serial: serialReport?.stage_ms ?? null,
        serial_by_kind: serialReport?.stage_ms_by_kind ?? null,
        burst: burstReport.stage_ms,
        paced: pacedReport.stage_ms,
      },
      rss_mb: {
        idle_after_start: rssIdleMb,
        peak: round(sampler.peakKb / 1024),
        final: rssFinalMb,
        settled: rssSettledMb,
        settled_after_s: settleMs > 0 ? Number(values.settle) : null,
        // The idle trim (gateway/memory-trim.ts; VANTHU_MEMORY_TRIM=off for the A/B): calls, MB given back, ms in them.
        trim: memoryTrim,
        peak_by_process: rssPeakByProcess,
        burst_peak: burst.rssPeakMb,
        paced_peak: pacedRun.rssPeakMb,
        big_peak: big?.rssPeakMb ?? null,
      },
      cpu_seconds: {
        // The whole run, gateway start-up excluded, the after-run detail fetch included.
        gateway_by_process: cpuDelta(cpuStart, cpuEnd).processes,
        gateway_by_thread: cpuDelta(cpuStart, cpuEnd).threads,
        burst: burstReport.cpu_seconds,
        paced: pacedReport.cpu_seconds,
        big: bigReport?.cpu_seconds ?? null,
      },
      serial: serialReport && {
        messages: serialReport.messages,
        latency_ms: serialReport.latency_ms,
        latency_ms_by_kind: serialReport.latency_ms_by_kind,
        outcomes: serialReport.outcomes,
        cpu_seconds: serialReport.cpu_seconds,
      },
      burst: burstReport,
      paced: pacedReport,
      warmup: {
        messages: warm.recs.length,
        seconds_to_last_decision: round((lastDecision(warm.recs) - warm.startedAt) / 1000, 2),
        latency_ms: percentiles(latencies(warm.recs)),
      },
      big: bigReport,
      postgres:
        pgStart && pgEnd
          ? {
              backends_seen: pgWatch!.backends(),
              per_message: {
                transactions: perMessage(pgEnd.database.xact_commit - pgStart.database.xact_commit),
                rows_inserted: perMessage(pgEnd.database.tup_inserted - pgStart.database.tup_inserted),
                rows_updated: perMessage(pgEnd.database.tup_updated - pgStart.database.tup_updated),
                rows_deleted: perMessage(pgEnd.database.tup_deleted - pgStart.database.tup_deleted),
              },
              tables: Object.fromEntries(
                Object.entries(pgEnd.tables)
                  .map(([t, v]) => [t, Object.fromEntries(Object.entries(v).map(([k, n]) => [k, n - (pgStart.tables[t]?.[k] ?? 0)]))] as const)
                  .filter(([, v]) => Object.values(v).some((n) => n > 0)),
              ),
            }
          : null,
      sql_statements:
        sqlLog && database ? { window: 'burst + paced', ...sqlShapes(sqlLog, sqlFrom, sqlTo, database.name, burst.recs.length + pacedRun.recs.length) } : null,
      poll: {
        requests: poller.requests,
        interval_ms: POLL_MS,
        gateway_cpu_ms_per_request: pollCpuMsPerRequest,
        idle_gateway_cpu_ms_per_s: round(idleCpuPerS * 1000),
        share_of_gateway_cpu_in_burst: round(
          (pollCpuMsPerRequest * ((burstReport.seconds_to_last_decision * 1000) / POLL_MS) * 2) / 1000 / Math.max(0.001, burstReport.cpu_seconds.gateway),
          3,
        ),
        how: 'GET /api/messages?limit=1&state=decided and &state=failed (their totals) every interval; serial phase: GET /api/messages?limit=1 every 100 ms; then GET /api/messages/:id once per message after the run',
      },
      outgoing_mails_to_smarthost: outgoingMails,
      gateway_exit: stopped,
      profile_top: profileTop,
      profile_big: profileBig,
      profile_db_thread: profileDb,
      run_folder: values.keep ? dir : null,
    };
  } finally {
    await poller.stop().catch(() => undefined);
    sampler.stop();
    if (!stopped) await gw.stop().catch(() => undefined);
    sink.close();
    if (ctx.redis && !values.keep) await deleteKeys(ctx.redis, `${redisPrefix}:*`).catch(() => undefined);
    redis.disconnect();
    if (database && !values.keep) await database.drop();
    else if (database) await database.admin.end();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** The idle trim's counters from /metrics; null when the gateway has none (trim off or older code). */
async function trimCounters(api: string): Promise<{ trims: number; released_mb: number; ms: number } | null> {
  const text = await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then(
    (r) => r.text(),
    () => '',
  );
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const trims = read('vanthu_memory_trims_total');
  if (Number.isNaN(trims)) return null;
  return { trims, released_mb: round(read('vanthu_memory_trimmed_bytes_total') / 2 ** 20), ms: round(read('vanthu_memory_trim_seconds_total') * 1000) };
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:e2e failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
