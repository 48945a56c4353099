import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Client, PublishPacket } from 'aedes';
import { indexSite } from '@atrium/shared';
import { createEdgeMetrics } from '../src/core/metrics.ts';
import { createRefusals } from '../src/core/refusals.ts';
import { createDeviceHealth } from '../src/devices/health.ts';
import { createOutboxGuard } from '../src/outbox/guard.ts';
import { openJournal, type Journal } from '../src/outbox/journal.ts';
import { createTelemetryHold } from '../src/outbox/telemetry-hold.ts';
import { buildPublishPipeline, type PublishPipelineDeps } from '../src/pipeline/index.ts';
import { answerOnce } from '../src/pipeline/run.ts';
import { createAggregator } from '../src/readings/aggregator.ts';
import { createEdgeBus, type BusReading } from '../src/readings/bus.ts';
import { createCollector } from '../src/readings/collector.ts';
import { createLiveOccupancy } from '../src/readings/live.ts';
import { miniSite } from '../../tests/support/mini-site.ts';

const T = Date.UTC(2026, 0, 10, 10, 0, 0);
const site = indexSite(miniSite);
const logger = pino({ level: 'silent' });
let journal: Journal | undefined;
afterEach(() => journal?.close());

function pipeline(limits: Partial<PublishPipelineDeps['limits']> = {}) {
  journal = openJournal({ path: ':memory:', durability: 'normal' });
  const metrics = createEdgeMetrics();
  const bus = createEdgeBus(logger);
  const aggregator = createAggregator({ lateness_ms: 5000, idle_ms: 10_000 });
  const deps: PublishPipelineDeps = {
    site,
    limits: { maxPayloadBytes: 512, publishRate: 50, publishBurst: 500, plausibility: { clockSkewMs: 300_000, maxAgeMs: 0, maxCrossingsPerMinute: 600, maxPeoplePerM2: 4 }, ...limits },
    // The gateway's clock: readings here are stamped a few seconds after T.
    clock: () => T + 60_000,
    privacyKey: 'privacy-key-privacy-key',
    health: createDeviceHealth(site, { lowBatteryPercent: 15, offlineAfterMs: 60_000 }),
    journal,
    guard: createOutboxGuard({ journal, maxBytes: 1024 ** 2, alarmRatio: 0.8, wrap: () => [], logger, metrics }),
    hold: createTelemetryHold(),
    collector: createCollector({ site, aggregator, live: createLiveOccupancy(site) }),
    bus,
    metrics,
    refusals: createRefusals({ metrics, logger, shouldLog: () => true }),
    logger,
    shouldLog: () => true,
  };
  const built = buildPublishPipeline(deps);
  const run = built.handler({ refusals: deps.refusals, logger });
  const seen: BusReading[] = [];
  bus.on('reading', (r) => seen.push(r));
  /** Resolves with aedes' answer and the packet as aedes would forward it. */
  const publish = (topic: string, body: unknown, client: Client | null = { id: topic.split('/')[2], closed: false } as unknown as Client) =>
    new Promise<{ error: Error | null | undefined; packet: PublishPacket; sync: boolean }>((resolve) => {
      const packet = { cmd: 'publish', topic, payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), qos: 1, retain: false, dup: false } as PublishPacket;
      let returned = false;
      run({ client, packet, deviceId: client?.id ?? topic.split('/')[2] ?? '', receivedAt: Date.now(), answer: answerOnce((error) => resolve({ error, packet, sync: !returned })) });
      returned = true;
    });
  const rejected = async (reason: string) => (await metrics.rejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { built, publish, seen, rejected, metrics, journal };
}

const count = (seq: number) => ({ ts: T + seq * 1000, seq, periodS: 30, in: 1, out: 0, occupancy: 3 });

