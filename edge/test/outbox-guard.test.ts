import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Uplink, type EnvMinute, type FootfallMinute } from '@atrium/shared';
import { compactRecords } from '../src/outbox/compaction.ts';
import { openJournal, type Journal, type NewUplink } from '../src/outbox/journal.ts';
import { createEdgeMetrics } from '../src/core/metrics.ts';
import { createOutboxGuard } from '../src/outbox/guard.ts';

const T0 = Date.UTC(2026, 0, 10, 9, 0, 0);
const where = (deviceId: string) => ({ deviceId, floorId: 'g', zoneId: 'hall' });
const envelope = (body: object) => JSON.stringify({ v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T0, ...body });
const minute = (footfall: FootfallMinute[], env: EnvMinute[]): NewUplink => ({ kind: 'minute', records: footfall.length + env.length, body: envelope({ kind: 'minute', footfall, env }) });
const wrap = (r: { footfall: FootfallMinute[]; env: EnvMinute[] }) => [minute(r.footfall, r.env)];

function footfall(deviceId: string, m: number, n: number): FootfallMinute {
  return { ...where(deviceId), minute: T0 + m * 60_000, subjectKind: 'zone', subjectId: 'hall', in: n, out: n % 3, samples: 2, occupancySum: n * 2, occupancyCount: 2, occupancyMax: n + 1 };
}
const env = (m: number): EnvMinute => ({ ...where('env-1'), minute: T0 + m * 60_000, metrics: { co2: { sum: 800 + m, count: 2, min: 390 + m, max: 420 + m } } });
const event = (seq: number): NewUplink => ({
  kind: 'events', records: 1,
  body: envelope({ kind: 'events', events: [{ ...where('gate-1'), ts: T0 + seq, seq, family: 'gate', type: 'entry', data: {} }] }),
});

/** Two hours of three radars and one env sensor, an event every ten minutes. */
function fill(journal: Journal, minutes = 120) {
  for (let m = 0; m < minutes; m++) {
    journal.fold([minute(['r1', 'r2', 'r3'].map((d, i) => footfall(d, m, (m * 7 + i) % 11)), [env(m)]), ...(m % 10 === 0 ? [event(m)] : [])], [], T0 + m * 60_000);
  }
}

/** What the cloud would store from the outbox: footfall and env sums per device, and the events. */
function totals(journal: Journal) {
  const rows = journal.outboxAfter(0, 100_000).map((r) => Uplink.parse(JSON.parse(r.body)));
  const foot: Record<string, [number, number, number, number]> = {};
  const co2 = { sum: 0, count: 0, min: Infinity, max: -Infinity };
  const events: number[] = [];
  for (const u of rows) {
    if (u.kind === 'minute') {
      for (const f of u.footfall) {
        const t = (foot[f.deviceId] ??= [0, 0, 0, 0]);
        t[0] += f.in; t[1] += f.out; t[2] += f.occupancySum; t[3] = Math.max(t[3], f.occupancyMax);
      }
      for (const e of u.env) {
        const s = e.metrics.co2!;
        co2.sum += s.sum; co2.count += s.count; co2.min = Math.min(co2.min, s.min); co2.max = Math.max(co2.max, s.max);
      }
    } else if (u.kind === 'events') events.push(...u.events.map((e) => e.seq));
  }
  return { foot, co2, events };
}

const guardFor = (journal: Journal, maxBytes: number) => createOutboxGuard({ journal, maxBytes, alarmRatio: 0.8, wrap, logger: pino({ level: 'silent' }), metrics: createEdgeMetrics() });

describe('compaction', () => {
  it('merges minute records into one record per device and hour, sums exact', () => {
    const merged = compactRecords([{ footfall: [footfall('r1', 0, 4), footfall('r1', 59, 5), footfall('r1', 60, 6)], env: [env(1), env(2)] }], 60);
    expect(merged.footfall).toEqual([
      { ...where('r1'), minute: T0, spanMinutes: 60, subjectKind: 'zone', subjectId: 'hall', in: 9, out: 1 + 2, samples: 4, occupancySum: 18, occupancyCount: 4, occupancyMax: 6 },
      { ...where('r1'), minute: T0 + 3_600_000, spanMinutes: 60, subjectKind: 'zone', subjectId: 'hall', in: 6, out: 0, samples: 2, occupancySum: 12, occupancyCount: 2, occupancyMax: 7 },
    ]);
    expect(merged.env).toEqual([{ ...where('env-1'), minute: T0, spanMinutes: 60, metrics: { co2: { sum: 801 + 802, count: 4, min: 391, max: 422 } } }]);
    // hour records fold again into a day record
    expect(compactRecords([merged], 1440).footfall).toMatchObject([{ minute: Date.UTC(2026, 0, 10), spanMinutes: 1440, in: 15 }]);
  });
});

describe('outbox bound', () => {
  it('at the bound, compacts minute telemetry into hours: smaller, every total unchanged, events untouched, alarms raised', () => {
    const journal = openJournal({ path: ':memory:', durability: 'normal' });
    fill(journal);
    const before = totals(journal);
    const bytes = journal.stats().outboxBytes;
    const guard = guardFor(journal, Math.floor(bytes / 2));
    const alarms = guard.check(T0);
    expect(alarms.map((a) => [a.type, a.state])).toEqual(expect.arrayContaining([['outbox_compacted', 'raised'], ['outbox_high', 'raised']]));
    expect(journal.stats().outboxBytes).toBeLessThan(bytes / 2);
    expect(totals(journal)).toEqual(before);
    expect(guard.telemetryPaused).toBe(false);
    const spans = journal.outboxAfter(0, 100_000).flatMap((r) => { const u = Uplink.parse(JSON.parse(r.body)); return u.kind === 'minute' ? u.footfall.map((f) => f.spanMinutes) : []; });
    expect(new Set(spans)).toEqual(new Set([60]));
    journal.close();
  });

  it('never rewrites an uplink that may already have reached the cloud', () => {
    const journal = openJournal({ path: ':memory:', durability: 'normal' });
    fill(journal, 30);
    journal.markAllSendable(); // as the forwarder does before handing rows to the uplink
    const sent = journal.outboxAfter(0, 100_000).map((r) => r.body);
    fill(journal, 30);
    guardFor(journal, 2048).check(T0);
    const now = journal.outboxAfter(0, 100_000).map((r) => r.body);
    expect(now.slice(0, sent.length)).toEqual(sent);
    journal.close();
  });

  it('when nothing is left to compact, holds new telemetry, and takes it again once the cloud made room', () => {
    const journal = openJournal({ path: ':memory:', durability: 'normal' });
    for (let i = 0; i < 40; i++) journal.fold([event(i)], [], T0);
    const guard = guardFor(journal, Math.floor(journal.stats().outboxBytes * 0.9));
    expect(guard.check(T0).map((a) => [a.type, a.state])).toEqual([['outbox_full', 'raised'], ['outbox_high', 'raised']]);
    expect(guard.telemetryPaused).toBe(true);
    expect(totals(journal).events).toHaveLength(40); // events are never dropped
    for (const row of journal.outboxAfter(0, 30)) journal.delivered(row.id);
    expect(guard.check(T0).map((a) => [a.type, a.state])).toEqual([['outbox_full', 'cleared'], ['outbox_high', 'cleared']]);
    expect(guard.telemetryPaused).toBe(false);
    journal.close();
  });
});
