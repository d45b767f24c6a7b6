/**
 * edxml — the edXML reader (gateway/documents/edxml): parseEdXml on the decoded text (as the
 * classifier reads an attachment), envelopeMetadata on every envelope it returns.
 * Failure: any throw (the reader returns null for what is not edXML), or metadata outside the
 * classify contract.
 */
import { makeBytes } from '../plan.ts';
import { invariant } from '../failure.ts';
import type { Target } from './types.ts';

export const edxml: Target = {
  name: 'edxml',
  summary: 'parseEdXml + envelopeMetadata (gateway/documents/edxml); any throw fails',
  generate(corpus, seed, index) {
    const seeds = corpus.xml.map((s) => s.bytes);
    if (index < seeds.length) return { mode: 'parse', bytes: seeds[index] };
    return { mode: 'parse', bytes: makeBytes('xml', seed, seeds, seeds) };
  },
  async start() {
    const { parseEdXml } = await import('../../gateway/documents/edxml/parse.ts');
    const { envelopeMetadata } = await import('../../gateway/documents/edxml/to-metadata.ts');
    const { decodeText } = await import('../../gateway/documents/sources/decode.ts');
    return {
      async run(input) {
        const doc = parseEdXml(decodeText(input.bytes));
        if (doc === null) return;
        invariant(doc.kind === 'envelope' || doc.kind === 'status', `kind ${(doc as { kind: string }).kind}`);
        if (doc.kind === 'envelope') {
          const m = envelopeMetadata(doc.envelope);
          invariant(Array.isArray(m.recipients) && m.recipients.every((r) => typeof r === 'string'), 'recipients are not strings');
          for (const d of [m.issuedDate, m.dueDate]) invariant(d === null || (/^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d))), `date ${d}`);
          JSON.stringify(m);
        }
      },
      async close() {},
    };
  },
};
