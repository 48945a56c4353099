import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FootfallMinute, MinuteUplink } from '@atrium/shared';
import { openPglite } from '../src/db/pglite.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { createInfluxSeriesStore, SeriesBufferFullError, type InfluxSeriesStore } from '../src/series/influx-series-store.ts';
import { startInfluxd, type TestInfluxd } from './support/influxd.ts';

/**
 * Uplinks the ingest hands over at the same moment share one transaction (group commit), yet
 * each keeps its own answer: stored, already stored, or refused because the buffer is full —
 * and a refused one can be delivered again later and is stored then.
 */
describe('InfluxDB store: uplinks arriving together', () => {
  let s: TestInfluxd;
  let sql: SqlClient;
  beforeAll(async () => {
    s = await startInfluxd();
    await s.admin('CREATE DATABASE "together"');
    sql = await openPglite('memory://');
  });
  afterAll(async () => {
    await sql?.close();
    await s?.stop();
  });

  const T = Date.UTC(2026, 0, 10, 10, 0, 0);
  const uplink = (zone: string, inN: number): MinuteUplink => ({
    v: 1, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute', env: [],
    footfall: [0, 1, 2, 3].map((d): FootfallMinute => ({ deviceId: `r${d}-${zone}`, floorId: 'g', zoneId: zone, minute: T, subjectKind: 'zone', subjectId: zone, in: inN, out: 0, samples: 1, occupancySum: 1, occupancyCount: 1, occupancyMax: 1 })),
  });

  it('answers each uplink of a group for itself: stored, a copy not stored again, the ones past the buffer refused and stored when delivered again', async () => {
    const open = (): Promise<InfluxSeriesStore> =>
      createInfluxSeriesStore({
        sql, ownsSql: false, connection: { url: s.url, username: s.username, password: s.password, timeoutMs: 1000 },
        minute: { db: 'together' }, rollup: { db: 'together' }, minuteRetentionDays: 0, batchPoints: 100,
        bufferMaxPoints: 10, // two uplinks of four points fit, a third does not
        startupTimeoutMs: 2000, ackWaitMs: 0, rollupIntervalMs: 0, retry: { minDelayMs: 50, maxDelayMs: 200, batchRetryTimeMs: 500 },
      });
    let store = await open();
    await s.kill(); // nothing leaves the buffer meanwhile
    const [a, b, c, d] = [uplink('hall', 1), uplink('wc', 2), uplink('food', 3), uplink('hall', 4)];
    const outcomes = await Promise.allSettled([a, b, c, d, a].map((u) => store.writeUplink(u, T)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name))).toEqual([
      { stored: true }, { stored: true }, 'SeriesBufferFullError', 'SeriesBufferFullError', { stored: false },
    ]);
    expect(outcomes[2]).toMatchObject({ reason: expect.any(SeriesBufferFullError) });
    expect((await store.status()).buffer).toMatchObject({ points: 8, uplinks: 2 });

    // The refused uplinks left no ledger row behind: once there is room they are stored.
    await store.close();
    await s.start();
    store = await open();
    try {
      expect(await store.drain(10_000)).toBe(true);
      for (const u of [c, d]) expect(await store.writeUplink(u, T)).toEqual({ stored: true });
      expect(await store.writeUplink(b, T)).toEqual({ stored: false });
      expect(await store.drain(10_000)).toBe(true);
      expect(await store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([
        { subjectId: 'food', in: 12, out: 0 },
        { subjectId: 'hall', in: 20, out: 0 },
        { subjectId: 'wc', in: 8, out: 0 },
      ]);
      expect((await store.counts('mini')).uplinks).toBe(4);
    } finally {
      await store.close();
    }
  }, 60_000); // influxd restarted once on a loaded machine: not a timing assertion
});
