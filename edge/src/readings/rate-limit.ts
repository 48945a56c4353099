/**
 * Token bucket per device: a device may publish `ratePerSecond` on average with bursts up
 * to `burst` (reconnect bursts replay a backlog). Pure; the caller passes the clock.
 */
export interface RateLimiter {
  allow(key: string, now: number): boolean;
}

export function createRateLimiter(ratePerSecond: number, burst: number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    allow(key, now) {
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
