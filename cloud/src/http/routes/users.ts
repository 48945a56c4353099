import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Slug } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';
import { requireRole } from '../auth.ts';

const UserParams = z.object({ userId: Slug });

/** Users and API keys (admin); `/me` tells any caller who they are. */
export const userRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get('/api/v1/me', { schema: { summary: 'Who the API key belongs to' } }, async (req) => requireRole(req, ['admin', 'operator', 'supervisor', 'staff', 'merchant']));
  app.get('/api/v1/users', { schema: { summary: 'Users (admin)' } }, async (req) => {
    requireRole(req, ['admin']);
    return deps.users.list();
  });
  // The engine-agnostic Principal schema checks the body inside users.create.
  app.post('/api/v1/users', { schema: { summary: 'Create a user; the API key is in the answer, once', body: z.record(z.string(), z.unknown()) } }, async (req, reply) => {
    requireRole(req, ['admin']);
    return reply.code(201).send(await deps.users.create(req.body, deps.clock()));
  });
  app.post('/api/v1/users/:userId/rotate-key', { schema: { summary: 'A new API key; the old one stops working', params: UserParams } }, async (req) => {
    requireRole(req, ['admin']);
    return deps.users.rotate(req.params.userId);
  });
  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/api/v1/users/:userId/${action}`, { schema: { summary: `${action} a user`, params: UserParams } }, async (req) => {
      requireRole(req, ['admin']);
      await deps.users.setDisabled(req.params.userId, disabled);
      return { userId: req.params.userId, disabled };
    });
  }
};
