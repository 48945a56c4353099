import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FootfallMinute } from '@atrium/shared';
import { createCalendarStore } from '../../src/calendar/calendar-store.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { inlineCompute, type ForecastCompute } from '../../src/forecast/compute.ts';
import { createForecastStore, type ForecastStore } from '../../src/forecast/forecast-store.ts';
import { createForecastRefresh } from '../../src/forecast/refresh.ts';
import { workerCompute } from '../../src/forecast/worker-compute.ts';
import { createSqlSeriesStore } from '../../src/series/pglite-series-store.ts';
import type { SeriesStore } from '../../src/series/series-store.ts';
import { DAY, H, fcSite, pattern } from '../support/forecast-fixtures.ts';

// Forty shops with ten weeks of hourly counts: enough work that one forecast job lasts a while.
const NOW = Date.UTC(2025, 2, 20, 3, 10);
const FROM = NOW - 70 * DAY;
const SHOPS = Array.from({ length: 40 }, (_, i) => `shop-${i + 1}`);

/** What the main thread got to do while a forecast job was out: timer turns, and whether a /health request came back first. */
function observed(inner: ForecastCompute, healthUrl: string) {
  const seen = { jobs: 0, ticksDuringJobs: 0, healthBeforeJobEnd: [] as boolean[] };
  let inFlight = 0;
  const timer = setInterval(() => {
    if (inFlight > 0) seen.ticksDuringJobs++;
  }, 1);
  const compute: ForecastCompute = {
    async run(job) {
      seen.jobs++;
      inFlight++;
      let answered = false;
      const health = fetch(healthUrl).then(async (r) => {
        await r.text();
        answered = true;
      });
      try {
        return await inner.run(job);
      } finally {
        inFlight--;
        seen.healthBeforeJobEnd.push(answered);
        await health;
      }
    },
    async close() {
      clearInterval(timer);
      await inner.close();
    },
  };
  return { compute, seen };
}

describe('the forecast refresh leaves the event loop free', () => {
  let sql: SqlClient;
  let store: SeriesStore;
  let forecasts: ForecastStore;
  let server: Server;
  let healthUrl: string;
  beforeAll(async () => {
    sql = await openPglite('memory://');
    await migrate(sql);
    store = await createSqlSeriesStore(sql, { ownsClient: false });
    forecasts = createForecastStore(sql, fcSite.id);
    const records: FootfallMinute[] = [];
    for (const [i, shop] of SHOPS.entries()) {
      for (let t = FROM; t < NOW - 10 * 60_000; t += H) {
        records.push({ deviceId: `r-${shop}`, floorId: 'g', zoneId: 'hall', minute: t, spanMinutes: 60, subjectKind: 'shop', subjectId: shop, in: pattern(20 + i)(t), out: 0, samples: 60, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 });
      }
    }
    for (let i = 0; i < records.length; i += 20_000) {
      await store.writeUplink({ v: 1, id: randomUUID(), siteId: fcSite.id, gatewayId: 'gw', sentAt: NOW, kind: 'minute', footfall: records.slice(i, i + 20_000), env: [] }, NOW);
    }
    // A /health stand-in on this event loop: an HTTP answer that needs the database, as the embedded one does.
    server = createServer((_req, res) => void store.counts(fcSite.id).then((c) => res.end(String(c.uplinks))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    healthUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await sql?.close();
  });

  const refreshWith = (compute: () => ForecastCompute, chunkSeries: number, f: ForecastStore = forecasts) =>
    createForecastRefresh({
      site: fcSite,
      series: store,
      forecasts: f,
      calendar: createCalendarStore(sql, fcSite.id),
      logger: pino({ level: 'silent' }),
      subjects: { zone: [], entrance: [], shop: SHOPS },
      options: { chunkSeries },
      compute,
    });
  const latestMeans = async () => new Map((await forecasts.latest({ subjectKind: 'shop' })).map((s) => [s.subjectId, { madeAt: s.madeAt, means: s.hours.map((h) => h.mean) }]));

  it('answers /health and runs timers while the worker forecasts, and the worker forecasts what the main thread would', async () => {
    const onWorker = observed(workerCompute(), healthUrl);
    expect(await refreshWith(() => onWorker.compute, SHOPS.length).run(NOW)).toMatchObject({ series: SHOPS.length });
    const fromWorker = await latestMeans();

    // The same run computed on the main thread without yielding: nothing else happens until it ends.
    const blocking = observed(inlineCompute({ sliceMs: Number.POSITIVE_INFINITY }), healthUrl);
    await refreshWith(() => blocking.compute, SHOPS.length).run(NOW + 60_000);
    const fromMainThread = await latestMeans();

    expect(onWorker.seen.jobs).toBe(1);
    expect(onWorker.seen.ticksDuringJobs).toBeGreaterThan(0);
    expect(onWorker.seen.healthBeforeJobEnd).toEqual([true]);
    expect(blocking.seen.ticksDuringJobs).toBe(0);
    expect(blocking.seen.healthBeforeJobEnd).toEqual([false]);

    expect([...fromMainThread.values()].every((s) => s.madeAt === NOW + 60_000)).toBe(true);
    for (const shop of SHOPS) expect(fromMainThread.get(shop)?.means).toEqual(fromWorker.get(shop)?.means);
  });

  it('yields between slices when the forecasts run on the main thread in bounded slices', async () => {
    const sliced = observed(inlineCompute({ sliceMs: 1 }), healthUrl);
    await refreshWith(() => sliced.compute, SHOPS.length).run(NOW + 2 * 60_000);
    expect(sliced.seen.ticksDuringJobs).toBeGreaterThan(0);
    expect(sliced.seen.healthBeforeJobEnd).toEqual([true]);
  });

  it('stores a run in chunks that readers never see half-written', async () => {
    const before = await latestMeans();
    const madeAt = NOW + 3 * 60_000;
    const seenMidRun: number[] = [];
    const watching: ForecastStore = {
      ...forecasts,
      async saveHours(at, series) {
        await forecasts.saveHours(at, series);
        for (const s of (await latestMeans()).values()) seenMidRun.push(s.madeAt);
      },
    };
    await refreshWith(() => workerCompute(), 10, watching).run(madeAt);
    expect(seenMidRun).toHaveLength(4 * SHOPS.length);
    expect(new Set(seenMidRun)).toEqual(new Set([[...before.values()][0]?.madeAt]));
    expect(new Set([...(await latestMeans()).values()].map((s) => s.madeAt))).toEqual(new Set([madeAt]));
  });
});
