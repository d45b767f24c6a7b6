/**
 * "Thư này": what vanthu knows of the message open in Outlook. Finds it (Message-ID, then MIME),
 * then shows its document card, the register form (clerks), or what to do when it is not there.
 */
import { currentMime, HostError, type ReadItem } from '../host.ts';
import { button, h, replace } from '../dom.ts';
import { identify, messageScreen, NO_ITEM, OUTSIDE_OUTLOOK, type MessageScreen } from '../state.ts';
import type { LookupResult } from '../types.ts';
import { facts, infoBar, loading, problemBar, statusBadge, type ViewContext } from './common.ts';
import { documentCard } from './document.ts';
import { registerForm } from './register.ts';

const POLL_MS = 2000;
const POLL_TIMES = 15;

export function messageView(ctx: ViewContext, item: ReadItem | null, inOutlook: boolean): HTMLElement {
  const { t } = ctx;
  const root = h('main', { id: 'message-view' });
  if (!inOutlook) return replaceWith(root, problemBar(t, OUTSIDE_OUTLOOK));
  if (!item) return replaceWith(root, problemBar(t, NO_ITEM));
  let polls = 0;

  const mime = async (ingest: boolean): Promise<LookupResult | null> => {
    let raw: Uint8Array;
    try {
      raw = (await currentMime()).raw;
    } catch (err) {
      if (err instanceof HostError) return null; // the host cannot give the message: treat as unknown
      throw err;
    }
    return ctx.registry.lookupByMime(raw, ingest);
  };

  async function load(ingest = false, message: string | null = null): Promise<void> {
    replace(root, ingest ? h('p', { class: 'muted', role: 'status', 'aria-busy': 'true' }, t('ingesting')) : loading(t));
    const found = await ctx.call(() =>
      ingest
        ? mime(true)
        : identify(
            item!.internetMessageId,
            (id) => ctx.registry.lookupById(id),
            () => mime(false),
          ),
    );
    // Refused at ingest (not addressed to a unit): say so in those words, not "correct the fields".
    if (!found.ok && ingest && found.problem?.kind === 'invalid') return showProblem({ ...found.problem, title: 'notStoredTitle', help: 'ingestRefusedHelp' });
    if (!found.ok) return showProblem(found.problem);
    const lookup = found.value;
    const doc = lookup ? await ctx.call(() => ctx.registry.documentForMessage(lookup.message.messageId)) : { ok: true as const, value: null };
    if (!doc.ok) return showProblem(doc.problem);
    show(messageScreen(lookup, doc.value?.document ?? null, ctx.session.user), lookup, message);
  }

  function showProblem(p: Parameters<typeof problemBar>[1] | null): void {
    if (p)
      replace(
        root,
        problemBar(t, p, () => void load()),
      );
  }

  function show(s: MessageScreen, lookup: LookupResult | null, message: string | null): void {
    polls = s.screen === 'processing' ? polls + 1 : 0;
    switch (s.screen) {
      case 'document':
        return replace(root, documentCard(ctx, s.document.id, { verification: lookup?.verification ?? null, message }));
      case 'register':
        return replace(
          root,
          registerForm(ctx, s.document, lookup, (d) => void load(false, d.bookNumber ? t('registered', { n: d.bookNumber }) : null)),
        );
      case 'quarantined':
        return replace(
          root,
          infoBar('danger', t('quarantinedTitle'), t('quarantinedHelp')),
          h(
            'div',
            { class: 'card' },
            facts([
              [t('status'), statusBadge(t, s.document.status)],
              [t('issuer'), s.document.issuer],
              [t('notation'), s.document.notation],
            ]),
          ),
        );
      case 'not-document':
        return replace(root, infoBar('info', t('notDocumentTitle'), t('notDocumentHelp')));
      case 'not-yours':
        return replace(root, infoBar('info', t('notYoursTitle'), t('notYoursHelp')));
      case 'awaiting-clerk':
        return replace(root, infoBar('info', t('awaitingClerkTitle'), t('awaitingClerkHelp')));
      case 'failed':
        return replace(
          root,
          infoBar(
            'danger',
            t('failedTitle'),
            t('failedHelp'),
            button(t('retry'), () => void load()),
          ),
          h('p', { class: 'muted' }, lookup?.message.id ?? ''),
        );
      case 'not-stored': {
        const ingest = s.canIngest ? button(t('ingest'), () => void load(true), { primary: true }) : null;
        return replace(
          root,
          h(
            'div',
            { class: 'bar warning', role: 'status', 'data-problem': 'not-stored' },
            h('span', { class: 'icon', 'aria-hidden': 'true' }, '!'),
            h(
              'div',
              { class: 'body' },
              h('strong', {}, t('notStoredTitle')),
              h('p', {}, t(s.canIngest ? 'notStoredHelpClerk' : 'notStoredHelpOfficer')),
              ingest ? h('div', { class: 'actions' }, ingest) : null,
            ),
          ),
        );
      }
      case 'processing':
        // Just stored or still in the pipeline: look again shortly rather than make the person wait and click.
        if (polls <= POLL_TIMES) setTimeout(() => root.isConnected && void load(), POLL_MS);
        return replace(
          root,
          infoBar(
            'info',
            t('processingTitle'),
            t('processingHelp'),
            button(t('retry'), () => void load()),
          ),
        );
    }
  }

  void load();
  return root;
}

function replaceWith(root: HTMLElement, el: HTMLElement): HTMLElement {
  root.append(el);
  return root;
}
