import { HOURS_PER_DAY } from './clock.ts';
import { seriesEnd, valueAt, type HourlySeries } from './series.ts';

/**
 * Forecast origins of the backtest protocol (fixed so figures stay comparable across runs):
 * local midnights every `stepDays`, counting back from the last midnight whose following
 * `horizon` hours lie inside the data; an origin is skipped when the `lookback` hours before
 * it have less than `minHistoryShare` of their counts or the `horizon` hours after it less
 * than `minFutureShare`; the most recent `count` surviving origins are kept.
 */
export interface OriginPolicy {
  stepDays: number;
  count: number;
  lookback: number;
  horizon: number;
  minHistoryShare: number;
  minFutureShare: number;
}

export const BACKTEST_POLICY: OriginPolicy = {
  stepDays: 5,
  count: 30,
  lookback: 2016,
  horizon: 72,
  minHistoryShare: 0.8,
  minFutureShare: 0.5,
};

/** Share of hours in [from, to) that have a count (hours outside the series count as missing). */
export function presentShare(series: HourlySeries, from: number, to: number): number {
  let present = 0;
  for (let h = from; h < to; h++) if (!Number.isNaN(valueAt(series, h))) present++;
  return to > from ? present / (to - from) : 0;
}

export interface OriginCandidate {
  origin: number;
  historyShare: number;
  futureShare: number;
  kept: boolean;
}

/** Every candidate midnight considered, newest first, with why it was kept or not (for diagnostics and tests). */
export function originCandidates(series: HourlySeries, policy: OriginPolicy = BACKTEST_POLICY): OriginCandidate[] {
  const end = seriesEnd(series);
  const last = Math.floor((end - policy.horizon) / HOURS_PER_DAY) * HOURS_PER_DAY;
  const out: OriginCandidate[] = [];
  let kept = 0;
  for (let origin = last; origin > series.start && kept < policy.count; origin -= policy.stepDays * HOURS_PER_DAY) {
    const historyShare = presentShare(series, origin - policy.lookback, origin);
    const futureShare = presentShare(series, origin, origin + policy.horizon);
    const ok = historyShare >= policy.minHistoryShare && futureShare >= policy.minFutureShare;
    if (ok) kept++;
    out.push({ origin, historyShare, futureShare, kept: ok });
  }
  return out;
}

/** The kept origins, oldest first. */
export function selectOrigins(series: HourlySeries, policy: OriginPolicy = BACKTEST_POLICY): number[] {
  return originCandidates(series, policy)
    .filter((c) => c.kept)
    .map((c) => c.origin)
    .reverse();
}
