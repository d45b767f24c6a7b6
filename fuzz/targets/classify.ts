/**
 * classify — gateway/documents: classifyMessage(raw) on messages, classifyDocumentBytes(name, bytes)
 * on single files (what classifyFile does after reading), with a 1 s PDF budget so that a budget
 * that is not kept shows as a hang.
 * Failure: any throw or rejection (both must return a result: "encrypted, corrupt or scanned files
 * give a result with a reason, never a crash") except LimitExceeded (gateway/limits.ts), which
 * classifyMessage documents for a MIME structure over a limit; or a result outside the contract.
 */
import type { Classification } from '../../gateway/documents/types.ts';
import { choose, makeBytes } from '../plan.ts';
import { expected, invariant, projectErrors } from '../failure.ts';
import type { Format } from '../mutate/ops.ts';
import type { SeedKind } from '../seeds.ts';
import type { Target } from './types.ts';

const NOW = new Date('2026-11-23T02:00:00Z');
export const FUZZ_LIMITS = { pdfTimeBudgetMs: 1000 };

const FILE_POOLS: Array<{ kind: SeedKind; format: Format; ext: string; weight: number }> = [
  { kind: 'pdf', format: 'pdf', ext: '.pdf', weight: 4 },
  { kind: 'docx', format: 'zip', ext: '.docx', weight: 3 },
  { kind: 'txt', format: 'text', ext: '.txt', weight: 2 },
  { kind: 'xml', format: 'xml', ext: '.xml', weight: 2 },
];
const ODD_NAMES = ['van-ban', 'a.doc', 'x.PDF', '.docx', 'edxml.edxml', 'a.txt.pdf', 'ủy-ban.xml', ''];

export const classify: Target = {
  name: 'classify',
  summary: 'classifyMessage / classifyDocumentBytes (gateway/documents); any throw fails, and so does a result outside the contract',
  generate(corpus, seed, index) {
    const emls = corpus.eml.map((s) => s.bytes);
    if (index < emls.length) return { mode: 'message', bytes: emls[index] };
    if ((seed >>> 8) % 5 < 3) return { mode: 'message', bytes: makeBytes('mime', seed, emls, [...emls, ...corpus.pdf.map((s) => s.bytes)]) };
    const pool = choose(FILE_POOLS, seed >>> 12);
    const seeds = corpus[pool.kind].map((s) => s.bytes);
    const name = (seed >>> 20) % 10 === 0 ? ODD_NAMES[(seed >>> 24) % ODD_NAMES.length] : `fuzz${pool.ext}`;
    return { mode: 'file', name, bytes: makeBytes(pool.format, seed, seeds, seeds) };
  },
  async start() {
    const { classifyMessage, classifyDocumentBytes } = await import('../../gateway/documents/index.ts');
    const opts = { now: NOW, limits: FUZZ_LIMITS };
    const typed = (await projectErrors()).limit;
    return {
      async run(input) {
        let result;
        try {
          result = input.mode === 'message' ? await classifyMessage(input.bytes, opts) : await classifyDocumentBytes(input.name ?? 'fuzz', input.bytes, opts);
        } catch (err) {
          if (expected(err, typed)) return;
          throw err;
        }
        checkClassification(result);
      },
      async close() {},
    };
  },
};

const KINDS = new Set(['document', 'status', 'correspondence', 'automated']);
const URGENCY = new Set(['normal', 'khan', 'thuong_khan', 'hoa_toc']);
const SECRECY = new Set(['normal', 'mat', 'toi_mat', 'tuyet_mat']);
const SOURCES = new Set(['body', 'attachment', 'edxml', 'subject']);
const isoDay = (v: unknown) => v === null || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)));
const str = (v: unknown) => v === null || typeof v === 'string';

/** The `vanthu classify` contract (README "Classification", gateway/documents/types.ts). */
export function checkClassification(c: Classification): void {
  invariant(c && typeof c === 'object', 'no result');
  invariant(KINDS.has(c.kind), `kind ${String(c.kind)}`);
  invariant(typeof c.confidence === 'number' && c.confidence >= 0 && c.confidence <= 1, `confidence ${c.confidence}`);
  invariant(Array.isArray(c.reasons) && c.reasons.every((r) => typeof r === 'string'), 'reasons are not strings');
  invariant((c.kind === 'document') === (c.document !== null), `kind ${c.kind} with document ${c.document === null ? 'null' : 'set'}`);
  const d = c.document;
  if (d) {
    invariant(SOURCES.has(d.source), `source ${d.source}`);
    invariant(URGENCY.has(d.urgency) && SECRECY.has(d.secrecy), `urgency ${d.urgency} / secrecy ${d.secrecy}`);
    invariant(isoDay(d.issuedDate) && isoDay(d.dueDate), `dates ${d.issuedDate} / ${d.dueDate}`);
    for (const k of ['typeCode', 'typeName', 'number', 'notation', 'issuer', 'place', 'subject'] as const) invariant(str(d[k]), `${k} is ${typeof d[k]}`);
    invariant(Array.isArray(d.recipients) && d.recipients.every((r) => typeof r === 'string'), 'recipients are not strings');
    invariant(d.signer === null || (str(d.signer.name) && str(d.signer.title) && str(d.signer.authority)), 'signer fields');
  }
  JSON.stringify(c);
}
