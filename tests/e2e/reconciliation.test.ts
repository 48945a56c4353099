import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadSiteFile, type SubjectKind } from '@atrium/shared';
import { createSimulator, type SimStats } from '@atrium/firmware-sim';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { connectDevice, eventually, publish, topicOf } from '../support/device.ts';

/**
 * The demo mall (285 devices, each its own MQTT client) runs three simulated hours as fast
 * as the edge acknowledges, with device faults switched on and bad input injected beside
 * it. Everything the devices had acknowledged must be in the cloud's store, exactly once.
 */
const site = loadSiteFile();
const START = Date.UTC(2026, 10, 20, 23, 0, 0); // Saturday 10:00 in Melbourne: opening time
const HOURS = 3;

const rejected = async (stack: Stack, reason: string) =>
  (await stack.edge.metrics.registry.getSingleMetric('atrium_edge_messages_rejected_total')?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe(`simulated mall → edge → cloud, ${HOURS} simulated hours with faults`, () => {
  let stack: Stack;
  let stats: SimStats;
  const injected = { invalid: 0, tooLarge: 0, foreignTopic: 0 };

  beforeAll(async () => {
    // The cloud's rules run on the simulated clock, as in `npm start`: on the wall clock every
    // device of a past Saturday would look silent and raise an alarm.
    let simNow = () => START;
    stack = await startStack({
      site, logger: pino({ level: 'error' }), edge: { lateness: 2000, idle: 1000, flushEvery: 100 }, clock: () => simNow(),
      // The fleet runs as fast as the edge acknowledges: its publish budget must scale with it.
      edgeEnv: { ATRIUM_MAX_PUBLISH_RATE: '100000', ATRIUM_MAX_PUBLISH_BURST: '100000' },
    });
    // A rogue device (a shop-door radar left out of the simulated fleet) publishes bad input beside it.
    const rogueId = site.devices.find((d) => d.kind === 'radar' && d.subject?.kind === 'shop')!.id;
    const victimId = site.devices.find((d) => d.kind === 'radar' && d.subject?.kind === 'zone')!.id;
    const sim = createSimulator({
      site, brokerUrl: stack.urls.edgeMqtt, secret: stack.secrets.device, speed: 'max', seed: 7, start: START, durationMs: HOURS * 3_600_000,
      deviceIds: site.devices.map((d) => d.id).filter((id) => id !== rogueId),
      faults: { duplicateRate: 0.02, outOfOrderRate: 0.02, malformedRate: 0.005, clockDriftMs: 3000, dropoutRate: 0.2 },
    });
    simNow = () => sim.now();
    const rogue = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, rogueId);
    await sim.start();
    for (let i = 0; i < 20; i++) {
      await publish(rogue, topicOf(site.id, rogueId, 'count'), '{"ts": oops');
      await publish(rogue, topicOf(site.id, rogueId, 'count'), { ts: START, seq: 1, periodS: 30, in: 'many', out: 0 });
      injected.invalid += 2;
      await publish(rogue, topicOf(site.id, rogueId, 'count'), JSON.stringify({ ts: START, seq: 1, periodS: 30, in: 1, out: 0, pad: 'x'.repeat(8000) }));
      injected.tooLarge += 1;
      await publish(rogue, topicOf(site.id, victimId, 'count'), { ts: START + i, seq: 900_000 + i, periodS: 30, in: 500, out: 0 });
      injected.foreignTopic += 1;
    }
    rogue.end(true);
    await sim.done;
    stats = sim.stats();
    await sim.stop();
  }, 180_000);

  afterAll(async () => stack?.stop());

  const storedBySubject = async (kind: SubjectKind) =>
    Object.fromEntries((await stack.cloud.store.footfallTotals({ siteId: site.id, subjectKind: kind })).map((t) => [t.subjectId, { in: t.in, out: t.out }]));
  const emittedBySubject = (kind: SubjectKind) =>
    Object.fromEntries(Object.values(stats.subjects).filter((s) => s.kind === kind && s.readings > 0).map((s) => [s.id, { in: s.in, out: s.out }]));

  it('ran the whole fleet through the faults it was asked for', () => {
    expect(stats.finished).toBe(true);
    expect(stats.connections.devices).toBe(site.devices.length - 1);
    expect(stats.messages.readingsAcked).toBeGreaterThan(50_000);
    expect(stats.messages.duplicatesSent).toBeGreaterThan(0);
    expect(stats.messages.malformedSent).toBeGreaterThan(0);
    expect(stats.messages.failed).toBe(0);
  });

  it('stores, for every zone, shop and entrance, exactly the footfall the simulator emitted, and every event once', async () => {
    const eventDevices = Object.values(stats.devices).filter((d) => d.kind === 'locker' || d.kind === 'gate');
    const want = {
      zone: emittedBySubject('zone'), shop: emittedBySubject('shop'), entrance: emittedBySubject('entrance'),
      events: eventDevices.reduce((s, d) => s + d.readingsAcked, 0),
    };
    expect(Object.keys(want.zone).length).toBe(site.zones.length);
    expect(want.events).toBeGreaterThan(0);
    const have = async () => ({
      zone: await storedBySubject('zone'), shop: await storedBySubject('shop'), entrance: await storedBySubject('entrance'),
      events: (await stack.cloud.store.counts(site.id)).events,
    });
    // The edge closes the last minutes by its idle timer and uplinks land over a few seconds: wait for all of it.
    const sorted = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
    await eventually(async () => {
      const h = await have();
      return sorted(h.zone) === sorted(want.zone) && sorted(h.shop) === sorted(want.shop) && sorted(h.entrance) === sorted(want.entrance) && h.events === want.events ? true : undefined;
    }, 30_000, 'stored totals to reconcile').catch(() => undefined);
    expect(await have()).toEqual(want);
  });

  it('refused every bad message with its reason counted', async () => {
    expect(await rejected(stack, 'invalid_json') + (await rejected(stack, 'invalid_payload'))).toBeGreaterThanOrEqual(stats.messages.malformedSent + injected.invalid);
    expect(await rejected(stack, 'payload_too_large')).toBe(injected.tooLarge);
    expect(await rejected(stack, 'topic_not_allowed')).toBe(injected.foreignTopic);
    expect(await rejected(stack, 'duplicate')).toBeGreaterThanOrEqual(stats.messages.duplicatesSent);
    expect(await rejected(stack, 'rate_limited')).toBe(0);
  });
});
