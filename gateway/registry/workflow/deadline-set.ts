/**
 * A leader (or admin) sets a deadline directly — `POST /api/documents/{id}/deadline`, or the
 * `gia hạn đến` reply of a leader: the item's pending extension requests are closed with it
 * (status `granted`, one `document.extension_grant` audit entry listing them, as a decision by reply
 * does) and each officer who asked is mailed the new deadline with a fresh reply address.
 */
import type { Principal } from '../access/policy.ts';
import type { DocumentRow } from '../books/register.ts';
import type { Mailer } from '../ports.ts';
import { tellAsker } from '../replies/decisions.ts';
import { settleExtensionRequests } from '../replies/requests.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { setDeadline } from './workflow.ts';

export interface DeadlineSet {
  doc: DocumentRow;
  /** Ids of the requests closed by the new deadline. */
  closed: string[];
  /** How each asker's mail went, in the order of `closed`. */
  notified: string[];
}

export async function setDeadlineClosingRequests(
  rt: RegistryRuntime,
  mailer: Mailer | null,
  p: Principal,
  id: string,
  dueDate: string,
  reason: string | null = null,
): Promise<DeadlineSet> {
  const doc = await setDeadline(rt, p, id, dueDate, reason);
  const settled = await settleExtensionRequests(rt, p, id, dueDate);
  const notified: string[] = [];
  for (const r of settled) notified.push(await tellAsker(rt, mailer, p, { ...r, status: 'granted' }, doc, null));
  return { doc, closed: settled.map((r) => r.id), notified };
}
