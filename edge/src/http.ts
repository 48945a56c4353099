import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { EdgeMetrics } from './metrics.ts';

export interface EdgeHealth {
  status: 'ok' | 'degraded';
  uplinkConnected: boolean;
  devicesConnected: number;
  uplinkInflight: number;
  pendingReadings: number;
  outbox: { outboxRows: number; outboxBytes: number; oldestCreatedAt: number | null; pendingReadings: number };
}

/** Health and Prometheus metrics; thin: it only reads what the gateway reports. */
export function createEdgeHttp(deps: { logger: Logger; metrics: EdgeMetrics; health: () => EdgeHealth }) {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }), logController: quietRequests() });
  app.get('/health', async (_req, reply) => {
    const health = deps.health();
    // 200 even when degraded: the gateway still serves devices while the cloud is away.
    return reply.send(health);
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return app;
}

/** Per-request lines would drown the log (pages poll, Prometheus scrapes); errors are still logged. */
function quietRequests() {
  return new LogController({ disableRequestLogging: true });
}
