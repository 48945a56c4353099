import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { EdgeError, failed, type Outcome } from '../core/errors.ts';

/** How long an editor login lasts; sessions live in memory, so a gateway restart also ends them. */
const SESSION_TTL_MS = 12 * 3_600_000;
/** Logins at once (browsers, scripts); the oldest goes first beyond it. */
const MAX_SESSIONS = 64;
/** Wrong passwords tolerated per window, across all users: brute force gets 10 guesses per 10 minutes. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 10 * 60_000;
const BCRYPT_ROUNDS = 10;

interface Bcrypt {
  hash(s: string, rounds: number): Promise<string>;
  compare(s: string, hash: string): Promise<boolean>;
}

/** Node-RED's own bcrypt (bcryptjs is its dependency), so the edge checks the hash exactly as Node-RED does. */
function nodeRedBcrypt(): Bcrypt {
  const fromNodeRed = createRequire(createRequire(import.meta.url).resolve('node-red/package.json'));
  return fromNodeRed('bcryptjs') as Bcrypt;
}

export type LoginResult = { ok: true; token: string; expiresInS: number } | { ok: false; error: EdgeError };

export interface AdminAuth {
  readonly user: string;
  /** bcrypt, for Node-RED's own adminAuth and httpNodeAuth settings. */
  readonly passwordHash: string;
  /** Username and password → a bearer token for the editor and the admin API. */
  login(username: string, password: string): Promise<LoginResult>;
  verifyToken(token: string | undefined): boolean;
  revoke(token: string): void;
  /** `Authorization: Basic …` (HTTP-in endpoints under /red/api). */
  verifyBasic(header: string | undefined): Promise<Outcome>;
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/**
 * The edge's own check of the Node-RED admin credentials, done before a request reaches
 * Node-RED (which checks again through its adminAuth settings).
 */
export async function createAdminAuth(opts: { user: string; password?: string | undefined; passwordHash?: string | undefined; now?: () => number }): Promise<AdminAuth> {
  const bcrypt = nodeRedBcrypt();
  const now = opts.now ?? Date.now;
  const passwordHash = opts.passwordHash ?? (opts.password !== undefined ? await bcrypt.hash(opts.password, BCRYPT_ROUNDS) : undefined);
  if (passwordHash === undefined) throw new Error('createAdminAuth: a password or a password hash is required');
  const sessions = new Map<string, number>();
  let failures: number[] = [];

  const checkPassword = async (username: string, password: string): Promise<Outcome> => {
    const t = now();
    failures = failures.filter((at) => t - at < FAILURE_WINDOW_MS);
    if (failures.length >= MAX_FAILURES) return failed('ATRIUM_RED_TOO_MANY_LOGINS', `more than ${MAX_FAILURES} failed logins in ${FAILURE_WINDOW_MS / 60_000} minutes; try again later`);
    // The hash is compared even for an unknown user, so timing does not tell which users exist.
    const matches = await bcrypt.compare(password, passwordHash);
    if (matches && username === opts.user) return { ok: true };
    failures.push(t);
    return failed('ATRIUM_RED_UNAUTHENTICATED', 'wrong username or password');
  };

  return {
    user: opts.user,
    passwordHash,
    async login(username, password) {
      const checked = await checkPassword(username, password);
      if (!checked.ok) return checked;
      const t = now();
      for (const [token, expires] of sessions) if (expires <= t) sessions.delete(token);
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, t + SESSION_TTL_MS);
      return { ok: true, token, expiresInS: SESSION_TTL_MS / 1000 };
    },
    verifyToken(token) {
      if (token === undefined) return false;
      const expires = sessions.get(token);
      if (expires === undefined) return false;
      if (expires > now()) return true;
      sessions.delete(token);
      return false;
    },
    revoke(token) {
      sessions.delete(token);
    },
    async verifyBasic(header) {
      const encoded = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      if (encoded === undefined) return failed('ATRIUM_RED_UNAUTHENTICATED', 'HTTP basic credentials are required');
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return failed('ATRIUM_RED_UNAUTHENTICATED', 'malformed basic credentials');
      return checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
    },
  };
}
