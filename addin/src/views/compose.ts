/**
 * "Gửi phát hành": the draft being composed (or the message selected) sent for issuance — its
 * summary, recipients and files taken from Outlook, checked against the directory (an ambiguous
 * name offers its candidates), then submitted to the clerk's queue, or issued at once by a role
 * that may issue (outgoing.ts canIssue; the gateway's policy decides). gateway/http/addin-send.ts.
 */
import { ApiError } from '../api.ts';
import { button, field, h, replace, uid } from '../dom.ts';
import { attachmentBase64, readDraft, type Draft } from '../host.ts';
import { allResolved, canIssue, defaultDocument, orderFiles, recipientLines, refusalOf, replaceRecipient, URGENCIES, urgencyField } from '../outgoing.ts';
import type { RecipientCheck, SentItem } from '../types.ts';
import { infoBar, loading, problemBar, type ViewContext } from './common.ts';

/** Common Decree 30 types; the gateway knows them all (documents/rules/type-codes.ts). */
const TYPES: Array<[string, string]> = [
  ['', 'Công văn'],
  ['QĐ', 'Quyết định'],
  ['KH', 'Kế hoạch'],
  ['TB', 'Thông báo'],
  ['BC', 'Báo cáo'],
  ['TTr', 'Tờ trình'],
  ['GM', 'Giấy mời'],
  ['CT', 'Chỉ thị'],
  ['HD', 'Hướng dẫn'],
];

interface FileEntry {
  name: string;
  contentType: string;
  size: number;
  read: () => Promise<string>;
}

function fileBase64(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
}

