import type { Device, Zone } from '@atrium/shared';
import { isShopClosingHoliday } from '../profile/holidays.ts';
import { expectedOccupancy, expectedRate, type FootfallModel } from '../profile/expected-rate.ts';
import { clamp, round } from '../num.ts';
import { normal, poisson, uniform, type Rng } from '../random.ts';
import { firstReportAt, type Behaviour, type Cleanable, type Emission } from './types.ts';

type ZoneKind = Zone['kind'];

export interface EnvOptions {
  model: FootfallModel;
  zone: Zone;
  startMs: number;
  rng: Rng;
  /** env sensors in the same zone split its air volume and crowd */
  sharing: number;
  /** routine restroom cleaning, sim hours between visits (the dispatch loop may clean sooner) */
  cleaningIntervalH?: number;
}

/** Air changes per hour with the HVAC on; after hours plant runs at a third. */
const ACH: Readonly<Record<ZoneKind, number>> = { concourse: 2.5, atrium: 2, foodcourt: 4, restroom: 8, entrance: 4, carpark: 4, service: 2, lockers: 2 };
const CEILING_M: Readonly<Record<ZoneKind, number>> = { concourse: 5, atrium: 12, foodcourt: 5, restroom: 3, entrance: 6, carpark: 2.6, service: 3, lockers: 3 };
const OUTDOOR_CO2 = 420;
/** CO2 exhaled by a person walking or sitting, litres per second. */
const CO2_L_PER_S = 0.0052;
/** ppm of NH3 each visit leaves behind until the next clean; a busy block crosses ~5 ppm in a few hours. */
const NH3_PER_VISIT = 0.015;
const NH3_BASE = 0.2;


/**
 * An indoor air sensor. CO2 is a mass balance: people exhale, ventilation pulls the level
 * back toward outdoor air, so it approaches L = outdoor + generation / airflow exponentially.
 * Heat and humidity rise with the crowd, noise with its density, PM2.5 with cooking and
 * cars. In restrooms each visit adds odour (NH3) until a cleaner resets it; cleaning also
 * leaves a short burst of VOCs from the products used.
 */
export function createEnvSensor(device: Device, opts: EnvOptions): Behaviour & Cleanable {
  const { model, zone, rng, sharing } = opts;
  const kind = zone.kind;
  const periodMs = device.reportIntervalS * 1000;
  const areaM2 = zone.areaM2 / sharing;
  const volumeM3 = areaM2 * CEILING_M[kind];
  const restroom = kind === 'restroom';
  const cleaningMs = (opts.cleaningIntervalH ?? 3) * 3_600_000;
  const subject = { kind: 'zone' as const, id: zone.id };
  const bias = { temp: normal(rng, 0, 0.3), rh: normal(rng, 0, 2), co2: normal(rng, 0, 15) };

  let due = firstReportAt(opts.startMs, periodMs, rng());
  let co2 = OUTDOOR_CO2 + 80;
  let tempC = 21 + bias.temp;
  let visits = restroom ? poisson(rng, expectedRate(model, subject, opts.startMs) * uniform(rng, 0, cleaningMs / 3_600_000)) : 0;
  let lastCleanMs = opts.startMs - uniform(rng, 0, cleaningMs);
  let nextRoutineCleanMs = lastCleanMs + cleaningMs;

  const cleanAt = (atMs: number) => {
    visits = 0;
    lastCleanMs = atMs;
    nextRoutineCleanMs = atMs + cleaningMs;
  };

  function reading(t: number): Emission {
    const ctx = model.calendar.at(t);
    // Plant starts an hour before opening and runs an hour past closing.
    const closedDay = ctx.holiday !== undefined && isShopClosingHoliday(ctx.holiday);
    const hvacOn = !closedDay && ctx.sinceOpenH >= -1 && ctx.sinceCloseH < 1;
    const ach = ACH[kind] * (hvacOn ? 1 : 0.33);
    const people = Math.max(0, expectedOccupancy(model, subject, t) / sharing) * (1 + normal(rng, 0, 0.05));
    const density = people / areaM2; // people per m2

    const airflowLps = (ach * volumeM3 * 1000) / 3600;
    const co2Target = OUTDOOR_CO2 + (people * CO2_L_PER_S * 1e6) / airflowLps;
    co2 = co2Target + (co2 - co2Target) * Math.exp((-ach * periodMs) / 3_600_000);

    const setpoint = kind === 'carpark' ? 15 + 4 * Math.sin(((ctx.local.hourOfDay - 9) / 24) * 2 * Math.PI) : hvacOn ? 22 : 19.5;
    const tempTarget = setpoint + Math.min(3, density * 8);
    tempC = tempTarget + (tempC - tempTarget) * Math.exp(-periodMs / 3_600_000);

    let nh3: number | undefined;
    let cleaningVoc = 0;
    if (restroom) {
      visits += poisson(rng, (expectedRate(model, subject, t) / sharing) * (periodMs / 3_600_000));
      nh3 = clamp(NH3_BASE + NH3_PER_VISIT * visits + normal(rng, 0, 0.05), 0, 500);
      const sinceClean = (t - lastCleanMs) / 60_000;
      cleaningVoc = sinceClean >= 0 ? 600 * Math.exp(-sinceClean / 20) : 0;
    }
    const cooking = kind === 'foodcourt' ? 12 * Math.min(1, density * 5) : 0;
    const exhaust = kind === 'carpark' ? 8 : 0;
    return {
      channel: 'env',
      atMs: t,
      body: {
        tempC: round(clamp(tempC + normal(rng, 0, 0.1), -40, 85), 1),
        rh: round(clamp(45 + bias.rh + density * 25 + (kind === 'carpark' ? 12 : 0) + normal(rng, 0, 0.8), 0, 100), 1),
        co2: Math.round(clamp(co2 + bias.co2 + normal(rng, 0, 8), 350, 10_000)),
        pm25: round(clamp(5 + cooking + exhaust + density * 10 + normal(rng, 0, 1), 0, 1000), 1),
        tvoc: Math.round(clamp(120 + density * 800 + cleaningVoc + (restroom ? visits * 0.5 : 0) + normal(rng, 0, 15), 0, 60_000)),
        noiseDb: round(clamp(40 + 15 * Math.log10(1 + 100 * density) + normal(rng, 0, 1.5), 20, 140), 1),
        ...(nh3 !== undefined ? { nh3: round(nh3, 2) } : {}),
      },
    };
  }

  return {
    device,
    clean: cleanAt,
    advance(untilMs) {
      const out: Emission[] = [];
      while (due <= untilMs) {
        if (restroom && nextRoutineCleanMs <= due) cleanAt(nextRoutineCleanMs);
        out.push(reading(due));
        due += periodMs;
      }
      return out;
    },
  };
}
