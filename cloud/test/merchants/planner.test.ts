import { describe, expect, it } from 'vitest';
import type { ForecastHour } from '@atrium/shared';
import { composeAlert, chanceAbove } from '../../src/merchants/alert-text.ts';
import { planAlerts, type PlannedAction, type PlannerForecast, type PlannerSubscription, type SentAlert } from '../../src/merchants/planner.ts';

// Monday 2025-03-17 09:00 in Melbourne (AEDT, UTC+11) = 2025-03-16 22:00 UTC.
const TZ = 'Australia/Melbourne';
const H = 3_600_000;
const NOW = Date.UTC(2025, 2, 16, 22);
const localHour = (t: number) => (new Date(t + 11 * H).getUTCHours());

/** 72 hours after NOW: 100/h while open (10–21), 0 at night; `peaks` overrides given hours (offset from NOW in hours). */
function forecastWith(peaks: Record<number, number>, opts: { usual?: number; confidence?: 'normal' | 'low'; madeAt?: number } = {}): PlannerForecast {
  const hours: ForecastHour[] = [];
  for (let k = 1; k <= 72; k++) {
    const t = NOW + k * H;
    const open = localHour(t) >= 10 && localHour(t) < 21;
    const mean = peaks[k] ?? (open ? 100 : 0);
    hours.push({ t, leadH: k, mean, lo80: mean * 0.8, hi80: mean * 1.25, lo95: mean * 0.65, hi95: mean * 1.5, usual: open ? (opts.usual ?? 100) : 0 });
  }
  return { madeAt: NOW, confidence: opts.confidence ?? 'normal', hours };
}

const sub = (over: Partial<PlannerSubscription> = {}): PlannerSubscription => ({ threshold: { kind: 'visitors', perHour: 200 }, leadTimesH: [72, 24, 2], quietHours: null, enabled: true, ...over });

/** Stores planned creates/updates the way the service would, so the next plan sees them. */
function apply(sent: SentAlert[], actions: PlannedAction[]): SentAlert[] {
  let id = Math.max(0, ...sent.map((s) => s.id));
  const out = [...sent];
  for (const a of actions) {
    if (a.kind === 'create') out.push({ id: ++id, peakId: a.peakId, leadH: a.leadH, version: 1, status: 'active', peak: a.peak });
    else {
      const i = out.findIndex((s) => s.id === a.alertId);
      out[i] = { ...out[i]!, version: out[i]!.version + 1, status: a.status, peak: a.peak };
    }
  }
  return out;
}

