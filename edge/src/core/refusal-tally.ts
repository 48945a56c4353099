import type { RefusalCounts, RefusalReport } from '@atrium/shared';
import type { RejectionCode } from './errors.ts';

/** The cloud hears about refusals at most this often: the Devices page is not an alarm. */
export const REFUSAL_REPORT_EVERY_MS = 60_000;
/** What the uplink schema takes per reason; a flood beyond it in one period is still "at least this many". */
const MAX_COUNT = 1_000_000_000;

export interface RefusalTally {
  /** One message refused; `deviceId` is what the client claimed to be, trusted only if the site has it. */
  note(deviceId: string | undefined, code: RejectionCode): void;
  /**
   * What was refused since the last report, once a report is due (REFUSAL_REPORT_EVERY_MS since
   * the previous one, or `force` on the way out), and only if something is new; it then starts
   * counting afresh. `now` is the gateway's wall clock.
   */
  take(now: number, force?: boolean): RefusalReport | null;
}

/**
 * Per-device refusal counts for the cloud's Devices page. Keyed only by the site's own device
 * ids: refusals under an id the site does not have (a guesser's) are summed under the gateway,
 * so no client can grow this map (or the uplink) by inventing ids. Reasons are the edge's
 * device refusal codes, a fixed list.
 */
export function createRefusalTally(isSiteDevice: (deviceId: string) => boolean): RefusalTally {
  let devices = new Map<string, Partial<Record<RejectionCode, number>>>();
  let gateway: Partial<Record<RejectionCode, number>> = {};
  let reportedAt = -Infinity;
  const add = (counts: Partial<Record<RejectionCode, number>>, code: RejectionCode) => {
    counts[code] = Math.min(MAX_COUNT, (counts[code] ?? 0) + 1);
  };
  return {
    note(deviceId, code) {
      if (deviceId !== undefined && isSiteDevice(deviceId)) {
        const counts = devices.get(deviceId) ?? {};
        add(counts, code);
        devices.set(deviceId, counts);
      } else add(gateway, code);
    },
    take(now, force = false) {
      const guessed = Object.keys(gateway).length > 0;
      if (devices.size === 0 && !guessed) return null;
      if (!force && now - reportedAt < REFUSAL_REPORT_EVERY_MS) return null;
      const report: RefusalReport = {
        ts: now,
        devices: [...devices].map(([deviceId, counts]) => ({ deviceId, counts: counts as RefusalCounts })),
        ...(guessed && { gateway: gateway as RefusalCounts }),
      };
      devices = new Map();
      gateway = {};
      reportedAt = now;
      return report;
    },
  };
}
