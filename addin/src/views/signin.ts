/** Sign-in with the registry's users; the token is kept in the person's Office roaming settings. */
import { h, field } from '../dom.ts';
import type { Translate } from '../i18n.ts';
import type { Registry } from '../registry.ts';
import type { Session } from '../types.ts';
import { errorProblem, infoBar, problemBar } from './common.ts';

export interface SignInOptions {
  t: Translate;
  registry: Registry;
  /** Pre-filled from the Outlook profile. */
  email: string | null;
  /** Why the person is here again (session expired). */
  notice: string | null;
  onSignedIn(session: Session): void;
}

export function signInView(o: SignInOptions): HTMLElement {
  const { t } = o;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: o.email ?? '', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary block' }, t('signIn'));
  const status = h('div', { 'aria-live': 'assertive' });
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, t('signInTitle')),
    h('p', { class: 'muted' }, t('signInIntro')),
    o.notice ? infoBar('warning', o.notice) : null,
    status,
    field(t('email'), email),
    field(t('password'), password),
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    if (!email.value.trim() || !password.value) {
      (email.value.trim() ? password : email).focus();
      status.append(infoBar('warning', t('badCredentials')));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('signingIn');
    try {
      o.onSignedIn(await o.registry.login(email.value.trim(), password.value));
    } catch (err) {
      const p = errorProblem(err);
      // 401 here means the password was wrong, not that a session lapsed.
      status.append(p.kind === 'unauthenticated' || p.kind === 'invalid' ? infoBar('danger', t('badCredentials')) : problemBar(t, p));
      password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = t('signIn');
    }
  });
  queueMicrotask(() => (email.value ? password : email).focus());
  return h('main', {}, form);
}
