import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiKeyIssued, apiErrors, EmptyBody, Principal, User, UserCreated, UserDisabled, UserInput, UserParams } from '@atrium/shared';
import type { HttpDeps } from '../app.ts';
import { requireRole } from '../auth.ts';

/** Users and API keys (admin); `/me` tells any caller who they are. */
export const userRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  app.get('/api/v1/me', { schema: { summary: 'Who the API key belongs to', response: { 200: Principal, ...apiErrors(401, 500) } } }, async (req) =>
    requireRole(req, ['admin', 'operator', 'supervisor', 'staff', 'merchant']),
  );
  app.get('/api/v1/users', { schema: { summary: 'Users (admin)', response: { 200: User.array(), ...apiErrors(401, 403, 500) } } }, async (req) => {
    requireRole(req, ['admin']);
    return deps.users.list();
  });
  // The body's links are checked against the site (staff member, merchant) inside users.create.
  app.post(
    '/api/v1/users',
    { schema: { summary: 'Create a user; the API key is in the answer, once', body: UserInput, response: { 201: UserCreated, ...apiErrors(400, 401, 403, 409, 500) } } },
    async (req, reply) => {
      requireRole(req, ['admin']);
      return reply.code(201).send(await deps.users.create(req.body, deps.clock()));
    },
  );
  app.post(
    '/api/v1/users/:userId/rotate-key',
    { schema: { summary: 'A new API key; the old one stops working', params: UserParams, body: EmptyBody, response: { 200: ApiKeyIssued, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireRole(req, ['admin']);
      return deps.users.rotate(req.params.userId);
    },
  );
  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(
      `/api/v1/users/:userId/${action}`,
      { schema: { summary: `${action === 'disable' ? 'Disable' : 'Enable'} a user`, params: UserParams, body: EmptyBody, response: { 200: UserDisabled, ...apiErrors(400, 401, 403, 404, 500) } } },
      async (req) => {
        requireRole(req, ['admin']);
        await deps.users.setDisabled(req.params.userId, disabled);
        return { userId: req.params.userId, disabled };
      },
    );
  }
};
