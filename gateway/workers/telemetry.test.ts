/**
 * What a stage's run tells the live lists (gateway/workers/telemetry.ts): the register stage's
 * documents, and the outgoing documents a receipt, status notice or delivery report moved — so the
 * sending unit's open outgoing trail refreshes (docs/console.md). The port is a recording fake.
 */
import { describe, expect, it } from 'vitest';
import { reportStage, type DocumentChange } from './telemetry.ts';

function recorder() {
  const seen: DocumentChange[][] = [];
  return { seen, events: { changed: (c: DocumentChange[]) => seen.push(c) } };
}

describe('reportStage', () => {
  it('names the outgoing documents a link moved, with the unit that sent them', () => {
    const { seen, events } = recorder();
    reportStage({ events }, 'link-outgoing', {
      links: [
        { outgoingId: 'O1', unitId: 'stc', deliveryId: 'D1', state: 'received', note: null },
        { outgoingId: 'O2', unitId: 'vpubnd', deliveryId: 'D2', state: 'failed', note: 'DSN failed 5.1.1' },
      ],
    });
    expect(seen).toEqual([
      [
        { unitId: 'stc', documentId: 'O1' },
        { unitId: 'vpubnd', documentId: 'O2' },
      ],
    ]);
  });

  it('says nothing when no link was found, and still reports the register stage’s documents', () => {
    const { seen, events } = recorder();
    reportStage({ events }, 'link-outgoing', { links: [] });
    reportStage({ events }, 'register', { decisions: [{ unitId: 'stc', documentId: 'D9', action: 'review' }] });
    expect(seen).toEqual([[{ unitId: 'stc', documentId: 'D9' }]]);
  });

  it('names the document a reply to a notice acted on (docs/act-by-email.md), not one it only showed or refused', () => {
    const { seen, events } = recorder();
    reportStage({ events }, 'act-by-mail', {
      outcome: { kind: 'applied', command: 'extend', documentId: 'D1', unitId: 'stc', status: 'assigned' },
      answer: 'sent',
    });
    reportStage({ events }, 'act-by-mail', {
      outcome: { kind: 'applied', command: 'view', documentId: 'D2', unitId: 'stc', status: 'assigned' },
      answer: 'sent',
    });
    reportStage({ events }, 'act-by-mail', { outcome: { kind: 'refused', code: 'expired-token', documentId: 'D3' }, answer: 'sent' });
    reportStage({ events }, 'act-by-mail', { outcome: { kind: 'not-a-reply' }, answer: 'none' });
    expect(seen).toEqual([[{ unitId: 'stc', documentId: 'D1' }]]);
  });
});
