import { randomUUID } from 'node:crypto';
import { createApiApp, FORECASTING_ROUTES } from '../../src/http/app.ts';
import { pino } from 'pino';
import { type FootfallMinute, type MinuteUplink, type Principal, SiteModel, type StaffMember, type Subject } from '@atrium/shared';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createForecasting, type Forecasting } from '../../src/forecasting.ts';
import type { TimerClock } from '../../src/forecast/scheduler.ts';
import { utcOffsetMs } from '../../src/forecast/zone-clock.ts';
import { createSqlSeriesStore } from '../../src/series/pglite-series-store.ts';
import { createSeriesQueries } from '../../src/series/queries.ts';
import type { SeriesStore } from '../../src/series/series-store.ts';
import type { RetryPolicy } from '../../src/merchants/retry-policy.ts';
import type { WebhookOptions } from '../../src/forecasting.ts';

/**
 * A small mall for forecasting and merchant tests: two floors, two merchants (one with two
 * shops), a radar per zone, entrance and shop. Small enough to reason about, big enough that
 * "another merchant's shop" exists.
 */
export const fcSite: SiteModel = SiteModel.parse({
  id: 'fc-mall',
  name: 'Forecast Mall',
  timezone: 'Australia/Melbourne',
  openingHours: { open: '10:00', close: '21:00' },
  floors: [
    { id: 'g', name: 'Ground', level: 0 },
    { id: 'l1', name: 'Level 1', level: 1 },
  ],
  zones: [
    { id: 'hall', floorId: 'g', name: 'Hall', kind: 'concourse', areaM2: 6000, rect: { x: 0, y: 0, w: 100, h: 60 } },
    { id: 'food', floorId: 'l1', name: 'Food court', kind: 'foodcourt', areaM2: 3000, rect: { x: 0, y: 0, w: 60, h: 50 } },
    { id: 'back', floorId: 'l1', name: 'Service', kind: 'service', areaM2: 500, rect: { x: 60, y: 0, w: 10, h: 50 } },
  ],
  entrances: [{ id: 'main', zoneId: 'hall', name: 'Main entrance' }],
  restrooms: [],
  merchants: [
    { id: 'brewco', name: 'Brew Co' },
    { id: 'teahouse', name: 'Tea House' },
  ],
  shops: [
    { id: 'coffee', zoneId: 'hall', merchantId: 'brewco', name: 'Brew Co Hall', category: 'cafe', areaM2: 80 },
    { id: 'coffee-2', zoneId: 'food', merchantId: 'brewco', name: 'Brew Co Food Court', category: 'cafe', areaM2: 60 },
    { id: 'tea', zoneId: 'food', merchantId: 'teahouse', name: 'Tea House', category: 'cafe', areaM2: 50 },
  ],
  lockerBanks: [],
  gates: [],
  devices: [
    { id: 'r-hall', kind: 'radar', zoneId: 'hall', subject: { kind: 'zone', id: 'hall' }, reportIntervalS: 60 },
    { id: 'r-food', kind: 'radar', zoneId: 'food', subject: { kind: 'zone', id: 'food' }, reportIntervalS: 60 },
    { id: 'r-back', kind: 'radar', zoneId: 'back', subject: { kind: 'zone', id: 'back' }, reportIntervalS: 60 },
    { id: 'r-main', kind: 'radar', zoneId: 'hall', subject: { kind: 'entrance', id: 'main' }, reportIntervalS: 60 },
    { id: 'r-coffee', kind: 'radar', zoneId: 'hall', subject: { kind: 'shop', id: 'coffee' }, reportIntervalS: 60 },
    { id: 'r-coffee-2', kind: 'radar', zoneId: 'food', subject: { kind: 'shop', id: 'coffee-2' }, reportIntervalS: 60 },
    { id: 'r-tea', kind: 'radar', zoneId: 'food', subject: { kind: 'shop', id: 'tea' }, reportIntervalS: 60 },
  ],
});

export const H = 3_600_000;
export const DAY = 24 * H;

/** Local wall-clock reading at `t` in the fixture's timezone. */
export function local(t: number): { hour: number; weekday: number; date: string } {
  const d = new Date(t + utcOffsetMs(fcSite.timezone, t));
  return { hour: d.getUTCHours(), weekday: d.getUTCDay(), date: d.toISOString().slice(0, 10) };
}

/** A trading day: nothing before 10:00 or from 21:00, a lunch peak at 13:00; Saturdays half as busy again. */
export function pattern(scale: number) {
  return (t: number): number => {
    const { hour, weekday } = local(t);
    if (hour < 10 || hour >= 21) return 0;
    const lunch = hour === 13 ? 3 : hour === 12 || hour === 14 ? 1.8 : 1;
    return Math.round(scale * lunch * (weekday === 6 ? 1.5 : 1));
  };
}

