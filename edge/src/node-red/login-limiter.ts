import { EdgeError } from '../core/errors.ts';

/** Password checks running at once, over all sources: each costs a bcrypt off the main thread. */
const MAX_IN_FLIGHT = 2;
/** Wrong passwords a source gets before it has to wait (typos happen). */
const FREE_FAILURES = 3;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 15 * 60_000;
/** A source's failures are forgotten this long after its last one. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Sources remembered at once; beyond it the least recently failing one is forgotten. */
const MAX_SOURCES = 4096;

interface SourceState {
  failures: number;
  blockedUntil: number;
  lastFailureAt: number;
  checking: boolean;
}

export type Reservation = { ok: true; release(succeeded: boolean): void } | { ok: false; error: EdgeError; retryAfterS: number };

export interface LoginLimiter {
  /**
   * Takes a check slot for `source` before any password is looked at, synchronously, so
   * concurrent requests cannot all pass a test made before any of them failed.
   */
  reserve(source: string): Reservation;
  readonly inFlight: number;
}

/** IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; one address, one source. */
export function sourceOf(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Backoff per source address rather than one global lock: a guesser slows down only itself,
 * and the owner logging in from elsewhere is not locked out. One check per source at a time,
 * and at most MAX_IN_FLIGHT overall, so a flood costs a bounded amount of hashing.
 */
export function createLoginLimiter(now: () => number = Date.now): LoginLimiter {
  const sources = new Map<string, SourceState>();
  let inFlight = 0;

  const prune = (t: number) => {
    for (const [key, s] of sources) {
      if (s.checking || t - s.lastFailureAt < FORGET_AFTER_MS) continue;
      sources.delete(key);
    }
    // Map order is insertion order and a failure re-inserts, so the first entries failed longest ago.
    for (const [key, s] of sources) {
      if (sources.size <= MAX_SOURCES) break;
      if (!s.checking) sources.delete(key);
    }
  };

  const refuse = (message: string, retryAfterMs: number): Reservation => ({
    ok: false,
    error: new EdgeError('ATRIUM_RED_TOO_MANY_LOGINS', message),
    retryAfterS: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });

  return {
    get inFlight() {
      return inFlight;
    },
    reserve(source) {
      const t = now();
      const state = sources.get(source);
      if (state !== undefined && state.blockedUntil > t) return refuse('too many failed logins from this address; try again later', state.blockedUntil - t);
      if (state?.checking) return refuse('a login from this address is already being checked', 1000);
      if (inFlight >= MAX_IN_FLIGHT) return refuse('too many logins being checked; try again shortly', 1000);
      const s = state ?? { failures: 0, blockedUntil: 0, lastFailureAt: t, checking: false };
      s.checking = true;
      if (state === undefined) sources.set(source, s);
      inFlight++;
      let released = false;
      return {
        ok: true,
        release(succeeded) {
          if (released) return;
          released = true;
          inFlight--;
          s.checking = false;
          const at = now();
          if (succeeded) {
            sources.delete(source);
            return;
          }
          s.failures++;
          s.lastFailureAt = at;
          if (s.failures > FREE_FAILURES) s.blockedUntil = at + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (s.failures - FREE_FAILURES - 1));
          sources.delete(source);
          sources.set(source, s);
          prune(at);
        },
      };
    },
  };
}
