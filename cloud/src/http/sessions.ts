import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@atrium/shared';
import fp from 'fastify-plugin';
import { fastifyCookie } from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { Tokens } from '@fastify/csrf';
import type { SqlSessionStore } from '../auth/session-store.ts';
import { Errors } from '../errors.ts';

declare module 'fastify' {
  interface Session {
    userId?: string;
    signedInAt?: number;
    /** last time the idle clock was pushed back; written at most every TOUCH_EVERY_MS */
    seenAt?: number;
    csrfSecret?: string;
  }
}

export interface SessionSettings {
  store: SqlSessionStore;
  /** a session not used for this long ends */
  idleMs: number;
  /** a session ends this long after sign-in however much it is used */
  maxAgeMs: number;
}

export const SESSION_COOKIE = 'atrium_session';
/** Pushing the idle expiry back costs a write; once a minute is precise enough for hours of idle time. */
const TOUCH_EVERY_MS = 60_000;
const tokens = Tokens({});

/**
 * The session id is 256 random bits looked up in the database; a signature over it would add
 * nothing an attacker could not already get by guessing the id, only a second secret to share
 * between replicas. So the cookie carries the id as it is.
 */
const idOnly = { sign: (v: string) => v, unsign: (v: string) => ({ valid: /^[\w-]{43}$/.test(v), renew: false, value: v }) };

/**
 * Cookies and server-side sessions: httpOnly, SameSite=Strict, Secure over HTTPS, ended after
 * `idleMs` without use. The auth plugin reads the session; this plugin only carries it.
 */
export const sessionsPlugin = fp<SessionSettings>(async (app, settings) => {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: idOnly,
    cookieName: SESSION_COOKIE,
    store: settings.store,
    saveUninitialized: false,
    rolling: false,
    idGenerator: () => randomBytes(32).toString('base64url'),
    // Secure is decided per sign-in (startSession): the plugin's 'auto' would also weaken SameSite to Lax over HTTP.
    cookie: { httpOnly: true, sameSite: 'strict', secure: false, path: '/', maxAge: settings.idleMs },
  });
});

/** The signed-in user's session, or null; past its absolute lifetime it counts as signed out. */
export function sessionUser(req: FastifyRequest, settings: Pick<SessionSettings, 'maxAgeMs'>, now: number): string | null {
  const s = req.session as FastifyRequest['session'] | undefined;
  if (!s?.userId || s.signedInAt === undefined || now - s.signedInAt > settings.maxAgeMs) return null;
  if (now - (s.seenAt ?? 0) > TOUCH_EVERY_MS) {
    s.seenAt = now;
    s.touch();
  }
  return s.userId;
}

/** Starts a session for `userId` under a new id (so an id planted before sign-in is worthless). */
export async function startSession(req: FastifyRequest, userId: string, now: number): Promise<void> {
  await req.session.regenerate();
  req.session.options({ secure: req.protocol === 'https' });
  req.session.userId = userId;
  req.session.signedInAt = now;
  req.session.seenAt = now;
  req.session.csrfSecret = tokens.secretSync();
}

/** Ends the session in the store and tells the browser to drop its cookie. */
export async function endSession(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  await req.session.destroy();
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** A token for the page to send back as `x-csrf-token`; any token made from the session's secret is valid. */
export function csrfToken(req: FastifyRequest): string {
  req.session.csrfSecret ??= tokens.secretSync();
  return tokens.create(req.session.csrfSecret);
}

export function checkCsrf(req: FastifyRequest): void {
  const sent = req.headers['x-csrf-token'];
  const secret = req.session.csrfSecret;
  if (typeof sent !== 'string' || !secret || !tokens.verify(secret, sent)) throw new Errors.CsrfTokenInvalid();
}

/**
 * The principal a socket.io handshake's cookies sign in as, or null. Sockets are not fastify
 * requests, so this reads the same cookie and store directly; the session is not touched (a
 * page keeps it alive through its API calls).
 */
export async function sessionPrincipal(
  cookieHeader: string | undefined,
  settings: Pick<SessionSettings, 'store' | 'maxAgeMs'>,
  principalById: (userId: string) => Promise<Principal | null>,
  now: number,
): Promise<Principal | null> {
  const sid = cookieHeader ? fastifyCookie.parse(cookieHeader)[SESSION_COOKIE] : undefined;
  if (!sid || !idOnly.unsign(sid).valid) return null;
  const stored = await new Promise<{ userId?: unknown; signedInAt?: unknown } | null>((resolve, reject) => settings.store.get(sid, (err, s) => (err ? reject(err as Error) : resolve((s as { userId?: unknown; signedInAt?: unknown } | null | undefined) ?? null))));
  if (typeof stored?.userId !== 'string' || typeof stored.signedInAt !== 'number' || now - stored.signedInAt > settings.maxAgeMs) return null;
  return principalById(stored.userId);
}

/** When the session ends without further use. */
export const idleExpiry = (req: FastifyRequest): number => req.session.cookie.expires?.getTime() ?? 0;
