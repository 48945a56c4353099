import type { Confidence, ForecastHour, PeakSnapshot, QuietHours, Threshold } from '@atrium/shared';
import { localMinuteOfDay, minutesOf, nextLocalTime } from '../forecast/zone-clock.ts';

/**
 * The alert planner: forecast + subscription + alerts already sent + now → what to send.
 * Pure: no clock, no store, no I/O; the service (alerts.ts) applies what it returns.
 *
 * - A **peak** is a run of consecutive forecast hours at or above the threshold (and at least
 *   `minVisitors`, so "200% above a usual of 2 at 07:00" is not a peak); its busiest hour is
 *   the one with the highest median.
 * - A new run is **the same peak** as an earlier alert when their windows overlap or their
 *   busiest hours are at most `sameWithinH` apart: a peak drifting by an hour between
 *   refreshes stays one peak.
 * - **Lead times** L are due once now ≥ busiest − L. Only the smallest due lead is sent: a peak
 *   first seen 10 h ahead gets the 2 h alert later but not a belated 72 h and 24 h pair now.
 *   So there is at most one alert per peak and lead time, and leads only shrink.
 * - The newest alert of a peak is **updated** (same id, version + 1) when the forecast has
 *   moved **materially** from what the merchant was last told: the busiest hour moved, or the
 *   median moved by at least `materialShare` of the told value and at least `materialVisitors`.
 *   Smaller drifts are not sent, and are measured against what was told, not against the last
 *   refresh, so they cannot creep unreported.
 * - A peak is **cancelled** (an update with status cancelled) when its window now forecasts
 *   below `cancelBelow` × threshold; between that and the threshold it stands (hysteresis, so a
 *   forecast hovering at the threshold does not flap). The cancellation carries the new
 *   forecast for the window, not the numbers that no longer hold. A cancelled peak that returns is
 *   re-activated by another update, never repeated.
 * - A peak already under way (busiest hour not in the future) is left alone.
 * - In **quiet hours** nothing is sent; the plan says when they end, and the service runs the
 *   planner again then, when whatever is still relevant (peaks still ahead) goes out.
 * - Low-confidence forecasts (too little history: forecast/series-forecast.ts) raise nothing.
 */
export interface PlannerConfig {
  minVisitors: number;
  sameWithinH: number;
  materialShare: number;
  materialVisitors: number;
  cancelBelow: number;
}

export const DEFAULT_PLANNER_CONFIG: Readonly<PlannerConfig> = {
  minVisitors: 10,
  sameWithinH: 2,
  materialShare: 0.2,
  materialVisitors: 10,
  cancelBelow: 0.9,
};

export interface PlannerSubscription {
  threshold: Threshold;
  leadTimesH: readonly number[];
  quietHours: QuietHours | null;
  enabled: boolean;
}

export interface PlannerForecast {
  madeAt: number;
  confidence: Confidence;
  hours: readonly ForecastHour[];
}

/** An alert as stored: enough to match peaks and measure change. */
export interface SentAlert {
  id: number;
  peakId: string;
  leadH: number;
  version: number;
  status: 'active' | 'cancelled';
  peak: PeakSnapshot;
}

export type PlannedAction =
  | { kind: 'create'; peakId: string; leadH: number; peak: PeakSnapshot }
  | { kind: 'update'; alertId: number; status: 'active' | 'cancelled'; peak: PeakSnapshot; why: string };

export interface Plan {
  actions: PlannedAction[];
  /** quiet hours held actions back: run again at this instant */
  deferredUntil: number | null;
}

const H = 3_600_000;

export function thresholdAt(threshold: Threshold, hour: ForecastHour): number | null {
  if (threshold.kind === 'visitors') return threshold.perHour;
  if (hour.usual === null) return null;
  return hour.usual * (1 + threshold.percent / 100);
}

