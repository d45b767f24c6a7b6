/**
 * "Chờ phát hành": the clerk's issuance queue (docs/issuance.md, "From the add-in"; routes in
 * gateway/http/addin-send-queue.ts). #/issuance lists the drafts waiting for the unit, oldest
 * request last as the API answers; #/issuance/<id> opens one beside its document (pdf.js,
 * console/src/pdf-view.ts) with "Ban hành" (issue: numbered, the organisation's signature, sent)
 * and "Trả lại" (return with a reason). A document without a valid signature is refused until the
 * clerk confirms it (issued.ts). The calls are the add-in's (addin/src/registry.ts).
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, field, h, replace } from '../../addin/src/dom.ts';
import { Registry } from '../../addin/src/registry.ts';
import type { SentItem } from '../../addin/src/types.ts';
import { TOKEN_KEY, type Ctx } from './app.ts';
import { may } from './permissions.ts';
import { resetCharts } from './charts.ts';
import { instant } from './format.ts';
import { issuedView, unsignedPanel, unsignedRefusal } from './issued.ts';

type Draft = SentItem & { signer?: string | null; typeCode?: string | null };

const DRAFT_STATES = ['pending', 'issuing', 'issued', 'returned'] as const;
const stateLabel = (ctx: Ctx, s: string) =>
  ctx.t(`draftState_${(DRAFT_STATES as readonly string[]).includes(s) ? (s as (typeof DRAFT_STATES)[number]) : 'pending'}`);

export async function issuancePage(ctx: Ctx, arg: string | undefined): Promise<void> {
  resetCharts();
  return arg ? draftPage(ctx, arg) : queuePage(ctx);
}

async function queuePage(ctx: Ctx): Promise<void> {
  const { t, main } = ctx;
  let items: SentItem[];
  try {
    items = await new Registry(ctx.api).issuanceQueue();
  } catch (err) {
    return ctx.fail(err);
  }
  replace(
    main,
    h('h2', {}, t('issuanceTitle')),
    h('p', { class: 'hint' }, t('issuanceIntro')),
    items.length
      ? h(
          'ol',
          { class: 'queue issuance' },
          ...items.map((d) =>
            h(
              'li',
              { 'data-draft': d.id },
              h('a', { href: `#/issuance/${encodeURIComponent(d.id)}` }, d.subject),
              h(
                'p',
                { class: 'meta' },
                [
                  d.typeName,
                  `${t('submittedBy')}: ${d.submitterName ?? d.submittedBy}`,
                  `${t('submittedAt')}: ${instant(d.createdAt)}`,
                  `${t('draftRecipients')}: ${d.recipients.map((r) => r.name ?? r.address).join('; ')}`,
                ]
                  .filter(Boolean)
                  .join(' · '),
              ),
              d.unsigned ? h('p', { class: 'meta error', 'data-unsigned': 'true' }, t('draftUnsigned', { why: d.unsigned })) : null,
            ),
          ),
        )
      : h('p', { class: 'empty' }, t('issuanceEmpty')),
  );
}

/** One file of a draft, fetched with the token (GET /api/issuance/{id}/files/{idx}). */
async function fileBytes(id: string, idx: number): Promise<ArrayBuffer | null> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(new URL(`api/issuance/${encodeURIComponent(id)}/files/${idx}`, new URL('./', location.href)), {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-vanthu-client': 'console' },
  }).catch(() => null);
  return res?.ok ? res.arrayBuffer() : null;
}

async function showFile(ctx: Ctx, draft: Draft, viewer: HTMLElement): Promise<void> {
  const { t } = ctx;
  const doc = draft.files[0];
  // A PDF by its type, or by its name when the API client sent none (stored as application/octet-stream).
  if (!doc || !(/pdf/i.test(doc.contentType) || /\.pdf$/i.test(doc.filename))) return replace(viewer, h('p', { class: 'hint' }, t('noAttachment')));
  const bytes = await fileBytes(draft.id, 0);
  if (!bytes) return replace(viewer, h('p', { class: 'error' }, t('unreachable')));
  try {
    const { renderPdf } = await import('./pdf-view.ts');
    await renderPdf(viewer, bytes.slice(0), (n) => t('viewerPage', { n }));
  } catch {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
    replace(viewer, h('p', { class: 'hint' }, t('viewerFailed')), h('iframe', { src: url, title: doc.filename }));
  }
}

