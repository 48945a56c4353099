import { localLabel } from '../forecast/zone-clock.ts';
import type { MerchantAlert, PeakSnapshot, Threshold } from '@atrium/shared';

/**
 * What an alert says: when (local time), how many (the median), how sure (the 80% range and a
 * chance in words), compared with what (the usual for that hour of the week).
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

const round = (v: number) => Math.round(v);

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
  peak: PeakSnapshot;
  forecastMadeAt: number;
  createdAt: number;
  updatedAt: number;
}

export function composeAlert(c: AlertContext): MerchantAlert {
  const { peak, timezone } = c;
  const busiest = localLabel(timezone, peak.at);
  const when = { from: localLabel(timezone, peak.from), to: localLabel(timezone, peak.to), busiest };
  const chance = chanceAbove(peak.threshold, peak);
  const wording = wordingOf(chance);
  const percentAbove = peak.usual !== null && peak.usual > 0 ? round(((peak.expected - peak.usual) / peak.usual) * 100) : null;
  const day = busiest.slice(0, 3);
  const hh = busiest.slice(-5);
  const usualText = peak.usual !== null ? `${percentAbove !== null ? `${percentAbove}% above` : 'compared with'} the usual ${round(peak.usual)} for a ${day} ${hh}` : 'no usual yet for that hour (too little history)';
  const span = `${when.from} to ${when.to.slice(-5)}`;
  const message =
    c.status === 'cancelled'
      ? `Peak at ${c.shopName} no longer expected: ${span} is now forecast below your threshold of ${round(peak.threshold)} visitors/hour.`
      : `Peak expected at ${c.shopName}, ${span} (busiest ${hh}): about ${round(peak.expected)} visitors/hour ` +
        `(80% range ${round(peak.lo80)}–${round(peak.hi80)}), ${usualText}. ` +
        `${wording[0]!.toUpperCase()}${wording.slice(1)} (about ${round(chance * 100)}%) to reach your threshold of ${round(peak.threshold)}/hour.`;
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
    expected: { visitorsPerHour: round(peak.expected), range80: [round(peak.lo80), round(peak.hi80)], chanceAboveThreshold: chance, wording },
    usual: { visitorsPerHour: peak.usual === null ? null : round(peak.usual), percentAbove, basis: 'same hour of the week over recent ordinary weeks (holidays left out)' },
    threshold: { kind: c.threshold.kind, visitorsPerHour: round(peak.threshold) },
    peak,
    message,
    forecastMadeAt: c.forecastMadeAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
