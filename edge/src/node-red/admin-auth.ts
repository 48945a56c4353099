import { createHash, randomBytes } from 'node:crypto';
import { EdgeError, failed } from '../core/errors.ts';
import { nodeRedBcrypt, offThreadCompare } from './bcrypt-worker.ts';
import { createLoginLimiter } from './login-limiter.ts';

/** How long an editor login lasts; sessions live in memory, so a gateway restart also ends them. */
const SESSION_TTL_MS = 12 * 3_600_000;
/** Logins at once (browsers, scripts); the oldest goes first beyond it. */
const MAX_SESSIONS = 64;
const BCRYPT_ROUNDS = 10;
/**
 * HTTP-in clients send basic credentials on every request; once a header has been checked it
 * is remembered (as a digest) for a while, so a busy flow does not cost a bcrypt per request.
 */
const BASIC_CACHE_MS = 5 * 60_000;
const MAX_BASIC_CACHE = 16;

/** A refusal may say when to try again (429 Retry-After). */
export type CheckResult = { ok: true } | { ok: false; error: EdgeError; retryAfterS?: number };
export type LoginResult = { ok: true; token: string; expiresInS: number } | { ok: false; error: EdgeError; retryAfterS?: number };

export interface AdminAuth {
  readonly user: string;
  /** bcrypt, for Node-RED's own adminAuth and httpNodeAuth settings. */
  readonly passwordHash: string;
  /** Username and password → a bearer token for the editor and the admin API. `source`: the client's address. */
  login(username: string, password: string, source: string): Promise<LoginResult>;
  verifyToken(token: string | undefined): boolean;
  revoke(token: string): void;
  /** `Authorization: Basic …` (HTTP-in endpoints under /red/api). */
  verifyBasic(header: string | undefined, source: string): Promise<CheckResult>;
  /** Password checks run so far (wrong and right); the metric counts them. */
  readonly passwordChecks: number;
  close(): Promise<void>;
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/**
 * The edge's own check of the Node-RED admin credentials, done before a request reaches
 * Node-RED (which checks again through its adminAuth settings).
 */
export async function createAdminAuth(opts: {
  user: string;
  password?: string | undefined;
  passwordHash?: string | undefined;
  now?: () => number;
  onCheck?: () => void;
}): Promise<AdminAuth> {
  const now = opts.now ?? Date.now;
  // Hashing the configured password happens once, at start, before anything listens.
  const passwordHash = opts.passwordHash ?? (opts.password !== undefined ? await nodeRedBcrypt().hash(opts.password, BCRYPT_ROUNDS) : undefined);
  if (passwordHash === undefined) throw new Error('createAdminAuth: a password or a password hash is required');
  const hasher = offThreadCompare();
  const limiter = createLoginLimiter(now);
  const sessions = new Map<string, number>();
  const basicSeen = new Map<string, number>();
  let passwordChecks = 0;

  const checkPassword = async (username: string, password: string, source: string): Promise<CheckResult> => {
    const slot = limiter.reserve(source);
    if (!slot.ok) return slot;
    let matches = false;
    try {
      passwordChecks++;
      opts.onCheck?.();
      // The hash is compared even for an unknown user, so timing does not tell which users exist.
      matches = (await hasher.compare(password, passwordHash)) && username === opts.user;
    } finally {
      slot.release(matches);
    }
    return matches ? { ok: true } : failed('ATRIUM_RED_UNAUTHENTICATED', 'wrong username or password');
  };

  return {
    user: opts.user,
    passwordHash,
    get passwordChecks() {
      return passwordChecks;
    },
    async login(username, password, source) {
      const checked = await checkPassword(username, password, source);
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
    async verifyBasic(header, source) {
      const encoded = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      if (encoded === undefined) return failed('ATRIUM_RED_UNAUTHENTICATED', 'HTTP basic credentials are required');
      const digest = createHash('sha256').update(encoded).digest('base64url');
      const t = now();
      const seen = basicSeen.get(digest);
      if (seen !== undefined && seen > t) return { ok: true };
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return failed('ATRIUM_RED_UNAUTHENTICATED', 'malformed basic credentials');
      const checked = await checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1), source);
      if (checked.ok) {
        basicSeen.delete(digest);
        if (basicSeen.size >= MAX_BASIC_CACHE) basicSeen.delete(basicSeen.keys().next().value as string);
        basicSeen.set(digest, t + BASIC_CACHE_MS);
      }
      return checked;
    },
    close: () => hasher.close(),
  };
}
