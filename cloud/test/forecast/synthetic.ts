import { HOURS_PER_DAY, dayOf, hourOfDay, parseDay, weekdayOfDay } from '../../src/forecast/clock.ts';
import type { HourlySeries } from '../../src/forecast/series.ts';

/** Small deterministic footfall series for tests: a commuter-mall weekly pattern, optional noise and holidays. */

/** Park–Miller style generator so every run sees the same "random" noise. */
export function rng(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** Expected count of a day-type at an hour: weekday commute peaks, lunch, and a flatter weekend. */
export function typical(weekday: number, hh: number, holiday = false): number {
  const weekend = holiday || weekday === 0 || weekday === 6;
  if (weekend) return Math.round(40 + 400 * Math.exp(-((hh - 14) ** 2) / 18));
  const peak = (c: number, w: number, a: number): number => a * Math.exp(-((hh - c) ** 2) / w);
  return Math.round(20 + peak(8, 1.5, 1500) + peak(12.5, 2, 900) + peak(17.5, 1.5, 1300) + (weekday === 5 ? peak(21, 4, 300) : 0));
}

export interface SyntheticOptions {
  /** First day, YYYY-MM-DD (time 00:00). */
  from: string;
  days: number;
  /** Multiplicative noise: each hour is scaled by exp(noise × N(0,1)). */
  noise?: number;
  /** Holidays that the series obeys (they look like Sundays). */
  holidays?: readonly string[];
  seed?: number;
  sensorId?: string;
}

export function syntheticSeries(o: SyntheticOptions): HourlySeries {
  const first = parseDay(o.from);
  if (typeof first === 'string') throw new Error(first);
  const holidays = new Set((o.holidays ?? []).map((d) => parseDay(d)));
  const random = rng(o.seed ?? 1);
  const gauss = (): number => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const start = first * HOURS_PER_DAY;
  const values = new Float64Array(o.days * HOURS_PER_DAY);
  for (let i = 0; i < values.length; i++) {
    const t = start + i;
    const day = dayOf(t);
    const base = typical(weekdayOfDay(day), hourOfDay(t), holidays.has(day));
    values[i] = Math.round(base * Math.exp((o.noise ?? 0) * gauss()));
  }
  return { sensorId: o.sensorId ?? '1', sensor: 'Synthetic Mall', start, values };
}
