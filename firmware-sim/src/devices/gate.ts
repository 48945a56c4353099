import type { Device, GateEvent, SiteModel } from '@atrium/shared';
import type { FootfallModel } from '../profile/expected-rate.ts';
import { gateFlow } from '../profile/gate-flow.ts';
import { chance, pick, poisson, uniform, type Rng } from '../random.ts';
import type { Behaviour, Emission } from './types.ts';

export interface GateOptions {
  model: FootfallModel;
  kind: SiteModel['gates'][number]['kind'];
  /** gates of the same kind share the flow */
  sameKind: number;
  startMs: number;
  rng: Rng;
}

/** Generation grid; events keep their own timestamps within a cell. */
const STEP_MS = 10_000;
const RARE = {
  door: { tailgatingP: 0.01, heldOpenP: 0.004, forcedPerH: 0.01 },
  turnstile: { tailgatingP: 0.003, heldOpenP: 0.001, forcedPerH: 0.005 },
} as const;

type Body = Omit<GateEvent, 'ts' | 'seq'>;

/**
 * An access-controlled staff door or a car-park turnstile, event-driven: each passage is an
 * `entry` or `exit` (staff doors read a badge on the way in), following the staff shifts or
 * the shopper curve. Now and then someone follows through on one badge (tailgating), a door
 * is propped (held_open) or forced.
 */
export function createGate(device: Device, opts: GateOptions): Behaviour {
  const { model, rng, kind } = opts;
  const rare = RARE[kind];
  const badges = Array.from({ length: 150 }, () => `B${Math.floor(uniform(rng, 10_000, 100_000))}`);
  let cursor = opts.startMs;

  function step(from: number, to: number): Emission[] {
    const flow = gateFlow(model, kind, opts.sameKind, (from + to) / 2);
    const h = (to - from) / 3_600_000;
    const events: { atMs: number; body: Body }[] = [];
    const at = () => Math.round(uniform(rng, from, to));
    for (let i = poisson(rng, flow.entries * h); i > 0; i--) {
      const t = at();
      events.push({ atMs: t, body: kind === 'door' ? { event: 'entry', badge: pick(rng, badges) } : { event: 'entry' } });
      if (chance(rng, rare.tailgatingP)) events.push({ atMs: t + 2_000, body: { event: 'tailgating' } });
      if (chance(rng, rare.heldOpenP)) events.push({ atMs: t + 30_000, body: { event: 'held_open' } });
    }
    for (let i = poisson(rng, flow.exits * h); i > 0; i--) events.push({ atMs: at(), body: { event: 'exit' } });
    if (chance(rng, rare.forcedPerH * h)) events.push({ atMs: at(), body: { event: 'forced_open' } });
    return events.map((e) => ({ channel: 'event', family: 'gate', atMs: e.atMs, body: e.body }));
  }

  let carried: Emission[] = [];
  return {
    device,
    advance(untilMs) {
      const out = carried;
      // Whole grid cells only, so the events do not depend on how the caller slices time.
      while (cursor < untilMs) {
        out.push(...step(cursor, cursor + STEP_MS));
        cursor += STEP_MS;
      }
      out.sort((a, b) => a.atMs - b.atMs);
      // Events past untilMs (the rest of the last cell, follow-ups) wait for the next call.
      carried = out.filter((e) => e.atMs > untilMs);
      return out.filter((e) => e.atMs <= untilMs);
    },
  };
}
