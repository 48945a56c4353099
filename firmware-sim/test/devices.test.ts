import { channelSchema, type Device } from '@atrium/shared';
import { describe, expect, it } from 'vitest';
import { createEnvSensor } from '../src/devices/env.ts';
import { createFleet } from '../src/devices/fleet.ts';
import type { Emission } from '../src/devices/types.ts';
import { zonedTimeToUtc } from '../src/local-time.ts';
import { buildDemoMall } from '../src/mall/build.ts';
import { createFootfallModel, dwellMinutes, expectedRate } from '../src/profile/expected-rate.ts';
import { rngFor } from '../src/random.ts';
import { createStamper } from '../src/runtime/wire.ts';

const site = buildDemoMall();
const model = createFootfallModel(site);
const TUE_8AM = zonedTimeToUtc(site.timezone, '2025-03-11', '08:00');
const HOUR = 3_600_000;

/** Every emission of the chosen devices from `start` for `hours`, advanced in `stepMs` slices. */
function run(seed: number, hours: number, deviceIds?: string[], start = TUE_8AM, stepMs = 60_000) {
  const fleet = createFleet(site, { model, seed, startMs: start, deviceIds });
  const out = new Map<string, Emission[]>();
  for (const d of fleet.devices) out.set(d.device.id, []);
  for (let t = start + stepMs; t <= start + hours * HOUR; t += stepMs) {
    for (const d of fleet.devices) out.get(d.device.id)?.push(...d.behaviour.advance(t));
  }
  return { fleet, out };
}

const ofKind = (kind: Device['kind']) => site.devices.filter((d) => d.kind === kind).map((d) => d.id);

