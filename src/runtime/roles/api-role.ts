import { buildApi } from '../api/build-api.ts';
import type { Role } from './role.ts';

/**
 * The HTTP API. Listens on the configured host and port (0 picks a free port; the
 * running role's `url` has the real one). Stopping closes the server: it stops
 * accepting connections and waits for in-flight requests.
 */
export const apiRole: Role = {
  name: 'api',
  doc: 'HTTP API: tenants, keys, audit, health, OpenAPI docs.',
  async start(context) {
    const app = buildApi(context.services, { logger: context.logger });
    await app.listen({ port: context.server.port, host: context.server.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : context.server.port;
    // A wildcard address is not somewhere to browse to; this machine is.
    const listening = context.server.host === '0.0.0.0' || context.server.host === '::' ? '127.0.0.1' : context.server.host;
    const host = listening.includes(':') ? `[${listening}]` : listening;
    return {
      name: 'api',
      url: `http://${host}:${port}`,
      async stop() {
        await app.close();
      },
    };
  },
};
