import { localLabel } from '../forecast/zone-clock.ts';
import type { MerchantAlert, PeakSnapshot, Threshold } from '@atrium/shared';

/**
 * What an alert says: when (the site's local time, zone named), how many (the median), how
 * sure (the 80% range and a chance in words), compared with what (the usual for that hour of
 * the week) and why it was sent (the threshold that made it a peak).
 *
 * The message is built only from the rounded numbers of the structured fields, so it cannot
 * say something they do not: a forecast below the usual reads "below", never "-7% above";
 * a percentage is the forecast's distance from the usual before rounding, so its word agrees
 * with the rounded counts beside it, and it rounds the same way as the threshold's percent,
 * so a forecast at a 15% threshold never reads "14% above … your threshold is 15%".
 */

/**
 * Rough P(visitors ≥ threshold) from the forecast's quantiles: the distribution function drawn
 * straight between the 2.5%, 10%, 50%, 90% and 97.5% points. Rough on purpose: it is worded
 * ("likely"), not sold as a number to three decimals.
 */
export function chanceAbove(threshold: number, p: Pick<PeakSnapshot, 'lo95' | 'lo80' | 'expected' | 'hi80' | 'hi95'>): number {
  const pts: [number, number][] = [
    [p.lo95, 0.025],
    [p.lo80, 0.1],
    [p.expected, 0.5],
    [p.hi80, 0.9],
    [p.hi95, 0.975],
  ];
  if (threshold <= pts[0]![0]) return 0.98;
  if (threshold > pts[4]![0]) return 0.02;
  for (let i = 1; i < pts.length; i++) {
    const [x1, q1] = pts[i]!;
    const [x0, q0] = pts[i - 1]!;
    if (threshold <= x1) {
      const cdf = x1 > x0 ? q0 + ((threshold - x0) / (x1 - x0)) * (q1 - q0) : q1;
      return Math.round((1 - cdf) * 100) / 100;
    }
  }
  return 0.02;
}

export function wordingOf(chance: number): MerchantAlert['expected']['wording'] {
  if (chance >= 0.9) return 'very likely';
  if (chance >= 0.7) return 'likely';
  if (chance >= 0.5) return 'more likely than not';
  return 'possible';
}

export interface AlertContext {
  id: number;
  version: number;
  status: 'active' | 'cancelled';
  subscriptionId: number;
  merchantId: string;
  shopId: string;
  shopName: string;
  leadTimeH: number;
  timezone: string;
  threshold: Threshold;
  /** for a cancellation, the new forecast over the peak's window (planner.ts) */
  peak: PeakSnapshot;
  forecastMadeAt: number;
  createdAt: number;
  updatedAt: number;
}

/** Whole numbers for counts and percents; `toPrecision` first so 15.000000000002 or 14.999999999998 (float noise at a threshold) is 15. */
const whole = (v: number): number => {
  const r = Math.round(Math.abs(Number(v.toPrecision(12))));
  return r === 0 ? 0 : Math.sign(v) * r;
};

const DAY_NAMES: Record<string, string> = { Mon: 'Monday', Tue: 'Tuesday', Wed: 'Wednesday', Thu: 'Thursday', Fri: 'Friday', Sat: 'Saturday', Sun: 'Sunday' };

const perHour = (n: number): string => `${n} visitor${n === 1 ? '' : 's'}/hour`;

/** Signed whole percent of `expected` against `usual`; null when there is no usual or it rounds to nobody. */
export function percentVsUsual(expected: number, usual: number | null): number | null {
  if (usual === null || !Number.isFinite(usual) || whole(usual) === 0) return null;
  return whole(((expected - usual) / usual) * 100);
}

/** "22% above the usual 675", "7% below the usual 675", "about the usual 675". */
function comparedWithUsual(percent: number | null, usual: number | null, label: { day: string; hh: string }): string {
  const forWhen = `for a ${DAY_NAMES[label.day] ?? label.day} at ${label.hh}`;
  if (usual === null) return 'no usual yet for that hour (too little history)';
  if (percent === null) return `the usual ${forWhen} is ${usual}`;
  if (percent === 0) return `about the usual ${usual} ${forWhen}`;
  return `${Math.abs(percent)}% ${percent > 0 ? 'above' : 'below'} the usual ${usual} ${forWhen}`;
}

function thresholdText(t: MerchantAlert['threshold'], hh: string): string {
  return t.kind === 'aboveUsual' ? `${t.percent ?? 0}% above the usual (${perHour(t.visitorsPerHour)} at ${hh})` : perHour(t.visitorsPerHour);
}

/** "Tue 2025-03-18, 13:00 to 15:00"; the end's date is named when the peak runs past midnight. */
function spanText(from: string, to: string): string {
  return `${from.slice(0, 14)}, ${from.slice(-5)} to ${to.slice(0, 14) === from.slice(0, 14) ? to.slice(-5) : to}`;
}

export function composeAlert(c: AlertContext): MerchantAlert {
  const { peak, timezone } = c;
  const busiest = localLabel(timezone, peak.at);
  const when = { from: localLabel(timezone, peak.from), to: localLabel(timezone, peak.to), busiest };
  const chance = chanceAbove(peak.threshold, peak);
  const wording = wordingOf(chance);
  const expected = { visitorsPerHour: whole(peak.expected), range80: [whole(peak.lo80), whole(peak.hi80)] as [number, number], chanceAboveThreshold: chance, wording };
  const usualVisitors = peak.usual === null ? null : whole(peak.usual);
  const percentAbove = percentVsUsual(peak.expected, peak.usual);
  const threshold: MerchantAlert['threshold'] =
    c.threshold.kind === 'aboveUsual' ? { kind: 'aboveUsual', visitorsPerHour: whole(peak.threshold), percent: whole(c.threshold.percent) } : { kind: 'visitors', visitorsPerHour: whole(peak.threshold) };

  const label = { day: busiest.slice(0, 3), hh: busiest.slice(-5) };
  const where = `${spanText(when.from, when.to)} (${timezone} time)`;
  const forecast = `${perHour(expected.visitorsPerHour)} at ${label.hh}`;
  const usualText = comparedWithUsual(percentAbove, usualVisitors, label);
  const limit = thresholdText(threshold, label.hh);
  const message =
    c.status === 'cancelled'
      ? `Peak at ${c.shopName} no longer expected on ${where}: closest to your threshold now is ${forecast}, ${usualText}, under your threshold of ${limit}.`
      : `Peak expected at ${c.shopName} on ${where}: forecast ${forecast} (80% range ${expected.range80[0]}–${expected.range80[1]}), ${usualText}. ` +
        `Sent because that is at or above your threshold of ${limit}. ` +
        `${wording[0]!.toUpperCase()}${wording.slice(1)} (about ${whole(chance * 100)}%) to reach it.`;
  return {
    id: c.id,
    version: c.version,
    status: c.status,
    subscriptionId: c.subscriptionId,
    merchantId: c.merchantId,
    shopId: c.shopId,
    shopName: c.shopName,
    leadTimeH: c.leadTimeH,
    timezone,
    when,
    expected,
    usual: { visitorsPerHour: usualVisitors, percentAbove, basis: 'same hour of the week over recent ordinary weeks (holidays left out)' },
    threshold,
    peak,
    message,
    forecastMadeAt: c.forecastMadeAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
