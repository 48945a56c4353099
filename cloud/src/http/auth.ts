import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { homeFor, type Principal, type Role, type SiteModel } from '@atrium/shared';
import { bearerKey, hashApiKey } from '../auth/api-keys.ts';
import { Errors } from '../errors.ts';
import { checkCsrf, endSession, sessionsPlugin, sessionUser, type SessionSettings } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** who is calling, from the API key or the session; null for anonymous requests */
    principal: Principal | null;
    /** how the caller proved it: a key (machines, scripts) or a session cookie (people in pages) */
    authBy: 'key' | 'session' | null;
    /** a key was sent and refused: answered 401 once the rate limiter has counted the request */
    badKey: boolean;
  }
}

export interface AuthDeps {
  /** resolves a key's hash to an enabled user, or null */
  principalByKeyHash: (keyHash: string) => Promise<Principal | null>;
  /** people's sessions; unset: API keys only */
  sessions?: (SessionSettings & { principalById: (userId: string) => Promise<Principal | null> }) | undefined;
  /** the session clock (people's time, not the simulated mall's) */
  now?: () => number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling, once per request: `Authorization: Bearer <key>` first (an unknown key is
 * refused, so a typo never reads as anonymous), else the session cookie. A session's state
 * changes need its CSRF token; a key's do not, since no browser sends a key on its own.
 */
export const authPlugin = fp<AuthDeps>(async (app, deps) => {
  const now = deps.now ?? Date.now;
  const sessions = deps.sessions;
  if (sessions) await app.register(sessionsPlugin, sessions);
  app.decorateRequest('principal', null);
  app.decorateRequest('authBy', null);
  app.decorateRequest('badKey', false);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const key = bearerKey(req.headers.authorization);
    if (key !== null) {
      const principal = await deps.principalByKeyHash(hashApiKey(key));
      if (!principal) req.badKey = true;
      else {
        req.principal = principal;
        req.authBy = 'key';
      }
      return;
    }
    if (!sessions) return;
    const userId = sessionUser(req, sessions, now());
    if (userId === null) return;
    const principal = await sessions.principalById(userId);
    if (!principal) {
      await endSession(req, reply); // disabled or removed since: the cookie is worthless now
      return;
    }
    req.principal = principal;
    req.authBy = 'session';
  });
  // The rate limiter runs in each route's onRequest, after the hook above: refusing a bad key
  // (or a forged change) there would let guessing go uncounted, so refusals wait until parsing.
  app.addHook('preParsing', async (req: FastifyRequest) => {
    if (req.badKey) throw new Errors.Unauthenticated('the API key is unknown or disabled');
    if (req.authBy === 'session' && !SAFE_METHODS.has(req.method)) checkCsrf(req);
  });
});

/** The caller, if their role is one of `roles`; 401 for anonymous, 403 for the wrong role (naming where that role belongs). */
export function requireRole(req: FastifyRequest, roles: readonly Role[]): Principal {
  const p = req.principal;
  if (!p) throw new Errors.Unauthenticated('sign in, or send "Authorization: Bearer <API key>"');
  if (!roles.includes(p.role)) throw new Errors.Forbidden(`role "${p.role}" may not do this (needs ${roles.join(' or ')}); the ${p.role}'s home is ${homeFor(p.role)}`);
  return p;
}

/** Roles that see the whole site (the control room and above). */
export const SITE_WIDE: readonly Role[] = ['admin', 'operator', 'supervisor'];

/** Merchants see only their own shops; everyone site-wide sees all. 404 for a shop that does not exist, 403 for another's. */
export function requireShopAccess(req: FastifyRequest, site: SiteModel, shopId: string): Principal {
  const p = requireRole(req, [...SITE_WIDE, 'merchant']);
  const shop = site.shops.find((s) => s.id === shopId);
  if (!shop) throw new Errors.ShopNotFound(shopId);
  if (p.role === 'merchant' && shop.merchantId !== p.merchantId) throw new Errors.Forbidden(`shop "${shopId}" belongs to another merchant`);
  return p;
}
