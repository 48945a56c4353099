import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Uplink, type Effect } from '@atrium/shared';
import { openPglite } from '../../src/db/pglite.ts';
import type { OpsStore } from '../../src/ops/ops-store.ts';
import { createSqlOpsStore } from '../../src/ops/sql-ops-store.ts';
import { createDispatchService, type DispatchService, type DispatchServiceDeps } from '../../src/ops/dispatch-service.ts';
import { eventually } from '../../../tests/support/device.ts';
import { miniSite } from '../../../tests/support/mini-site.ts';
import { emptyOpsTables } from '../ops-store.contract.ts';

/**
 * The engine's runtime on the real SQL operational store (embedded PGlite): one serial queue,
 * every step stored before anyone hears of it, and a step the store refuses loses nothing.
 *
 * The rule under test counts restroom visits: ten raise an alarm. A counter is what shows a
 * lost batch of observations: had one been dropped, later visits would never add up to ten.
 */
const T0 = Date.UTC(2026, 0, 12, 0, 0, 0);
const MIN = 60_000;
const RULES = JSON.stringify({
  version: 1,
  rules: [{ id: 'wc-visits', kind: 'counter', subjects: { zoneIds: ['wc'] }, raiseAt: 10, alarm: { type: 'restroom_cleaning', severity: 'major' } }],
});
const quiet = pino({ level: 'silent' });

// One engine for the file (starting PGlite costs seconds, more on a busy machine), emptied before each test.
let db: Awaited<ReturnType<typeof openPglite>>;
beforeAll(async () => {
  db = await openPglite('memory://');
});
afterAll(async () => db?.close());

/** One minute of restroom footfall from the edge, as ingest hands it on once stored. */
const visits = (n: number, minute: number): Uplink =>
  Uplink.parse({
    v: 1, id: randomUUID(), siteId: miniSite.id, gatewayId: 'gw-1', sentAt: T0 + (minute + 1) * MIN, kind: 'minute', env: [],
    footfall: [{ deviceId: 'radar-wc', floorId: 'g', zoneId: 'wc', minute: T0 + minute * MIN, subjectKind: 'zone', subjectId: 'wc', in: n, out: 0, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 }],
  });

/**
 * The real store, wrapped so its `record` can be made to reject: once (`failNext`) or until
 * told otherwise (`down`). PGlite runs inside this process, so there is no server to stop or
 * connection to cut, and closing it ends that engine for good; the wrapper is the one way to
 * fail exactly the write under test, at the moment chosen, while every other call (and every
 * write before and after) reaches the real database. Reads never fail, so the test can look.
 */
function faultyStore(real: OpsStore) {
  const faults = { failNext: false, down: false, refused: 0 };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'record') return Reflect.get(target, prop, receiver);
      return async (batch: Parameters<OpsStore['record']>[0]) => {
        if (faults.down || faults.failNext) {
          faults.failNext = false;
          faults.refused++;
          throw new Error('injected: the operational store refused the write');
        }
        return target.record(batch);
      };
    },
  });
  return { store, faults };
}

