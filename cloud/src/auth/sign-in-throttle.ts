/**
 * Slows password guessing without letting anyone lock a person out. Failures are counted for
 * three keys, each with its own allowance and cap:
 * - the pair (user, address): tight — someone guessing one account from one place;
 * - the address alone: someone trying many accounts (credential stuffing);
 * - the user alone: a guess spread over many addresses; capped low (a minute), because this is
 *   the key a stranger could use to keep a known user out, and they must only slow them down.
 * Past its allowance a key waits `baseDelay × 2^(failures − allowance)` after its last failure,
 * up to its cap; a success clears the pair. Counts are in memory, bounded, and forgotten a day
 * after the last failure.
 */
export interface ThrottlePolicy {
  /** failures allowed before waiting starts */
  free: { pair: number; address: number; user: number };
  /** longest wait */
  maxDelayMs: { pair: number; address: number; user: number };
  baseDelayMs: number;
  forgetAfterMs: number;
  /** keys remembered per kind; the oldest goes first */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  free: { pair: 5, address: 30, user: 50 },
  maxDelayMs: { pair: 15 * 60_000, address: 15 * 60_000, user: 60_000 },
  baseDelayMs: 1000,
  forgetAfterMs: 24 * 3_600_000,
  maxKeys: 10_000,
};

interface Failures {
  count: number;
  last: number;
}

type Kind = keyof ThrottlePolicy['free'];

/** How long a key with `f` failures still waits at `now` (0: it may try). */
export function waitFor(f: Failures | undefined, free: number, maxDelayMs: number, baseDelayMs: number, now: number): number {
  if (!f || f.count < free) return 0;
  const delay = Math.min(baseDelayMs * 2 ** Math.min(f.count - free, 30), maxDelayMs);
  return Math.max(0, f.last + delay - now);
}

export interface SignInThrottle {
  /** ms to wait before this attempt may be checked; 0 if it may go ahead */
  wait(userId: string, address: string, now: number): number;
  failed(userId: string, address: string, now: number): void;
  succeeded(userId: string, address: string): void;
  /** keys remembered, all kinds (bounded by 3 × maxKeys) */
  readonly size: number;
}

export function createSignInThrottle(policy: ThrottlePolicy = DEFAULT_THROTTLE): SignInThrottle {
  const maps: Record<Kind, Map<string, Failures>> = { pair: new Map(), address: new Map(), user: new Map() };
  const keys = (userId: string, address: string): [Kind, string][] => [
    ['pair', `${userId}\u0000${address}`],
    ['address', address],
    ['user', userId],
  ];
  const current = (kind: Kind, key: string, now: number): Failures | undefined => {
    const f = maps[kind].get(key);
    if (f && now - f.last > policy.forgetAfterMs) {
      maps[kind].delete(key);
      return undefined;
    }
    return f;
  };
  return {
    wait(userId, address, now) {
      let wait = 0;
      for (const [kind, key] of keys(userId, address)) wait = Math.max(wait, waitFor(current(kind, key, now), policy.free[kind], policy.maxDelayMs[kind], policy.baseDelayMs, now));
      return wait;
    },
    failed(userId, address, now) {
      for (const [kind, key] of keys(userId, address)) {
        const map = maps[kind];
        const f = current(kind, key, now) ?? { count: 0, last: now };
        map.delete(key); // re-inserted last: the map's order is least recently failed first
        map.set(key, { count: f.count + 1, last: now });
        if (map.size > policy.maxKeys) map.delete(map.keys().next().value!);
      }
    },
    succeeded(userId, address) {
      maps.pair.delete(`${userId}\u0000${address}`);
    },
    get size() {
      return maps.pair.size + maps.address.size + maps.user.size;
    },
  };
}
