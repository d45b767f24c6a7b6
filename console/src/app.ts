/**
 * The console's shell: the session (token in sessionStorage), the header with the person's name,
 * role and unit, the navigation, and the hash routes (#/review, #/review/<id>, #/books, #/my,
 * #/extensions, #/admin); the review queue and "my work" refresh themselves on server-sent events
 * (console/src/live.ts).
 * Every page gets the same Ctx: the API client, the words, the person, and how to show a problem.
 */
import { Api, ApiError, clientFetch } from '../../addin/src/api.ts';
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { Translate } from './i18n.ts';
import { listen, type LiveFeed } from './live.ts';
import { may } from './permissions.ts';

export const TOKEN_KEY = 'vanthu.console.token';

export interface Me {
  id: string | null;
  name: string;
  email: string | null;
  role: 'officer' | 'clerk' | 'leader' | 'admin';
  unitId: string | null;
  unitName: string | null;
}

export interface Ctx {
  api: Api;
  t: Translate;
  me: Me;
  /** The page's area. */
  main: HTMLElement;
  /** Shows a failed call as the person should read it (403: not for your role; 401: sign in again). */
  fail(err: unknown): void;
  /** Brief confirmation under the header. */
  notice(text: string): void;
  /** Opens a page; `notice` is shown once it is there. */
  go(hash: string, notice?: string): void;
  /**
   * Installs the page's keyboard handler (j/k …). A page that finishes rendering after the person
   * moved on installs nothing: the page now open keeps its keys (or none).
   */
  keys(handler: ((ev: KeyboardEvent) => void) | null): void;
}

type Page = (ctx: Ctx, arg: string | undefined) => Promise<void>;

/** Does the authorisation policy grant `me` this permission (console/src/permissions.ts)? The API decides again on every call. */
export const can = may;

/** Pages redrawn when the gateway says documents changed (besides the review queue): lists, and the item a leader may be assigning. */
const LIVE_PAGES = new Set(['my', 'assign', 'extensions', 'list', 'item', 'outgoing']);