export function inQuietHours(q: QuietHours | null, timeZone: string, now: number): boolean {
  if (!q) return false;
  const m = localMinuteOfDay(timeZone, now);
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/** Runs of consecutive future hours at or above the threshold. */
export function findPeaks(hours: readonly ForecastHour[], threshold: Threshold, now: number, cfg: PlannerConfig): PeakSnapshot[] {
  const peaks: PeakSnapshot[] = [];
  let run: ForecastHour[] = [];
  const close = () => {
    if (run.length === 0) return;
    let best = run[0]!;
    for (const h of run) if (h.mean > best.mean) best = h;
    peaks.push({
      from: run[0]!.t,
      to: run[run.length - 1]!.t + H,
      at: best.t,
      expected: best.mean,
      lo80: best.lo80,
      hi80: best.hi80,
      lo95: best.lo95,
      hi95: best.hi95,
      usual: best.usual,
      threshold: thresholdAt(threshold, best) ?? Number.NaN,
    });
    run = [];
  };
  const sorted = [...hours].sort((a, b) => a.t - b.t);
  for (const h of sorted) {
    if (h.t <= now) continue;
    const thr = thresholdAt(threshold, h);
    const crossing = thr !== null && h.mean >= thr && h.mean >= cfg.minVisitors;
    const last = run[run.length - 1];
    if (!crossing || (last && h.t !== last.t + H)) close();
    if (crossing) run.push(h);
  }
  close();
  return peaks;
}

/**
 * The new forecast over an earlier peak's window, at its hour closest to the threshold (highest
 * median / threshold there): what a cancellation reports, so it never repeats the old numbers
 * while saying they no longer hold. The window (from, to) is kept so the peak still matches.
 */
function closestInWindow(hours: readonly ForecastHour[], threshold: Threshold, told: PeakSnapshot): { ratio: number; peak: PeakSnapshot } | null {
  let best: { ratio: number; peak: PeakSnapshot } | null = null;
  for (const h of hours) {
    if (h.t < told.from || h.t >= told.to) continue;
    const thr = thresholdAt(threshold, h);
    if (thr === null || thr <= 0) continue;
    const ratio = h.mean / thr;
    if (best && ratio <= best.ratio) continue;
    best = { ratio, peak: { from: told.from, to: told.to, at: h.t, expected: h.mean, lo80: h.lo80, hi80: h.hi80, lo95: h.lo95, hi95: h.hi95, usual: h.usual, threshold: thr } };
  }
  return best;
}

export function materialChange(told: PeakSnapshot, now: PeakSnapshot, cfg: PlannerConfig): string | null {
  if (told.at !== now.at) return `busiest hour moved by ${Math.round((now.at - told.at) / H)} h`;
  const delta = Math.abs(now.expected - told.expected);
  if (delta >= cfg.materialVisitors && delta >= cfg.materialShare * told.expected) return `expected visitors moved from ${Math.round(told.expected)} to ${Math.round(now.expected)}`;
  return null;
}

export function planAlerts(p: {
  forecast: PlannerForecast | null;
  subscription: PlannerSubscription;
  sent: readonly SentAlert[];
  now: number;
  timeZone: string;
  config?: Partial<PlannerConfig>;
}): Plan {
  const cfg: PlannerConfig = { ...DEFAULT_PLANNER_CONFIG, ...p.config };
  const { forecast, subscription: sub, now } = p;
  if (!sub.enabled || !forecast || forecast.confidence === 'low') return { actions: [], deferredUntil: null };

  // Alerts grouped by peak; only peaks still ahead can change.
  const byPeak = new Map<string, SentAlert[]>();
  for (const a of p.sent) {
    if (a.peak.at <= now) continue;
    byPeak.set(a.peakId, [...(byPeak.get(a.peakId) ?? []), a]);
  }
  const current = (alerts: SentAlert[]) => alerts.reduce((best, a) => (a.leadH < best.leadH ? a : best));

  const actions: PlannedAction[] = [];
  const matched = new Set<string>();
  const usedIds = new Set(p.sent.map((a) => a.peakId));
  for (const peak of findPeaks(forecast.hours, sub.threshold, now, cfg)) {
    let peakId: string | null = null;
    for (const [id, alerts] of byPeak) {
      if (matched.has(id)) continue;
      const told = current(alerts).peak;
      if ((peak.from < told.to && told.from < peak.to) || Math.abs(peak.at - told.at) <= cfg.sameWithinH * H) {
        peakId = id;
        break;
      }
    }
    const due = sub.leadTimesH.filter((l) => peak.at - l * H <= now);
    const target = due.length > 0 ? Math.min(...due) : null;
    if (peakId === null) {
      if (target !== null) {
        // Ids only need to be unique per subscription; a drifted older peak may hold `p<at>` already.
        let id = `p${peak.at}`;
        for (let n = 2; usedIds.has(id); n++) id = `p${peak.at}-${n}`;
        usedIds.add(id);
        actions.push({ kind: 'create', peakId: id, leadH: target, peak });
      }
      continue;
    }
    matched.add(peakId);
    const alerts = byPeak.get(peakId) ?? [];
    const newest = current(alerts);
    if (target !== null && target < newest.leadH) {
      actions.push({ kind: 'create', peakId, leadH: target, peak });
      continue;
    }
    if (newest.status === 'cancelled') {
      actions.push({ kind: 'update', alertId: newest.id, status: 'active', peak, why: 'the peak is forecast again' });
      continue;
    }
    const why = materialChange(newest.peak, peak, cfg);
    if (why) actions.push({ kind: 'update', alertId: newest.id, status: 'active', peak, why });
  }

  for (const [id, alerts] of byPeak) {
    if (matched.has(id)) continue;
    const newest = current(alerts);
    if (newest.status === 'cancelled') continue;
    const latest = closestInWindow(forecast.hours, sub.threshold, newest.peak);
    if (latest !== null && latest.ratio < cfg.cancelBelow) {
      actions.push({ kind: 'update', alertId: newest.id, status: 'cancelled', peak: latest.peak, why: `now forecast at ${Math.round(latest.ratio * 100)}% of the threshold` });
    }
  }

  if (actions.length > 0 && sub.quietHours && inQuietHours(sub.quietHours, p.timeZone, now)) {
    return { actions: [], deferredUntil: nextLocalTime(p.timeZone, now, sub.quietHours.to) };
  }
  return { actions, deferredUntil: null };
}
