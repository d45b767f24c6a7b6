/** GET /api/units: the configured units and their published addresses (the directory the Haraka plugin caches). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.ts';

export interface UnitsResponse {
  units: Array<{ id: string; name: string; organId: string | null; addresses: string[] }>;
  /**
   * Domains at which reply addresses act+<token>@<domain> are accepted (docs/act-by-email.md): the
   * domains of the published addresses while act by e-mail is on, else none.
   */
  replyDomains: string[];
}

export function unitRoutes(config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/units',
      { config: { permission: 'units.read' }, schema: { summary: 'Configured units, their published addresses, and the domains of reply (act+) addresses' } },
      async (): Promise<UnitsResponse> => ({
        units: config.units.map((u) => ({ id: u.id, name: u.name, organId: u.organId, addresses: u.addresses })),
        replyDomains: config.registry.actByMail.enabled
          ? [...new Set(config.units.flatMap((u) => u.addresses.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase())))]
          : [],
      }),
    );
  };
}
