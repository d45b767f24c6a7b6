/**
 * "Gửi văn bản đi" (#/send): the signed PDF and its appendices, type, trích yếu, signer and
 * recipients, sent the way the add-in sends (POST /api/addin/send, gateway/http/addin-send.ts;
 * docs/issuance.md). Who may do what is the policy's (console/src/permissions.ts): a role holding
 * `outgoing.issue` (clerks) issues at once — numbered, signed by the organisation, sent — others
 * (`outgoing.submit`) put the draft in the clerk's issuance queue. Recipients are looked up in the
 * directory as they are typed (GET /api/directory, diacritics optional) and each one is resolved
 * when added (POST /api/addin/recipients): an ambiguous name lists its candidates to pick. A
 * document without a valid signature is refused until the clerk confirms it (issued.ts).
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, field, h, replace } from '../../addin/src/dom.ts';
import { refusalOf, URGENCIES, urgencyField } from '../../addin/src/outgoing.ts';
import { Registry } from '../../addin/src/registry.ts';
import type { RecipientCheck, SentItem } from '../../addin/src/types.ts';
import { DOC_TYPES } from '../../gateway/documents/rules/type-codes.ts';
import type { Ctx } from './app.ts';
import { resetCharts } from './charts.ts';
import { fileBase64, issuedView, unsignedPanel, unsignedRefusal } from './issued.ts';
import { may } from './permissions.ts';

/** Types a unit issues day to day (Decree 30, Appendix III), Công văn first; legal normative types are not sent from here. */
const TYPES = [DOC_TYPES.find((d) => d.code === 'CV')!, ...DOC_TYPES.filter((d) => !d.legal && d.code !== 'CV')];

interface Recipient {
  given: string;
  check: RecipientCheck | null;
}

