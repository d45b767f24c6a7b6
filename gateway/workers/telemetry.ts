/**
 * Ports through which the pipeline reports what it did, without knowing who listens
 * (docs/architecture.md, "Ports"): `PipelineMetrics` (counters and stage times, implemented by
 * gateway/http/metrics.ts with prom-client and served at /metrics) and `DocumentEvents` (documents
 * that changed, implemented by gateway/http/events.ts and pushed to the console as server-sent
 * events). gateway/app.ts wires them; a pipeline without them (unit tests, the CLI) reports nothing.
 */
import type { StageName, StageResults } from './pipeline.ts';

export type StageStatus = 'done' | 'stopped' | 'failed' | 'awaiting';

export interface PipelineMetrics {
  /** Messages committed by the durable accept (SMTP, IMAP, HTTP upload). */
  accepted(count: number): void;
  /** One run of a stage: how long it took (seconds, monotonic) and how it ended. */
  stage(name: StageName, seconds: number, status: StageStatus): void;
  /** The overall verdict of a message's signatures (valid, invalid, none, …). */
  verdict(verdict: string): void;
  /** A message decided for a unit: the registry's action (register, review, quarantine, link, keep, drop). */
  decided(outcome: string): void;
}

/** A document that was created or changed, for whoever shows lists of them. */
export interface DocumentChange {
  unitId: string;
  documentId: string;
}

export interface DocumentEvents {
  changed(changes: DocumentChange[]): void;
}

/** Times one run of a stage (monotonic clock: a duration, never a recorded time); call it once with how the run ended. */
export function stageTimer(metrics: PipelineMetrics | undefined, name: StageName): (status: StageStatus) => void {
  const started = performance.now();
  return (status) => metrics?.stage(name, (performance.now() - started) / 1000, status);
}

/**
 * What a stage's run means for the ports: verify's verdict, register's decisions (one per unit, each
 * a document that appeared or changed). Called by the pipeline after a stage ran (not for stages
 * skipped as done, so a run again does not count twice).
 */
export function reportStage(ports: { metrics?: PipelineMetrics; events?: DocumentEvents }, name: StageName, result: unknown): void {
  if (name === 'verify' && ports.metrics) {
    const verdict = (result as StageResults['verify'] | null)?.verdict;
    if (typeof verdict === 'string') ports.metrics.verdict(verdict);
  }
  if (name === 'register') {
    const decisions = (result as StageResults['register'] | null)?.decisions ?? [];
    for (const d of decisions) ports.metrics?.decided(d.action);
    const changes = decisions.flatMap((d) => (d.documentId ? [{ unitId: d.unitId, documentId: d.documentId }] : []));
    if (changes.length) ports.events?.changed(changes);
  }
  // A reply to a notice that ran its command (done, comment, an extension request, …;
  // docs/act-by-email.md) changed the document as the same action in the console does: the same
  // event, so the leader's open requests and the officer's "my work" refresh. "xem" changes nothing.
  if (name === 'act-by-mail') {
    const o = (result as StageResults['act-by-mail'] | null)?.outcome;
    if (o?.kind === 'applied' && o.command !== 'view' && o.unitId) ports.events?.changed([{ unitId: o.unitId, documentId: o.documentId }]);
  }
  // A receipt, status notice or DSN moved recipients of an outgoing document: the sending unit's
  // open outgoing trail refreshes (the change names the outgoing document; docs/console.md).
  if (name === 'link-outgoing') {
    const links = (result as StageResults['link-outgoing'] | null)?.links ?? [];
    const changes = links.flatMap((l) => (l.unitId ? [{ unitId: l.unitId, documentId: l.outgoingId }] : []));
    if (changes.length) ports.events?.changed(changes);
  }
}
