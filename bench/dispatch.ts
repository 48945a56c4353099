import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { LIVE_EVENTS, MinuteUplink, deviceTopic, loadSiteFile, type Effect, type SiteModel } from '@atrium/shared';
import { createSimulator, withDeviceCopies } from '@atrium/firmware-sim';
import { DEFAULT_RULES_FILE } from '../cloud/src/config.ts';
import { createEngine, step } from '../cloud/src/dispatch/engine.ts';
import { parseRuleSet } from '../cloud/src/rules/load.ts';
import { observationsFromUplink } from '../cloud/src/rules/observations.ts';
import { siteFacts } from '../cloud/src/rules/subjects.ts';
import { startStack } from '../scripts/stack.ts';
import { connectDevice, publish } from '../tests/support/device.ts';
import { percentile, progress } from './support.ts';

/**
 * Rules evaluated per second: the pure engine fed one minute uplink per gateway-minute of the
 * whole demo mall (every radar and env sensor), with the shipped rules, against the same
 * engine with no rules at all (the cost of the framework: batching, state copies, effects).
 */
export function benchRulesThroughput(opts: { minutes: number }) {
  const site = loadSiteFile();
  const facts = siteFacts(site);
  const uplinks = syntheticMinutes(site, opts.minutes);
  const observations = uplinks.map(observationsFromUplink);
  const total = observations.reduce((s, o) => s + o.length, 0);
  const run = (rulesText: string) => {
    const parsed = parseRuleSet(rulesText, facts);
    if (!parsed.ok) throw new Error('bench rules invalid');
    let state = createEngine({ site, ruleSet: parsed.ruleSet, now: uplinks[0]!.sentAt });
    const t0 = performance.now();
    for (let i = 0; i < uplinks.length; i++) {
      const r = step(state, { kind: 'observe_batch', observations: observations[i]! }, uplinks[i]!.sentAt);
      if (r.ok) state = r.state;
    }
    return Math.round(total / ((performance.now() - t0) / 1000));
  };
  const shipped = readFileSync(DEFAULT_RULES_FILE, 'utf8');
  const noRules = JSON.stringify({ version: 1, rules: [] });
  run(shipped); // warm-up
  const withRules = run(shipped);
  const empty = run(noRules);
  progress(`rules: ${total} observations from ${uplinks.length} minute uplinks: ${withRules}/s with the shipped rules, ${empty}/s with none`);
  return { observations: total, uplinks: uplinks.length, shippedRulesPerSecond: withRules, noRulesPerSecond: empty, ratioToNoRules: round2(withRules / empty) };
}

/** One uplink per minute with every radar's and env sensor's minute, values in the ranges the rules watch. */
function syntheticMinutes(site: SiteModel, minutes: number): MinuteUplink[] {
  const start = Math.floor(Date.UTC(2026, 10, 21, 1, 0) / 60_000) * 60_000;
  const out: MinuteUplink[] = [];
  for (let m = 0; m < minutes; m++) {
    const minute = start + m * 60_000;
    const place = (d: SiteModel['devices'][number]) => ({ deviceId: d.id, floorId: site.zones.find((z) => z.id === d.zoneId)!.floorId, zoneId: d.zoneId });
    const footfall = site.devices.filter((d) => d.kind === 'radar' && d.subject).map((d) => ({
      ...place(d), minute, subjectKind: d.subject!.kind, subjectId: d.subject!.id,
      in: (m * 7 + d.id.length) % 13, out: (m * 5 + d.id.length) % 11, samples: 2, occupancySum: 40, occupancyCount: 2, occupancyMax: 25,
    }));
    const env = site.devices.filter((d) => d.kind === 'env').map((d) => {
      const wave = Math.sin((m + d.id.length) / 9);
      const stat = (v: number) => ({ sum: v * 2, count: 2, min: v, max: v });
      return { ...place(d), minute, metrics: { co2: stat(800 + 300 * wave), nh3: stat(3 + 2 * wave), pm25: stat(12 + 8 * wave), tempC: stat(22) } };
    });
    out.push(MinuteUplink.parse({ v: 1, id: randomUUID(), siteId: site.id, gatewayId: 'gw-1', sentAt: minute + 61_000, kind: 'minute', footfall, env }));
  }
  return out;
}

/**
 * Delay from a gate's `forced_open` publish at the edge to the security order being assigned,
 * as the control room's socket.io client sees it, while the simulated mall runs in real time
 * with `copies` times the demo mall's devices (1: the demo mall; 10: ten times its devices,
 * connections, messages and rule state).
 */