describe('merchant peak alert planner', () => {
  // Tuesday 13:00–14:00 local: hours 28 and 29 after NOW.
  const tuesdayPeak = { 28: 320, 29: 260 };

  it('raises one alert for a peak crossing the threshold, at the smallest lead time already due', () => {
    const plan = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: [], now: NOW, timeZone: TZ });
    expect(plan.actions).toHaveLength(1);
    const a = plan.actions[0]!;
    expect(a).toMatchObject({ kind: 'create', leadH: 72 });
    if (a.kind !== 'create') throw new Error();
    expect(a.peak).toMatchObject({ from: NOW + 28 * H, to: NOW + 30 * H, at: NOW + 28 * H, expected: 320, usual: 100, threshold: 200 });
    // 20 hours before the peak the 72 h and 24 h leads are both due: only the 24 h one is sent.
    const late = planAlerts({ forecast: forecastWith({ 20: 320 }), subscription: sub(), sent: [], now: NOW, timeZone: TZ });
    expect(late.actions.map((x) => x.kind === 'create' && x.leadH)).toEqual([24]);
  });

  it('does not repeat an alert, sends the next lead time when it falls due, and nothing for a peak already under way', () => {
    let sent = apply([], planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: [], now: NOW, timeZone: TZ }).actions);
    expect(planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent, now: NOW + H, timeZone: TZ }).actions).toEqual([]);
    // Four hours later the peak is 24 h away: the 24 h alert, for the same peak.
    const at24 = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent, now: NOW + 4 * H, timeZone: TZ });
    expect(at24.actions).toHaveLength(1);
    expect(at24.actions[0]).toMatchObject({ kind: 'create', leadH: 24, peakId: sent[0]!.peakId });
    sent = apply(sent, at24.actions);
    expect(planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent, now: NOW + 5 * H, timeZone: TZ }).actions).toEqual([]);
    expect(planAlerts({ forecast: forecastWith({}), subscription: sub(), sent, now: NOW + 28 * H, timeZone: TZ }).actions).toEqual([]);
  });

  it('updates (not repeats) the alert when the forecast moves materially, and stays quiet for small drifts', () => {
    const sent = apply([], planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: [], now: NOW, timeZone: TZ }).actions);
    // 320 → 340: +6%, not material.
    expect(planAlerts({ forecast: forecastWith({ 28: 340, 29: 260 }), subscription: sub(), sent, now: NOW + H, timeZone: TZ }).actions).toEqual([]);
    // 320 → 420: +31%, material; same alert id.
    const up = planAlerts({ forecast: forecastWith({ 28: 420, 29: 260 }), subscription: sub(), sent, now: NOW + H, timeZone: TZ });
    expect(up.actions).toEqual([expect.objectContaining({ kind: 'update', alertId: sent[0]!.id, status: 'active' })]);
    // The busiest hour moves by an hour (the peak is still the same peak): material, an update.
    const moved = planAlerts({ forecast: forecastWith({ 28: 260, 29: 330 }), subscription: sub(), sent, now: NOW + H, timeZone: TZ });
    expect(moved.actions).toEqual([expect.objectContaining({ kind: 'update', alertId: sent[0]!.id, why: expect.stringContaining('busiest hour moved') })]);
  });

  it('cancels a peak whose forecast falls clearly below the threshold, and does not flap when it hovers just below', () => {
    const sent = apply([], planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: [], now: NOW, timeZone: TZ }).actions);
    expect(planAlerts({ forecast: forecastWith({ 28: 190 }), subscription: sub(), sent, now: NOW + H, timeZone: TZ }).actions).toEqual([]);
    const gone = planAlerts({ forecast: forecastWith({ 28: 150 }), subscription: sub(), sent, now: NOW + H, timeZone: TZ });
    expect(gone.actions).toEqual([expect.objectContaining({ kind: 'update', alertId: sent[0]!.id, status: 'cancelled' })]);
    // It comes back: the same alert is re-activated, not a second one.
    const cancelled = apply(sent, gone.actions);
    const back = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: cancelled, now: NOW + 2 * H, timeZone: TZ });
    expect(back.actions).toEqual([expect.objectContaining({ kind: 'update', alertId: sent[0]!.id, status: 'active' })]);
  });

  it('holds alerts back in quiet hours and says when they end; after that the still-relevant peak goes out', () => {
    // 22:00 local on Monday; quiet 21:00–08:00; the Tuesday lunch peak is 15 h away.
    const night = NOW + 13 * H;
    const quiet = sub({ quietHours: { from: '21:00', to: '08:00' } });
    const held = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: quiet, sent: [], now: night, timeZone: TZ });
    expect(held.actions).toEqual([]);
    expect(held.deferredUntil).toBe(NOW + 23 * H); // Tuesday 08:00 local
    const morning = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: quiet, sent: [], now: held.deferredUntil!, timeZone: TZ });
    expect(morning.actions).toEqual([expect.objectContaining({ kind: 'create', leadH: 24 })]);
    // A peak inside the quiet hours themselves is gone by the morning: nothing is sent late.
    const nightPeak = planAlerts({ forecast: forecastWith({ 20: 320 }), subscription: quiet, sent: [], now: NOW + 23 * H, timeZone: TZ });
    expect(nightPeak.actions).toEqual([]);
  });

  it('measures "percent above the usual" against the usual for that hour, ignoring near-empty hours', () => {
    const pct = sub({ threshold: { kind: 'aboveUsual', percent: 50 } });
    expect(planAlerts({ forecast: forecastWith({ 28: 140 }), subscription: pct, sent: [], now: NOW, timeZone: TZ }).actions).toEqual([]);
    const hit = planAlerts({ forecast: forecastWith({ 28: 160 }), subscription: pct, sent: [], now: NOW, timeZone: TZ });
    expect(hit.actions).toEqual([expect.objectContaining({ kind: 'create', peak: expect.objectContaining({ threshold: 150, usual: 100 }) })]);
    // 3 a.m.: 6 visitors against a usual of 0 is not a peak.
    expect(planAlerts({ forecast: forecastWith({ 6: 6 }), subscription: pct, sent: [], now: NOW, timeZone: TZ }).actions).toEqual([]);
  });

  it('raises nothing from a low-confidence forecast or for a disabled subscription', () => {
    expect(planAlerts({ forecast: forecastWith(tuesdayPeak, { confidence: 'low' }), subscription: sub(), sent: [], now: NOW, timeZone: TZ }).actions).toEqual([]);
    expect(planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub({ enabled: false }), sent: [], now: NOW, timeZone: TZ }).actions).toEqual([]);
  });

  it('says when, how many, how sure and compared with what', () => {
    const [a] = planAlerts({ forecast: forecastWith(tuesdayPeak), subscription: sub(), sent: [], now: NOW, timeZone: TZ }).actions;
    if (a?.kind !== 'create') throw new Error('expected a new alert');
    const alert = composeAlert({ id: 1, version: 1, status: 'active', subscriptionId: 9, merchantId: 'brewco', shopId: 'coffee', shopName: 'Brew Co', leadTimeH: 72, timezone: TZ, threshold: { kind: 'visitors', perHour: 200 }, peak: a.peak, forecastMadeAt: NOW, createdAt: NOW, updatedAt: NOW });
    expect(alert.when).toEqual({ from: 'Tue 2025-03-18 13:00', to: 'Tue 2025-03-18 15:00', busiest: 'Tue 2025-03-18 13:00' });
    expect(alert.expected).toEqual({ visitorsPerHour: 320, range80: [256, 400], chanceAboveThreshold: expect.any(Number), wording: 'very likely' });
    expect(alert.expected.chanceAboveThreshold).toBeGreaterThan(0.9);
    expect(alert.usual).toMatchObject({ visitorsPerHour: 100, percentAbove: 220 });
    expect(alert.message).toBe(
      'Peak expected at Brew Co on Tue 2025-03-18, 13:00 to 15:00 (Australia/Melbourne time): forecast 320 visitors/hour at 13:00 (80% range 256–400), ' +
        '220% above the usual 100 for a Tuesday at 13:00. Sent because that is at or above your threshold of 200 visitors/hour. Very likely (about 98%) to reach it.',
    );
  });

  it('words the chance from where the threshold sits in the intervals', () => {
    const q = { lo95: 60, lo80: 80, expected: 100, hi80: 125, hi95: 150 };
    expect(chanceAbove(50, q)).toBe(0.98);
    expect(chanceAbove(100, q)).toBe(0.5);
    expect(chanceAbove(80, q)).toBe(0.9);
    expect(chanceAbove(200, q)).toBe(0.02);
  });
});
