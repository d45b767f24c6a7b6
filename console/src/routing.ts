/**
 * The admin page's routing rules (GET /api/routing-rules, PUT and DELETE /api/routing-rules/{unit};
 * gateway/registry/workflow/routing-rules.ts): per unit, the rules in force in order — the first a
 * document matches gives its department and officer — edited in place (conditions, department,
 * officer; add, remove, move up and down) and saved as the unit's list, or dropped so the
 * configuration's rules apply again. Leaders may read them through the API; only admins edit.
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, h, replace } from '../../addin/src/dom.ts';
import type { Ctx } from './app.ts';
import { instant } from './format.ts';

interface Rule {
  /** Set by the API on the rules it lists; the unit of the list they are saved in decides. */
  unit?: string;
  recipient?: string;
  issuer?: string;
  typeCode?: string;
  keywords?: string[];
  department: string;
  officer?: string;
}
interface UnitRules {
  unitId: string;
  unitName: string;
  source: 'config' | 'database';
  updatedBy: string | null;
  updatedAt: string | null;
  rules: Rule[];
  departments: Array<{ id: string; name: string }>;
}

const TEXT_KEYS = [
  ['recipient', 'routingRecipient'],
  ['issuer', 'routingIssuer'],
  ['typeCode', 'routingType'],
  ['keywords', 'routingKeywords'],
] as const;

/** Fills `section` with the rules of every unit the admin sees. */
export async function routingSection(ctx: Ctx, section: HTMLElement): Promise<void> {
  const { api, t } = ctx;
  let units: UnitRules[];
  try {
    units = (await api.request<{ units: UnitRules[] }>('/api/routing-rules')).units;
  } catch (err) {
    replace(section, h('h3', { id: 'admin-routing' }, t('routingTitle')), h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  replace(
    section,
    h('h3', { id: 'admin-routing' }, t('routingTitle')),
    h('p', { class: 'hint' }, t('routingIntro')),
    ...units.map((u) => unitRules(ctx, section, u)),
  );
}

function unitRules(ctx: Ctx, section: HTMLElement, u: UnitRules): HTMLElement {
  const { api, t } = ctx;
  let rules: Rule[] = u.rules.map((r) => ({ ...r }));
  const body = h('tbody', {});
  const cell = (i: number, key: (typeof TEXT_KEYS)[number][0], label: string) => {
    const r = rules[i];
    const input = h('input', {
      type: 'text',
      name: `${key}-${i}`,
      'aria-label': `${label} — ${t('routingRule', { n: i + 1 })}`,
      placeholder: t('routingAny'),
      value: key === 'keywords' ? (r.keywords ?? []).join(', ') : (r[key] ?? ''),
    });
    input.addEventListener('input', () => {
      if (key === 'keywords')
        r.keywords = input.value
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean);
      else r[key] = input.value.trim() || undefined;
    });
    return h('td', {}, input);
  };
  const move = (i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= rules.length) return;
    [rules[i], rules[j]] = [rules[j], rules[i]];
    draw();
  };
  const draw = () => {
    replace(
      body,
      ...rules.map((r, i) => {
        const dept = h(
          'select',
          { name: `department-${i}`, 'aria-label': `${t('routingDepartment')} — ${t('routingRule', { n: i + 1 })}` },
          ...(u.departments.length ? u.departments : [{ id: r.department, name: r.department }]).map((d) =>
            h('option', { value: d.id, selected: d.id === r.department }, d.name),
          ),
        );
        dept.addEventListener('change', () => (r.department = dept.value));
        const officer = h('input', {
          type: 'email',
          name: `officer-${i}`,
          'aria-label': `${t('routingOfficer')} — ${t('routingRule', { n: i + 1 })}`,
          value: r.officer ?? '',
        });
        officer.addEventListener('input', () => (r.officer = officer.value.trim() || undefined));
        return h(
          'tr',
          { 'data-rule': String(i) },
          h('th', { scope: 'row' }, String(i + 1)),
          ...TEXT_KEYS.map(([key, label]) => cell(i, key, t(label))),
          h('td', {}, dept),
          h('td', {}, officer),
          h(
            'td',
            { class: 'rule-actions' },
            button(t('routingUp'), () => move(i, -1), { disabled: i === 0 }),
            button(t('routingDown'), () => move(i, 1), { disabled: i === rules.length - 1 }),
            button(t('routingRemove'), () => {
              rules.splice(i, 1);
              draw();
            }),
          ),
        );
      }),
    );
  };
  draw();
  const done = async (call: Promise<UnitRules>, message: string) => {
    try {
      await call;
      await routingSection(ctx, section);
      ctx.notice(message);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'invalid') ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  const save = () =>
    done(
      api.request<UnitRules>(`/api/routing-rules/${encodeURIComponent(u.unitId)}`, { method: 'PUT', json: { rules: rules.map(({ unit: _unit, ...r }) => r) } }),
      t('routingSaved', { n: rules.length, unit: u.unitName }),
    );
  const reset = () =>
    done(api.request<UnitRules>(`/api/routing-rules/${encodeURIComponent(u.unitId)}`, { method: 'DELETE' }), t('routingResetDone', { unit: u.unitName }));
  const heads = ['#', ...TEXT_KEYS.map(([, label]) => t(label)), t('routingDepartment'), t('routingOfficer'), t('adminAction')];
  return h(
    'div',
    { class: 'unit-routing', 'data-unit': u.unitId, 'data-source': u.source },
    h('h4', {}, u.unitName),
    h(
      'p',
      { class: 'hint' },
      u.source === 'database' ? t('routingSource_database', { by: u.updatedBy ?? '', at: instant(u.updatedAt) }) : t('routingSource_config'),
    ),
    h(
      'table',
      { class: 'routing' },
      h('caption', {}, `${t('routingTitle')} — ${u.unitName}`),
      h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', { scope: 'col' }, x)))),
      body,
    ),
    rules.length ? null : h('p', { class: 'empty' }, t('routingEmpty')),
    h(
      'div',
      { class: 'actions' },
      button(t('routingAdd'), () => {
        rules = [...rules, { department: u.departments[0]?.id ?? '' }];
        draw();
      }),
      button(t('routingSave'), () => void save(), { primary: true }),
      u.source === 'database' ? button(t('routingReset'), () => void reset()) : null,
    ),
  );
}
