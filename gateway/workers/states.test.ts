/** The state lists the sweep relies on match the pipeline's stages. */
import { describe, expect, it } from 'vitest';
import { INGEST_STAGES } from './ingest-worker.ts';
import { AFTER_OCR_STATE, PENDING_STATES, TERMINAL_STATES, WAITING_STATES, isPending, isTerminal, isWaiting } from './states.ts';

describe('message states', () => {
  it('are pending up to the last stage, decided after it, and never both', () => {
    const done = INGEST_STAGES.map((s) => s.doneState);
    expect(INGEST_STAGES.at(-1)!.doneState).toBe('decided');
    expect(new Set(['accepted', ...done.slice(0, -1)])).toEqual(new Set(PENDING_STATES));
    expect(TERMINAL_STATES).toEqual(['decided', 'failed']);
    expect(PENDING_STATES.filter((s) => isTerminal(s))).toEqual([]);
    expect(TERMINAL_STATES.filter((s) => isPending(s))).toEqual([]);
    expect(isPending('review')).toBe(false); // a document status, not a message state
  });

  it('the OCR wait is neither pending (ingest leases and the ingest sweep leave it) nor terminal, and goes back to the state before classify', () => {
    expect(WAITING_STATES).toEqual(['ocr']);
    expect(WAITING_STATES.filter((s) => isPending(s) || isTerminal(s))).toEqual([]);
    expect(isWaiting('ocr')).toBe(true);
    const classify = INGEST_STAGES.findIndex((s) => s.name === 'classify');
    expect(AFTER_OCR_STATE).toBe(INGEST_STAGES[classify - 1].doneState);
  });
});
