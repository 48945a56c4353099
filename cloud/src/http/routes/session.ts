import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { apiErrors, EmptyBody, homeFor, NoContent, PasswordChangeBody, PasswordResetBody, PasswordResetIssued, PasswordSet, SessionInfo, SignInBody, UserParams, type Principal } from '@atrium/shared';
import type { Accounts } from '../../auth/accounts.ts';
import { Errors } from '../../errors.ts';
import { requireRole } from '../auth.ts';
import { csrfToken, endSession, idleExpiry, startSession } from '../sessions.ts';

export interface SessionRouteDeps {
  accounts: Accounts;
  /** a session ends this long after sign-in however much it is used */
  sessionMaxAgeMs: number;
  now: () => number;
}

/** The signed-in person, for a page: who, where their home is, and the CSRF token for changes. */
function info(req: FastifyRequest, principal: Principal, maxAgeMs: number): SessionInfo {
  const signedInAt = req.session.signedInAt ?? 0;
  return { principal, csrfToken: csrfToken(req), home: homeFor(principal.role), signedInAt, idleExpiresAt: idleExpiry(req), expiresAt: signedInAt + maxAgeMs };
}

function requireSession(req: FastifyRequest): Principal {
  const p = requireRole(req, ['admin', 'operator', 'supervisor', 'staff', 'merchant']);
  if (req.authBy !== 'session') throw new Errors.Unauthenticated('this is about a signed-in session; an API key has none');
  return p;
}

/**
 * Sign-in, sign-out and passwords for people. The routes adapt HTTP to the accounts service;
 * the session itself is the session plugin's.
 */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRouteDeps> = async (app, deps) => {
  app.post(
    '/api/v1/session',
    { schema: { summary: 'Sign in with a user name and password; the session is a cookie', security: [], body: SignInBody, response: { 200: SessionInfo, ...apiErrors(400, 401, 403, 429, 500) } } },
    async (req, reply) => {
      // SameSite=Strict keeps other sites from using a session; this keeps them from starting one (login CSRF).
      if (req.headers['sec-fetch-site'] === 'cross-site') throw new Errors.CrossSiteRequest();
      const principal = await deps.accounts.signIn({ userId: req.body.userId, password: req.body.password, address: req.ip }, deps.now());
      await startSession(req, principal.userId, deps.now());
      req.log.info({ userId: principal.userId, role: principal.role }, 'signed in');
      return reply.send(info(req, principal, deps.sessionMaxAgeMs));
    },
  );
  app.get('/api/v1/session', { schema: { summary: 'The signed-in person, their home page and the CSRF token', response: { 200: SessionInfo, ...apiErrors(401, 500) } } }, async (req) =>
    info(req, requireSession(req), deps.sessionMaxAgeMs),
  );
  app.delete('/api/v1/session', { schema: { summary: 'Sign out', response: { 204: NoContent, ...apiErrors(401, 403, 500) } } }, async (req, reply) => {
    requireSession(req);
    await endSession(req, reply);
    return reply.code(204).send();
  });
  app.post(
    '/api/v1/session/password',
    { schema: { summary: 'Change my password; my other sessions end', body: PasswordChangeBody, response: { 200: PasswordSet, ...apiErrors(400, 401, 403, 429, 500) } } },
    async (req) => {
      const p = requireSession(req);
      const ended = await deps.accounts.changePassword({ userId: p.userId, currentPassword: req.body.currentPassword, newPassword: req.body.newPassword, sid: req.session.sessionId }, deps.now());
      return { userId: p.userId, signedOutSessions: ended };
    },
  );
  app.post(
    '/api/v1/users/:userId/password-reset',
    { schema: { summary: 'Start a password reset (admin): a one-time link to hand to the person', params: UserParams, body: EmptyBody, response: { 200: PasswordResetIssued, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      requireRole(req, ['admin']);
      const { token, expiresAt } = await deps.accounts.startReset(req.params.userId, deps.now());
      return { token, expiresAt, link: `/signin.html#reset=${token}` };
    },
  );
  app.post(
    '/api/v1/password-reset',
    { schema: { summary: 'Choose a password with a reset token; every session of the user ends', security: [], body: PasswordResetBody, response: { 200: PasswordSet, ...apiErrors(400, 429, 500) } } },
    async (req) => {
      const { userId, signedOutSessions } = await deps.accounts.completeReset(req.body, deps.now());
      return { userId, signedOutSessions };
    },
  );
};
