import type { Device } from '@atrium/shared';
import { describe, expect, it } from 'vitest';
import type { Emission } from '../src/devices/types.ts';
import { createLedger } from '../src/runtime/ledger.ts';
import { createStamper, type WireMessage } from '../src/runtime/wire.ts';

const T0 = Date.parse('2025-03-11T03:00:00Z');
const devices: Device[] = [
  { id: 'rz-a-1', kind: 'radar', zoneId: 'a', subject: { kind: 'zone', id: 'a' }, reportIntervalS: 30 },
  { id: 'rz-a-2', kind: 'radar', zoneId: 'a', subject: { kind: 'zone', id: 'a' }, reportIntervalS: 30 },
  { id: 're-door', kind: 'radar', zoneId: 'a', subject: { kind: 'entrance', id: 'door' }, reportIntervalS: 30 },
  { id: 'rs-s1', kind: 'radar', zoneId: 'b', subject: { kind: 'shop', id: 's1' }, reportIntervalS: 30 },
  { id: 'gt-1', kind: 'gate', zoneId: 'b', gateId: 'g1', reportIntervalS: 300 },
];
const stampers = new Map(devices.map((d) => [d.id, createStamper('site', d.id, 0)]));
const count = (id: string, inn: number, out: number): WireMessage =>
  stampers.get(id)!.stamp({ channel: 'count', atMs: T0, body: { periodS: 30, in: inn, out, occupancy: 0 } });
const gate = (event: 'entry' | 'tailgating'): WireMessage => stampers.get('gt-1')!.stamp({ channel: 'event', family: 'gate', atMs: T0, body: { event } } as Emission);
const dup = (m: WireMessage): WireMessage => (m.kind === 'reading' ? { kind: 'duplicate', topic: m.topic, retain: false, body: m.body, reading: m.reading } : m);

describe('reconciliation ledger', () => {
  it('counts a reading once, on its first acknowledged copy, and never counts malformed ones', () => {
    const ledger = createLedger(devices);
    const a = count('rz-a-1', 5, 2);
    const aDup = dup(a);
    const bad: WireMessage = { kind: 'malformed', topic: a.topic, retain: false, channel: 'count', flaw: 'not-json', body: '{"in":' };
    const lost = count('rz-a-1', 100, 100);
    for (const m of [a, aDup, bad, lost]) ledger.sent(m);
    ledger.acked(aDup); // the duplicate's PUBACK may come first
    ledger.acked(a);
    ledger.acked(bad);
    ledger.failed(lost);
    const s = ledger.snapshot();
    expect(s.devices['rz-a-1']).toMatchObject({ sent: 4, acked: 3, failed: 1, in: 5, out: 2, readingsAcked: 1, duplicatesSent: 1, malformedSent: 1 });
    expect(s.messages).toMatchObject({ sent: 4, acked: 3, failed: 1, inFlight: 0, duplicatesSent: 1, malformedSent: 1 });
    expect(s.subjects['zone:a']).toEqual({ kind: 'zone', id: 'a', in: 5, out: 2, readings: 1 });
  });

  it('aggregates by subject and by zone, split by what the radars count', () => {
    const ledger = createLedger(devices);
    const msgs = [count('rz-a-1', 1, 0), count('rz-a-2', 2, 1), count('re-door', 10, 4), count('rs-s1', 3, 3), gate('entry'), gate('entry'), gate('tailgating')];
    for (const m of msgs) ledger.sent(m);
    for (const m of msgs) ledger.acked(m);
    const pending = count('rs-s1', 50, 0);
    ledger.sent(pending);
    const s = ledger.snapshot();
    expect(s.subjects).toEqual({
      'zone:a': { kind: 'zone', id: 'a', in: 3, out: 1, readings: 2 },
      'entrance:door': { kind: 'entrance', id: 'door', in: 10, out: 4, readings: 1 },
      'shop:s1': { kind: 'shop', id: 's1', in: 3, out: 3, readings: 1 },
    });
    expect(s.zones.a).toMatchObject({ in: 13, out: 5, readings: 3, bySubjectKind: { zone: { in: 3, out: 1, readings: 2 }, entrance: { in: 10, out: 4, readings: 1 }, shop: { in: 0, out: 0, readings: 0 } } });
    expect(s.zones.b?.bySubjectKind.shop).toEqual({ in: 3, out: 3, readings: 1 });
    expect(s.events.gate).toMatchObject({ entry: 2, tailgating: 1, exit: 0 });
    expect(s.devices['gt-1']?.events).toEqual({ entry: 2, tailgating: 1 });
    expect(s.messages.inFlight).toBe(1);
  });

  it('tracks connections and dropouts', () => {
    const ledger = createLedger(devices);
    ledger.connected('rz-a-1');
    ledger.connected('gt-1');
    ledger.disconnected('gt-1', true);
    ledger.connected('gt-1');
    expect(ledger.snapshot().connections).toEqual({ devices: 5, connected: 2, connects: 3, dropouts: 1 });
  });
});
