/** The filter bar above a list (books, overview, report): Enter in any field reloads the list. */
import { type Child, h } from '../../addin/src/dom.ts';

export function filterForm(reload: () => Promise<void>, ...fields: Child[]): HTMLFormElement {
  const submit = (ev: Event) => {
    ev.preventDefault();
    void reload();
  };
  return h('form', { class: 'filters', role: 'search', on: { submit } }, ...fields);
}
