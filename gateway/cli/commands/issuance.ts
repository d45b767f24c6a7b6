/**
 * `vanthu issuance`: the clerk's issuance queue (docs/issuance.md, "From the add-in") — the drafts
 * officers sent for issuance from Outlook; issue one (numbered, issued and sent as send-document
 * does) or return it with a reason. Through the running gateway's API, else on storage directly.
 */
import { loadConfig } from '../../config/load.ts';
import type { IssuanceView } from '../../outgoing/issuance-view.ts';
import { callRegistry, CliFailure, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';
import { outputMode, printAction, printTable } from '../output.ts';

const USAGE = [
  'vanthu issuance [list] [--unit U] [--state pending|issuing|issued|returned] [--json|--table]',
  '       vanthu issuance issue <draft-id> [--confirm-unsigned] [--edxml] [--json]',
  '       vanthu issuance return <draft-id> --reason TEXT [--json]',
].join('\n');

const STATES = ['pending', 'issuing', 'issued', 'returned'] as const;
const issuance = () => import('../../outgoing/issuance.ts');
const view = () => import('../../outgoing/issuance-view.ts');

/** Storage opened here has its blob store; the delivery worker's sweep sends what issuing queued. */
function blobsOf(rt: { blobs: import('../../store/blobs.ts').BlobStore | null }) {
  if (!rt.blobs) throw new CliFailure(500, 'no blob store (kho tệp) in this runtime');
  return rt.blobs;
}

const recipientsOf = (d: IssuanceView) => d.recipients.map((r) => r.name ?? r.address).join('; ');

export const command: Command = {
  summary: 'the issuance queue: drafts sent from the add-in; issue or return them',
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        state: { type: 'string' },
        reason: { type: 'string' },
        'confirm-unsigned': { type: 'boolean', default: false },
        edxml: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const [sub = 'list', id] = positionals;
    const state = values.state ?? 'pending';
    if (!(STATES as readonly string[]).includes(state)) throw new UsageError(`--state: one of ${STATES.join(', ')}\nUsage: ${USAGE}`);
    const config = loadConfig();
    return runCli('issuance', async () => {
      if (sub === 'list') {
        const query = new URLSearchParams({ state, ...(values.unit ? { unit: values.unit } : {}) }).toString();
        const list = (await callRegistry(config, {
          method: 'GET',
          path: `/api/issuance?${query}`,
          direct: async (rt, p) => {
            const { unitScope } = await import('../../registry/access/policy.ts');
            const unitId = unitScope(p, values.unit);
            return { items: await (await view()).issuanceList(rt.db, { unitId, states: [state as (typeof STATES)[number]] }) };
          },
        })) as { items: IssuanceView[] };
        if (outputMode(values, 'json') === 'json') return (printJson(list), 0);
        printTable(
          [
            { title: 'id' },
            { title: 'đơn vị (unit)' },
            { title: 'người gửi (by)' },
            { title: 'trích yếu (subject)', flex: true },
            { title: 'nơi nhận (to)', max: 40 },
          ],
          list.items.map((d) => [d.id, d.unitId, d.submitterName ?? d.submittedBy, d.subject, recipientsOf(d)]),
          'Không có văn bản chờ phát hành (the issuance queue is empty)',
        );
        return 0;
      }
      if (!id) throw new UsageError(`missing draft id\nUsage: ${USAGE}`);
      if (sub === 'issue') {
        const opts = { ...(values['confirm-unsigned'] ? { confirmUnsigned: true } : {}), ...(values.edxml ? { edxml: true } : {}) };
        const done = (await callRegistry(config, {
          method: 'POST',
          path: `/api/issuance/${id}/issue`,
          body: opts,
          // Without a gateway, deliveries stay queued in the database: the delivery worker's sweep sends them.
          direct: async (rt, p) => (await issuance()).issueDraft(rt, blobsOf(rt), async () => undefined, p, id, opts),
        })) as IssuanceView;
        printAction(values, done, () => [
          `Đã phát hành số ${done.outgoing?.notation}, gửi ${done.outgoing?.deliveries.length ?? 0} nơi (issued ${done.outgoing?.notation})`,
          ...(done.outgoing?.deliveries ?? []).map((d) => `  → ${d.recipientName ? `${d.recipientName} <${d.recipient}>` : d.recipient}: ${d.state}`),
        ]);
        return 0;
      }
      if (sub === 'return') {
        if (!values.reason?.trim()) throw new UsageError(`--reason: why the draft is returned (lý do trả lại)\nUsage: ${USAGE}`);
        const back = (await callRegistry(config, {
          method: 'POST',
          path: `/api/issuance/${id}/return`,
          body: { reason: values.reason },
          direct: async (rt, p) => (await issuance()).returnDraft(rt, p, id, values.reason!),
        })) as IssuanceView;
        printAction(values, back, () => `Đã trả lại văn bản "${back.subject}" cho ${back.submitterName ?? back.submittedBy} (returned)`);
        return 0;
      }
      throw new UsageError(`unknown sub-command "${sub}"\nUsage: ${USAGE}`);
    });
  },
};