export async function composePage(ctx: Ctx): Promise<void> {
  const { t, api, me, main } = ctx;
  resetCharts();
  if (!may(me, 'outgoing.submit')) return replace(main, h('h2', {}, t('composeTitle')), h('p', { class: 'error', role: 'alert' }, t('composeNoSubmit')));
  const registry = new Registry(api);
  const direct = may(me, 'outgoing.issue');

  const documentFile = h('input', { type: 'file', name: 'document', accept: 'application/pdf,.pdf', required: true });
  const appendices = h('input', { type: 'file', name: 'appendices', multiple: true });
  const type = h('select', { name: 'typeCode' }, ...TYPES.map((d) => h('option', { value: d.code }, `${d.name} (${d.code})`)));
  const subject = h('textarea', { name: 'subject', rows: 2, required: true });
  const signer = h('input', { name: 'signer', type: 'text', autocomplete: 'off' });
  const urgency = h('select', { name: 'urgency' }, ...URGENCIES.map((u) => h('option', { value: u }, t(`urgency_${u}`))));
  const note = h('textarea', { name: 'note', rows: 2 });
  const suggestions = h('datalist', { id: 'directory-suggestions' });
  const lookup = h('input', { name: 'recipient', type: 'text', autocomplete: 'off', list: 'directory-suggestions' });
  const chosen = h('ul', { class: 'recipients', 'aria-live': 'polite', 'aria-label': t('composeRecipients') });
  const status = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, direct ? t('composeIssue') : t('composeSubmit'));
  const recipients: Recipient[] = [];

  // Typeahead: the directory's matches for what is typed (the server folds diacritics), a short pause between calls.
  let typing: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  lookup.addEventListener('input', () => {
    clearTimeout(typing);
    const q = lookup.value.trim();
    if (q.length < 2) return;
    typing = setTimeout(async () => {
      const mine = ++asked;
      const res = await api.request<{ items: Array<{ name: string; address: string }> }>('/api/directory', { query: { q } }).catch(() => null);
      if (!res || mine !== asked) return;
      replace(suggestions, ...res.items.slice(0, 20).map((e) => h('option', { value: e.name }, e.address)));
    }, 200);
  });

  const renderRecipients = () =>
    replace(
      chosen,
      ...(recipients.length
        ? recipients.map((r, i) => {
            const c = r.check;
            const remove = button(t('composeRemove', { name: r.given }), () => {
              recipients.splice(i, 1);
              renderRecipients();
            });
            remove.classList.add('small');
            if (!c) return h('li', { 'data-recipient': r.given }, r.given, ' ', remove);
            if (c.ok)
              return h(
                'li',
                { class: 'ok', 'data-recipient': r.given, 'data-check': 'ok', 'data-address': c.address },
                `✓ ${c.name ? `${c.name} <${c.address}>` : c.address}`,
                c.known ? null : h('span', { class: 'meta' }, ` — ${t('composeNotListed')}`),
                ' ',
                remove,
              );
            return h(
              'li',
              { class: 'bad', 'data-recipient': r.given, 'data-check': 'bad' },
              h('span', { class: 'error' }, `! ${c.problem}`),
              ' ',
              remove,
              c.candidates.length
                ? h(
                    'div',
                    { class: 'candidates' },
                    h('span', { class: 'meta' }, t('composePick')),
                    ...c.candidates.map((cand) => {
                      const pick = button(`${cand.name} <${cand.address}>`, () => void settle(i, cand.address));
                      pick.dataset.candidate = cand.address;
                      return pick;
                    }),
                  )
                : null,
            );
          })
        : [h('li', { class: 'meta' }, t('composeNoRecipients'))]),
    );

  /** Resolves recipient i as `given` (added, or a candidate picked). */
  const settle = async (i: number, given: string) => {
    recipients[i] = { given, check: null };
    renderRecipients();
    try {
      const [check] = await registry.checkRecipients([given]);
      if (recipients[i]?.given === given) recipients[i] = { given, check: check ?? null };
    } catch (err) {
      return ctx.fail(err);
    }
    renderRecipients();
  };
  const add = () => {
    const given = lookup.value.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (!given) return;
    lookup.value = '';
    if (!recipients.some((r) => r.given.toLowerCase() === given.toLowerCase())) void settle(recipients.push({ given, check: null }) - 1, given);
  };
  lookup.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    add();
  });

  const say = (text: string) => replace(status, h('p', { class: 'error', role: 'alert' }, text));
  const done = (item: SentItem) => {
    replace(status, issuedView(ctx, item));
    form.reset();
    recipients.length = 0;
    renderRecipients();
  };
  const send = async () => {
    replace(status);
    const doc = documentFile.files?.[0];
    if (!doc) return (say(t('composeNeedFile')), documentFile.focus());
    if (!subject.value.trim()) return (say(t('composeNeedSubject')), subject.focus());
    if (!recipients.length) return (say(t('composeNeedRecipient')), lookup.focus());
    if (recipients.some((r) => !r.check?.ok)) return (say(t('composeFixRecipients')), lookup.focus());
    submit.disabled = true;
    submit.textContent = t('composeSending');
    try {
      const picked = [doc, ...Array.from(appendices.files ?? [])];
      const files = await Promise.all(
        picked.map(async (f) => ({ filename: f.name, contentType: f.type || 'application/octet-stream', content: await fileBase64(f) })),
      );
      done(
        await registry.sendForIssuance({
          ...(me.role === 'admin' && me.unitId ? { unit: me.unitId } : {}),
          to: recipients.map((r) => (r.check?.ok ? r.check.address : r.given)),
          subject: subject.value,
          ...(type.value && type.value !== 'CV' ? { typeCode: type.value } : {}),
          ...(signer.value.trim() ? { signer: signer.value.trim() } : {}),
          ...urgencyField(urgency.value),
          ...(!direct && note.value.trim() ? { note: note.value.trim() } : {}),
          files,
          direct,
        }),
      );
    } catch (err) {
      const unsigned = unsignedRefusal(err);
      const draftId = unsigned?.draftId;
      if (unsigned && draftId)
        replace(
          status,
          unsignedPanel(ctx, unsigned.message, async () => {
            try {
              done(await registry.issueDraft(draftId, true));
            } catch (again) {
              if (again instanceof ApiError) say(again.message);
              else ctx.fail(again);
            }
          }),
        );
      else if (err instanceof ApiError && err.kind !== 'unauthenticated' && err.kind !== 'forbidden') {
        const why = refusalOf(err.body);
        if (why.recipients)
          for (const c of why.recipients) {
            const r = recipients.find((x) => (x.check?.ok ? x.check.address : x.given) === c.given);
            if (r) r.check = c;
          }
        renderRecipients();
        say(err.message);
      } else ctx.fail(err);
    } finally {
      submit.disabled = false;
      submit.textContent = direct ? t('composeIssue') : t('composeSubmit');
    }
  };

  const form = h(
    'form',
    {
      class: 'compose',
      novalidate: true,
      'data-direct': String(direct),
      on: {
        submit: (ev) => {
          ev.preventDefault();
          void send();
        },
      },
    },
    field(t('composeDocument'), documentFile),
    field(t('composeAppendices'), appendices),
    h('div', { class: 'row2' }, field(t('composeType'), type), field(t('signer'), signer)),
    field(t('urgency'), urgency),
    field(t('subject'), subject),
    h(
      'fieldset',
      { class: 'recipients-box' },
      h('legend', {}, t('composeRecipients')),
      h('div', { class: 'lookup' }, field(t('composeRecipient'), lookup, t('composeRecipientHint')), button(t('composeAdd'), add)),
      suggestions,
      chosen,
    ),
    direct ? null : field(t('composeNote'), note),
    h('div', { class: 'actions' }, submit),
  );
  renderRecipients();
  replace(main, h('h2', {}, t('composeTitle')), h('p', { class: 'hint' }, direct ? t('composeIntroIssue') : t('composeIntroSubmit')), form, status);
}
