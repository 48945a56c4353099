import { describe, expect, it } from 'vitest';
import type { ForecastHour, MerchantAlert, Threshold } from '@atrium/shared';
import { composeAlert } from '../../src/merchants/alert-text.ts';
import { planAlerts, type PlannerSubscription, type SentAlert } from '../../src/merchants/planner.ts';
import { rng } from '../forecast/synthetic.ts';

const H = 3_600_000;
// Friday 2025-03-14 00:00 UTC; the zones include a half-hour offset and both hemispheres' DST.
const NOW = Date.UTC(2025, 2, 14);
const ZONES = ['Australia/Melbourne', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];

const compose = (alert: { status: 'active' | 'cancelled'; peak: SentAlert['peak'] }, threshold: Threshold, timezone: string): MerchantAlert =>
  composeAlert({ id: 1, version: 1, status: alert.status, subscriptionId: 1, merchantId: 'm', shopId: 's', shopName: 'Brew Co', leadTimeH: 72, timezone, threshold, peak: alert.peak, forecastMadeAt: NOW, createdAt: NOW, updatedAt: NOW });

/** The message with its local dates and clock times taken out: what is left are counts and percents. */
const withoutTimes = (message: string): string => message.replace(/\d{4}-\d{2}-\d{2}/g, ' ').replace(/\d{2}:\d{2}/g, ' ');

/** Every number a merchant reads, sign included. */
const numbersIn = (message: string): number[] => [...withoutTimes(message).matchAll(/-?\d+(\.\d+)?/g)].map((m) => Number(m[0]));

const DAYS: Record<string, string> = { Mon: 'Monday', Tue: 'Tuesday', Wed: 'Wednesday', Thu: 'Thursday', Fri: 'Friday', Sat: 'Saturday', Sun: 'Sunday' };

/** What must hold for every alert, whatever the numbers. Returns the problems found. */
function problems(a: MerchantAlert): string[] {
  const out: string[] = [];
  const m = a.message;
  const hh = a.when.busiest.slice(-5);
  const pct = a.usual.percentAbove;
  const usual = a.usual.visitorsPerHour;
  const t = a.threshold;
  const expected = a.expected.visitorsPerHour;
  const check = (ok: boolean, what: string) => ok || out.push(`${what}: ${m}`);

  check(!/NaN|Infinity|-\d|undefined|null/.test(withoutTimes(m)), 'no negative or missing number');
  check(m.includes(`(${a.timezone} time)`), 'names the site time zone');
  check(m.includes(`${a.when.from.slice(0, 14)}, ${a.when.from.slice(-5)} to `), 'says when, in local time');
  check(m.includes(`${a.status === 'active' ? 'forecast' : 'now is'} ${expected} visitor${expected === 1 ? '' : 's'}/hour at ${hh}`), 'the forecast and its hour');

  // Sign and word agree with the structured percent, and with the rounded counts beside it.
  const vs = /(\d+)% (above|below) the usual (\d+) for a (\w+) at (\d\d:\d\d)/.exec(m);
  if (pct === null) check(vs === null, 'no percent without a usual');
  else if (pct === 0) check(vs === null && m.includes(`about the usual ${usual} for a`), '"about the usual" at 0%');
  else {
    check(vs !== null, 'a percent against the usual');
    if (vs) {
      check(Number(vs[1]) === Math.abs(pct) && vs[2] === (pct > 0 ? 'above' : 'below') && Number(vs[3]) === usual, 'percent, word and usual match the fields');
      check(vs[4] === DAYS[a.when.busiest.slice(0, 3)] && vs[5] === hh, 'the usual is for that day and hour');
      check(pct > 0 ? expected >= usual! : expected <= usual!, 'the word agrees with the rounded counts');
    }
  }
  check(!/above the usual \d+ for a/.test(m) || (pct ?? 0) > 0, 'never "above" for a forecast that is not above');

  // Why: the threshold, in its own terms, agreeing with what crossed it.
  const limit = t.kind === 'aboveUsual' ? `${t.percent}% above the usual (${t.visitorsPerHour} visitor${t.visitorsPerHour === 1 ? '' : 's'}/hour at ${hh})` : `${t.visitorsPerHour} visitor${t.visitorsPerHour === 1 ? '' : 's'}/hour`;
  if (a.status === 'active') {
    check(m.includes(`Sent because that is at or above your threshold of ${limit}.`), 'says which threshold sent it');
    check(expected >= t.visitorsPerHour, 'a sent forecast is at or above the threshold it names');
    if (t.kind === 'aboveUsual' && pct !== null) check(pct >= t.percent!, 'its percent is at or above the threshold percent');
    check(m.includes(`(80% range ${a.expected.range80[0]}–${a.expected.range80[1]})`), 'the 80% range');
    check(m.includes(`(about ${Math.round(a.expected.chanceAboveThreshold * 100)}%) to reach it`), 'the chance');
    check(a.expected.range80[0] <= expected && expected <= a.expected.range80[1], 'the range brackets the forecast');
  } else {
    check(m.includes(`under your threshold of ${limit}.`), 'says which threshold it fell under');
    check(expected <= t.visitorsPerHour, 'a cancelled forecast is not above the threshold it names');
  }

  // Every number in the text is one of the structured fields (80 is the band's name).
  const allowed = new Set([expected, ...a.expected.range80, Math.round(a.expected.chanceAboveThreshold * 100), usual, pct === null ? null : Math.abs(pct), t.visitorsPerHour, t.percent, 80]);
  for (const n of numbersIn(m)) check(allowed.has(n), `${n} is a structured field`);
  return out;
}