describe('device behaviour', () => {
  it('is deterministic for a seed and changes with it', () => {
    const ids = ['re-g-west', 'env-g-restroom-w-1', 'lk-lg-lockers-w-a', 'gt-g-west-door', 'gt-lg-cpw-turnstile-1'];
    const a = run(7, 4, ids).out;
    const b = run(7, 4, ids).out;
    const c = run(8, 4, ids).out;
    expect(a).toEqual(b);
    expect(a.get('re-g-west')).not.toEqual(c.get('re-g-west'));
  });

  it('does not depend on how the clock is sliced', () => {
    const ids = ['re-g-west', 'env-l1-foodcourt-1', 'lk-lg-lockers-w-a', 'gt-g-west-door', 'gt-lg-cpe-turnstile-2'];
    const coarse = run(3, 3, ids, TUE_8AM, 15 * 60_000).out;
    const fine = run(3, 3, ids, TUE_8AM, 7_000).out;
    for (const id of ids) {
      // Only the order of same-instant emissions may differ between slicings.
      const byTime = (l: Emission[]) => [...l].sort((a, b) => a.atMs - b.atMs || JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(byTime(fine.get(id) ?? []).filter((e) => e.atMs <= TUE_8AM + 3 * HOUR - 15 * 60_000), id).toEqual(
        byTime(coarse.get(id) ?? []).filter((e) => e.atMs <= TUE_8AM + 3 * HOUR - 15 * 60_000),
      );
      const list = coarse.get(id) ?? [];
      for (let i = 1; i < list.length; i++) expect(list[i]!.atMs).toBeGreaterThanOrEqual(list[i - 1]!.atMs);
    }
  });

  it('produces only payloads the shared schemas accept (every device across opening; slow talkers all day)', () => {
    const slow = [...ofKind('locker'), ...ofKind('gate'), ...site.devices.filter((d) => d.kind === 'env' && d.zoneId.includes('restroom')).map((d) => d.id)];
    let checked = 0;
    for (const { fleet, out } of [run(11, 2, undefined, TUE_8AM + 1.5 * HOUR), run(12, 24, slow)]) {
      for (const d of fleet.devices) {
        const stamper = createStamper(site.id, d.device.id, 0);
        const schemaOf = (channel: string) => channelSchema(d.device.kind, channel);
        for (const e of out.get(d.device.id) ?? []) {
          const body = stamper.stamp(e).body;
          const parsed = schemaOf(e.channel)?.safeParse(JSON.parse(body));
          if (!parsed?.success) throw new Error(`${d.device.id} ${e.channel} ${body}: ${parsed?.error.message ?? 'no schema'}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
  });

  it('radars conserve people: occupancy is in minus out, and the centre empties overnight', () => {
    const sample = site.devices.filter((d, i) => d.kind === 'radar' && (d.subject?.kind === 'entrance' || i % 6 === 0)).map((d) => d.id);
    const { out } = run(5, 24, sample, TUE_8AM, 15 * 60_000);
    for (const [id, list] of out) {
      const counts = list.flatMap((e) => (e.channel === 'count' ? [e.body] : []));
      const first = counts[0]!;
      let occ = first.occupancy! - first.in + first.out;
      for (const c of counts) {
        occ += c.in - c.out;
        expect(c.occupancy, id).toBe(occ);
      }
      expect(counts.at(-1)?.occupancy, `${id} at 8 am next day`).toBeLessThanOrEqual(3);
    }
  });

  it("radars follow the expected rate and Little's law", () => {
    const id = 're-g-west';
    const { out } = run(9, 10, [id]); // 8 am to 6 pm
    const counts = (out.get(id) ?? []).flatMap((e) => (e.channel === 'count' ? [{ t: e.atMs, ...e.body }] : []));
    const total = counts.reduce((a, c) => a + c.in, 0);
    let expected = 0;
    for (let t = TUE_8AM; t < TUE_8AM + 10 * HOUR; t += 60_000) expected += expectedRate(model, { kind: 'entrance', id: 'g-west' }, t + 30_000) / 60;
    expect(total / expected).toBeGreaterThan(0.93);
    expect(total / expected).toBeLessThan(1.07);
    // Mid-afternoon, people inside ≈ arrival rate × visit length.
    const afternoon = counts.filter((c) => c.t >= TUE_8AM + 6 * HOUR && c.t < TUE_8AM + 8 * HOUR);
    const meanOcc = afternoon.reduce((a, c) => a + (c.occupancy ?? 0), 0) / afternoon.length;
    const lambdaPerMin = afternoon.reduce((a, c) => a + c.in, 0) / (afternoon.length / 2);
    expect(meanOcc / (lambdaPerMin * dwellMinutes(model, { kind: 'entrance', id: 'g-west' }))).toBeGreaterThan(0.8);
    expect(meanOcc / (lambdaPerMin * dwellMinutes(model, { kind: 'entrance', id: 'g-west' }))).toBeLessThan(1.2);
  });

  it('restroom NH3 builds with visits and falls after clean()', () => {
    const zone = site.zones.find((z) => z.id === 'g-restroom-w')!;
    const device = site.devices.find((d) => d.kind === 'env' && d.zoneId === zone.id)!;
    const start = zonedTimeToUtc(site.timezone, '2025-03-08', '11:00');
    // No routine cleaning during the test window, so only clean() resets it.
    const sensor = createEnvSensor(device, { model, zone, startMs: start, rng: rngFor(1, device.id), sharing: 1, cleaningIntervalH: 48 });
    sensor.clean(start);
    const nh3 = (until: number) => sensor.advance(until).flatMap((e) => (e.channel === 'env' && e.body.nh3 !== undefined ? [e.body.nh3] : []));
    const early = nh3(start + 10 * 60_000).at(-1)!;
    const before = nh3(start + 3 * HOUR).at(-1)!;
    expect(before).toBeGreaterThan(early + 2);
    sensor.clean(start + 3 * HOUR);
    const after = nh3(start + 3 * HOUR + 2 * 60_000);
    expect(after.at(-1)!).toBeLessThan(before / 3);
  });

  it('env CO2 tracks the crowd: a lunchtime food court is stuffier than at dawn', () => {
    const id = 'env-l1-foodcourt-1';
    const { out } = run(2, 24, [id], zonedTimeToUtc(site.timezone, '2025-03-11', '00:00'));
    const co2At = (h: number) => {
      const t = zonedTimeToUtc(site.timezone, '2025-03-11', `${String(h).padStart(2, '0')}:00`);
      return (out.get(id) ?? []).flatMap((e) => (e.channel === 'env' && Math.abs(e.atMs - t) < 60_000 ? [e.body.co2] : []))[0]!;
    };
    expect(co2At(13)).toBeGreaterThan(co2At(5) + 100);
  });

  it('lockers deposit and collect during trading hours with pickup codes, and stay consistent', () => {
    const ids = ofKind('locker');
    const { out } = run(4, 24, ids);
    const banks = new Map(site.lockerBanks.map((b) => [`lk-${b.id}`, b.compartments]));
    let pickups = 0;
    for (const [id, list] of out) {
      const codes = new Map<number, string>();
      for (const e of list) {
        if (e.channel === 'state') {
          expect(e.body.occupied).toBeLessThanOrEqual(banks.get(id)!);
          expect(e.body.compartments).toBe(banks.get(id));
        }
        if (e.channel !== 'event' || e.family !== 'locker') continue;
        const lt = model.calendar.at(e.atMs);
        if (e.body.event === 'deposit' || e.body.event === 'pickup') {
          expect(lt.sinceOpenH, `${id} ${e.body.event} in trading hours`).toBeGreaterThanOrEqual(0);
          expect(lt.sinceCloseH).toBeLessThan(0.1);
          expect(e.body.pickupCode).toMatch(/^\d{6}$/);
        }
        if (e.body.event === 'deposit') codes.set(e.body.compartment, e.body.pickupCode!);
        if (e.body.event === 'pickup') {
          pickups++;
          // A parcel deposited during the run is collected with the code it was given.
          if (codes.has(e.body.compartment)) expect(e.body.pickupCode).toBe(codes.get(e.body.compartment));
          codes.delete(e.body.compartment);
        }
      }
    }
    expect(pickups).toBeGreaterThan(10);
  });

  it('gates: staff-door entries carry a badge, turnstiles follow shoppers, rare alarms happen', () => {
    const ids = ofKind('gate');
    const { out } = run(6, 24, ids);
    const types = new Map<string, number>();
    for (const [id, list] of out) {
      for (const e of list) {
        if (e.channel !== 'event' || e.family !== 'gate') continue;
        types.set(e.body.event, (types.get(e.body.event) ?? 0) + 1);
        const door = id.endsWith('-door');
        if (e.body.event === 'entry') expect(e.body.badge !== undefined, id).toBe(door);
      }
    }
    expect(types.get('entry')).toBeGreaterThan(1000);
    expect(types.get('exit')).toBeGreaterThan(1000);
    expect(types.get('tailgating')).toBeGreaterThan(0);
    expect(types.get('held_open')).toBeGreaterThan(0);
  });

  it('report health every heartbeat; env batteries drain', () => {
    const id = 'env-g-atrium-1';
    const { out } = run(1, 48, [id]);
    const status = (out.get(id) ?? []).flatMap((e) => (e.channel === 'status' ? [e.body] : []));
    expect(status.length).toBeGreaterThanOrEqual(48 * 12 - 1);
    expect(status.every((s) => s.state === 'online' && typeof s.rssi === 'number')).toBe(true);
    expect(status.at(-1)!.battery!).toBeLessThan(status[0]!.battery!);
    const radar = run(1, 1, ['re-g-west']).out.get('re-g-west') ?? [];
    expect(radar.some((e) => e.channel === 'status' && e.body.battery === undefined)).toBe(true);
  });
});
