import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { HttpRateLimit } from '../config.ts';
import { Errors } from '../errors.ts';

/** What an app gets when its maker names no limits (tests' apps): the configuration's defaults. */
export const DEFAULT_RATE_LIMIT: HttpRateLimit = { anonymousPerMinute: 600, userPerMinute: 6000 };

/**
 * The pages load only their own modules and styles (no inline script or style attribute, no
 * frames), so the policy can forbid everything else. Not sent: HSTS and upgrade-insecure-requests,
 * since the cloud is often reached over plain HTTP on a private network, where they would break it.
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Security headers on every answer, and a request budget: per user for a valid key, per source
 * address otherwise (a refused key counts against its address, so guessing keys is slow).
 * Registered before any route, so every route and the pages are covered.
 */
export const protection = fp<{ limits: HttpRateLimit }>(async (app, { limits }) => {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    strictTransportSecurity: false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyRateLimit, {
    global: true,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => (req.principal ? `user:${req.principal.userId}` : `addr:${req.ip}`),
    max: (_req: FastifyRequest, key: string) => (key.startsWith('user:') ? limits.userPerMinute : limits.anonymousPerMinute),
    errorResponseBuilder: (_req, ctx) => new Errors.RateLimited(Math.ceil(ctx.ttl / 1000)),
  });
});
