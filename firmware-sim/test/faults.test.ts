import { channelSchema, type Device } from '@atrium/shared';
import { describe, expect, it } from 'vitest';
import type { Emission } from '../src/devices/types.ts';
import { rngFor } from '../src/random.ts';
import { createFaultShaper, FaultRates, malform, type Flaw } from '../src/runtime/faults.ts';
import { createStamper, type WireMessage } from '../src/runtime/wire.ts';

const T0 = Date.parse('2025-03-11T03:00:00Z');
const samples: { kind: Device['kind']; emission: Emission }[] = [
  { kind: 'radar', emission: { channel: 'count', atMs: T0, body: { periodS: 30, in: 4, out: 2, occupancy: 9 } } },
  { kind: 'env', emission: { channel: 'env', atMs: T0, body: { tempC: 22, rh: 45, co2: 600, pm25: 6, tvoc: 200, noiseDb: 50, nh3: 1.2 } } },
  { kind: 'locker', emission: { channel: 'state', atMs: T0, body: { compartments: 60, occupied: 20, doorsOpen: 1 } } },
  { kind: 'locker', emission: { channel: 'event', family: 'locker', atMs: T0, body: { event: 'pickup', compartment: 3, pickupCode: '123456' } } },
  { kind: 'gate', emission: { channel: 'event', family: 'gate', atMs: T0, body: { event: 'entry', badge: 'B12345' } } },
];

describe('malformed messages', () => {
  it('never pass the schema, whatever the flaw', () => {
    const rng = rngFor(1, 'malform');
    for (const { kind, emission } of samples) {
      const good = JSON.parse(createStamper('demo-mall', 'dev-1', 0).stamp(emission).body) as Record<string, unknown>;
      expect(channelSchema(kind, emission.channel)?.safeParse(good).success).toBe(true);
      for (const flaw of ['wrong-type', 'missing-field', 'out-of-range', 'not-json'] as Flaw[]) {
        for (let i = 0; i < 50; i++) {
          const body = malform(good, 99, flaw, rng);
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            continue; // not JSON at all: rejected before any schema
          }
          expect(channelSchema(kind, emission.channel)?.safeParse(json).success, `${flaw}: ${body}`).toBe(false);
        }
      }
    }
  });
});

describe('fault shaping', () => {
  const readings = (n: number): WireMessage[] => {
    const stamper = createStamper('demo-mall', 'rz-1', 0);
    return Array.from({ length: n }, (_, i) => stamper.stamp({ channel: 'count', atMs: T0 + i * 30_000, body: { periodS: 30, in: i, out: 0 } }));
  };

  it('passes everything through untouched when no faults are asked for', () => {
    const msgs = readings(100);
    const shaper = createFaultShaper(FaultRates.parse({}), createStamper('demo-mall', 'rz-1', 0), rngFor(1, 'x'));
    expect(shaper.shape(msgs)).toEqual(msgs);
    expect(shaper.flush()).toEqual([]);
  });

  it('duplicates byte for byte, reorders without losing anything, and adds malformed extras', () => {
    const msgs = readings(2000);
    const stamper = createStamper('demo-mall', 'rz-1', 0);
    const shaper = createFaultShaper(FaultRates.parse({ duplicateRate: 0.1, outOfOrderRate: 0.1, malformedRate: 0.05 }), stamper, rngFor(2, 'x'));
    const wire = [...shaper.shape(msgs.slice(0, 1000)), ...shaper.shape(msgs.slice(1000)), ...shaper.flush()];
    const real = wire.filter((m) => m.kind === 'reading');
    const dups = wire.filter((m) => m.kind === 'duplicate');
    const bad = wire.filter((m) => m.kind === 'malformed');
    // Every reading goes out exactly once as itself.
    expect(real.map((m) => m.body).sort()).toEqual(msgs.map((m) => m.body).sort());
    expect(dups.length).toBeGreaterThan(150);
    expect(dups.length).toBeLessThan(250);
    for (const d of dups) expect(msgs.some((m) => m.body === d.body)).toBe(true);
    expect(bad.length).toBeGreaterThan(60);
    const seqs = real.map((m) => (m.kind === 'reading' ? m.reading.seq! : 0));
    const inversions = seqs.filter((s, i) => i > 0 && s < seqs[i - 1]!).length;
    expect(inversions).toBeGreaterThan(100);
    expect(real.filter((m) => m.kind === 'reading' && m.outOfOrder)).toHaveLength(inversions);
  });

  it('is deterministic for a seed', () => {
    const shape = () => createFaultShaper(FaultRates.parse({ duplicateRate: 0.2, outOfOrderRate: 0.2, malformedRate: 0.2 }), createStamper('demo-mall', 'rz-1', 0), rngFor(5, 'x')).shape(readings(200));
    expect(shape().map((m) => m.body)).toEqual(shape().map((m) => m.body));
  });

  it('refuses rates outside 0..1', () => {
    expect(FaultRates.safeParse({ duplicateRate: 1.5 }).success).toBe(false);
    expect(FaultRates.safeParse({ surprise: 1 }).success).toBe(false);
  });
});