async function draftPage(ctx: Ctx, id: string): Promise<void> {
  const { t, api, main } = ctx;
  const registry = new Registry(api);
  let draft: Draft;
  try {
    draft = await api.request<Draft>(`/api/issuance/${encodeURIComponent(id)}`);
  } catch (err) {
    return ctx.fail(err);
  }
  const mayIssue = may(ctx.me, 'outgoing.issue') && draft.state === 'pending';
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const reason = h('textarea', { name: 'reason', rows: 3 });

  const issued = (item: SentItem) => {
    replace(outcome, issuedView(ctx, item));
    actions.remove();
  };
  const issue = async (confirmUnsigned: boolean) => {
    issueBtn.disabled = true;
    issueBtn.textContent = t('issuing');
    try {
      issued(await registry.issueDraft(draft.id, confirmUnsigned));
    } catch (err) {
      const unsigned = unsignedRefusal(err);
      if (unsigned)
        replace(
          outcome,
          unsignedPanel(ctx, unsigned.message, () => issue(true)),
        );
      else if (err instanceof ApiError && (err.kind === 'invalid' || err.kind === 'conflict'))
        replace(outcome, h('p', { class: 'error', role: 'alert' }, err.message));
      else ctx.fail(err);
    } finally {
      issueBtn.disabled = false;
      issueBtn.textContent = t('issueAction');
    }
  };
  const giveBack = async () => {
    if (!reason.value.trim()) {
      replace(outcome, h('p', { class: 'error', role: 'alert' }, t('returnNeedReason')));
      return reason.focus();
    }
    try {
      await registry.returnDraft(draft.id, reason.value.trim());
      ctx.go('#/issuance', t('draftReturned', { who: draft.submitterName ?? draft.submittedBy }));
    } catch (err) {
      if (err instanceof ApiError && (err.kind === 'invalid' || err.kind === 'conflict'))
        replace(outcome, h('p', { class: 'error', role: 'alert' }, err.message));
      else ctx.fail(err);
    }
  };
  const issueBtn = button(t('issueAction'), () => void issue(false), { primary: true });
  const actions = mayIssue
    ? h(
        'div',
        { class: 'decide' },
        h('div', { class: 'actions' }, issueBtn),
        field(t('returnReasonLabel'), reason),
        h(
          'div',
          { class: 'actions' },
          button(t('returnConfirm'), () => void giveBack()),
        ),
      )
    : h('span');

  const viewer = h('div', { class: 'viewer', tabindex: '0', role: 'region', 'aria-label': t('viewerTitle') }, h('p', { class: 'hint' }, t('loading')));
  const row = (label: string, value: string | null | undefined) => (value ? [h('dt', {}, label), h('dd', {}, value)] : []);
  replace(
    main,
    h('p', {}, h('a', { href: '#/issuance' }, `← ${t('issuanceBack')}`)),
    h('h2', {}, draft.subject),
    h(
      'div',
      { class: 'split' },
      h(
        'section',
        { class: 'work draft', 'data-draft': draft.id, 'data-state': draft.state, 'aria-label': t('draftTitle') },
        h('p', { class: 'state' }, stateLabel(ctx, draft.state)),
        h(
          'dl',
          { class: 'facts' },
          ...row(t('typeName'), draft.typeName),
          ...row(t('signer'), draft.signer),
          ...row(t('submittedBy'), draft.submitterName ?? draft.submittedBy),
          ...row(t('submittedAt'), instant(draft.createdAt)),
          ...row(t('draftNote'), draft.note),
          ...row(t('returnReason'), draft.returnReason),
        ),
        draft.unsigned ? h('p', { class: 'error', 'data-unsigned': 'true' }, t('draftUnsigned', { why: draft.unsigned })) : null,
        draft.lastError ? h('p', { class: 'error' }, t('draftLastError', { error: draft.lastError })) : null,
        h('h3', {}, t('draftRecipients')),
        h(
          'ul',
          { class: 'recipients' },
          ...draft.recipients.map((r) => h('li', { 'data-recipient': r.address }, r.name ? `${r.name} <${r.address}>` : r.address)),
        ),
        h('h3', {}, t('draftFiles')),
        h(
          'ul',
          { class: 'files' },
          ...draft.files.map((f, i) => h('li', {}, f.filename, i > 0 ? h('span', { class: 'meta' }, ` (${t('draftAppendix')})`) : null)),
        ),
        actions,
        outcome,
      ),
      h('div', { class: 'document' }, viewer),
    ),
  );
  if (draft.outgoing) replace(outcome, issuedView(ctx, draft));
  await showFile(ctx, draft, viewer);
}
