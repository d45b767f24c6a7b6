/**
 * bench:e2e (bench/e2e.ts): sending the corpus over SMTP with nodemailer's pooled transport, one
 * record per message, and watching the backlog through the HTTP API.
 */
import nodemailer from 'nodemailer';
import type { Kind, OutMessage } from './corpus.ts';
import { apiGet } from './gateway.ts';
import { log, sleep } from './common.ts';

export interface Rec {
  phase: string;
  kind: Kind;
  source: string;
  bytes: number;
  sendAt: number;
  ackAt: number | null;
  id: string | null;
  state: string | null;
  decidedAt: number | null;
  error: string | null;
}

/**
 * Watches the backlog: each poll asks for the number of messages in each terminal state (a list
 * request with limit=1 and state=decided, then state=failed, read for its `total`, a count on the
 * state index): two small requests every pollMs, whatever the backlog, instead of paging through
 * hundreds of rows. The database holds this run's messages only, so once decided + failed
 * reaches the number of messages that got a 250, every one of them is decided. When each one was
 * decided is read afterwards from the message itself (GET /api/messages/:id: the row's updatedAt,
 * set when the register stage, or a failure, left it in a terminal state, by the gateway's clock,
 * this machine's).
 */
export class Poller {
  requests = 0;
  /** Messages that got a 250 so far (all phases). */
  accepted = 0;
  terminal = 0;
  backlogPeak = 0;
  /** Time at which the last poll that found every accepted message terminal started. */
  emptyAt = 0;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly api: string,
    private readonly pollMs: number,
  ) {}

  get backlog(): number {
    return Math.max(0, this.accepted - this.terminal);
  }

  resetPeak(): void {
    this.backlogPeak = this.backlog;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const t = Date.now();
        try {
          await this.pollOnce();
        } catch (err) {
          log(`poll failed: ${(err as Error).message}`);
        }
        await sleep(Math.max(0, this.pollMs - (Date.now() - t)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async pollOnce(): Promise<void> {
    const t = Date.now();
    const accepted = this.accepted;
    const [decided, failed] = await Promise.all(
      ['decided', 'failed'].map((state) => apiGet<{ total: number }>(this.api, `/api/messages?limit=1&state=${state}`)),
    );
    this.requests += 2;
    this.terminal = decided.total + failed.total;
    this.backlogPeak = Math.max(this.backlogPeak, this.backlog);
    if (this.terminal >= accepted) this.emptyAt = t;
  }

  /** Resolves at the first poll that started after `since` and found every accepted message terminal (false: time is up). */
  async settle(since: number, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    let said = Date.now();
    while (Date.now() < until) {
      if (this.emptyAt >= since) return true;
      if (Date.now() - said > 15_000) {
        log(`  backlog ${this.backlog}`);
        said = Date.now();
      }
      await sleep(25);
    }
    return false;
  }
}

export function transportFor(port: number, connections: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
    connectionTimeout: 60_000,
    greetingTimeout: 60_000,
    socketTimeout: 900_000,
    name: 'bench.vanthu.invalid',
  } as never);
}

/** Counts each 250 for the poller (set by main through whenAccepted). */
let onAccepted: (() => void) | null = null;

export function whenAccepted(f: () => void): void {
  onAccepted = f;
}

/** Tells the poller of one more 250 (the big phase sends without nodemailer). */
export function accepted(): void {
  onAccepted?.();
}

export async function send(transport: ReturnType<typeof transportFor>, msg: OutMessage, phase: string): Promise<Rec> {
  const rec: Rec = {
    phase,
    kind: msg.kind,
    source: msg.source,
    bytes: msg.raw.length,
    sendAt: Date.now(),
    ackAt: null,
    id: null,
    state: null,
    decidedAt: null,
    error: null,
  };
  try {
    const info = await transport.sendMail({ envelope: { from: msg.from, to: [msg.to] }, raw: msg.raw } as never);
    rec.ackAt = Date.now();
    const m = /queued as ([0-9A-Z]{26})/.exec(String((info as { response?: string }).response ?? ''));
    if (m) {
      rec.id = m[1];
      onAccepted?.();
    } else rec.error = `no id in the reply: ${(info as { response?: string }).response}`;
  } catch (err) {
    rec.error = (err as Error).message;
  }
  return rec;
}