export class ConsoleApp {
  private readonly api: Api;
  private me: Me | null = null;
  private status: HTMLElement = h('p', { class: 'notice', role: 'status' });
  private main: HTMLElement = h('main', { id: 'main' });
  private pendingNotice: string | null = null;
  /** The open page's live feed (console/src/live.ts), closed when the page changes. */
  private live: LiveFeed | null = null;
  /** Counts page changes: a live refresh started for one page never renders over the next. */
  private shown = 0;
  /** The open page's keyboard handler (j/k …), set through `Ctx.keys`; cleared when the page changes. */
  private keys: ((ev: KeyboardEvent) => void) | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly t: Translate,
    private readonly pages: Record<string, Page>,
  ) {
    this.api = new Api(new URL('./', location.href).href, sessionStorage.getItem(TOKEN_KEY), clientFetch('console'));
    window.addEventListener('hashchange', () => void this.route());
    document.addEventListener('keydown', (ev) => {
      const target = ev.target as HTMLElement | null;
      const typing = !!target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
      if (typing && !(ev.ctrlKey || ev.metaKey || ev.altKey || ev.key === 'Escape')) return;
      this.keys?.(ev);
    });
  }

  async start(): Promise<void> {
    if (!sessionStorage.getItem(TOKEN_KEY)) return this.signIn();
    try {
      this.me = await this.api.request<Me>('/api/auth/me');
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'unauthenticated') return this.signIn(this.t('sessionExpired'));
      return this.fatal(err);
    }
    this.shell();
    await this.route();
  }

  private signIn(message?: string): void {
    this.keys = null;
    this.live?.close();
    this.live = null;
    sessionStorage.removeItem(TOKEN_KEY);
    this.api.setToken(null);
    const t = this.t;
    const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('signIn'));
    const form = h(
      'form',
      {
        class: 'signin',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            submit.disabled = true;
            submit.textContent = t('signingIn');
            void this.api
              .request<{ token: string }>('/api/auth/login', { json: { email: email.value.trim(), password: password.value } })
              .then(async (s) => {
                sessionStorage.setItem(TOKEN_KEY, s.token);
                this.api.setToken(s.token);
                await this.start();
              })
              .catch((err) => {
                submit.disabled = false;
                submit.textContent = t('signIn');
                error.textContent = err instanceof ApiError && err.kind === 'unauthenticated' ? t('badCredentials') : (err as Error).message;
              });
          },
        },
      },
      h('h1', {}, t('appName')),
      h('h2', {}, t('signInTitle')),
      h('p', {}, t('signInIntro')),
      field(t('email'), email),
      field(t('password'), password),
      error,
      submit,
    );
    replace(this.root, form);
    email.focus();
  }

  private async signOut(): Promise<void> {
    try {
      await this.api.request('/api/auth/logout', { method: 'POST' });
    } catch {
      // The token is dropped either way.
    }
    location.hash = '';
    this.signIn();
  }

  private shell(): void {
    const { t } = this;
    const me = this.me!;
    const nav = h(
      'nav',
      { 'aria-label': t('appName') },
      // What each role works on; the API decides what it may see (a page it may not answers 403).
      ...(
        [
          ['review', 'navReview', me.role === 'clerk' || me.role === 'admin'],
          ['books', 'navBooks', me.role !== 'officer'],
          ['my', 'navMyWork', true],
          ['overview', 'navOverview', me.role === 'leader' || me.role === 'admin'],
          ['assign', 'navAssign', can(me, 'documents.assign')],
          ['extensions', 'navExtensions', me.role === 'leader' || me.role === 'admin'],
          ['reports', 'navReports', me.role !== 'officer'],
          ['outgoing', 'navOutgoing', true],
          ['issuance', 'navIssuance', may(me, 'outgoing.issue')],
          ['send', 'navSend', may(me, 'outgoing.submit')],
          ['admin', 'navAdmin', me.role === 'admin'],
        ] as const
      )
        .filter(([, , shown]) => shown)
        .map(([page, key]) => h('a', { href: `#/${page}`, 'data-page': page }, t(key))),
    );
    const user = h(
      'div',
      { class: 'user', 'data-testid': 'user' },
      h('span', { class: 'name' }, me.name),
      h('span', { class: 'role', 'data-role': me.role }, t(`role_${me.role}`)),
      h('span', { class: 'unit' }, me.unitName ?? me.unitId ?? ''),
      button(t('signOut'), () => void this.signOut()),
    );
    replace(this.root, h('header', {}, h('strong', { class: 'app' }, t('appName')), nav, user), this.status, this.main);
  }

  private defaultPage(): string {
    if (this.me?.role === 'leader') return 'overview';
    return this.me?.role === 'clerk' || this.me?.role === 'admin' ? 'review' : 'my';
  }

  private async route(): Promise<void> {
    if (!this.me) return;
    const [, page = this.defaultPage(), arg] = /^#\/([a-z]+)(?:\/(.+))?/.exec(location.hash) ?? [];
    const render = this.pages[page] ?? this.pages[this.defaultPage()];
    this.root.querySelectorAll('nav a').forEach((a) => a.toggleAttribute('aria-current', a.getAttribute('data-page') === page));
    this.keys = null;
    this.live?.close();
    this.live = null;
    delete this.main.dataset.stale;
    const shown = ++this.shown;
    this.status.textContent = this.pendingNotice ?? '';
    this.pendingNotice = null;
    // Each page draws into its own <main>: a slower page still rendering when the person moved on
    // writes into a detached element, never over the page now open.
    const main = h('main', { id: 'main' }, h('p', { class: 'loading' }, this.t('loading')));
    this.main.replaceWith(main);
    this.main = main;
    const decoded = arg ? decodeURIComponent(arg) : undefined;
    await render(this.ctx(), decoded);
    // Lists that change while open refresh themselves when the gateway says documents changed.
    const name = this.pages[page] ? page : this.defaultPage();
    if (shown === this.shown && ((name === 'review' && !decoded) || LIVE_PAGES.has(name)))
      this.live = listen({
        base: new URL('./', location.href).href,
        token: () => sessionStorage.getItem(TOKEN_KEY),
        onChange: () => this.refresh(shown, render, decoded),
      });
  }

  /**
   * Renders the open list again in place (no "loading", the notice kept). Not while the person is
   * in a field or has typed something not yet sent (a comment): the list is marked `data-stale`
   * and redrawn once they leave the field with nothing pending, or send it. The selected row of the
   * review queue stays selected.
   */
  private refresh(shown: number, render: Page, arg: string | undefined): void {
    if (shown !== this.shown) return;
    if (this.editing()) {
      if (this.main.dataset.stale) return;
      this.main.dataset.stale = 'true';
      const later = () => {
        this.main.removeEventListener('focusout', later);
        this.main.removeEventListener('submit', later);
        delete this.main.dataset.stale;
        setTimeout(() => this.refresh(shown, render, arg), 0); // once the focus has moved, or the form was sent
      };
      this.main.addEventListener('focusout', later);
      this.main.addEventListener('submit', later);
      return;
    }
    const selected = this.main.querySelector<HTMLElement>('li.selected[data-document]')?.dataset.document;
    void render(this.ctx(), arg).then(() => {
      if (shown !== this.shown || !selected) return;
      const rows = Array.from(this.main.querySelectorAll<HTMLElement>('ol.queue > li[data-document]'));
      const at = rows.findIndex((r) => r.dataset.document === selected);
      // The page's own keys move the selection (j: next), so its state follows.
      for (let i = 0; i < at; i++) this.keys?.(new KeyboardEvent('keydown', { key: 'j' }));
    });
  }

  /** A field of the page has the focus, or holds text the person typed and has not sent. */
  private editing(): boolean {
    const active = document.activeElement;
    if (active && this.main.contains(active) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName)) return true;
    // A choice made in a list (an officer picked) and not sent: the one selected is not the one the page drew.
    const drawn = (s: HTMLSelectElement) =>
      Math.max(
        0,
        Array.from(s.options).findIndex((o) => o.defaultSelected),
      );
    if (Array.from(this.main.querySelectorAll('select')).some((s) => s.options.length > 0 && s.selectedIndex !== drawn(s))) return true;
    return Array.from(this.main.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')).some((f) => f.value !== f.defaultValue);
  }

  private ctx(): Ctx {
    const main = this.main;
    return {
      api: this.api,
      t: this.t,
      me: this.me!,
      main,
      fail: (err) => this.problem(err, main),
      notice: (text) => {
        this.status.textContent = text;
      },
      go: (hash, notice) => {
        this.pendingNotice = notice ?? null;
        if (location.hash === hash) void this.route();
        else location.hash = hash;
      },
      keys: (handler) => {
        if (main === this.main) this.keys = handler;
      },
    };
  }

  /** Shows a failure in the page that met it (`main`); a page already left stays as it is. */
  private problem(err: unknown, main: HTMLElement): void {
    const { t } = this;
    if (err instanceof ApiError && err.kind === 'unauthenticated') return this.signIn(t('sessionExpired'));
    if (main !== this.main) return;
    this.keys = null;
    if (err instanceof ApiError && err.kind === 'forbidden') {
      replace(
        main,
        h('section', { class: 'problem', role: 'alert', 'data-problem': 'forbidden' }, h('h2', {}, t('forbiddenTitle')), h('p', {}, t('forbiddenHelp'))),
      );
      return;
    }
    // A document of another unit answers as one that does not exist (gateway/registry/access/policy.ts).
    if (err instanceof ApiError && err.kind === 'not-found') {
      replace(
        main,
        h('section', { class: 'problem', role: 'alert', 'data-problem': 'not-found' }, h('h2', {}, t('notFoundTitle')), h('p', {}, t('notFoundHelp'))),
      );
      return;
    }
    const text = err instanceof ApiError && err.kind === 'unreachable' ? t('unreachable') : (err as Error).message;
    replace(
      main,
      h(
        'section',
        { class: 'problem', role: 'alert', 'data-problem': 'error' },
        h('h2', {}, t('errorTitle')),
        h('p', {}, text),
        button(t('retry'), () => void this.route()),
      ),
    );
  }

  private fatal(err: unknown): void {
    replace(this.root, h('p', { class: 'error', role: 'alert' }, (err as Error).message));
  }
}
