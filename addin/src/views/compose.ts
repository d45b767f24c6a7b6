/** Composing: sending the draft as an outgoing document arrives with the outgoing-book work; until then the entry says so. */
import { h } from '../dom.ts';
import type { Translate } from '../i18n.ts';

export function composeView(t: Translate): HTMLElement {
  return h(
    'main',
    { id: 'compose-view', 'aria-labelledby': 'compose-title' },
    h(
      'section',
      { class: 'card' },
      h('h2', { id: 'compose-title' }, t('composeTitle')),
      h('button', { type: 'button', class: 'btn block', 'aria-disabled': 'true', disabled: true, 'aria-describedby': 'outgoing-soon' }, t('sendAsOutgoing')),
      h('p', { class: 'muted below', id: 'outgoing-soon' }, t('sendAsOutgoingSoon')),
    ),
  );
}
