import { z } from 'zod';
import { chance, pick, type Rng } from '../random.ts';
import type { Stamper, WireMessage } from './wire.ts';

/** Misbehaviour to inject; every rate is a probability per reading unless said otherwise. */
export const FaultRates = z.strictObject({
  /** a reading is sent twice (same seq and ts), as after a lost PUBACK */
  duplicateRate: z.number().min(0).max(1).default(0),
  /** a reading is held back and sent after the device's next one */
  outOfOrderRate: z.number().min(0).max(1).default(0),
  /** a broken message (wrong type, missing field, out of range, not JSON) is sent alongside a reading */
  malformedRate: z.number().min(0).max(1).default(0),
  /** chance per zone per simulated hour that the zone's network drops; its devices reconnect together */
  dropoutRate: z.number().min(0).max(1).default(0),
  /** each device's clock is off by up to this many ms either way */
  clockDriftMs: z.number().int().min(0).max(86_400_000).default(0),
});
export type FaultRates = z.output<typeof FaultRates>;
export type FaultRatesInput = z.input<typeof FaultRates>;

/** Fields the schemas allow to be absent; removing any other one makes a message invalid. */
const OPTIONAL_FIELDS = new Set(['occupancy', 'nh3', 'pickupCode', 'badge']);
const FLAWS = ['wrong-type', 'missing-field', 'out-of-range', 'not-json'] as const;
export type Flaw = (typeof FLAWS)[number];

/** A broken copy of a stamped reading. It takes a fresh seq so it can never shadow the real one. */
export function malform(body: Record<string, unknown>, seq: number, flaw: Flaw, rng: Rng): string {
  const copy: Record<string, unknown> = { ...body, seq };
  const required = Object.keys(copy).filter((k) => !OPTIONAL_FIELDS.has(k));
  switch (flaw) {
    case 'wrong-type': {
      const k = pick(rng, required);
      copy[k] = typeof copy[k] === 'string' ? 42 : String(copy[k]);
      return JSON.stringify(copy);
    }
    case 'missing-field':
      delete copy[pick(rng, required)];
      return JSON.stringify(copy);
    case 'out-of-range':
      copy.ts = Number(copy.ts) / 1000; // seconds where milliseconds are expected: a classic firmware bug
      return JSON.stringify(copy);
    case 'not-json': {
      const json = JSON.stringify(copy);
      return json.slice(0, Math.max(1, Math.floor(json.length * (0.3 + 0.5 * rng()))));
    }
  }
}

/**
 * Per-device fault shaping of the outgoing stream. Pure apart from its own seeded random
 * stream: given the same readings and seed it produces the same wire sequence.
 */
export interface FaultShaper {
  shape(messages: readonly WireMessage[]): WireMessage[];
  /** whatever is held back for reordering (sent when a run ends) */
  flush(): WireMessage[];
}

export function createFaultShaper(rates: FaultRates, stamper: Stamper, rng: Rng): FaultShaper {
  /** a reading (and its duplicate, if any) held back to go out after the next reading */
  let held: WireMessage[] = [];
  return {
    shape(messages) {
      const out: WireMessage[] = [];
      for (const m of messages) {
        if (m.kind !== 'reading') {
          out.push(m);
          continue;
        }
        if (chance(rng, rates.malformedRate)) {
          const flaw = pick(rng, FLAWS);
          const body = JSON.parse(m.body) as Record<string, unknown>;
          out.push({ kind: 'malformed', topic: m.topic, retain: false, channel: m.reading.emission.channel, flaw, body: malform(body, stamper.nextSeq(), flaw, rng) });
        }
        const send: WireMessage[] = [m];
        if (chance(rng, rates.duplicateRate)) send.push({ kind: 'duplicate', topic: m.topic, retain: false, body: m.body, reading: m.reading });
        if (held.length === 0 && chance(rng, rates.outOfOrderRate)) {
          held = [{ ...m, outOfOrder: true }, ...send.slice(1)];
          continue;
        }
        out.push(...send, ...held);
        held = [];
      }
      return out;
    },
    flush() {
      const h = held;
      held = [];
      return h;
    },
  };
}
