/**
 * The assignee gives an item back from the console or the API (`POST /api/documents/{id}/decline`),
 * as by replying "từ chối: <lý do>" (docs/act-by-email.md): it returns to "received" in its
 * department with no officer, the reason in its handling notes and the `document.decline` audit
 * entry, and the unit's leaders are mailed, with a reply address to assign it again.
 */
import { actorOf, type Principal } from '../access/policy.ts';
import type { DocumentRow } from '../books/register.ts';
import type { Mailer } from '../ports.ts';
import { mailLeaders } from '../replies/decisions.ts';
import { declineAssignment } from '../replies/requests.ts';
import type { RegistryRuntime } from '../runtime.ts';

export interface Declined {
  doc: DocumentRow;
  /** How many leaders were mailed (0 without a mailer). */
  leadersMailed: number;
}

export async function declineAndTell(rt: RegistryRuntime, mailer: Mailer | null, p: Principal, id: string, reason: string): Promise<Declined> {
  const doc = await declineAssignment(rt, p, id, reason ?? '');
  const why = reason.normalize('NFC').trim();
  // One mail per leader and decline: the key names the moment the item was given back.
  const key = (leaderId: string) => `decline:${doc.id}:${doc.updatedAt.getTime()}:${leaderId}`;
  let leadersMailed = 0;
  if (mailer) {
    try {
      leadersMailed = await mailLeaders(rt, mailer, 'decline', doc, p.email ? `${p.name} <${p.email}>` : actorOf(p), why, key);
    } catch (err) {
      // Given back all the same (committed, audited, on the leaders' "Giao việc"); the mailer kept the error.
      rt.log.warn({ document: doc.id, err: (err as Error).message }, 'decline mail to the leaders failed');
    }
  }
  return { doc, leadersMailed };
}
