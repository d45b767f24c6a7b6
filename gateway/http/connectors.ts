/** GET /api/connectors: the status of the mailbox connectors (IMAP accounts) the gateway polls. */
import type { FastifyInstance } from 'fastify';

/** What the IMAP adapter reports; the composition root (gateway/app.ts) hands its connectors in. */
export interface ConnectorStatusSource {
  report(): unknown;
}

export function connectorRoutes(connectors: ConnectorStatusSource) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/connectors',
      {
        config: { permission: 'connectors.read' },
        schema: { summary: 'Status of the mailbox connectors (IMAP accounts): connection, last sync, last error, counts' },
      },
      () => connectors.report(),
    );
  };
}
