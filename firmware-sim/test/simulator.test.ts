import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startPlainBroker, type PlainBroker } from '../scripts/plain-broker.ts';
import { zonedTimeToUtc } from '../src/local-time.ts';
import { buildDemoMall } from '../src/mall/build.ts';
import { createSimulator, type SimStats } from '../src/simulator.ts';
import { createReceiver } from './support/receiver.ts';

const SECRET = 'test-device-secret-0123';
const site = buildDemoMall();
const SAT_1PM = zonedTimeToUtc(site.timezone, '2025-03-08', '13:00');
const MIN = 60_000;
// A cross-section: a zone's two radars, an entrance, two shop doors, restroom air, a locker bank, both gate kinds.
const DEVICES = ['rz-g-atrium-1', 'rz-g-atrium-2', 're-g-north', 'rs-g-021', 'rs-g-022', 'env-g-restroom-w-1', 'lk-lg-lockers-w-a', 'gt-g-west-door', 'gt-lg-cpw-turnstile-1'];

let broker: PlainBroker;
let receiver: ReturnType<typeof createReceiver>;
beforeEach(async () => {
  broker = await startPlainBroker({ secret: SECRET });
  receiver = createReceiver(site);
  broker.onMessage((topic, payload, retain) => receiver.take(topic, payload, retain));
});
afterEach(async () => {
  await broker.close();
});

/** What the simulator says was acknowledged must be exactly what a deduplicating receiver totals. */
function expectReconciled(s: SimStats) {
  const fromSim = Object.fromEntries(Object.entries(s.subjects).map(([k, v]) => [k, { in: v.in, out: v.out }]));
  expect(receiver.subjects).toEqual(fromSim);
  const simEvents: Record<string, number> = {};
  for (const [type, n] of Object.entries(s.events.locker)) if (n > 0) simEvents[`locker:${type}`] = n;
  for (const [type, n] of Object.entries(s.events.gate)) if (n > 0) simEvents[`gate:${type}`] = n;
  expect(receiver.events).toEqual(simEvents);
  expect(receiver.rejected).toBe(s.messages.malformedSent);
  expect(receiver.duplicates).toBe(s.messages.duplicatesSent);
  expect(s.messages.failed).toBe(0);
  expect(s.messages.inFlight).toBe(0);
}

describe('simulator runtime against a real aedes broker', () => {
  it('reconciles 30 sim-minutes with duplicates, reordering, malformed messages and clock drift', async () => {
    const sim = createSimulator({
      site,
      brokerUrl: broker.url,
      secret: SECRET,
      speed: 'max',
      seed: 42,
      start: SAT_1PM,
      durationMs: 30 * MIN,
      deviceIds: DEVICES,
      faults: { duplicateRate: 0.05, outOfOrderRate: 0.05, malformedRate: 0.05, clockDriftMs: 2000 },
    });
    await sim.start();
    await sim.done;
    const s = sim.stats();
    expect(s.finished).toBe(true);
    expect(s.simTimeMs).toBe(SAT_1PM + 30 * MIN);
    expect(s.messages.acked).toBe(receiver.received);
    expect(s.messages.duplicatesSent).toBeGreaterThan(5);
    expect(s.messages.malformedSent).toBeGreaterThan(5);
    expect(s.messages.outOfOrderSent).toBeGreaterThan(5);
    expect(s.subjects['entrance:g-north']?.in).toBeGreaterThan(50);
    expect(s.zones['g-atrium']?.bySubjectKind.zone.readings).toBe(2 * 60);
    expectReconciled(s);
    // Every device announced itself online (retained) when it connected.
    expect(new Set(receiver.statuses.filter((x) => x.state === 'online' && x.retain).map((x) => x.deviceId))).toEqual(new Set(DEVICES));
    await sim.stop();
    const offline = receiver.statuses.filter((x) => x.state === 'offline');
    expect(new Set(offline.map((x) => x.deviceId))).toEqual(new Set(DEVICES));
  });

  it('drops zones off the network (last will fires), reconnects them in a burst and still loses nothing', async () => {
    const sim = createSimulator({
      site,
      brokerUrl: broker.url,
      secret: SECRET,
      speed: 'max',
      seed: 3,
      start: SAT_1PM,
      durationMs: 60 * MIN,
      deviceIds: DEVICES,
      faults: { dropoutRate: 1 },
    });
    await sim.start();
    await sim.done;
    const s = sim.stats();
    expect(s.connections.dropouts).toBeGreaterThan(0);
    expect(s.connections.connected).toBe(DEVICES.length);
    expect(receiver.statuses.some((x) => x.state === 'offline')).toBe(true); // the will
    expectReconciled(s);
    await sim.stop();
  });

  it('runs against the clock at a given speed, stops cleanly and exposes clean()', async () => {
    const sim = createSimulator({ site, brokerUrl: broker.url, secret: SECRET, speed: 3000, seed: 1, start: SAT_1PM, deviceIds: ['re-g-north', 'env-g-restroom-w-1'] });
    expect(() => sim.clean('nowhere')).toThrow(/unknown zone/);
    expect(sim.clean('g-restroom-w')).toBe(1);
    await sim.start();
    await new Promise((r) => setTimeout(r, 400)); // ≈ 20 sim minutes
    await sim.stop();
    await sim.done;
    const s = sim.stats();
    expect(s.simTimeMs - SAT_1PM).toBeGreaterThan(5 * MIN);
    expect(s.messages.acked).toBeGreaterThan(10);
    expectReconciled(s);
  });

  it('fails to start, naming the device, when the broker refuses the credentials', async () => {
    const sim = createSimulator({ site, brokerUrl: broker.url, secret: 'not-the-right-secret', speed: 'max', seed: 1, start: SAT_1PM, durationMs: MIN, deviceIds: ['re-g-north'] });
    await expect(sim.start()).rejects.toThrow(/re-g-north.*refused/);
    expect(broker.refused).toContain('re-g-north');
  });
});

describe('simulator shutdown', () => {
  it('stops within its drain when the broker stops acknowledging, logging what was dropped and why', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    const sim = createSimulator({ site, brokerUrl: broker.url, secret: SECRET, speed: 600, seed: 7, start: SAT_1PM, deviceIds: DEVICES, logger, stopDrainMs: 300, progressIntervalMs: 0 });
    await sim.start();
    // From now on no PUBACK comes back: every publish stays in flight.
    broker.broker.authorizePublish = () => undefined;
    const sent = sim.stats().messages.sent;
    await eventuallyTrue(() => sim.stats().messages.inFlight > 0 && sim.stats().messages.sent > sent);
    await sim.stop();
    const dropped = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('not acknowledged within 300 ms and are dropped'));
    expect(dropped).toMatchObject({ unsent: expect.any(Number), byReason: { 'not acknowledged by the broker': expect.any(Number) } });
    expect(dropped!.unsent as number).toBeGreaterThan(0);
    expect(sim.stats().messages.inFlight).toBe(0);
  });
});

async function eventuallyTrue(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
