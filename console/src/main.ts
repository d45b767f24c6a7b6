/**
 * Entry point of the web console: pick the language, start the shell with its pages. Each page is
 * its own chunk, fetched when first opened (Vite code-splitting): the first page a person opens
 * loads the shell and that page only — not Chart.js (overview, reports) nor pdf.js (review item).
 * The chunk of the page in the address is fetched at once, while the shell asks who is signed in.
 */
import './styles.css';
import { ConsoleApp } from './app.ts';
import { browserLocale, translator } from './i18n.ts';

const chunks = {
  review: () => import('./review.ts'),
  books: () => import('./books.ts'),
  my: () => import('./mywork.ts'),
  extensions: () => import('./extensions.ts'),
  assign: () => import('./assign.ts'),
  admin: () => import('./admin.ts'),
  overview: () => import('./overview.ts'),
  reports: () => import('./reports.ts'),
  outgoing: () => import('./outgoing.ts'),
  issuance: () => import('./issuance.ts'),
  send: () => import('./compose.ts'),
};
const opened = /^#\/([a-z]+)/.exec(location.hash)?.[1];
if (opened && opened in chunks) void chunks[opened as keyof typeof chunks]().catch(() => undefined);

const locale = browserLocale(navigator.languages ?? [navigator.language]);
document.documentElement.lang = locale;
const t = translator(locale);
document.title = t('appName');
void new ConsoleApp(document.getElementById('app')!, t, {
  review: async (ctx, arg) => (await chunks.review()).reviewPage(ctx, arg),
  books: async (ctx) => (await chunks.books()).booksPage(ctx),
  my: async (ctx) => (await chunks.my()).myWorkPage(ctx),
  extensions: async (ctx) => (await chunks.extensions()).extensionsPage(ctx),
  assign: async (ctx) => (await chunks.assign()).assignPage(ctx),
  admin: async (ctx) => (await chunks.admin()).adminPage(ctx),
  overview: async (ctx) => (await chunks.overview()).overviewPage(ctx),
  list: async (ctx, arg) => (await chunks.overview()).itemListPage(ctx, arg),
  item: async (ctx, arg) => (await chunks.overview()).itemPage(ctx, arg),
  reports: async (ctx) => (await chunks.reports()).reportsPage(ctx),
  outgoing: async (ctx, arg) => (await chunks.outgoing()).outgoingPage(ctx, arg),
  issuance: async (ctx, arg) => (await chunks.issuance()).issuancePage(ctx, arg),
  send: async (ctx) => (await chunks.send()).composePage(ctx),
}).start();
