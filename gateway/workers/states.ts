/**
 * The states of an inbound message (inbound_messages.state). A message is `accepted` when its row
 * is committed; each pipeline stage moves it on to the stage's `doneState`; the last stage
 * (register) leaves it `decided`. A job that used up its attempts leaves it `failed`.
 *
 * Pending states are those the pipeline still has work for: the outbox sweep (gateway/workers/outbox.ts)
 * re-queues a pending message nobody holds. Terminal states are never swept. The outcome for the
 * registry (registered, review, quarantined, linked, not_document, …) is documents.status, not a
 * message state: a `decided` message has one document row per unit it was addressed to.
 * gateway/workers/states.test.ts checks these lists against the stages' doneStates.
 */
export const PENDING_STATES = ['accepted', 'parsed', 'classified', 'verified'] as const;
export const TERMINAL_STATES = ['decided', 'failed'] as const;
/**
 * Waiting states: the ingest pipeline paused the message for work on another queue. `ocr`: the
 * classify stage found a scan and queued it on the "ocr" queue (gateway/workers/ocr.ts); the OCR
 * worker holds the message's lease while it reads, then sets it back to `parsed` and queues it on
 * "ingest" again. The sweep checks such a message's job on the other queue, not its ingest job, and
 * an ingest job finds it settled (docs/ocr.md, docs/operations-recovery.md).
 */
export const WAITING_STATES = ['ocr'] as const;

export type PendingState = (typeof PENDING_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];
export type WaitingState = (typeof WAITING_STATES)[number];

/** The state an OCR-waiting message goes back to: classify, which asked for OCR, runs next. */
export const AFTER_OCR_STATE: PendingState = 'parsed';

export function isPending(state: string): state is PendingState {
  return (PENDING_STATES as readonly string[]).includes(state);
}

export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export function isWaiting(state: string): state is WaitingState {
  return (WAITING_STATES as readonly string[]).includes(state);
}
