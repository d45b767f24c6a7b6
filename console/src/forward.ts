/**
 * "Chuyển" on a review item: forward the document as it came to another unit of this gateway (local
 * delivery) or to a mail address (POST /api/documents/{id}/forward, gateway/registry/workflow/forward.ts),
 * with a note. Alt+C forwards when a target is chosen, else goes to the choice.
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, field, h } from '../../addin/src/dom.ts';
import type { Ctx } from './app.ts';

export interface ForwardForm {
  el: HTMLElement;
  /** Forwards, or moves the focus to what is missing. */
  send(): Promise<void>;
}

export function forwardForm(ctx: Ctx, documentId: string, ownUnit: string, units: Array<{ id: string; name: string }>): ForwardForm {
  const { t, api } = ctx;
  const unit = h(
    'select',
    { name: 'forwardUnit' },
    h('option', { value: '' }, t('forwardChoose')),
    ...units.filter((u) => u.id !== ownUnit).map((u) => h('option', { value: u.id }, u.name)),
  );
  const address = h('input', { name: 'forwardAddress', type: 'email', autocomplete: 'off' });
  const note = h('input', { name: 'forwardNote', type: 'text' });
  const send = async () => {
    if (!unit.value && !address.value.trim()) {
      ctx.notice(t('forwardNeedTarget'));
      return unit.focus();
    }
    try {
      const r = await api.request<{ forwarded: { to: string; unit: string | null } }>(`/api/documents/${encodeURIComponent(documentId)}/forward`, {
        json: { ...(unit.value ? { unit: unit.value } : { address: address.value.trim() }), ...(note.value.trim() ? { note: note.value.trim() } : {}) },
      });
      const to = r.forwarded.unit ? (units.find((u) => u.id === r.forwarded.unit)?.name ?? r.forwarded.to) : r.forwarded.to;
      ctx.go('#/review', t('forwarded', { to }));
    } catch (err) {
      if (err instanceof ApiError && (err.kind === 'invalid' || err.kind === 'conflict')) ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  const el = h(
    'fieldset',
    { class: 'forward' },
    h('legend', {}, t('forwardTitle')),
    h('p', { class: 'hint' }, t('forwardIntro')),
    field(t('forwardUnit'), unit),
    field(t('forwardAddress'), address),
    field(t('forwardNote'), note),
    h(
      'div',
      { class: 'actions' },
      button(t('forward'), () => void send()),
    ),
  );
  return { el, send };
}
