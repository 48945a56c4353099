import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpDeps } from '../app.ts';

export interface CloudHealth {
  status: 'ok' | 'failing';
  store: {
    ok: boolean;
    uplinks?: number;
    error?: string;
    /** `influxdb` only: the disk buffer in front of InfluxDB and the last write failure. */
    kind?: 'embedded' | 'influxdb';
    accepting?: boolean;
    influx?: { url: string; writing: boolean; lastError?: string; lastErrorAt?: number; lastWriteAt?: number };
    buffer?: { points: number; uplinks: number; maxPoints: number };
    deadLetter?: { uplinks: number; points: number };
    rollupPendingHours?: number;
  };
  dispatch?: { openAlarms: number; activeOrders: number; queuedObservations: number; lastStepAt: number | null };
  gatewaysConnected: number;
  liveClients: number;
  uptimeS: number;
}

export const opsRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const health = await deps.health();
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
};
