import type { Logger } from 'pino';
import type { EdgeMetrics } from './metrics.ts';
import type { Rejection } from './errors.ts';

export interface Refusals {
  /** Counted, and logged once per device and reason per period with `extra` (e.g. the topic). */
  report(deviceId: string | undefined, rejection: Rejection, extra?: Record<string, unknown>): void;
  /** Counted only: for refusals that are routine (a device's resend), not a fault worth a log line. */
  count(rejection: Rejection): void;
}

export function createRefusals(deps: { metrics: EdgeMetrics; logger: Logger; shouldLog: (key: string) => boolean }): Refusals {
  const count = (rejection: Rejection) => deps.metrics.rejected.inc({ reason: rejection.code });
  return {
    count,
    report(deviceId, rejection, extra = {}) {
      count(rejection);
      if (deps.shouldLog(`${deviceId}|${rejection.code}`)) {
        deps.logger.warn({ deviceId, reason: rejection.code, detail: rejection.detail, ...extra }, 'device message refused');
      }
    },
  };
}
