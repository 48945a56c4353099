import { isHoliday, type Calendar } from './calendar.ts';
import { HOURS_PER_DAY, dayOf, hourOfDay } from './clock.ts';
import { baseAt, type ProfileParams } from './profile.ts';
import { quantileSorted } from './quantile.ts';
import type { HourlySeries } from './series.ts';

/**
 * Multiplicative corrections to the seasonal base, each answering one question the weekly
 * profile cannot: is the place busier or quieter than usual right now (level), at which hours
 * (shape), is this time of year unusual (annual: Christmas shutdown, summer holidays), and how
 * does this public holiday differ from a Sunday (holiday). Ratios, not differences, because
 * footfall changes proportionally: a quiet week is quiet at 08:00 and at 14:00 alike.
 */
export interface AdjustParams {
  /** Ordinary days before the origin whose actual/expected ratios set the current level and shape. */
  levelDays: number;
  /** Share (as an exponent) of the level deviation carried forward: it is noisy and partly transient. */
  levelWeight: number;
  /** Share (as an exponent) of the per-hour deviation beyond the level carried forward. */
  shapeWeight: number;
  /** Use last year's deviations around the same date. */
  annual: boolean;
  /** Annual deviations smaller than this (in log terms) are treated as noise; larger ones are reduced by it. */
  annualThreshold: number;
  /** How far back to look for earlier occurrences of a holiday. */
  holidayLookbackDays: number;
}

const RATIO_MIN = 0.05;
const RATIO_MAX = 20;

function clampRatio(r: number): number {
  return Math.min(RATIO_MAX, Math.max(RATIO_MIN, r));
}

/**
 * The history with its past bases, computed lazily: a forecast touches only the last weeks,
 * the same dates a year back and earlier holidays, not the whole series.
 */
export class Prepared {
  readonly firstDay: number;
  private readonly baseCache: Float64Array;
  private readonly dayCache: Float64Array;
  /**
   * Per-day results that also depend on the adjustment parameters (one set per forecast, so a
   * different set simply starts them again): the annual factor of a day, and a past ordinary
   * day's terms of the recent correction. Calibration re-forecasts from ninety-odd consecutive
   * origins whose hours and correction windows overlap: each day is worked out once.
   */
  private adjustFor: AdjustParams | null = null;
  private readonly annualCache = new Map<number, number>();
  private readonly correctionTerms = new Map<number, { y: Float64Array; ba: Float64Array } | null>();

  constructor(
    readonly series: HourlySeries,
    readonly cal: Calendar,
    private readonly params: ProfileParams,
  ) {
    this.firstDay = dayOf(series.start);
    // Infinity marks "not computed yet"; NaN is a legitimate "no base".
    this.baseCache = new Float64Array(series.values.length).fill(Number.POSITIVE_INFINITY);
    this.dayCache = new Float64Array(Math.max(0, dayOf(series.start + series.values.length - 1) - this.firstDay + 1)).fill(Number.POSITIVE_INFINITY);
  }

  /** Count at hour t, NaN if missing or outside the history. */
  value(t: number): number {
    const v = this.series.values[t - this.series.start];
    return v === undefined ? Number.NaN : v;
  }

  /** Base of a past hour as it was knowable at that hour's own midnight. */
  pastBase(t: number): number {
    const i = t - this.series.start;
    if (i < 0 || i >= this.baseCache.length) return Number.NaN;
    let b = this.baseCache[i] as number;
    if (b === Number.POSITIVE_INFINITY) {
      b = baseAt(this.series, this.cal, t, t - hourOfDay(t), this.params);
      this.baseCache[i] = b;
    }
    return b;
  }

  /** The cached per-day results, valid for `p` (cleared when another parameter set asks). */
  adjusted(p: AdjustParams): { annual: Map<number, number>; terms: Map<number, { y: Float64Array; ba: Float64Array } | null> } {
    if (this.adjustFor !== p) {
      this.adjustFor = p;
      this.annualCache.clear();
      this.correctionTerms.clear();
    }
    return { annual: this.annualCache, terms: this.correctionTerms };
  }

  /** Actual / base over a past day; NaN when under half its hours can be compared. */
  dayRatio(day: number): number {
    const i = day - this.firstDay;
    if (i < 0 || i >= this.dayCache.length) return Number.NaN;
    let r = this.dayCache[i] as number;
    if (r === Number.POSITIVE_INFINITY) {
      let sy = 0;
      let sb = 0;
      let n = 0;
      for (let t = day * HOURS_PER_DAY; t < (day + 1) * HOURS_PER_DAY; t++) {
        const y = this.value(t);
        const b = this.pastBase(t);
        if (Number.isNaN(y) || Number.isNaN(b)) continue;
        sy += y;
        sb += b;
        n++;
      }
      r = n >= HOURS_PER_DAY / 2 && sb > 0 ? sy / sb : Number.NaN;
      this.dayCache[i] = r;
    }
    return r;
  }
}

/**
 * How unusual this date was last year, relative to the weeks before it. Looked up both 364
 * days back (same weekday) and 365 back (same date); only a deviation both agree on is used,
 * and only the smaller of the two, less a noise threshold. One year of one sensor is a noisy
 * witness: demanding two consistent, sizeable readings keeps ordinary weather and one-off
 * events from leaking into next year, while recurring seasons (the Christmas–New Year lull,
 * summer holidays) still come through.
 */
