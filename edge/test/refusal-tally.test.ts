import { describe, expect, it } from 'vitest';
import { Uplink } from '@atrium/shared';
import { createRefusalTally, REFUSAL_REPORT_EVERY_MS } from '../src/core/refusal-tally.ts';
import { createUplinkBuilder } from '../src/outbox/uplinks.ts';

const SITE_DEVICES = new Set(['radar-hall-1', 'env-hall']);
const T0 = Date.UTC(2026, 2, 10, 3, 0, 0);

describe('refusals reported to the cloud per device', () => {
  it('reports at once, then at most once a minute, only what is new, and only for devices with refusals', () => {
    const tally = createRefusalTally((id) => SITE_DEVICES.has(id));
    expect(tally.take(T0)).toBeNull();
    tally.note('radar-hall-1', 'invalid_payload');
    tally.note('radar-hall-1', 'invalid_payload');
    tally.note('radar-hall-1', 'invalid_json');
    expect(tally.take(T0)).toEqual({ ts: T0, devices: [{ deviceId: 'radar-hall-1', counts: { invalid_payload: 2, invalid_json: 1 } }] });
    tally.note('env-hall', 'clock_skew');
    expect(tally.take(T0 + REFUSAL_REPORT_EVERY_MS - 1)).toBeNull();
    expect(tally.take(T0 + REFUSAL_REPORT_EVERY_MS)).toEqual({ ts: T0 + REFUSAL_REPORT_EVERY_MS, devices: [{ deviceId: 'env-hall', counts: { clock_skew: 1 } }] });
    // a stopping gateway sends what it has without waiting for the minute
    tally.note('env-hall', 'rate_limited');
    expect(tally.take(T0 + REFUSAL_REPORT_EVERY_MS + 1, true)?.devices).toEqual([{ deviceId: 'env-hall', counts: { rate_limited: 1 } }]);
  });

  it('sums refusals under ids the site does not have for the gateway, so guessing ids grows nothing', () => {
    const tally = createRefusalTally((id) => SITE_DEVICES.has(id));
    for (let i = 0; i < 10_000; i++) tally.note(`guess-${i}`, 'protocol_violation');
    tally.note(undefined, 'protocol_violation');
    const report = tally.take(T0)!;
    expect(report).toEqual({ ts: T0, devices: [], gateway: { protocol_violation: 10_001 } });
    // what the edge sends is what the cloud takes
    const [row] = createUplinkBuilder({ siteId: 'mini', gatewayId: 'gw-1' }).refusals(report);
    const uplink = Uplink.parse(JSON.parse(row!.body));
    expect(uplink).toMatchObject({ kind: 'status', devices: [], rejected: { devices: [], gateway: { protocol_violation: 10_001 } } });
  });

  it('splits a large report into uplinks of bounded size, the gateway sum in the first only', () => {
    const many = new Set(Array.from({ length: 4500 }, (_, i) => `d-${i}`));
    const tally = createRefusalTally((id) => many.has(id));
    for (const id of many) tally.note(id, 'invalid_json');
    tally.note('nobody', 'invalid_json');
    const rows = createUplinkBuilder({ siteId: 'mini', gatewayId: 'gw-1' }).refusals(tally.take(T0)!);
    const uplinks = rows.map((r) => Uplink.parse(JSON.parse(r.body)));
    expect(uplinks.map((u) => (u.kind === 'status' ? [u.rejected?.devices.length, u.rejected?.gateway] : null))).toEqual([
      [2000, { invalid_json: 1 }],
      [2000, undefined],
      [500, undefined],
    ]);
  });

  it('the uplink schema refuses made-up reasons, zero or unbounded counts', () => {
    const base = { v: 1, id: '7b0ac3a6-5a8a-4d7e-8a55-1a1f3f0b6c11', siteId: 'mini', gatewayId: 'gw-1', sentAt: T0, kind: 'status', devices: [] };
    const parse = (counts: unknown) => Uplink.safeParse({ ...base, rejected: { ts: T0, devices: [{ deviceId: 'radar-hall-1', counts }] } });
    expect(parse({ invalid_json: 1 }).success).toBe(true);
    expect(parse({ invalid_json: 0 }).success).toBe(false);
    expect(parse({ invalid_json: 2e9 }).success).toBe(false);
    expect(parse({ 'Not A Reason': 1 }).success).toBe(false);
    expect(parse({}).success).toBe(false);
    expect(parse(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`reason_${'a'.repeat(i + 1)}`, 1]))).success).toBe(false);
  });
});