/** A random 72 h forecast: busy and quiet hours, no usual, a usual of nothing, tiny and large counts, hours exactly at the threshold. */
function randomCase(random: () => number): { hours: ForecastHour[]; threshold: Threshold; timezone: string } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const scale = pick([3, 20, 120, 700, 5000]);
  const threshold: Threshold =
    random() < 0.5 ? { kind: 'visitors', perHour: pick([scale * (0.5 + random()), Math.round(scale * (0.3 + random())), 10.5]) } : { kind: 'aboveUsual', percent: pick([15, 22.5, 1 + Math.floor(random() * 300), 0.4]) };
  const hours: ForecastHour[] = [];
  for (let k = 1; k <= 72; k++) {
    const usual = random() < 0.1 ? null : random() < 0.05 ? 0 : random() < 0.05 ? random() * 0.6 : scale * (0.2 + random());
    let mean = scale * random() * 1.6;
    // Exactly at the threshold now and then, where float noise and rounding bite.
    if (random() < 0.15) mean = threshold.kind === 'visitors' ? threshold.perHour : (usual ?? scale) * (1 + threshold.percent / 100);
    const spread = 0.05 + random() * 0.5;
    hours.push({ t: NOW + k * H, leadH: k, mean, lo80: mean * (1 - spread), hi80: mean * (1 + spread), lo95: mean * (1 - spread * 1.5), hi95: mean * (1 + spread * 2), usual });
  }
  return { hours, threshold, timezone: pick(ZONES) };
}

