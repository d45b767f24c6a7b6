/**
 * The clerk's register form: the classifier's fields filled in, corrected where wrong, then the
 * document is approved into the incoming book (only the changed fields are sent as corrections).
 */
import { button, field, h, replace } from '../dom.ts';
import { corrections, missingFields, prefill, REQUIRED_FIELDS } from '../state.ts';
import type { DocumentInfo, LookupResult, RegisterFields } from '../types.ts';
import { infoBar, problemBar, verdictBadge, type ViewContext } from './common.ts';

const URGENCIES = ['normal', 'khan', 'thuong_khan', 'hoa_toc'];

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export function registerForm(ctx: ViewContext, doc: DocumentInfo, lookup: LookupResult | null, onDone: (registered: DocumentInfo) => void): HTMLElement {
  const { t } = ctx;
  const original = prefill(doc);
  const controls = {} as Record<keyof RegisterFields, Control>;
  const text = (name: keyof RegisterFields, type = 'text') =>
    (controls[name] = h('input', { type, name, value: original[name], required: REQUIRED_FIELDS.includes(name) }));
  text('notation');
  text('issuer');
  text('issuedDate', 'date');
  text('typeName');
  controls.subject = h('textarea', { name: 'subject', rows: 3, required: true }, original.subject);
  text('signer');
  controls.urgency = h(
    'select',
    { name: 'urgency' },
    URGENCIES.map((u) => h('option', { value: u, selected: u === original.urgency }, t(`urgency_${u}` as never))),
  );
  text('dueDate', 'date');

  const wrap = (label: string, name: keyof RegisterFields) => {
    const el = field(REQUIRED_FIELDS.includes(name) ? `${label} *` : label, controls[name]);
    // Mark what the clerk changed, so a second look goes to the right places.
    controls[name].addEventListener('input', () => el.classList.toggle('changed', controls[name].value.trim() !== original[name].trim()));
    return el;
  };
  const status = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('register'));
  const score = doc.confidence ?? lookup?.classification?.confidence ?? null;
  const confidence = score === null ? null : Math.round(score * 100);
  const reasons = doc.reasons.length ? doc.reasons : (lookup?.classification?.reasons ?? []);

  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'register-title', 'data-document': doc.id },
    h('h2', { id: 'register-title' }, t('registerTitle')),
    h('p', { class: 'muted' }, t('registerIntro')),
    h(
      'p',
      { class: 'muted' },
      confidence !== null ? `${t('confidence', { pct: confidence })} · ` : '',
      t('signature'),
      ': ',
      verdictBadge(t, lookup?.verification?.verdict ?? doc.verdict),
    ),
    reasons.length
      ? h(
          'details',
          {},
          h('summary', {}, `${t('reasons')} (${reasons.length})`),
          h(
            'ul',
            {},
            reasons.map((r) => h('li', {}, r)),
          ),
        )
      : null,
    status,
    h('div', { class: 'row2' }, wrap(t('notation'), 'notation'), wrap(t('issuedDate'), 'issuedDate')),
    wrap(t('issuer'), 'issuer'),
    h('div', { class: 'row2' }, wrap(t('docType'), 'typeName'), wrap(t('urgency'), 'urgency')),
    wrap(t('subject'), 'subject'),
    h('div', { class: 'row2' }, wrap(t('signer'), 'signer'), wrap(t('deadline'), 'dueDate')),
    h(
      'div',
      { class: 'actions' },
      submit,
      button(t('markNotDocument'), () => void notDocument()),
    ),
  );

  const values = (): RegisterFields => Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value])) as unknown as RegisterFields;

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(status);
    for (const c of Object.values(controls)) c.removeAttribute('aria-invalid');
    const missing = missingFields(values());
    if (missing.length) {
      for (const k of missing) controls[k].setAttribute('aria-invalid', 'true');
      controls[missing[0]].focus();
      replace(status, infoBar('warning', t('invalidTitle'), `${t('required')}: ${missing.map((k) => labelOf(k)).join(', ')}`));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('registering');
    const r = await ctx.call(() => ctx.registry.approve(doc.id, corrections(original, values())));
    submit.disabled = false;
    submit.textContent = t('register');
    if (r.ok) onDone(r.value);
    else if (r.problem) replace(status, problemBar(t, r.problem));
  });

  async function notDocument(): Promise<void> {
    const r = await ctx.call(() => ctx.registry.markNotDocument(doc.id));
    if (r.ok) onDone(r.value);
    else if (r.problem) replace(status, problemBar(t, r.problem));
  }

  function labelOf(k: keyof RegisterFields): string {
    const keys = {
      notation: 'notation',
      issuer: 'issuer',
      issuedDate: 'issuedDate',
      typeName: 'docType',
      subject: 'subject',
      signer: 'signer',
      urgency: 'urgency',
      dueDate: 'deadline',
    } as const;
    return t(keys[k]);
  }

  return form;
}
