/**
 * GET /metrics scraped from a real gateway (prom-client's text exposition, parsed here) after real mail came in over SMTP: the counters of accepted and
 * decided messages, the stage-time histograms and the verdicts moved by what was sent; a wrong
 * password and an unknown token count as authentication failures; queue depths and Node's process
 * metrics are there. Who may scrape is the policy's: an admin or a `metrics` service token, which
 * may read nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainMail } from './helpers/mime.ts';
import { transport } from './helpers/smtp.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';

/** One sample line of the text exposition format: name{label="value",…} value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Reads the text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * `# TYPE` lines and samples; label values unescaped. parse-prometheus-text-format was tried and
 * drops the labels of histogram samples.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples };
}

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const METRICS_TOKEN = 'prometheus-scraper-token-2026';

/** The scraped samples, with a helper to sum those of a name (optionally matching labels). */
function exposition(text: string) {
  const { types, samples } = parseExposition(text);
  return {
    types,
    samples,
    sum(name: string, labels: Record<string, string> = {}): number {
      return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
    },
    has: (name: string) => samples.some((s) => s.name === name),
  };
}

describe('Prometheus metrics at /metrics', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  const url = (p: string) => `http://127.0.0.1:${gw.httpPort}${p}`;
  const scrape = async (token = METRICS_TOKEN) => {
    const res = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return exposition(await res.text());
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.http.tokens.push({ name: 'prometheus', token: METRICS_TOKEN, role: 'metrics' });
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('counts mail sent over SMTP through accept, every stage, verify and the decision', async () => {
    const before = await scrape();
    const t = transport(gw.smtpPort!);
    const sent = ['metrics-1', 'metrics-2', 'metrics-3'];
    for (const id of sent) await t.sendMail({ envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] }, raw: plainMail(id, UNIT) });
    t.close();
    await waitFor(
      async () => {
        const res = await gw.api('/api/messages?state=decided&limit=50');
        const { items } = (await res.json()) as { items: Array<{ messageId: string }> };
        return sent.every((id) => items.some((m) => m.messageId === `<${id}@ubnd.bentre.gov.vn>`));
      },
      60_000,
      'the three messages decided',
    );
    const after = await scrape();
    const moved = (name: string, labels?: Record<string, string>) => after.sum(name, labels) - before.sum(name, labels);
    expect(moved('vanthu_messages_accepted_total')).toBe(3);
    // One unit each: three decisions, each with the registry's action as its outcome.
    expect(moved('vanthu_messages_decided_total')).toBe(3);
    const outcomes = after.samples.filter((s) => s.name === 'vanthu_messages_decided_total').map((s) => s.labels.outcome);
    for (const o of outcomes) expect(['register', 'review', 'quarantine', 'link', 'keep', 'drop']).toContain(o);
    expect(moved('vanthu_verify_verdicts_total')).toBe(3);
    expect(after.types.get('vanthu_stage_duration_seconds')).toBe('histogram');
    for (const stage of ['parse', 'classify', 'verify', 'register']) {
      expect(moved('vanthu_stage_duration_seconds_count', { stage, status: 'done' }), stage).toBe(3);
      expect(moved('vanthu_stage_duration_seconds_bucket', { stage, status: 'done', le: '+Inf' }), stage).toBe(3);
      expect(after.sum('vanthu_stage_duration_seconds_sum', { stage, status: 'done' }), stage).toBeGreaterThan(0);
    }
    // Queue depths are read at each scrape: nothing waits now, the ingest queue is reported.
    expect(after.sum('vanthu_messages', { state: 'failed' })).toBe(0);
    expect(after.samples.some((s) => s.name === 'vanthu_queue_jobs' && s.labels.queue === 'ingest')).toBe(true);
    expect(after.sum('vanthu_oldest_undecided_age_seconds')).toBe(0);
    // Node's process metrics.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'])
      expect(after.has(name), name).toBe(true);
  });

  it('counts failed logins and unknown tokens as authentication failures', async () => {
    const before = await scrape();
    const login = await fetch(url('/api/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'khong-co@stc.lamdong.gov.vn', password: 'sai mật khẩu' }),
    });
    expect(login.status).toBe(401);
    expect((await fetch(url('/api/documents'), { headers: { authorization: 'Bearer not-a-token-of-anyone' } })).status).toBe(401);
    expect((await fetch(url('/api/status'))).status).toBe(401);
    const after = await scrape();
    expect(after.sum('vanthu_auth_failures_total', { kind: 'login' }) - before.sum('vanthu_auth_failures_total', { kind: 'login' })).toBe(1);
    expect(after.sum('vanthu_auth_failures_total', { kind: 'token' }) - before.sum('vanthu_auth_failures_total', { kind: 'token' })).toBe(2);
  });

  it('lets admins and metrics tokens scrape, and the metrics token read nothing else', async () => {
    expect((await fetch(url('/metrics'))).status).toBe(401);
    expect((await gw.api('/metrics')).status).toBe(200); // the admin service token
    const asScraper = (p: string) => fetch(url(p), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    for (const p of ['/api/status', '/api/documents', '/api/messages', '/api/connectors', '/api/users']) expect((await asScraper(p)).status, p).toBe(403);
    expect((await asScraper('/metrics')).status).toBe(200);
  });
});