export function annualFactor(prep: Prepared, day: number, p: AdjustParams): number {
  const cache = prep.adjusted(p).annual;
  let f = cache.get(day);
  if (f === undefined) {
    f = annualFactorOf(prep, day, p);
    cache.set(day, f);
  }
  return f;
}

function annualFactorOf(prep: Prepared, day: number, p: AdjustParams): number {
  if (!p.annual || isHoliday(prep.cal, day)) return 1;
  let minAbs = Number.POSITIVE_INFINITY;
  let sign = 0;
  for (const lag of [364, 365]) {
    const analog = day - lag;
    if (isHoliday(prep.cal, analog)) return 1;
    const r = prep.dayRatio(analog);
    if (!(r > 0)) return 1;
    const l = Math.log(Math.min(5, Math.max(0.2, r)));
    const s = Math.sign(l);
    if (sign !== 0 && s !== sign) return 1;
    sign = s;
    minAbs = Math.min(minAbs, Math.abs(l));
  }
  return Math.exp(sign * Math.max(0, minAbs - p.annualThreshold));
}

/**
 * How a holiday differs from a Sunday, hour by hour, learned from earlier holidays of the same
 * name (Christmas Day, Melbourne Cup and Labour Day differ a lot). A holiday seen for the
 * first time gets the median day-level effect of the other recent holidays, or the plain
 * Sunday profile when there are too few of those.
 */
export function holidayFactor(prep: Prepared, t: number, origin: number, p: AdjustParams): number {
  const name = prep.cal.holidays.get(dayOf(t));
  if (name === undefined) return 1;
  const lastDay = dayOf(origin) - 1;
  const hh = hourOfDay(t);
  const same: number[] = [];
  const others: number[] = [];
  for (const [d, n] of prep.cal.holidays) {
    if (d > lastDay || d < lastDay - p.holidayLookbackDays) continue;
    if (n === name) {
      // The hour's own ratio keeps the holiday's shape (late-night crowds, shut mornings)…
      const past = d * HOURS_PER_DAY + hh;
      const y = prep.value(past);
      const b = prep.pastBase(past);
      if (b > 0 && !Number.isNaN(y)) {
        same.push(Math.log(clampRatio(y / b)));
        continue;
      }
      // …and the day's ratio stands in when that hour was not counted.
      const r = prep.dayRatio(d);
      if (r > 0) same.push(Math.log(clampRatio(r)));
    } else if (d >= lastDay - p.holidayLookbackDays / 2) {
      const r = prep.dayRatio(d);
      if (r > 0) others.push(Math.log(clampRatio(r)));
    }
  }
  if (same.length > 0) return Math.exp(same.reduce((a, b) => a + b, 0) / same.length);
  if (others.length >= 3) {
    others.sort((a, b) => a - b);
    return Math.exp(quantileSorted(others, 0.5));
  }
  return 1;
}

/**
 * Current level and per-hour shape corrections from the ordinary days just before the origin:
 * actual over expected, overall and for each hour of the day. Holidays are left out (they have
 * their own factor) and the annual factor is part of the expectation, so a Christmas lull
 * already predicted by last year is not counted twice. The per-hour part follows changes the
 * weekly average is slow to see, such as a timetable change moving the morning peak.
 */
export function recentCorrection(prep: Prepared, origin: number, p: AdjustParams): number[] {
  const sy = new Array<number>(HOURS_PER_DAY).fill(0);
  const sb = new Array<number>(HOURS_PER_DAY).fill(0);
  let totalY = 0;
  let totalB = 0;
  for (let day = dayOf(origin) - p.levelDays; day < dayOf(origin); day++) {
    const terms = correctionTerms(prep, day, p);
    if (!terms) continue;
    for (let hh = 0; hh < HOURS_PER_DAY; hh++) {
      const y = terms.y[hh] as number;
      if (Number.isNaN(y)) continue;
      const ba = terms.ba[hh] as number;
      sy[hh] = (sy[hh] as number) + y;
      sb[hh] = (sb[hh] as number) + ba;
      totalY += y;
      totalB += ba;
    }
  }
  const level = totalB > 0 ? Math.min(5, Math.max(0.2, totalY / totalB)) : 1;
  return sy.map((y, hh) => {
    const b = sb[hh] as number;
    const shape = b > 0 ? Math.min(5, Math.max(0.2, y / b)) / level : 1;
    return Math.pow(level, p.levelWeight) * Math.pow(shape, p.shapeWeight);
  });
}

/** One past day's part of the recent correction: each hour's actual and annual-adjusted base (NaN where either is missing); null on a holiday. */
function correctionTerms(prep: Prepared, day: number, p: AdjustParams): { y: Float64Array; ba: Float64Array } | null {
  const cache = prep.adjusted(p).terms;
  let terms = cache.get(day);
  if (terms !== undefined) return terms;
  terms = null;
  if (!isHoliday(prep.cal, day)) {
    const a = annualFactor(prep, day, p);
    terms = { y: new Float64Array(HOURS_PER_DAY), ba: new Float64Array(HOURS_PER_DAY) };
    for (let hh = 0; hh < HOURS_PER_DAY; hh++) {
      const t = day * HOURS_PER_DAY + hh;
      const y = prep.value(t);
      const b = prep.pastBase(t);
      const skip = Number.isNaN(y) || Number.isNaN(b);
      terms.y[hh] = skip ? Number.NaN : y;
      terms.ba[hh] = skip ? Number.NaN : b * a;
    }
  }
  cache.set(day, terms);
  return terms;
}
