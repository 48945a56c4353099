import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openPglite } from '../src/db/pglite.ts';
import { createSqlSeriesStore } from '../src/series/pglite-series-store.ts';
import { tallyStoredUplinks } from '../src/uplink-tally.ts';

const T = Date.UTC(2026, 0, 10, 10, 0, 0);
const minute = (siteId: string, k: number) => ({
  v: 1 as const, id: randomUUID(), siteId, gatewayId: 'gw-1', sentAt: T + k * 60_000, kind: 'minute' as const, env: [],
  footfall: [{ deviceId: 'r1', floorId: 'g', zoneId: 'hall', minute: T + k * 60_000, subjectKind: 'zone' as const, subjectId: 'hall', in: 3, out: 1, samples: 2, occupancySum: 0, occupancyCount: 0, occupancyMax: 0 }],
});

const engine = openPglite('memory://');
afterAll(async () => (await engine).close());

describe("/health's count of stored uplinks (embedded store)", () => {
  it('starts from what the ledger holds and follows every uplink stored, not duplicates or other sites', async () => {
    const sql = await engine;
    const store = await createSqlSeriesStore(sql, { ownsClient: false });
    // Stored before this process started: counted once, at start.
    for (let k = 0; k < 3; k++) await store.writeUplink(minute('mini', k), T);
    await store.writeUplink(minute('elsewhere', 0), T);
    const tally = await tallyStoredUplinks(store, sql, 'mini');
    expect(tally.stored()).toBe(3);

    const again = minute('mini', 10);
    expect(await tally.store.writeUplink(again, T)).toEqual({ stored: true });
    expect(await tally.store.writeUplink(again, T)).toEqual({ stored: false });
    await tally.store.writeUplink(minute('elsewhere', 1), T);
    expect(tally.stored()).toBe(4);
    // The same number the ledger count gives, and the store behind it reads as before.
    expect((await store.counts('mini')).uplinks).toBe(4);
    expect(await tally.store.footfallTotals({ siteId: 'mini', subjectKind: 'zone' })).toEqual([{ subjectId: 'hall', in: 12, out: 4 }]);
  });
});
