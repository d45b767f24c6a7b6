/**
 * "Quản trị" (admins): is the gateway keeping up, and why not. The pipeline's backlog and queue
 * depths (GET /api/status), the messages that failed with a "Chạy lại" (retry) button (GET
 * /api/messages?state=failed, POST /api/messages/{id}/retry), the health of each connector — the
 * SMTP listener, the Haraka relay and every IMAP account (GET /api/connectors) — and, read-only,
 * the units (GET /api/units) and the users with their roles (GET /api/users). Prometheus reads the
 * same numbers at /metrics.
 */
import { button, h, replace } from '../../addin/src/dom.ts';
import type { Ctx } from './app.ts';
import type { ConsoleKey } from './i18n.ts';
import { instant } from './format.ts';
import { routingSection } from './routing.ts';

interface PipelineStatus {
  at: string;
  undecided: number;
  byState: Record<string, number>;
  oldestUndecided: { id: string; state: string; receivedAt: string; ageSeconds: number } | null;
  failed: number;
  queues: Record<string, Record<string, number>> | null;
  queuesError?: string;
}

interface FailedMessage {
  id: string;
  messageId: string | null;
  subject: string | null;
  fromAddr: string | null;
  source: string;
  receivedAt: string;
  lastError: string | null;
}

interface ImapAccount {
  id: string;
  host: string;
  port: number;
  user: string;
  unitId: string;
  state: string;
  connected: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
}

interface Connectors {
  imap: ImapAccount[];
  smtp?: { listening: boolean; host: string; port: number | null; received: number; lastReceivedAt: string | null };
  haraka?: { relayTokens: number; received: number; lastReceivedAt: string | null };
}

interface Unit {
  id: string;
  name: string;
  organId: string | null;
  addresses: string[];
}

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  unitId: string;
  department: string | null;
  active?: boolean;
}

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

