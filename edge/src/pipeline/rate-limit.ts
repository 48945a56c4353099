import { createRateLimiter } from '../readings/rate-limit.ts';
import type { Step, Validated } from './step.ts';

/** Each device's publish budget. A will published after its device left is the broker's, not the device's, and is not counted. */
export function rateLimit(deps: { ratePerSecond: number; burst: number }): Step<Validated, Validated> {
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
