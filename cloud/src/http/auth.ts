import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal, Role, SiteModel } from '@atrium/shared';
import { bearerKey, hashApiKey } from '../auth/api-keys.ts';
import { Errors } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** who is calling, from the API key; null for anonymous requests */
    principal: Principal | null;
    /** a key was sent and refused: answered 401 once the rate limiter has counted the request */
    badKey: boolean;
  }
}

export interface AuthDeps {
  /** resolves a key's hash to an enabled user, or null */
  principalByKeyHash: (keyHash: string) => Promise<Principal | null>;
}

/**
 * Reads `Authorization: Bearer <key>` once per request. Routes then ask for what they need
 * with `requireRole`; an unknown key is refused here, so a typo never reads as anonymous.
 */
export const authPlugin = fp<AuthDeps>(async (app, deps) => {
  app.decorateRequest('principal', null);
  app.decorateRequest('badKey', false);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const key = bearerKey(req.headers.authorization);
    if (key === null) return;
    const principal = await deps.principalByKeyHash(hashApiKey(key));
    if (!principal) req.badKey = true;
    else req.principal = principal;
  });
  // The rate limiter runs in each route's onRequest, after the hook above: refusing a bad key
  // there would let key guessing go uncounted, so the refusal waits until parsing starts.
  app.addHook('preParsing', async (req: FastifyRequest) => {
    if (req.badKey) throw new Errors.Unauthenticated('the API key is unknown or disabled');
  });
});

/** The caller, if their role is one of `roles`; 401 for anonymous, 403 for the wrong role. */
export function requireRole(req: FastifyRequest, roles: readonly Role[]): Principal {
  const p = req.principal;
  if (!p) throw new Errors.Unauthenticated('send "Authorization: Bearer <API key>"');
  if (!roles.includes(p.role)) throw new Errors.Forbidden(`role "${p.role}" may not do this (needs ${roles.join(' or ')})`);
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
