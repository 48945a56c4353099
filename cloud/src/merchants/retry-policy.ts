/**
 * When to try a webhook again. Exponential backoff with "equal jitter" (half the delay fixed,
 * half random) so a merchant endpoint that was down for everyone is not hit by every queued
 * delivery in the same second when it comes back, while delays still grow. A Retry-After from
 * the receiver is a floor. Only failures that may pass are retried: network errors, timeouts,
 * 408, 429 and 5xx. Any other answer (a 4xx: wrong URL, bad auth) would fail the same way again.
 */
export interface RetryPolicy {
  /** attempts in all, the first included */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** a Retry-After longer than this is cut to it */
  maxRetryAfterMs: number;
  /** one attempt's time limit */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 8,
  baseDelayMs: 10_000,
  maxDelayMs: 3_600_000,
  maxRetryAfterMs: 24 * 3_600_000,
  timeoutMs: 10_000,
};

/** Delay after the n-th failed attempt (n ≥ 1). */
export function backoffDelayMs(n: number, p: RetryPolicy, random: () => number): number {
  const d = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (n - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Retry-After as delta-seconds or an HTTP date → ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export const isRetriableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
