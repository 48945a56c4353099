import type { Device, LockerEvent } from '@atrium/shared';
import type { FootfallModel } from '../profile/expected-rate.ts';
import { chance, poisson, uniform, type Rng } from '../random.ts';
import { firstReportAt, type Behaviour, type Emission } from './types.ts';

export interface LockerOptions {
  model: FootfallModel;
  compartments: number;
  startMs: number;
  rng: Rng;
}

/** Per hour of trading, per compartment: couriers fill about 5% of the bank. */
const DEPOSITS_PER_COMPARTMENT_H = 0.05;
/** Per hour of trading, per parcel waiting: customers collect within a day or two. */
const PICKUPS_PER_PARCEL_H = 0.08;
const DOOR_LEFT_OPEN_P = 0.02;
const TAMPER_PER_H = 0.01;
const FAULT_PER_H = 0.003;
const STEP_MS = 60_000;

type Pending = { atMs: number; event: LockerEvent['event']; compartment: number; pickupCode?: string; apply?: () => void };

/**
 * A smart parcel locker bank. Couriers deposit and customers collect while the centre trades;
 * each use opens a door, records the parcel and closes the door a few seconds later. Now and
 * then a door is left open (and closed later by staff), someone tampers with a door, or a
 * compartment faults. The state snapshot counts what the bank itself would report.
 */
export function createLocker(device: Device, opts: LockerOptions): Behaviour {
  const { model, rng, compartments } = opts;
  const periodMs = device.reportIntervalS * 1000;
  let due = firstReportAt(opts.startMs, periodMs, rng());
  let genCursor = opts.startMs;

  // Two views of the bank: `planned` decides which compartment the next parcel gets (it
  // already includes uses scheduled a few seconds ahead), `actual` is what has happened by now.
  const code = () => String(Math.floor(uniform(rng, 100_000, 1_000_000)));
  const planned = new Map<number, string>();
  /** a compartment is not reused until its door has closed after the last use */
  const busyUntil = new Map<number, number>();
  const idle = (c: number, at: number) => (busyUntil.get(c) ?? -Infinity) < at;
  for (let c = 1; c <= compartments; c++) if (chance(rng, 0.4)) planned.set(c, code());
  const actual = { occupied: planned.size, doorsOpen: new Set<number>() };
  let pending: Pending[] = [];
  const schedule = (p: Pending) => pending.push(p);

  function use(t: number, compartment: number, kind: 'deposit' | 'pickup', pickupCode: string) {
    const leftOpen = chance(rng, DOOR_LEFT_OPEN_P);
    const opened = t;
    const done = opened + uniform(rng, 4_000, 20_000);
    schedule({ atMs: Math.round(opened), event: 'door_open', compartment, apply: () => actual.doorsOpen.add(compartment) });
    schedule({ atMs: Math.round(done), event: kind, compartment, pickupCode, apply: () => (actual.occupied += kind === 'deposit' ? 1 : -1) });
    const closeAt = leftOpen ? done + uniform(rng, 5 * 60_000, 30 * 60_000) : done + uniform(rng, 2_000, 15_000);
    if (leftOpen) schedule({ atMs: Math.round(done + 120_000), event: 'door_left_open', compartment });
    schedule({ atMs: Math.round(closeAt), event: 'door_close', compartment, apply: () => actual.doorsOpen.delete(compartment) });
    busyUntil.set(compartment, closeAt);
  }

  function generate(from: number, to: number) {
    const ctx = model.calendar.at(from);
    const h = (to - from) / 3_600_000;
    if (ctx.trading) {
      const free = [...Array(compartments).keys()].map((i) => i + 1).filter((c) => !planned.has(c) && idle(c, from));
      const held = [...planned.keys()].filter((c) => idle(c, from));
      for (let i = poisson(rng, compartments * DEPOSITS_PER_COMPARTMENT_H * h); i > 0 && free.length > 0; i--) {
        const c = free.splice(Math.floor(rng() * free.length), 1)[0] as number;
        const pickupCode = code();
        planned.set(c, pickupCode);
        use(uniform(rng, from, to), c, 'deposit', pickupCode);
      }
      for (let i = poisson(rng, held.length * PICKUPS_PER_PARCEL_H * h); i > 0 && held.length > 0; i--) {
        const c = held.splice(Math.floor(rng() * held.length), 1)[0] as number;
        const pickupCode = planned.get(c) ?? code();
        planned.delete(c);
        use(uniform(rng, from, to), c, 'pickup', pickupCode);
      }
    }
    if (chance(rng, TAMPER_PER_H * h)) schedule({ atMs: Math.round(uniform(rng, from, to)), event: 'tamper', compartment: 1 + Math.floor(rng() * compartments) });
    if (chance(rng, FAULT_PER_H * h)) schedule({ atMs: Math.round(uniform(rng, from, to)), event: 'fault', compartment: 1 + Math.floor(rng() * compartments) });
  }

  return {
    device,
    advance(untilMs) {
      // Whole grid cells only, so what happens does not depend on how the caller slices time.
      while (genCursor < untilMs) {
        generate(genCursor, genCursor + STEP_MS);
        genCursor += STEP_MS;
      }
      pending.sort((a, b) => a.atMs - b.atMs);
      const ready = pending.filter((p) => p.atMs <= untilMs);
      pending = pending.filter((p) => p.atMs > untilMs);
      const out: Emission[] = [];
      const snapshot = (t: number) =>
        out.push({ channel: 'state', atMs: t, body: { compartments, occupied: Math.max(0, Math.min(compartments, actual.occupied)), doorsOpen: actual.doorsOpen.size } });
      for (const p of ready) {
        while (due < p.atMs) {
          snapshot(due);
          due += periodMs;
        }
        p.apply?.();
        out.push({
          channel: 'event',
          family: 'locker',
          atMs: p.atMs,
          body: { event: p.event, compartment: p.compartment, ...(p.pickupCode !== undefined ? { pickupCode: p.pickupCode } : {}) },
        });
      }
      while (due <= untilMs) {
        snapshot(due);
        due += periodMs;
      }
      return out;
    },
  };
}
