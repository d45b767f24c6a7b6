import { authorizeUnit, unitScope } from '../../registry/access/policy.ts';
import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { UserRole } from '../../config/registry.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';
import { localTime, namesFrom, outputMode, printTable } from '../output.ts';

const usersModule = () => import('../../registry/users/users.ts');

interface UserRow {
  email: string;
  name: string;
  unitId: string;
  role: string;
  department: string | null;
  source: string;
  active: boolean;
  createdAt: string | Date;
}

const USAGE =
  'vanthu users add --unit U --role officer|clerk|leader|admin --name NAME --email EMAIL [--department D] (--password-stdin | --ldap)\n       vanthu users list [--unit U] [--json|--table]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const command: Command = {
  summary: 'add and list users (roles officer, clerk, leader, admin)',
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        email: { type: 'string' },
        department: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        ldap: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const config = loadConfig();
    const sub = positionals[0];
    if (sub === 'list') {
      const q = values.unit ? `?unit=${encodeURIComponent(values.unit)}` : '';
      return runCli('users', async () => {
        const list = (await callRegistry(config, {
          method: 'GET',
          path: `/api/users${q}`,
          direct: async (rt, p) => ({ items: await (await usersModule()).listUsers(rt.db, unitScope(p, values.unit ?? null)) }),
        })) as { items: UserRow[] };
        if (outputMode(values, 'json') === 'json') printJson(list);
        else {
          const names = namesFrom(config);
          printTable(
            [
              { title: 'EMAIL' },
              { title: 'HỌ TÊN (NAME)' },
              { title: 'VAI TRÒ (ROLE)' },
              { title: 'ĐƠN VỊ (UNIT)', max: 36 },
              { title: 'PHÒNG (DEPARTMENT)', max: 30 },
              { title: 'NGUỒN (SOURCE)' },
              { title: 'TẠO LÚC (CREATED)' },
            ],
            list.items.map((u) => [
              u.active ? u.email : `${u.email} (ngừng)`,
              u.name,
              u.role,
              names.unit(u.unitId),
              names.department(u.unitId, u.department),
              u.source,
              localTime(u.createdAt, names.timeZone),
            ]),
            'Chưa có người dùng nào (no users)',
          );
        }
        return 0;
      });
    }
    if (sub !== 'add') throw new UsageError(`expected "add" or "list"\nUsage: ${USAGE}`);
    for (const k of ['unit', 'role', 'name', 'email'] as const) if (!values[k]) throw new UsageError(`missing --${k}\nUsage: ${USAGE}`);
    if (values['password-stdin'] === values.ldap) throw new UsageError(`give exactly one of --password-stdin or --ldap\nUsage: ${USAGE}`);
    const password = values['password-stdin'] ? await readStdin() : undefined;
    const body = {
      unit: values.unit!,
      role: values.role as UserRole,
      name: values.name!,
      email: values.email!,
      department: values.department,
      password,
      source: values.ldap ? ('ldap' as const) : ('local' as const),
    };
    return runCli('users', async () => {
      printJson(
        await callRegistry(config, {
          method: 'POST',
          path: '/api/users',
          body,
          direct: (rt, p) => {
            authorizeUnit(p, 'users.manage', body.unit);
            return usersModule().then((m) => m.addUser(rt.db, config, { ...body, unitId: body.unit }, p.name, rt.clock));
          },
        }),
      );
      return 0;
    });
  },
};