describe('dispatch service on the SQL operational store (PGlite)', () => {
  let now = T0;
  const running: DispatchService[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });

  const setup = async (over: Partial<DispatchServiceDeps> = {}) => {
    const real = await createSqlOpsStore(db, { siteId: miniSite.id });
    await emptyOpsTables(db);
    now = T0;
    const { store, faults } = faultyStore(real);
    const effects: Effect[] = [];
    const make = () => {
      const service = createDispatchService({
        site: miniSite, store, logger: quiet, clock: () => now, rulesText: RULES,
        // No timer-driven steps unless a test asks for them: each step here is one the test caused.
        tickEveryMs: 3_600_000, snapshotEveryMs: 3_600_000, ...over,
      });
      service.onEffects((e) => effects.push(...e));
      running.push(service);
      return service;
    };
    const service = make();
    await service.start();
    const storedAlarms = () => real.listAlarms({ limit: 10 });
    return { service, real, faults, effects, make, storedAlarms };
  };

  it('evaluates observations in order, stores the alarm they raise and tells listeners once', async () => {
    const { service, effects, storedAlarms } = await setup();
    service.observeUplink(visits(6, 0));
    service.observeUplink(visits(4, 1));
    const alarms = await eventually(async () => ((await storedAlarms()).length > 0 ? storedAlarms() : undefined), 10_000, 'the alarm stored');
    expect(alarms).toMatchObject([{ ruleId: 'wc-visits', type: 'restroom_cleaning', status: 'raised', zoneId: 'wc' }]);
    expect(effects.filter((e) => e.kind === 'alarm').map((e) => e.kind === 'alarm' && e.change)).toEqual(['raised']);
    expect(service.status()).toMatchObject({ openAlarms: 1, queuedObservations: 0, droppedObservations: 0, storeFailingSince: null });
  });

  it('stop saves the rule state and a restart carries on from it', async () => {
    const { service, make, storedAlarms } = await setup();
    service.observeUplink(visits(6, 0)); // no alarm yet, so nothing written but the state
    await eventually(() => (service.status().queuedObservations === 0 ? true : undefined), 10_000, 'the batch evaluated');
    await service.stop();
    const again = make();
    await again.start();
    again.observeUplink(visits(4, 1)); // 6 + 4: only a restored counter reaches ten
    expect(await eventually(async () => ((await storedAlarms()).length > 0 ? storedAlarms() : undefined), 10_000, 'the alarm stored')).toHaveLength(1);
  });

  it('a failed store write loses nothing: the state stays as before, the batch waits and is evaluated with the next one', async () => {
    const { service, faults, effects, storedAlarms } = await setup();
    faults.failNext = true;
    now = T0 + 2 * MIN;
    service.observeUplink(visits(12, 0)); // raises the alarm: a step with effects, so it is written, and refused
    const failing = await eventually(() => service.status().storeFailingSince ?? undefined, 10_000, 'the refused write reported');
    expect(failing).toBe(now);
    expect(faults.refused).toBe(1);
    expect(service.status()).toMatchObject({ openAlarms: 0, droppedObservations: 0 });
    expect(service.status().queuedObservations).toBeGreaterThan(0);
    expect(effects).toEqual([]);
    expect(await storedAlarms()).toEqual([]);

    // The next drain takes the kept batch first: 12 + 1 visits, one alarm, stored.
    service.observeUplink(visits(1, 1));
    const alarms = await eventually(async () => ((await storedAlarms()).length > 0 ? storedAlarms() : undefined), 10_000, 'the kept batch stored');
    expect(alarms).toMatchObject([{ ruleId: 'wc-visits', status: 'raised' }]);
    expect(service.status()).toMatchObject({ openAlarms: 1, queuedObservations: 0, storeFailingSince: null });
    expect(effects.filter((e) => e.kind === 'alarm')).toHaveLength(1);
  });

  it('a command whose write fails is refused with ATRIUM_OPS_STORE_UNAVAILABLE and changes nothing; sent again, it is stored', async () => {
    const { service, real, faults } = await setup();
    const input = { kind: 'upsert_staff' as const, staff: { id: 'cleaner-1', name: 'Cleaner One', roles: ['cleaner'], shifts: [], zoneId: 'wc', available: true } };
    faults.failNext = true;
    await expect(service.command(input)).rejects.toMatchObject({ code: 'ATRIUM_OPS_STORE_UNAVAILABLE', statusCode: 503 });
    expect(service.roster()).toEqual([]);
    expect(await real.listStaff()).toEqual([]);

    const r = await service.command(input);
    expect(r.ok).toBe(true);
    expect(service.roster().map((s) => s.id)).toEqual(['cleaner-1']);
    expect((await real.listStaff()).map((s) => s.id)).toEqual(['cleaner-1']);
  });

  it('a command behind observations the store refused is refused too, so nobody sees them out of order', async () => {
    const { service, faults } = await setup();
    faults.down = true;
    service.observeUplink(visits(12, 0));
    await expect(service.command({ kind: 'cleaned', zoneId: 'wc', by: 'cleaner-1' })).rejects.toMatchObject({ code: 'ATRIUM_OPS_STORE_UNAVAILABLE' });
    expect(service.status().openAlarms).toBe(0);
    expect(service.status().queuedObservations).toBeGreaterThan(0);
  });

  it('while the store stays down the queue is bounded: the oldest observations go, counted; the rest are applied when it is back', async () => {
    // A short tick: with no new traffic, the timer is what retries.
    const { service, faults, storedAlarms } = await setup({ maxQueuedObservations: 6, tickEveryMs: 50 });
    faults.down = true;
    // Each minute is several observations (its footfall, proof of life for the radar and the
    // gateway): more than six in all, so the oldest must go.
    for (const [minute, n] of [1, 1, 1, 5, 5].entries()) service.observeUplink(visits(n, minute));
    const status = await eventually(() => (service.status().storeFailingSince !== null ? service.status() : undefined), 10_000, 'the outage reported');
    expect(status).toMatchObject({ queuedObservations: 6, openAlarms: 0 });
    expect(status.droppedObservations).toBeGreaterThan(0);
    expect(await storedAlarms()).toEqual([]);

    faults.down = false;
    // The newest minutes were kept: their 5 + 5 visits raise the alarm (the oldest minutes alone, 1 + 1 + 1, would not).
    const alarms = await eventually(async () => ((await storedAlarms()).length > 0 ? storedAlarms() : undefined), 10_000, 'the kept observations stored');
    expect(alarms).toMatchObject([{ ruleId: 'wc-visits', status: 'raised' }]);
    expect(service.status()).toMatchObject({ queuedObservations: 0, droppedObservations: status.droppedObservations, storeFailingSince: null, openAlarms: 1 });
  });

  it('an alarm retired from the working state is still in the store, and clearing it again is a conflict, not an unknown id', async () => {
    const { service, real } = await setup({ tickEveryMs: 20 });
    service.observeUplink(visits(12, 0));
    await eventually(() => (service.status().openAlarms === 1 ? true : undefined), 10_000, 'the alarm raised');
    expect(await service.command({ kind: 'clear_alarm', alarmId: 'al-1', by: 'sup-ann' })).toMatchObject({ ok: true });
    now = T0 + 2 * 3600_000; // the next tick retires what was cleared more than an hour ago
    await eventually(() => (service.snapshot().alarms.byId['al-1'] === undefined ? true : undefined), 10_000, 'the cleared alarm retired');
    expect(await real.getAlarm('al-1')).toMatchObject({ status: 'cleared', clearedBy: 'sup-ann' });
    const again = await service.command({ kind: 'clear_alarm', alarmId: 'al-1', by: 'sup-ann' });
    expect(again).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_INVALID_TRANSITION', status: 409 } });
    expect(await service.command({ kind: 'clear_alarm', alarmId: 'al-404', by: 'sup-ann' })).toMatchObject({ ok: false, error: { code: 'ATRIUM_ALARM_NOT_FOUND' } });
  });
});
