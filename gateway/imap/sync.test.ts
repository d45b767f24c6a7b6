/** The progress an IMAP sync logs (SyncProgress): "n of N messages" per batch on a first sync or a long one, quiet otherwise. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../log.ts';
import { SyncProgress } from './sync.ts';

function recorder() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = { info: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) } as unknown as Logger;
  return { log, lines };
}

describe('SyncProgress', () => {
  it('logs n of N after each batch of a first sync', () => {
    const { log, lines } = recorder();
    const p = new SyncProgress(log, 'stc-imap', 'INBOX', 250, true, 100);
    p.done(100, { ingested: 98, duplicates: 2, tooLarge: 0 });
    p.done(100, { ingested: 198, duplicates: 2, tooLarge: 0 });
    p.done(50, { ingested: 248, duplicates: 2, tooLarge: 0 });
    expect(lines.map((l) => l.msg)).toEqual([
      'IMAP first sync of INBOX: 250 messages to fetch',
      'IMAP first sync of INBOX: 100 of 250 messages',
      'IMAP first sync of INBOX: 200 of 250 messages',
      'IMAP first sync of INBOX: 250 of 250 messages',
    ]);
    expect(lines[3].obj).toMatchObject({ account: 'stc-imap', folder: 'INBOX', done: 250, total: 250, ingested: 248, duplicates: 2 });
  });

  it('stays quiet for a later sync of one batch, and speaks for a long one', () => {
    const quiet = recorder();
    new SyncProgress(quiet.log, 'a', 'INBOX', 3, false, 100).done(3, { ingested: 3, duplicates: 0, tooLarge: 0 });
    expect(quiet.lines).toEqual([]);
    const long = recorder();
    new SyncProgress(long.log, 'a', 'INBOX', 150, false, 100).done(100, { ingested: 100, duplicates: 0, tooLarge: 0 });
    expect(long.lines.map((l) => l.msg)).toEqual(['IMAP sync of INBOX: 150 messages to fetch', 'IMAP sync of INBOX: 100 of 150 messages']);
  });
});