describe('publish pipeline', () => {
  it('runs the named steps in order', () => {
    expect(pipeline().built.names).toEqual(['rate-limit', 'authenticate', 'validate', 'plausible', 'device-status', 'journal', 'acknowledge', 'aggregate', 'local-flows']);
  });

  it('acknowledges a reading once it is journaled, then hands it to local flows', async () => {
    const p = pipeline();
    const answer = await p.publish('atrium/mini/radar-hall-1/count', count(1));
    expect(answer).toMatchObject({ error: null, sync: false, packet: { topic: 'atrium/mini/radar-hall-1/count' } });
    expect(p.journal.pendingReadings()).toHaveLength(1);
    expect(p.seen.map((r) => [r.device.id, r.channel, r.floorId])).toEqual([['radar-hall-1', 'count', 'g']]);
  });

  it('hashes pickup codes and badges before the journal, the flows and the uplink see them', async () => {
    const p = pipeline();
    await p.publish('atrium/mini/locker-1/event', { ts: T + 1000, seq: 1, event: 'deposit', compartment: 3, pickupCode: '483920' });
    await p.publish('atrium/mini/locker-1/event', { ts: T + 2000, seq: 2, event: 'pickup', compartment: 3, pickupCode: '483920' });
    await p.publish('atrium/mini/gate-staff/event', { ts: T + 1000, seq: 1, event: 'entry', badge: 'STAFF-0042' });
    const stored = p.journal.pendingReadings().map((r) => r.body).join('\n');
    expect(stored).not.toContain('483920');
    expect(stored).not.toContain('STAFF-0042');
    const codes = p.seen.map((r) => r.value as { pickupCode?: string; badge?: string }).map((v) => v.pickupCode ?? v.badge);
    expect(codes).not.toContain('483920');
    expect(codes).not.toContain('STAFF-0042');
    // The same code gives the same hash, so a deposit still matches its pickup.
    expect(codes[0]).toBe(codes[1]);
    expect(codes[0]).toMatch(/^[\w-]{22}$/);
  });

  it('acknowledges a resend without taking it twice', async () => {
    const p = pipeline();
    await p.publish('atrium/mini/radar-hall-1/count', count(1));
    const again = await p.publish('atrium/mini/radar-hall-1/count', count(1));
    expect(again).toMatchObject({ error: null, packet: { topic: '$atrium/rejected/duplicate' } });
    expect(await p.rejected('duplicate')).toBe(1);
    expect(p.journal.pendingReadings()).toHaveLength(1);
    expect(p.seen).toHaveLength(1);
  });

  it.each([
    ['another device topic', 'atrium/mini/radar-wc/count', count(1), 'topic_not_allowed'],
    ['a channel the family lacks', 'atrium/mini/radar-hall-1/event', count(1), 'unknown_channel'],
    ['garbage', 'atrium/mini/radar-hall-1/count', 'not json', 'invalid_json'],
    ['a negative count', 'atrium/mini/radar-hall-1/count', { ...count(1), in: -1 }, 'invalid_payload'],
    ['a reading stamped in 2099', 'atrium/mini/radar-hall-1/count', { ...count(1), ts: Date.UTC(2099, 0, 1) }, 'clock_skew'],
    ['a status from the future', 'atrium/mini/radar-hall-1/status', { ts: T + 3_600_000, state: 'online' }, 'clock_skew'],
    ['more crossings than a period allows', 'atrium/mini/radar-hall-1/count', { ...count(1), periodS: 30, in: 301 }, 'implausible_count'],
    ['more people than the zone holds', 'atrium/mini/radar-hall-1/count', { ...count(1), occupancy: 801 }, 'implausible_count'],
  ])('refuses %s at once: counted, diverted, acknowledged, not journaled', async (_what, topic, body, reason) => {
    const p = pipeline();
    const answer = await p.publish(topic, body, { id: 'radar-hall-1', closed: false } as unknown as Client);
    expect(answer).toMatchObject({ error: null, sync: true, packet: { topic: `$atrium/rejected/${reason}`, retain: false } });
    expect(await p.rejected(reason)).toBe(1);
    expect(p.journal.pendingReadings()).toHaveLength(0);
  });

  it('takes device time within the skew, counts at their limits, and old readings while no maximum age is set', async () => {
    const p = pipeline();
    const ahead = await p.publish('atrium/mini/radar-hall-1/count', { ...count(1), ts: T + 60_000 + 300_000 });
    const busiest = await p.publish('atrium/mini/radar-hall-1/count', { ...count(2), periodS: 30, in: 300, out: 300, occupancy: 800 });
    const old = await p.publish('atrium/mini/radar-hall-1/count', { ...count(3), ts: T - 30 * 86_400_000 });
    expect([ahead, busiest, old].map((a) => a.packet.topic)).toEqual(Array(3).fill('atrium/mini/radar-hall-1/count'));
  });

  it('refuses readings older than a maximum age once one is set', async () => {
    const p = pipeline({ plausibility: { clockSkewMs: 300_000, maxAgeMs: 3_600_000, maxCrossingsPerMinute: 600, maxPeoplePerM2: 4 } });
    const answer = await p.publish('atrium/mini/radar-hall-1/count', { ...count(1), ts: T - 3_600_001 + 60_000 });
    expect(answer.packet.topic).toBe('$atrium/rejected/clock_skew');
  });

  it('refuses publishes over the device budget, but not a will the broker publishes for a device that left', async () => {
    const p = pipeline({ publishRate: 0.001, publishBurst: 2 });
    const topics = await Promise.all([1, 2, 3].map(async (seq) => (await p.publish('atrium/mini/radar-hall-1/count', count(seq))).packet.topic));
    expect(topics).toEqual(['atrium/mini/radar-hall-1/count', 'atrium/mini/radar-hall-1/count', '$atrium/rejected/rate_limited']);
    // Junk spends the budget too, and once it is spent is not even parsed.
    const junk = await p.publish('atrium/mini/radar-hall-1/count', 'not json');
    expect(junk.packet.topic).toBe('$atrium/rejected/rate_limited');
    expect(await p.rejected('invalid_json')).toBe(0);
    const will = await p.publish('atrium/mini/radar-hall-1/status', { ts: T, state: 'offline' }, null);
    expect(will).toMatchObject({ error: null, packet: { topic: 'atrium/mini/radar-hall-1/status' } });
  });
});