const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`;

export function sendForm(ctx: ViewContext, onSent: (item: SentItem) => void): HTMLElement {
  const { t } = ctx;
  const direct = canIssue(ctx.session.user.role);
  const card = h('section', { class: 'card', id: 'send-card', 'aria-labelledby': 'send-title' }, h('h2', { id: 'send-title' }, t('sendTitle')), loading(t));
  void readDraft()
    .catch(() => null)
    .then((draft) => replace(card, h('h2', { id: 'send-title' }, t('sendTitle')), form(draft)));

  function form(draft: Draft | null): HTMLElement {
    const subject = h('textarea', { name: 'subject', rows: 2, required: true }, draft?.subject ?? '');
    const type = h(
      'select',
      { name: 'typeCode' },
      TYPES.map(([code, name]) => h('option', { value: code }, code ? `${name} (${code})` : name)),
    );
    const signer = h('input', { name: 'signer', type: 'text', autocomplete: 'off' });
    const urgency = h(
      'select',
      { name: 'urgency' },
      URGENCIES.map((u) => h('option', { value: u }, t(`urgency_${u}`))),
    );
    const to = h('textarea', { name: 'to', rows: 3, required: true }, (draft?.to ?? []).join('\n'));
    const checks = h('div', { class: 'recipient-checks', 'aria-live': 'polite' });
    const note = h('textarea', { name: 'note', rows: 2 });
    const status = h('div', { 'aria-live': 'assertive' });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('sendSubmit'));
    const fileList = h('div', { class: 'files' });
    const local = h('input', { type: 'file', name: 'localFiles', multiple: true, class: 'file-input' });
    const group = uid('main');
    const entries: FileEntry[] = (draft?.attachments ?? []).map((a) => ({ ...a, read: () => attachmentBase64(a.id) }));
    let main = defaultDocument(entries);
    const included = new Set(entries.map((_, i) => i));
    if (draft && !draft.canReadAttachments) entries.length = 0;

    const renderFiles = () =>
      replace(
        fileList,
        entries.length
          ? h(
              'ul',
              { class: 'file-list' },
              entries.map((f, i) =>
                h(
                  'li',
                  { 'data-file': f.name },
                  h(
                    'label',
                    {},
                    h('input', {
                      type: 'radio',
                      name: group,
                      value: String(i),
                      checked: i === main,
                      on: { change: () => ((main = i), included.add(i), renderFiles()) },
                    }),
                    ` ${t('sendMainDocument')}`,
                  ),
                  h(
                    'label',
                    {},
                    h('input', {
                      type: 'checkbox',
                      name: 'include',
                      checked: included.has(i) || i === main,
                      disabled: i === main,
                      on: { change: (ev: Event) => ((ev.target as HTMLInputElement).checked ? included.add(i) : included.delete(i)) },
                    }),
                    ` ${t('sendIncludeFile')}`,
                  ),
                  h('span', { class: 'file-name' }, f.name, h('span', { class: 'muted' }, ` · ${kb(f.size)}`)),
                ),
              ),
            )
          : h('p', { class: 'muted' }, draft && !draft.canReadAttachments ? t('sendOldOutlook') : t('sendNoAttachments')),
      );
    local.addEventListener('change', () => {
      for (const f of Array.from(local.files ?? [])) {
        included.add(entries.length);
        entries.push({ name: f.name, contentType: f.type || 'application/octet-stream', size: f.size, read: () => fileBase64(f) });
      }
      if (main < 0) main = defaultDocument(entries);
      local.value = '';
      renderFiles();
    });
    renderFiles();

    const showChecks = (list: RecipientCheck[]) =>
      replace(
        checks,
        h(
          'ul',
          { class: 'checks' },
          list.map((c) =>
            c.ok
              ? h(
                  'li',
                  { class: 'ok', 'data-check': 'ok' },
                  `✓ ${c.name ? `${c.name} <${c.address}>` : c.address}`,
                  c.known ? null : h('span', { class: 'muted' }, ` — ${t('recipientNotListed')}`),
                )
              : h(
                  'li',
                  { class: 'bad', 'data-check': 'bad' },
                  h('span', {}, `! ${c.problem}`),
                  c.candidates.length
                    ? h(
                        'div',
                        { class: 'quick' },
                        h('span', { class: 'muted' }, t('recipientPick')),
                        c.candidates.map((cand) =>
                          button(cand.name, () => {
                            to.value = replaceRecipient(to.value, c.given, cand.address);
                            void check();
                          }),
                        ),
                      )
                    : null,
                ),
          ),
        ),
      );

    async function check(): Promise<RecipientCheck[] | null> {
      const lines = recipientLines(to.value);
      if (!lines.length) {
        replace(checks, infoBar('warning', t('sendNeedRecipient')));
        return null;
      }
      const r = await ctx.call(() => ctx.registry.checkRecipients(lines));
      if (!r.ok) return (r.problem && replace(status, problemBar(t, r.problem)), null);
      showChecks(r.value);
      return r.value;
    }

    const confirmUnsigned = (draftId: string) =>
      infoBar(
        'warning',
        t('sendUnsignedTitle'),
        t('sendUnsignedHelp'),
        button(
          t('sendConfirmUnsigned'),
          async () => {
            const r = await ctx.call(() => ctx.registry.issueDraft(draftId, true));
            if (r.ok) sent(r.value);
            else if (r.problem) replace(status, problemBar(t, r.problem));
          },
          { primary: true },
        ),
      );

    function sent(item: SentItem): void {
      const n = item.outgoing?.deliveries.length ?? item.recipients.length;
      replace(status, infoBar('success', item.outgoing ? t('sendIssued', { notation: item.outgoing.notation, n }) : t('sendQueued')));
      onSent(item);
    }

    const el = h(
      'form',
      { novalidate: true, 'data-direct': String(direct) },
      h('p', { class: 'muted' }, direct ? t('sendIntroClerk') : t('sendIntroOfficer')),
      field(t('subject'), subject),
      h('div', { class: 'row2' }, field(t('sendDocType'), type), field(t('signer'), signer)),
      field(t('urgency'), urgency),
      field(t('sendRecipients'), to, t('sendRecipientsHint')),
      h(
        'div',
        { class: 'actions' },
        button(t('checkRecipients'), () => void check()),
      ),
      checks,
      h(
        'fieldset',
        { class: 'field' },
        h('legend', {}, t('sendFiles')),
        h('span', { class: 'hint' }, t('sendFilesHint')),
        fileList,
        field(t('sendLocalFiles'), local),
      ),
      direct ? null : field(t('sendNote'), note),
      status,
      h('div', { class: 'actions' }, submit),
    );

    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(status);
      if (!subject.value.trim()) return void (replace(status, infoBar('warning', t('sendNeedSubject'))), subject.focus());
      if (main < 0 || !entries[main]) return void replace(status, infoBar('warning', t('sendNeedFile')));
      const list = await check();
      if (!list) return;
      if (!allResolved(list)) return void (replace(status, infoBar('warning', t('recipientsNeedFix'))), to.focus());
      submit.disabled = true;
      submit.textContent = t('sendSubmitting');
      let refusal: ReturnType<typeof refusalOf> | null = null;
      const r = await ctx.call(async () => {
        const chosen = orderFiles(
          entries.map((f, i) => ({ f, i })),
          main,
        ).filter(({ i }) => i === main || included.has(i));
        const files = await Promise.all(chosen.map(async ({ f }) => ({ filename: f.name, contentType: f.contentType, content: await f.read() })));
        try {
          return await ctx.registry.sendForIssuance({
            unit: ctx.session.user.unitId,
            to: recipientLines(to.value),
            subject: subject.value,
            ...(type.value ? { typeCode: type.value } : {}),
            ...(signer.value.trim() ? { signer: signer.value } : {}),
            ...urgencyField(urgency.value),
            ...(!direct && note.value.trim() ? { note: note.value } : {}),
            files,
            direct,
          });
        } catch (err) {
          if (err instanceof ApiError) refusal = refusalOf(err.body);
          throw err;
        }
      });
      submit.disabled = false;
      submit.textContent = t('sendSubmit');
      if (r.ok) return sent(r.value);
      const why = refusal as ReturnType<typeof refusalOf> | null;
      if (why?.recipients) showChecks(why.recipients);
      if (why?.unsigned && why.draftId && direct) return void replace(status, confirmUnsigned(why.draftId));
      if (r.problem) replace(status, problemBar(t, r.problem));
    });
    return el;
  }

  return card;
}
