import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrors, CloudHealth, TextBody } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';

/** Anonymous on purpose: load balancers and Prometheus hold no API key. */
export const opsRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
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
    { schema: { summary: 'Prometheus metrics (text exposition format)', security: [], response: { 200: { content: { 'text/plain': { schema: TextBody } } }, ...apiErrors(500) } } },
    async (_req, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
};
