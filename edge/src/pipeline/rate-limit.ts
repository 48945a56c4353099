import { createRateLimiter } from '../readings/rate-limit.ts';
import type { Publish, Step } from './step.ts';

/**
 * Each device's publish budget, charged for every publish whatever it holds (so the first
 * step). A will published after its device left is the broker's, not the device's, and is not
 * counted. Keys are device ids that logged in, so the buckets are as many as the fleet.
 */
export function rateLimit(deps: { ratePerSecond: number; burst: number }): Step<Publish, Publish> {
  const limiter = createRateLimiter(deps.ratePerSecond, deps.burst);
  return {
    name: 'rate-limit',
    run(publish) {
      if (publish.client && !limiter.allow(publish.deviceId, publish.receivedAt)) {
        return { refuse: { code: 'rate_limited', detail: `more than ${deps.ratePerSecond} messages/s (burst ${deps.burst})` } };
      }
      return { pass: publish };
    },
  };
}
