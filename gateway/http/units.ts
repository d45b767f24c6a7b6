/** GET /api/units: the configured units and their published addresses (the directory the Haraka plugin caches). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.ts';

export interface UnitsResponse {
  units: Array<{ id: string; name: string; organId: string | null; addresses: string[] }>;
}

export function unitRoutes(config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/units',
      { config: { permission: 'units.read' }, schema: { summary: 'Configured units and their published addresses' } },
      async (): Promise<UnitsResponse> => ({
        units: config.units.map((u) => ({ id: u.id, name: u.name, organId: u.organId, addresses: u.addresses })),
      }),
    );
  };
}
