/**
 * mime — gateway/mail/parse.ts parseMessage (mailparser underneath), as the worker's parse stage
 * calls it: on a Buffer, or on a stream delivered in chunks (blobs are streamed from disk).
 * Failure: any rejection other than the documented typed errors — the project's VanthuError family
 * (LimitExceeded, PermanentError "mime-unreadable", TransientError "blob-read": gateway/errors.ts)
 * and any Error subclass gateway/mail/parse.ts exports — or a typed error wrapping a TypeError /
 * RangeError / ReferenceError (a bug stays a bug when wrapped); or a result the parse stage cannot
 * store: text over the cap, a date that is not ISO, attachments not listed among the parts.
 */
import { Readable } from 'node:stream';
import { chunks, makeBytes, splitsFor } from '../plan.ts';
import { expected, exportedErrorClasses, invariant, projectErrors } from '../failure.ts';
import type { Target } from './types.ts';

export const mime: Target = {
  name: 'mime',
  summary: 'parseMessage (gateway/mail/parse.ts, mailparser) on a Buffer or a chunked stream; any untyped rejection or an unstorable result fails',
  generate(corpus, seed, index) {
    const emls = corpus.eml.map((s) => s.bytes);
    const bytes = index < emls.length ? emls[index] : makeBytes('mime', seed, emls, [...emls, ...corpus.pdf.map((s) => s.bytes)]);
    const stream = (seed >>> 4) % 3 === 0;
    return { mode: stream ? 'stream' : 'buffer', bytes, ...(stream ? { splits: splitsFor(seed, bytes.length) } : {}) };
  },
  async start() {
    const mod = await import('../../gateway/mail/parse.ts');
    const typed = [...exportedErrorClasses(mod), ...(await projectErrors()).vanthu];
    return {
      async run(input) {
        const source = input.mode === 'stream' ? Readable.from(chunks(input.bytes, input.splits), { objectMode: false }) : input.bytes;
        let m;
        try {
          m = await mod.parseMessage(source);
        } catch (err) {
          if (expected(err, typed)) return;
          throw err;
        }
        invariant(m.text === null || m.text.length <= 512 * 1024 + 16, `text of ${m.text?.length} chars is over the cap`);
        invariant(m.date === null || !Number.isNaN(Date.parse(m.date)), `date ${m.date} is not ISO`);
        invariant(m.parts.length >= m.attachments.length, 'attachments missing from parts');
        for (const a of m.attachments) invariant(Buffer.isBuffer(a.content), 'attachment content is not a Buffer');
        for (const list of [m.from, m.to, m.cc, m.replyTo]) for (const a of list) invariant(typeof a.name === 'string', 'address without a name string');
        const { attachments: _a, ...rest } = m;
        JSON.stringify(rest);
      },
      async close() {},
    };
  },
};