describe('merchant alert text', () => {
  it('never contradicts its numbers, over generated forecasts, usuals and thresholds of both kinds', () => {
    const random = rng(2025);
    const found: string[] = [];
    let active = 0;
    let cancelled = 0;
    const kinds = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const { hours, threshold, timezone } = randomCase(random);
      const sub: PlannerSubscription = { threshold, leadTimesH: [72], quietHours: null, enabled: true };
      const first = planAlerts({ forecast: { madeAt: NOW, confidence: 'normal', hours }, subscription: sub, sent: [], now: NOW, timeZone: timezone });
      const sent: SentAlert[] = [];
      for (const a of first.actions) {
        if (a.kind !== 'create') continue;
        const alert = compose({ status: 'active', peak: a.peak }, threshold, timezone);
        found.push(...problems(alert));
        kinds.add(`${threshold.kind} ${Math.sign(alert.usual.percentAbove ?? Number.NaN)}`);
        sent.push({ id: sent.length + 1, peakId: a.peakId, leadH: a.leadH, version: 1, status: 'active', peak: a.peak });
        active++;
      }
      // The forecast drops: every peak still ahead is cancelled, with the new numbers.
      const drop = 0.1 + random() * 0.7;
      const lower = hours.map((h) => ({ ...h, mean: h.mean * drop, lo80: h.lo80 * drop, hi80: h.hi80 * drop, lo95: h.lo95 * drop, hi95: h.hi95 * drop }));
      for (const a of planAlerts({ forecast: { madeAt: NOW + H, confidence: 'normal', hours: lower }, subscription: sub, sent, now: NOW, timeZone: timezone }).actions) {
        if (a.kind !== 'update' || a.status !== 'cancelled') continue;
        found.push(...problems(compose({ status: 'cancelled', peak: a.peak }, threshold, timezone)));
        cancelled++;
      }
    }
    expect(found.slice(0, 10)).toEqual([]);
    // The generator reached every branch: both kinds, forecasts above, at and below the usual, and cancellations.
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['aboveUsual 1', 'visitors -1', 'visitors 0', 'visitors 1', 'visitors NaN']));
    expect(active).toBeGreaterThan(3000);
    expect(cancelled).toBeGreaterThan(1000);
  });

  it('reads "7% below the usual 675", not "-7% above", when a visitors threshold is crossed on a quiet Saturday', () => {
    const at = Date.UTC(2025, 2, 15, 3); // Saturday 14:00 in Melbourne
    const peak = { from: at, to: at + H, at, expected: 629.4, lo80: 560, hi80: 700, lo95: 520, hi95: 760, usual: 674.6, threshold: 600 };
    const a = compose({ status: 'active', peak }, { kind: 'visitors', perHour: 600 }, 'Australia/Melbourne');
    expect(a.usual).toMatchObject({ visitorsPerHour: 675, percentAbove: -7 });
    expect(a.message).toBe(
      'Peak expected at Brew Co on Sat 2025-03-15, 14:00 to 15:00 (Australia/Melbourne time): forecast 629 visitors/hour at 14:00 (80% range 560–700), ' +
        '7% below the usual 675 for a Saturday at 14:00. Sent because that is at or above your threshold of 600 visitors/hour. More likely than not (about 67%) to reach it.',
    );
  });

  it("says which percent threshold sent it, in the threshold's own terms", () => {
    const at = Date.UTC(2025, 2, 15, 3);
    const peak = { from: at - H, to: at + 2 * H, at, expected: 820, lo80: 740, hi80: 905, lo95: 700, hi95: 960, usual: 675, threshold: 675 * 1.15 };
    const a = compose({ status: 'active', peak }, { kind: 'aboveUsual', percent: 15 }, 'Australia/Melbourne');
    expect(a.threshold).toEqual({ kind: 'aboveUsual', visitorsPerHour: 776, percent: 15 });
    expect(a.message).toContain('forecast 820 visitors/hour at 14:00 (80% range 740–905), 21% above the usual 675 for a Saturday at 14:00.');
    expect(a.message).toContain('Sent because that is at or above your threshold of 15% above the usual (776 visitors/hour at 14:00).');
    expect(problems(a)).toEqual([]);
  });

  it('a cancellation reports the new forecast, under the threshold, not the peak that no longer holds', () => {
    const at = Date.UTC(2025, 2, 15, 3);
    const hours = (mean: number): ForecastHour[] => [{ t: at, leadH: 27, mean, lo80: mean * 0.8, hi80: mean * 1.2, lo95: mean * 0.7, hi95: mean * 1.4, usual: 675 }];
    const sub: PlannerSubscription = { threshold: { kind: 'visitors', perHour: 800 }, leadTimesH: [72], quietHours: null, enabled: true };
    const [created] = planAlerts({ forecast: { madeAt: NOW, confidence: 'normal', hours: hours(900) }, subscription: sub, sent: [], now: NOW, timeZone: 'Australia/Melbourne' }).actions;
    if (created?.kind !== 'create') throw new Error('expected a peak');
    const sent: SentAlert[] = [{ id: 7, peakId: created.peakId, leadH: 72, version: 1, status: 'active', peak: created.peak }];
    const [cancel] = planAlerts({ forecast: { madeAt: NOW + H, confidence: 'normal', hours: hours(540) }, subscription: sub, sent, now: NOW + H, timeZone: 'Australia/Melbourne' }).actions;
    if (cancel?.kind !== 'update') throw new Error('expected a cancellation');
    const a = compose({ status: 'cancelled', peak: cancel.peak }, sub.threshold, 'Australia/Melbourne');
    expect(a.expected.visitorsPerHour).toBe(540);
    expect(a.message).toBe(
      'Peak at Brew Co no longer expected on Sat 2025-03-15, 14:00 to 15:00 (Australia/Melbourne time): closest to your threshold now is 540 visitors/hour at 14:00, ' +
        '20% below the usual 675 for a Saturday at 14:00, under your threshold of 800 visitors/hour.',
    );
  });
});
