import type { SqlClient } from './db/sql-client.ts';
import type { SeriesStore } from './series/series-store.ts';

/**
 * The number of uplinks the embedded store holds, for /health, without counting on every probe.
 * /health used to count the ledger and every minute row (footfall, environment, events) each
 * time it was asked: a scan of millions of rows at ten malls, run on the main thread by the
 * embedded engine, so the probe that should show a stall caused one. Here the ledger is
 * counted once, as the cloud starts, and every uplink the store reports as newly stored
 * (ingest, a history backfill through `cloud.store`) adds one; a duplicate adds nothing.
 *
 * What this process has seen: on a PostgreSQL server shared by several cloud processes,
 * uplinks another one stores show from this one's next start.
 */
export interface UplinkTally {
  /** the store to use instead of the one passed in: the same store, counting what it stores */
  store: SeriesStore;
  stored(): number;
}

export async function tallyStoredUplinks(store: SeriesStore, sql: Pick<SqlClient, 'query'>, siteId: string): Promise<UplinkTally> {
  const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from uplinks where site_id = $1', [siteId]);
  let n = rows[0]?.n ?? 0;
  return {
    store: {
      async writeUplink(uplink, receivedAt) {
        const result = await store.writeUplink(uplink, receivedAt);
        if (result.stored && uplink.siteId === siteId) n++;
        return result;
      },
      footfall: (r) => store.footfall(r),
      footfallHours: (r) => store.footfallHours(r),
      footfallTotals: (q) => store.footfallTotals(q),
      env: (r) => store.env(r),
      counts: (id) => store.counts(id),
      close: () => store.close(),
    },
    stored: () => n,
  };
}
