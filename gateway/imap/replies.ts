/**
 * Officers' replies in a polled mailbox (docs/act-by-email.md, "Intake"): IMAP has no envelope,
 * so a message's recipients are read from its header (To, Cc, Delivered-To, X-Original-To, and the
 * Received "for <…>" clauses, where a Bcc'd reply address shows). A
 * message addressed to a reply address act+<token>@<unit domain> is stored with that address as
 * its recipient, so the pipeline's act-by-mail stage handles it as a reply and the register stage
 * leaves it out of the book; the account's own address stays a recipient only when the header
 * names it too. Everything else keeps the account's address, as before.
 */
import { actTokenOf, recipientLookup } from '../config/act-by-mail.ts';
import type { ResolvedTarget } from '../config/imap.ts';
import { addressBook, type Config } from '../config/load.ts';

export interface Recipients {
  rcptTo: string[];
  unitIds: string[];
}

/**
 * Given the account's target, the header's addresses (To, Cc, Delivered-To, X-Original-To) and the
 * addresses of its Received "for <…>" clauses: the recipients to store, or null for the account's own.
 */
export type ReplyRouter = (target: ResolvedTarget, headerAddresses: readonly string[], receivedFor?: readonly string[]) => Recipients | null;

/** null while act by e-mail is off: nothing to look for. */
export function replyRouter(config: Config): ReplyRouter | null {
  if (!config.registry.actByMail.enabled) return null;
  const unitOf = recipientLookup(config, addressBook(config));
  return (target, headerAddresses, receivedFor = []) => {
    // A mailbox whose own address is a reply address holds nothing but replies to it.
    if (actTokenOf(target.address) !== null) return { rcptTo: [target.address.toLowerCase()], unitIds: [target.unitId] };
    // A reply sent as a Bcc names its act+ address in no To/Cc: the delivering server's Delivered-To,
    // X-Original-To or Received "for <…>" still does.
    const replies = [...new Set([...headerAddresses, ...receivedFor].map((a) => a.toLowerCase()))].filter((a) => actTokenOf(a) !== null && unitOf(a));
    if (!replies.length) return null;
    const rcptTo = headerAddresses.some((a) => a.toLowerCase() === target.address) ? [...replies, target.address] : replies;
    const unitIds = [...new Set(rcptTo.map((a) => (a === target.address ? target.unitId : unitOf(a)!.id)))];
    return { rcptTo, unitIds };
  };
}
