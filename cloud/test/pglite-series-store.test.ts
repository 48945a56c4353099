import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { createSqlSeriesStore } from '../src/series/pglite-series-store.ts';
import { seriesStoreContract } from './series-store.contract.ts';

// One engine for the whole suite (starting PGlite costs seconds); each test gets emptied tables.
const engine = openPglite('memory://');
afterAll(async () => (await engine).close());
seriesStoreContract('embedded PGlite', async () => {
  const db = await engine;
  const store = await createSqlSeriesStore(db, { ownsClient: false });
  await db.exec('truncate device_events, footfall_minute, footfall_hourly, env_minute, device_status, uplinks');
  return store;
});

describe('embedded PGlite on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps stored series across a restart and still refuses the old uplink id', async () => {
    const T = Date.UTC(2026, 0, 10, 10, 0, 0);
    const uplink = {
      v: 1 as const, id: randomUUID(), siteId: 'mini', gatewayId: 'gw-1', sentAt: T, kind: 'minute' as const, env: [],
      footfall: [{ deviceId: 'r1', floorId: 'g', zoneId: 'hall', minute: T, subjectKind: 'zone' as const, subjectId: 'hall', in: 11, out: 4, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 }],
    };
    const first = await createSqlSeriesStore(await openPglite(dir), { ownsClient: true });
    await first.writeUplink(uplink, T);
    await first.close();
    const second = await createSqlSeriesStore(await openPglite(dir), { ownsClient: true });
    expect(await second.writeUplink(uplink, T)).toEqual({ stored: false });
    expect(await second.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([{ subjectId: 'hall', in: 11, out: 4 }]);
    await second.close();
  });
});