export async function adminPage(ctx: Ctx): Promise<void> {
  const { api, t, main } = ctx;
  let status: PipelineStatus;
  let failed: FailedMessage[];
  let connectors: Connectors;
  let units: Unit[];
  let people: User[];
  try {
    [status, failed, connectors, units, people] = await Promise.all([
      api.request<PipelineStatus>('/api/status'),
      api.request<{ items: FailedMessage[] }>('/api/messages', { query: { state: 'failed', limit: '100' } }).then((r) => r.items),
      api.request<Connectors>('/api/connectors'),
      api.request<{ units: Unit[] }>('/api/units').then((r) => r.units),
      api.request<{ items: User[] }>('/api/users').then((r) => r.items),
    ]);
  } catch (err) {
    return ctx.fail(err);
  }
  const retry = async (m: FailedMessage) => {
    try {
      await api.request(`/api/messages/${m.id}/retry`, { method: 'POST' });
      await adminPage(ctx);
      ctx.notice(t('adminRetried', { id: m.messageId ?? m.id }));
    } catch (err) {
      ctx.fail(err);
    }
  };
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  // The routing rules load on their own (console/src/routing.ts): the rest of the page does not wait for them.
  const routing = h('section', { class: 'admin-routing', 'aria-labelledby': 'admin-routing' }, h('h3', { id: 'admin-routing' }, t('routingTitle')));
  replace(
    main,
    h('h2', {}, t('adminTitle')),
    h('p', { class: 'hint' }, t('adminIntro', { at: instant(status.at) })),
    pipeline(ctx, status),
    h(
      'section',
      { class: 'admin-failed', 'aria-labelledby': 'admin-failed' },
      h('h3', { id: 'admin-failed' }, t('adminFailedTitle', { n: failed.length })),
      failed.length
        ? table(
            [t('received'), t('from'), t('mailSubject'), t('adminLastError'), t('adminAction')],
            failed.map((m) =>
              h(
                'tr',
                { 'data-message': m.id },
                h('td', {}, instant(m.receivedAt)),
                h('td', {}, m.fromAddr ?? ''),
                h('td', {}, m.subject ?? m.messageId ?? m.id),
                h('td', { class: 'error-text' }, m.lastError ?? ''),
                h(
                  'td',
                  {},
                  button(t('adminRetry'), () => void retry(m)),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, t('adminNoFailed')),
    ),
    connectorsSection(ctx, connectors, unitName),
    routing,
    h(
      'section',
      { 'aria-labelledby': 'admin-units' },
      h('h3', { id: 'admin-units' }, t('adminUnitsTitle')),
      table(
        [t('adminUnitId'), t('unit'), t('adminOrganId'), t('adminAddresses')],
        units.map((u) =>
          h('tr', { 'data-unit': u.id }, h('td', {}, u.id), h('td', {}, u.name), h('td', {}, u.organId ?? ''), h('td', {}, u.addresses.join(', '))),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'admin-users' },
      h('h3', { id: 'admin-users' }, t('adminUsersTitle')),
      h('p', { class: 'hint' }, t('adminUsersHint')),
      table(
        [t('adminName'), t('email'), t('adminRole'), t('unit'), t('adminDepartment')],
        people.map((p) =>
          h(
            'tr',
            { 'data-user': p.email },
            h('td', {}, p.name),
            h('td', {}, p.email),
            h('td', { 'data-role': p.role }, t(`role_${p.role}`)),
            h('td', {}, unitName.get(p.unitId) ?? p.unitId),
            h('td', {}, p.department ?? ''),
          ),
        ),
      ),
    ),
  );
  await routingSection(ctx, routing);
}

function pipeline(ctx: Ctx, s: PipelineStatus): HTMLElement {
  const { t } = ctx;
  const states = Object.entries(s.byState);
  return h(
    'section',
    { class: 'admin-pipeline', 'aria-labelledby': 'admin-pipeline' },
    h('h3', { id: 'admin-pipeline' }, t('adminPipelineTitle')),
    h(
      'dl',
      {},
      h('dt', {}, t('adminUndecided')),
      h('dd', { 'data-undecided': String(s.undecided) }, String(s.undecided), states.length ? ` (${states.map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''),
      h('dt', {}, t('adminOldest')),
      h('dd', {}, s.oldestUndecided ? t('adminOldestAge', { at: instant(s.oldestUndecided.receivedAt), s: s.oldestUndecided.ageSeconds }) : '—'),
      h('dt', {}, t('adminFailedCount')),
      h('dd', { 'data-failed': String(s.failed), class: s.failed ? 'error-text' : '' }, String(s.failed)),
    ),
    s.queues
      ? table(
          [t('adminQueue'), ...QUEUE_STATES.map((k) => t(`adminQueue_${k}` as ConsoleKey))],
          Object.entries(s.queues).map(([name, counts]) =>
            h(
              'tr',
              { 'data-queue': name },
              h('td', {}, name),
              ...QUEUE_STATES.map((k) => h('td', { class: 'number', 'data-state': k }, String(counts[k] ?? 0))),
            ),
          ),
        )
      : h('p', { class: 'error-text' }, t('adminQueuesDown', { why: s.queuesError ?? '' })),
  );
}

function connectorsSection(ctx: Ctx, c: Connectors, unitName: Map<string, string>): HTMLElement {
  const { t } = ctx;
  const health = (ok: boolean, text: string) => h('span', { class: ok ? 'health ok' : 'health bad', 'data-ok': String(ok) }, text);
  const rows: HTMLElement[] = [];
  if (c.smtp)
    rows.push(
      h(
        'tr',
        { 'data-connector': 'smtp' },
        h('th', { scope: 'row' }, t('adminSmtp')),
        h('td', {}, health(c.smtp.listening, c.smtp.listening ? t('adminListening', { at: `${c.smtp.host}:${c.smtp.port}` }) : t('adminNotListening'))),
        h('td', {}, t('adminReceived', { n: c.smtp.received, at: c.smtp.lastReceivedAt ? instant(c.smtp.lastReceivedAt) : '—' })),
      ),
    );
  if (c.haraka)
    rows.push(
      h(
        'tr',
        { 'data-connector': 'haraka' },
        h('th', { scope: 'row' }, t('adminHaraka')),
        h('td', {}, health(c.haraka.relayTokens > 0, c.haraka.relayTokens > 0 ? t('adminRelayTokens', { n: c.haraka.relayTokens }) : t('adminNoRelay'))),
        h('td', {}, t('adminReceived', { n: c.haraka.received, at: c.haraka.lastReceivedAt ? instant(c.haraka.lastReceivedAt) : '—' })),
      ),
    );
  for (const a of c.imap)
    rows.push(
      h(
        'tr',
        { 'data-connector': `imap:${a.id}` },
        h('th', { scope: 'row' }, `IMAP ${a.user}@${a.host}:${a.port}`, h('span', { class: 'meta' }, unitName.get(a.unitId) ?? a.unitId)),
        h(
          'td',
          {},
          health(a.connected || (a.state !== 'backoff' && !a.lastError), `${a.state}${a.failures ? ` · ${t('adminFailures', { n: a.failures })}` : ''}`),
        ),
        h(
          'td',
          {},
          a.lastSyncAt ? t('adminLastSync', { at: instant(a.lastSyncAt) }) : '',
          a.lastError ? h('div', { class: 'error-text' }, `${instant(a.lastErrorAt)} ${a.lastError}`) : null,
        ),
      ),
    );
  return h(
    'section',
    { class: 'admin-connectors', 'aria-labelledby': 'admin-connectors' },
    h('h3', { id: 'admin-connectors' }, t('adminConnectorsTitle')),
    table([t('adminConnector'), t('adminHealth'), t('adminActivity')], rows),
    c.imap.length ? null : h('p', { class: 'hint' }, t('adminNoImap')),
  );
}

function table(heads: string[], rows: HTMLElement[]): HTMLElement {
  return h('table', {}, h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, ...rows));
}
