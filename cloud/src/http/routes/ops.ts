import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, CloudHealth, METRICS_TOKEN_HINT, metricsTokenMatches, TextBody } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';
import { requireRole } from '../auth.ts';
import { Errors } from '../../errors.ts';

/** Who may scrape /metrics besides an admin's API key: Prometheus, with ATRIUM_METRICS_TOKEN (shared/metrics-access.ts). */
export interface MetricsAccess {
  metricsToken?: string | undefined;
}

/**
 * Health is anonymous on purpose (load balancers hold no key). Metrics are not: they list
 * gateways, refusals and backlogs, so they answer Prometheus' bearer token or an admin.
 */
export const opsRoutes: FastifyPluginAsyncZod<HttpDeps & MetricsAccess> = async (app, deps) => {
  const scraper = (req: FastifyRequest) => metricsTokenMatches(req.headers.authorization, deps.metricsToken);
  app.get(
    '/health',
    { schema: { summary: 'Health of the cloud and its stores (503 with the same body while failing)', security: [], response: { 200: CloudHealth, 503: CloudHealth, ...apiErrors(500) } } },
    async (_req, reply) => {
      const health = await deps.health();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format): Prometheus\' bearer token (ATRIUM_METRICS_TOKEN) or an admin\'s API key',
        response: { 200: { content: { 'text/plain': { schema: TextBody } } }, ...apiErrors(401, 403, 500) },
      },
      // The token is no API key, so the auth hook took it for a refused one; here it is known.
      onRequest: async (req) => {
        if (scraper(req)) req.badKey = false;
      },
    },
    async (req, reply) => {
      if (!scraper(req)) {
        if (!req.principal) throw new Errors.Unauthenticated(`${METRICS_TOKEN_HINT} or an admin's API key`);
        requireRole(req, ['admin']);
      }
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
};
