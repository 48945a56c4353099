import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { METRICS_TOKEN_HINT, metricsTokenMatches } from '@atrium/shared';
import { EDGE_ERRORS } from '../core/errors.ts';
import type { EdgeMetrics } from '../core/metrics.ts';
import type { EdgeHealth } from './report.ts';

export type { EdgeHealth };

/** A raw node handler that owns every request under `root` (the embedded Node-RED at /red). */
export interface HttpMount {
  root: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Health and Prometheus metrics; thin: it only reads what the gateway reports. Health is open
 * (load balancers, the stack's checks); metrics need the bearer token (shared/metrics-access.ts).
 */
export function createEdgeHttp(deps: { logger: Logger; metrics: EdgeMetrics; health: () => EdgeHealth; mount?: HttpMount | undefined; metricsToken: string | undefined }) {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }), logController: quietRequests() });
  if (deps.mount) {
    const { root, handle } = deps.mount;
    // Hijacked before fastify parses a body: the mounted (express) apps read the raw request themselves.
    const onRequest = (req: { raw: IncomingMessage }, reply: { hijack(): void; raw: ServerResponse }, done: () => void) => {
      reply.hijack();
      handle(req.raw, reply.raw);
      done();
    };
    app.all(root, { onRequest }, async () => undefined);
    app.all(`${root}/*`, { onRequest }, async () => undefined);
  }
  app.get('/health', async (_req, reply) => {
    const health = deps.health();
    // 200 even when degraded: the gateway still serves devices while the cloud is away.
    return reply.send(health);
  });
  app.get('/metrics', async (req, reply) => {
    if (!metricsTokenMatches(req.headers.authorization, deps.metricsToken)) {
      const code = 'ATRIUM_EDGE_METRICS_UNAUTHENTICATED';
      const message = deps.metricsToken ? METRICS_TOKEN_HINT : 'metrics are off: set ATRIUM_METRICS_TOKEN on the edge and scrape with "Authorization: Bearer <token>"';
      return reply.code(EDGE_ERRORS[code].status).header('www-authenticate', 'Bearer').send({ code, message });
    }
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return app;
}

/** Per-request lines would drown the log (pages poll, Prometheus scrapes); errors are still logged. */
function quietRequests() {
  return new LogController({ disableRequestLogging: true });
}