/** Writes hourly counts for one radar as ordinary stored uplinks (one record per hour). `count` null = a missing hour. */
export async function writeHourly(store: SeriesStore, deviceId: string, from: number, to: number, count: (t: number) => number | null): Promise<void> {
  const device = fcSite.devices.find((d) => d.id === deviceId)!;
  const zone = fcSite.zones.find((z) => z.id === device.zoneId)!;
  const subject = device.subject as Subject;
  let records: FootfallMinute[] = [];
  const flush = async () => {
    if (records.length === 0) return;
    const u: MinuteUplink = { v: 1, id: randomUUID(), siteId: fcSite.id, gatewayId: 'test', sentAt: from, kind: 'minute', footfall: records, env: [] };
    await store.writeUplink(u, from);
    records = [];
  };
  for (let t = from; t < to; t += H) {
    const n = count(t);
    if (n === null) continue;
    records.push({ deviceId, floorId: zone.floorId, zoneId: zone.id, minute: t, spanMinutes: 60, subjectKind: subject.kind, subjectId: subject.id, in: n, out: n, samples: 60, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 });
    if (records.length >= 5000) await flush();
  }
  await flush();
}

/** A clock the test steps by hand: timers fire only when `advance` passes them. */
export function manualClock(start: number): TimerClock & { advance(ms: number): Promise<void>; pending(): number } {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    async advance(ms) {
      const end = now + ms;
      // let work started before this call settle first
      await new Promise((r) => setTimeout(r, 20));
      for (;;) {
        const due = [...timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        // let the fired work settle before looking for the next timer
        await new Promise((r) => setTimeout(r, 20));
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

export interface FcHarness {
  sql: SqlClient;
  store: SeriesStore;
  forecasting: Forecasting;
  close(): Promise<void>;
}

/** A real embedded database with the series store and the forecasting unit on it, wired as createCloud wires them. */
export async function openHarness(opts: { dataDir?: string; clock?: TimerClock; roster?: () => Promise<StaffMember[]>; retry?: Partial<RetryPolicy>; webhooks?: WebhookOptions } = {}): Promise<FcHarness> {
  const sql = await openPglite(opts.dataDir ?? 'memory://');
  await migrate(sql);
  const store = await createSqlSeriesStore(sql, { ownsClient: false });
  const forecasting = createForecasting({
    sql,
    site: fcSite,
    series: store,
    logger: pino({ level: 'silent' }),
    roster: opts.roster ?? (async () => []),
    ...(opts.clock ? { clock: opts.clock } : {}),
    options: { retry: { baseDelayMs: 50, maxDelayMs: 400, timeoutMs: 2000, ...opts.retry }, ...(opts.webhooks ? { webhooks: opts.webhooks } : {}) },
  });
  return {
    sql,
    store,
    forecasting,
    async close() {
      await forecasting.stop();
      await sql.close();
    },
  };
}

/** A stored forecast run for the given shops: open hours at `base`/h, with `peaks` (hours after the run's hour → visitors). */
export async function storeShopForecast(f: Forecasting, madeAt: number, shops: Record<string, { base: number; peaks?: Record<number, number> }>): Promise<void> {
  const hourStart = Math.floor(madeAt / H) * H;
  const runs = Object.entries(shops).map(([shopId, { base, peaks = {} }]) => ({
    subjectKind: 'shop' as const,
    subjectId: shopId,
    confidence: 'normal' as const,
    reason: 'ok' as const,
    observedHours: 2000,
    hours: Array.from({ length: 72 }, (_, i) => {
      const t = hourStart + (i + 1) * H;
      const open = local(t).hour >= 10 && local(t).hour < 21;
      const mean = peaks[i + 1] ?? (open ? base : 0);
      return { t, leadH: i + 1, mean, lo80: mean * 0.8, hi80: mean * 1.25, lo95: mean * 0.65, hi95: mean * 1.5, usual: open ? base : 0 };
    }),
  }));
  await f.forecasts.saveRun({ madeAt, origin: hourStart + H, horizonH: 72, series: runs.length, durationMs: 1 }, runs);
}

/** Waits for a condition the system reaches on its own (a retry after backoff); fails after `ms`. */
export async function until<T>(probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The forecasting routes on the cloud's own base app (auth, validation, error mapping), as createHttpApp mounts them. */
export async function forecastApp(h: FcHarness, principalByKeyHash: (keyHash: string) => Promise<Principal | null>) {
  const app = await createApiApp({ logger: pino({ level: 'silent' }), principalByKeyHash });
  const deps = { site: fcSite, queries: createSeriesQueries(h.store, fcSite.id), forecasting: h.forecasting };
  for (const routes of FORECASTING_ROUTES) await app.register(routes, deps);
  await app.ready();
  return app;
}
