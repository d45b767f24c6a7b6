/** Entry point of the task pane: wait for Outlook, pick the language, start the pane. */
import './styles.css';
import { Api, apiBase, clientFetch } from './api.ts';
import { hostReady, onItemChanged } from './host.ts';
import { localeFor, translator } from './i18n.ts';
import { Pane } from './pane.ts';
import { Registry } from './registry.ts';

async function boot(): Promise<void> {
  const host = await hostReady();
  const locale = localeFor(host.displayLanguage);
  document.documentElement.lang = locale;
  const t = translator(locale);
  document.title = t('appName');
  const pane = new Pane(document.getElementById('app')!, host, t, new Registry(new Api(apiBase(location.href), null, clientFetch('addin'))));
  pane.render();
  onItemChanged(() => pane.itemChanged());
}

void boot();
