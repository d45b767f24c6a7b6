/**
 * The pane's shell: session, header, tabs, and which view is showing. Views get a ViewContext;
 * a lapsed session anywhere brings the person back to sign-in and then to where they were.
 */
import { ApiError } from './api.ts';
import { h, replace } from './dom.ts';
import { paneMode, readItem, settings, type HostInfo, type PaneMode } from './host.ts';
import type { Translate } from './i18n.ts';
import type { Registry } from './registry.ts';
import { canReview, localToday, parseSession } from './state.ts';
import type { Session } from './types.ts';
import { errorProblem, type Outcome, type ViewContext } from './views/common.ts';
import { myWorkView, reviewView } from './views/lists.ts';
import { messageView } from './views/message.ts';
import { outgoingView } from './views/sent.ts';
import { signInView } from './views/signin.ts';

export type Tab = 'message' | 'mywork' | 'review' | 'outgoing';
const SESSION_KEY = 'session';

export class Pane {
  private session: Session | null;
  private tab: Tab;
  private notice: string | null = null;
  /** Who was signed in before a session lapsed: they are the one signing in again. */
  private lastEmail: string | null = null;
  private readonly mode: PaneMode;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostInfo,
    private readonly t: Translate,
    private readonly registry: Registry,
  ) {
    this.session = parseSession(settings.get(SESSION_KEY));
    this.registry.api.setToken(this.session?.token ?? null);
    this.mode = paneMode();
    this.tab = this.mode === 'compose' ? 'outgoing' : 'message';
  }

  tabs(): Tab[] {
    const role = this.session?.user.role;
    // Composing: sending for issuance comes first; reading: the message, and "Văn bản đi" beside the lists.
    return [
      ...(this.mode === 'compose' ? (['outgoing', 'mywork'] as Tab[]) : (['message', 'mywork', 'outgoing'] as Tab[])),
      ...(role && canReview(role) ? (['review'] as Tab[]) : []),
    ];
  }

  render(): void {
    if (!this.session) {
      replace(
        this.root,
        this.header(),
        signInView({
          t: this.t,
          registry: this.registry,
          email: this.lastEmail ?? this.host.userEmail,
          notice: this.notice,
          onSignedIn: (s) => void this.signedIn(s),
        }),
      );
      return;
    }
    replace(this.root, this.header(), this.tabBar(), this.view(this.context()));
  }

  /** A pinned pane moved to another message. */
  itemChanged(): void {
    if (this.session && this.tab === 'message') this.render();
  }

  private context(): ViewContext {
    return {
      t: this.t,
      registry: this.registry,
      session: this.session!,
      today: localToday(this.registry.api.now()),
      call: (fn) => this.call(fn),
    };
  }

  private view(ctx: ViewContext): HTMLElement {
    switch (this.tab) {
      case 'mywork':
        return myWorkView(ctx);
      case 'review':
        return reviewView(ctx);
      case 'outgoing':
        return outgoingView(ctx);
      default:
        return messageView(ctx, readItem(), this.host.inOutlook);
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'unauthenticated') {
        await this.expire();
        return { ok: false, problem: null };
      }
      return { ok: false, problem: errorProblem(err) };
    }
  }

  private async signedIn(session: Session): Promise<void> {
    this.session = session;
    this.notice = null;
    this.registry.api.setToken(session.token);
    await settings.set(SESSION_KEY, JSON.stringify(session)).catch(() => undefined);
    this.render();
  }

  private async expire(): Promise<void> {
    this.lastEmail = this.session?.user.email ?? this.lastEmail;
    this.session = null;
    this.notice = this.t('sessionExpired');
    this.registry.api.setToken(null);
    await settings.set(SESSION_KEY, null).catch(() => undefined);
    this.render();
  }

  private async signOut(): Promise<void> {
    await this.registry.logout().catch(() => undefined); // signing out locally matters more than telling the server
    this.session = null;
    this.notice = null;
    this.registry.api.setToken(null);
    await settings.set(SESSION_KEY, null).catch(() => undefined);
    this.render();
  }

  private header(): HTMLElement {
    const u = this.session?.user;
    return h(
      'header',
      { class: 'top' },
      h('img', { src: './assets/icon-32.png', alt: '' }),
      h('h1', {}, this.t('appName')),
      u ? h('span', { class: 'user', title: u.email }, `${u.name} · ${this.t(`role_${u.role}` as never)}`) : null,
      u ? h('button', { type: 'button', class: 'btn subtle', on: { click: () => void this.signOut() } }, this.t('signOut')) : null,
    );
  }

  private tabBar(): HTMLElement {
    const labels: Record<Tab, string> = {
      message: this.t('tabMessage'),
      mywork: this.t('tabMyWork'),
      review: this.t('tabReview'),
      outgoing: this.t('tabOutgoing'),
    };
    const tabs = this.tabs();
    const select = (tab: Tab) => {
      this.tab = tab;
      this.render();
      this.root.querySelector<HTMLElement>(`[data-tab="${tab}"]`)?.focus();
    };
    const bar = h(
      'nav',
      { class: 'tabs', role: 'tablist', 'aria-label': this.t('appName') },
      tabs.map((tab) =>
        h(
          'button',
          {
            type: 'button',
            class: 'tab',
            role: 'tab',
            'data-tab': tab,
            'aria-selected': String(tab === this.tab),
            tabindex: tab === this.tab ? 0 : -1,
            on: { click: () => select(tab) },
          },
          labels[tab],
        ),
      ),
    );
    // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab moves on into the content.
    bar.addEventListener('keydown', (ev) => {
      const i = tabs.indexOf(this.tab);
      const next =
        ev.key === 'ArrowRight'
          ? tabs[(i + 1) % tabs.length]
          : ev.key === 'ArrowLeft'
            ? tabs[(i - 1 + tabs.length) % tabs.length]
            : ev.key === 'Home'
              ? tabs[0]
              : ev.key === 'End'
                ? tabs[tabs.length - 1]
                : null;
      if (next) {
        ev.preventDefault();
        select(next);
      }
    });
    return bar;
  }
}