export async function benchDispatchLatency(opts: { copies: number; samples: number; gapMs: number }) {
  const site = withDeviceCopies(loadSiteFile(), opts.copies);
  const gate = site.devices.find((d) => d.kind === 'gate');
  if (!gate) throw new Error('the demo mall has no gate');
  const start = Date.now();
  const clock = Date.now;
  const stack = await startStack({ site, logger: pino({ level: 'warn' }) });
  const stages = traceStages(stack, gate.id);
  const auth = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown) => fetch(`${stack.urls.page}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const shift = [{ from: clock() - 3600_000, to: clock() + 30 * 86_400_000 }];
  for (const id of ['guard-1', 'guard-2', 'guard-3']) {
    await fetch(`${stack.urls.page}api/v1/staff/${id}`, { method: 'PUT', headers: auth, body: JSON.stringify({ name: id, roles: ['security'], shifts: shift, zoneId: gate.zoneId, available: true }) });
  }
  const sim = createSimulator({ site, brokerUrl: stack.urls.edgeMqtt, secret: stack.secrets.device, speed: 1, seed: 5, start, deviceIds: site.devices.filter((d) => d.id !== gate.id).map((d) => d.id) });
  await sim.start();
  const room = io(stack.urls.page, { transports: ['websocket'], auth: { key: stack.adminKey } });
  let waiting: ((order: { id: string; alarmIds: string[] }, at: number) => void) | null = null;
  room.on(LIVE_EVENTS.workOrder, (m: { change: string; order: { id: string; type: string; alarmIds: string[]; subject: { id: string } } }) => {
    if (m.change === 'assign' && m.order.type === 'security_breach' && m.order.subject.id === gate.id) waiting?.(m.order, performance.now());
  });
  await new Promise<void>((r) => room.once('connect', () => r()));
  const device = await connectDevice(stack.urls.edgeMqtt, stack.secrets.device, gate.id);
  progress(`dispatch latency with ${site.devices.length} devices (${opts.copies}× the demo mall): ${opts.samples} forced doors on ${gate.id}`);
  const delays: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    const assigned = new Promise<{ order: { id: string; alarmIds: string[] }; at: number }>((resolve) => (waiting = (order, at) => resolve({ order, at })));
    stages.reset();
    const t = performance.now();
    await publish(device, deviceTopic(site.id, gate.id, 'event'), { ts: clock(), seq: i + 1, event: 'forced_open' });
    const got = await Promise.race([assigned, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    waiting = null;
    if (!got) continue;
    delays.push(got.at - t);
    stages.sample(t, got.at);
    // Stand the guard down and close the alarm so the next door is a fresh alarm.
    await post(`api/v1/work-orders/${got.order.id}/cancel`, { reason: 'benchmark' });
    for (const alarmId of got.order.alarmIds) await post(`api/v1/alarms/${alarmId}/clear`, { note: 'benchmark' });
    await new Promise((r) => setTimeout(r, Math.random() * opts.gapMs));
  }
  device.end(true);
  room.close();
  await sim.stop();
  await stack.stop();
  delays.sort((a, b) => a - b);
  return { copies: opts.copies, devices: site.devices.length, samples: opts.samples, received: delays.length, p50Ms: round1(percentile(delays, 50)), p99Ms: round1(percentile(delays, 99)), stages: stages.summary() };
}

/**
 * Where one forced door's delay goes, stage by stage (p50/p99 over the samples): from the
 * publish to the cloud storing its events uplink (the edge, its outbox and the uplink), the
 * store write, from stored to the operational store recording the step that assigns the guard
 * (the dispatch queue and the engine step), that record, and from there to the control-room
 * client (effects listeners, socket.io). Observed from outside, by wrapping the store and ops
 * store methods the cloud calls and listening to the dispatch effects.
 */
function traceStages(stack: Awaited<ReturnType<typeof startStack>>, gateId: string) {
  let marks: Partial<Record<'ingest' | 'stored' | 'recordStart' | 'recordEnd' | 'effects', number>> = {};
  const spans: Record<string, number[]> = {};
  const assigns = (effects: readonly Effect[]) => effects.some((e) => e.kind === 'work_order' && e.change === 'assign' && e.order.subject.id === gateId);
  const store = stack.cloud.store;
  const writeUplink = store.writeUplink.bind(store);
  store.writeUplink = async (u, receivedAt) => {
    const mine = u.kind === 'events' && u.events.some((e) => e.deviceId === gateId && e.type === 'forced_open');
    if (mine) marks.ingest = performance.now();
    const r = await writeUplink(u, receivedAt);
    if (mine) marks.stored = performance.now();
    return r;
  };
  const ops = stack.cloud.opsStore;
  const record = ops.record.bind(ops);
  ops.record = async (x) => {
    const mine = assigns(x.effects);
    if (mine) marks.recordStart = performance.now();
    await record(x);
    if (mine) marks.recordEnd = performance.now();
  };
  stack.cloud.dispatch.onEffects((effects) => {
    if (assigns(effects)) marks.effects ??= performance.now();
  });
  return {
    reset: () => {
      marks = {};
    },
    sample(publishedAt: number, seenAt: number) {
      const m = marks;
      const add = (k: string, from: number | undefined, to: number | undefined) => {
        if (from !== undefined && to !== undefined) (spans[k] ??= []).push(to - from);
      };
      add('publishToStoreWrite', publishedAt, m.ingest);
      add('storeWrite', m.ingest, m.stored);
      add('storedToStepRecord', m.stored, m.recordStart);
      add('stepRecord', m.recordStart, m.recordEnd);
      add('recordToClient', m.recordEnd, seenAt);
    },
    summary: () =>
      Object.fromEntries(Object.entries(spans).map(([k, v]) => {
        const sorted = [...v].sort((a, b) => a - b);
        return [k, { p50Ms: round1(percentile(sorted, 50)), p99Ms: round1(percentile(sorted, 99)) }];
      })),
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
