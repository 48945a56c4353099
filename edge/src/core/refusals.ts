import type { Logger } from 'pino';
import type { EdgeMetrics } from './metrics.ts';
import type { Rejection } from './errors.ts';
import type { RefusalTally } from './refusal-tally.ts';

export interface Refusals {
  /** Counted, and logged once per device and reason per period with `extra` (e.g. the topic). */
  report(deviceId: string | undefined, rejection: Rejection, extra?: Record<string, unknown>): void;
  /** Counted only: for refusals that are routine (a device's resend), not a fault worth a log line. */
  count(rejection: Rejection): void;
}

/**
 * `tally` (when given) counts reported refusals per device for the cloud; counted-only ones
 * (a resend already journaled) are routine and stay out of it.
 */
export function createRefusals(deps: { metrics: EdgeMetrics; logger: Logger; shouldLog: (key: string) => boolean; tally?: RefusalTally }): Refusals {
  const count = (rejection: Rejection) => deps.metrics.rejected.inc({ reason: rejection.code });
  return {
    count,
    report(deviceId, rejection, extra = {}) {
      count(rejection);
      deps.tally?.note(deviceId, rejection.code);
      if (deps.shouldLog(`${deviceId}|${rejection.code}`)) {
        deps.logger.warn({ deviceId, reason: rejection.code, detail: rejection.detail, ...extra }, 'device message refused');
      }
    },
  };
}
