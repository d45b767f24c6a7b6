/** GET /api/status: is the pipeline keeping up — undecided messages, the oldest one's age, queue depths (docs/operations.md). */
import type { FastifyInstance } from 'fastify';

export function statusRoutes(read: () => Promise<unknown>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/status',
      {
        config: { permission: 'status.read' },
        schema: { summary: 'Pipeline backlog: undecided messages by state, the oldest undecided message and its age, jobs per queue' },
      },
      () => read(),
    );
  };
}
