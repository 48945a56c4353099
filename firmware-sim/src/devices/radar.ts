import type { Device, Subject } from '@atrium/shared';
import { dwellMinutes, expectedOccupancy, expectedRate, type FootfallModel } from '../profile/expected-rate.ts';
import { exponential, poisson, uniform, type Rng } from '../random.ts';
import { firstReportAt, type Behaviour, type Emission } from './types.ts';

/** Hours after closing by which security has walked everyone out. */
const CLEARED_AFTER_CLOSE_H = 0.5;

export interface RadarOptions {
  model: FootfallModel;
  startMs: number;
  rng: Rng;
  /** radars counting the same subject split its traffic */
  sharing: number;
}

/**
 * An mmWave people counter on a line. Crossings in a period are Poisson around the expected
 * rate; every person counted in is given a dwell time and is counted out when it ends, so
 * `out` trails `in` by the dwell and `occupancy` (in view) is exactly in minus out, which is
 * Little's law L = λW on average. The radar starts with the steady-state crowd already inside,
 * and security clears the centre half an hour after closing, so nobody lingers overnight.
 */
export function createRadar(device: Device, opts: RadarOptions): Behaviour {
  const subject: Subject = device.subject ?? { kind: 'zone', id: device.zoneId };
  const { model, rng, sharing } = opts;
  const periodMs = device.reportIntervalS * 1000;
  const dwellMs = dwellMinutes(model, subject) * 60_000;
  let due = firstReportAt(opts.startMs, periodMs, rng());
  let periodStart = due - periodMs;
  /** people due to leave, by report time (the end of the period they leave in) */
  const leaving = new Map<number, number>();
  const leaveAt = (t: number) => {
    const slot = due + Math.max(0, Math.ceil((t - due) / periodMs)) * periodMs;
    leaving.set(slot, (leaving.get(slot) ?? 0) + 1);
  };

  let occupancy = poisson(rng, expectedOccupancy(model, subject, opts.startMs) / sharing);
  // Residual stay of people already inside: memoryless approximation with the mean dwell.
  for (let i = 0; i < occupancy; i++) leaveAt(opts.startMs + exponential(rng, dwellMs));

  return {
    device,
    advance(untilMs) {
      const out: Emission[] = [];
      while (due <= untilMs) {
        const ratePerMs = expectedRate(model, subject, (periodStart + due) / 2) / sharing / 3_600_000;
        const arrivals = poisson(rng, ratePerMs * periodMs);
        for (let i = 0; i < arrivals; i++) {
          // Gamma(2) stay: few people leave the moment they arrive, a few stay much longer.
          const stay = exponential(rng, dwellMs / 2) + exponential(rng, dwellMs / 2);
          leaveAt(uniform(rng, periodStart, due) + stay);
        }
        const sinceClose = model.calendar.at(due).sinceCloseH;
        const sweep = sinceClose >= CLEARED_AFTER_CLOSE_H && sinceClose < CLEARED_AFTER_CLOSE_H + periodMs / 3_600_000;
        if (sweep) leaving.clear();
        const departures = sweep ? occupancy + arrivals : Math.min(leaving.get(due) ?? 0, occupancy + arrivals);
        leaving.delete(due);
        occupancy += arrivals - departures;
        out.push({ channel: 'count', atMs: due, body: { periodS: device.reportIntervalS, in: arrivals, out: departures, occupancy } });
        periodStart = due;
        due += periodMs;
      }
      return out;
    },
  };
}
