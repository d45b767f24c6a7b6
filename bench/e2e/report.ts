/** bench:e2e (bench/e2e.ts), after the run: each message's stage times and outcome, read back through the API, and each phase's report. */
import { log, percentiles, TERMINAL } from './common.ts';
import type { Kind } from './corpus.ts';
import { apiGet } from './gateway.ts';
import type { PhaseResult } from './phases.ts';
import { round } from './procstat.ts';
import type { Rec } from './sending.ts';

export interface Detail {
  receivedAt: string;
  updatedAt: string;
  state: string;
  lastError: string | null;
  stages: Record<string, { status: string; updatedAt: string; result: unknown }>;
}

export async function details(api: string, recs: Rec[]): Promise<Map<string, Detail>> {
  const out = new Map<string, Detail>();
  const ids = recs.filter((r) => r.id).map((r) => r.id!);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        try {
          out.set(id, await apiGet<Detail>(api, `/api/messages/${id}`));
        } catch (err) {
          log(`detail ${id}: ${(err as Error).message}`);
        }
      }
    }),
  );
  for (const r of recs) {
    const x = r.id ? out.get(r.id) : undefined;
    if (!x) continue;
    r.state = x.state;
    if (TERMINAL.has(x.state)) r.decidedAt = Date.parse(x.updatedAt);
  }
  return out;
}

export function lastDecision(recs: Rec[]): number {
  return Math.max(0, ...recs.map((r) => r.decidedAt ?? 0));
}

/**
 * Time per stage: each stage's completion time minus the previous one's (the stages a message went
 * through, in the order they completed, whatever the gateway's list of stages is); the first
 * counts from the row's receivedAt, so it includes the wait in the queue.
 */
export function stageTimes(recs: Rec[], d: Map<string, Detail>) {
  const seg = new Map<string, number[]>();
  const push = (k: string, v: number) => {
    const list = seg.get(k);
    if (list) list.push(v);
    else seg.set(k, [v]);
  };
  for (const r of recs) {
    const x = r.id ? d.get(r.id) : undefined;
    if (!x) continue;
    const received = Date.parse(x.receivedAt);
    push('end of DATA (receivedAt) → 250 at the client', (r.ackAt ?? received) - received);
    const done = Object.entries(x.stages)
      .map(([name, st]) => ({ name, at: Date.parse(st.updatedAt) }))
      .sort((a, b) => a.at - b.at);
    let prev = received;
    done.forEach(({ name, at }, i) => {
      push(i === 0 ? `queue wait + ${name}` : name, at - prev);
      prev = at;
    });
    if (r.decidedAt !== null && done.length) push(`${done[done.length - 1].name} → row decided`, r.decidedAt - prev);
  }
  return Object.fromEntries([...seg].map(([k, v]) => [k, percentiles(v)]));
}

export function outcomes(recs: Rec[], d: Map<string, Detail>) {
  const out: Record<string, Record<string, number>> = {};
  for (const r of recs) {
    const x = r.id ? d.get(r.id) : undefined;
    let what: string;
    if (r.error) what = 'not accepted';
    else if (!x) what = r.state ?? 'unknown';
    else if (x.state === 'failed') what = `failed (${(x.lastError ?? '').split(':').slice(0, 2).join(':')})`;
    else {
      const res = (x.stages.register?.result ?? {}) as { decisions?: Array<{ action: string; status?: string | null }>; outcome?: string };
      const actions = (res.decisions ?? []).map((dd) => dd.action);
      what = (actions.join('+') || x.state) + (res.outcome ? ` (${res.outcome})` : '');
    }
    (out[r.kind] ??= {})[what] = (out[r.kind][what] ?? 0) + 1;
  }
  return out;
}

export function mixOf(msgs: Array<{ kind: Kind }>): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of msgs) m[x.kind] = (m[x.kind] ?? 0) + 1;
  return m;
}

export function latencies(recs: Rec[]): number[] {
  return recs.filter((r) => r.ackAt !== null && r.decidedAt !== null).map((r) => Math.max(0, r.decidedAt! - r.ackAt!));
}

export function phaseReport(p: PhaseResult, d: Map<string, Detail>) {
  const accepted = p.recs.filter((r) => r.id).length;
  const decided = p.recs.filter((r) => r.decidedAt !== null).length;
  const seconds = (lastDecision(p.recs) - p.startedAt) / 1000;
  return {
    messages: p.recs.length,
    mix: mixOf(p.recs),
    megabytes: round(p.recs.reduce((a, r) => a + r.bytes, 0) / 1e6, 1),
    accepted,
    decided,
    failed: p.recs.filter((r) => r.state === 'failed').length,
    not_accepted: p.recs.filter((r) => r.error).length,
    not_accepted_why: Object.fromEntries(
      [...new Set(p.recs.filter((r) => r.error).map((r) => r.error!.slice(0, 160)))].map((e) => [e, p.recs.filter((r) => r.error?.slice(0, 160) === e).length]),
    ),
    all_decided: p.settled && decided === accepted,
    seconds_to_last_250: round((p.lastAckAt - p.startedAt) / 1000, 2),
    seconds_to_last_decision: round(seconds, 2),
    accepted_per_s: round(accepted / ((p.lastAckAt - p.startedAt) / 1000), 1),
    docs_per_s: round(decided / seconds, 1),
    latency_ms: percentiles(latencies(p.recs)),
    latency_ms_by_kind: Object.fromEntries(
      ['pdf', 'signed', 'text', 'other'].map((k) => [k, percentiles(latencies(p.recs.filter((r) => r.kind === k)))]).filter(([, v]) => v),
    ),
    accept_latency_ms: percentiles(p.recs.filter((r) => r.ackAt !== null).map((r) => r.ackAt! - r.sendAt)),
    backlog_peak: p.backlogPeak,
    stage_ms: stageTimes(p.recs, d),
    outcomes: outcomes(p.recs, d),
    rss_peak_mb: p.rssPeakMb,
    cpu_seconds: {
      gateway: p.cpu.total,
      gateway_per_message_ms: round((1000 * p.cpu.total) / Math.max(1, decided), 1),
      gateway_by_process: p.cpu.processes,
      gateway_by_thread: p.cpu.threads,
      gateway_by_thread_kind: p.kinds,
      redis_shared_server: p.redis?.cpu ?? null,
      redis_commands: p.redis?.commands ?? null,
      postgres_backends: p.postgresCpu,
      bench_client: p.clientCpu,
      wall_seconds: p.cpu.seconds,
      machine_busy_cores: p.machineBusyCores,
    },
    load_average_at_start: p.loadavg,
  };
}
