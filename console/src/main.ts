/** Entry point of the web console: pick the language, start the shell with its pages. */
import './styles.css';
import { ConsoleApp } from './app.ts';
import { booksPage } from './books.ts';
import { browserLocale, translator } from './i18n.ts';
import { myWorkPage } from './mywork.ts';
import { reviewPage } from './review.ts';
import { extensionsPage } from './extensions.ts';
import { adminPage } from './admin.ts';
import { itemListPage, itemPage, overviewPage } from './overview.ts';
import { reportsPage } from './reports.ts';
import { outgoingPage } from './outgoing.ts';

const locale = browserLocale(navigator.languages ?? [navigator.language]);
document.documentElement.lang = locale;
const t = translator(locale);
document.title = t('appName');
void new ConsoleApp(document.getElementById('app')!, t, {
  review: reviewPage,
  books: (ctx) => booksPage(ctx),
  my: (ctx) => myWorkPage(ctx),
  extensions: (ctx) => extensionsPage(ctx),
  admin: (ctx) => adminPage(ctx),
  overview: (ctx) => overviewPage(ctx),
  list: itemListPage,
  item: itemPage,
  reports: (ctx) => reportsPage(ctx),
  outgoing: (ctx) => outgoingPage(ctx),
}).start();
